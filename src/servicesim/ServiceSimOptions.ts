import type { ModelConfig } from '../model/ModelConfig.js';
import { Random } from '../sim/Random.js';

/**
 * Everything a service simulation run depends on. A seed derives all of it (`serviceOptionsFromSeed`),
 * so `zabstate simulate --service --seed S --steps N` names one run; tests may override fields.
 */
export interface ServiceSimOptions {
  readonly seed: number;
  /** Steps of the safety phase: client operations and faults. */
  readonly steps: number;
  /** The liveness phase's limit: no faults and no new operations, until the cluster is quiet. */
  readonly drainStepsMax: number;
  readonly clients: number;
  readonly model: ModelConfig;
  /** The weight of Crash, Disconnect and LeaderTimeout, against 1 for a protocol step. */
  readonly faultWeight: number;
  /** Session timeout of new sessions, in ticks. */
  readonly sessionTimeoutTicks: number;
  /** Operations a client may have in flight at once (ZooKeeper clients pipeline). */
  readonly pipelineMax: number;
  /** Test doubles only: deliberately broken replicas, to show that the checks catch them. */
  readonly testHooks?: ServiceSimTestHooks;
}

export interface ServiceSimTestHooks {
  /** This server skips the first setData txn it applies (and on every rebuild): a replica bug. */
  readonly skipFirstSetDataOn?: number;
}

/** The protocol bounds of a service run: loose enough for several epochs and many requests. */
export function serviceModelConfig(election: ModelConfig['election']): ModelConfig {
  return {
    servers: 3,
    observers: 0,
    maxEpoch: 30,
    maxTxns: 100000,
    maxCrashes: 6,
    maxPartitions: 6,
    commitLogCount: 3,
    maxRounds: 60,
    election,
  };
}

export const DEFAULT_SERVICE_STEPS = 1000;

/** The options a seed names. The stream used here is separate from the run's own stream. */
export function serviceOptionsFromSeed(seed: number, steps: number = DEFAULT_SERVICE_STEPS): ServiceSimOptions {
  if (!Number.isInteger(steps) || steps < 0 || steps > 1_000_000) throw new RangeError(`steps must be a whole number up to 1000000, got ${steps}`);
  const random = new Random((seed ^ 0x5eed5eed) >>> 0);
  const election = random.below(2) === 0 ? 'Oracle' : 'FLE';
  return {
    seed,
    steps,
    drainStepsMax: 2000,
    clients: 2 + random.below(3),
    model: serviceModelConfig(election),
    faultWeight: [0.02, 0.05, 0.1][random.below(3)],
    sessionTimeoutTicks: 4 + random.below(5),
    pipelineMax: 1 + random.below(3),
  };
}

/** The options as one line, for the run's header and for a trace. */
export function formatServiceOptions(options: ServiceSimOptions): string {
  const m = options.model;
  return [
    `seed ${options.seed}`,
    `steps ${options.steps}`,
    `${m.servers} servers`,
    `${m.election} election`,
    `${options.clients} clients`,
    `fault weight ${options.faultWeight}`,
    `session timeout ${options.sessionTimeoutTicks} ticks`,
    `pipeline ${options.pipelineMax}`,
    `MaxCrashes ${m.maxCrashes}`,
    `MaxPartitions ${m.maxPartitions}`,
  ].join(', ');
}
