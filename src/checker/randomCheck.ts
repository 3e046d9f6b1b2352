import fc from 'fast-check';
import { createModel } from '../model/Model.js';
import { ActionList, CompactModel } from './CompactModel.js';
import type { ModelConfig } from '../model/ModelConfig.js';
import type { ServerImplementations } from '../protocol/serverMachine.js';
import { Fingerprinter } from './Fingerprinter.js';
import { checkActionProperties, checkInvariants, type Violation } from './invariants.js';
import type { TraceStep } from './explore.js';

const FAULTS = new Set(['Crash', 'Disconnect', 'LeaderTimeout']);
const CHOICE_RANGE = 0x7fffffff;

export interface RandomCheckOptions {
  readonly seed: number;
  /** Schedules to try. */
  readonly runs: number;
  /** Steps per schedule at most. */
  readonly maxSteps: number;
  /** Weight of a fault action against 1 for any other (swarm mode draws it per run). */
  readonly faultWeight?: number;
  /** Swarm mode: the seed also draws each run's bounds and fault weight. */
  readonly swarm?: boolean;
  readonly implementations?: ServerImplementations;
}

export interface RandomCheckResult {
  readonly verdict: 'pass' | 'violation';
  readonly runs: number;
  readonly seed: number;
  /** The model of the failing run (in swarm mode, the bounds drawn for it). */
  readonly config: ModelConfig;
  readonly violation?: Violation;
  /** The shrunk schedule as a trace. */
  readonly trace?: readonly TraceStep[];
  /** fast-check's path to the failing case, to replay exactly that case. */
  readonly path?: string;
}

/** Pick an option from `choice` in [0, CHOICE_RANGE): every action weighs 1, a fault `faultWeight`. */
function pick<T extends { name: string }>(choices: readonly T[], choice: number, faultWeight: number): T {
  let total = 0;
  for (const c of choices) total += FAULTS.has(c.name) ? faultWeight : 1;
  let left = (choice / CHOICE_RANGE) * total;
  for (const c of choices) {
    left -= FAULTS.has(c.name) ? faultWeight : 1;
    if (left < 0) return c;
  }
  return choices[choices.length - 1];
}

interface RunOutcome {
  /** The actions taken (as the compact model codes them) and the states they reach. */
  readonly steps: { code: number; state: Int32Array }[];
  readonly violation: Violation | null;
}

/**
 * Follow a schedule of choices from the initial state, checking every state and step. The
 * schedule steps the compact model the exhaustive explorer steps (the same actions, in the same
 * order, as Model: test/checker/compactModel.test.ts), which memoizes each server's steps.
 */
function runSchedule(cm: CompactModel, schedule: readonly number[], faultWeight: number): RunOutcome {
  const model = cm.model;
  let state = cm.init();
  const steps: { code: number; state: Int32Array }[] = [];
  const initial = checkInvariants(model, cm.materialize(state));
  if (initial !== null) return { steps, violation: initial };
  const list = new ActionList();
  const after = new Int32Array(cm.width);
  for (const choice of schedule) {
    cm.actions(state, list);
    const options: { code: number; name: string }[] = [];
    for (let a = 0; a < list.length; a++) {
      cm.next(state, list.codes[a], after);
      if (cm.withinBounds(after)) options.push({ code: list.codes[a], name: cm.action(list.codes[a]).name });
    }
    if (options.length === 0) break;
    const chosen = pick(options, choice, faultWeight);
    const next = new Int32Array(cm.width);
    cm.next(state, chosen.code, next);
    const before = cm.materialize(state);
    const reached = cm.materialize(next);
    const violation = checkActionProperties(model, before, reached) ?? checkInvariants(model, reached);
    steps.push({ code: chosen.code, state: next });
    state = next;
    if (violation !== null) return { steps, violation };
  }
  return { steps, violation: null };
}

/** Bounds a swarm run may draw: around the standard model, both election modes. */
function swarmConfig(base: ModelConfig): fc.Arbitrary<ModelConfig> {
  return fc.record({
    servers: fc.constantFrom(3, 5),
    observers: fc.integer({ min: 0, max: 1 }),
    maxEpoch: fc.integer({ min: 1, max: 5 }),
    maxTxns: fc.integer({ min: 1, max: 5 }),
    maxCrashes: fc.integer({ min: 0, max: 4 }),
    maxPartitions: fc.integer({ min: 0, max: 4 }),
    commitLogCount: fc.integer({ min: 0, max: 3 }),
    maxRounds: fc.integer({ min: 1, max: 6 }),
    election: fc.constantFrom(base.election, 'Oracle', 'FLE'),
  });
}

/**
 * Randomized checking with fast-check: random schedules (faults included) through the model,
 * every state checked; a failure is shrunk to a short schedule and returned as a trace. In swarm
 * mode each run also draws its bounds and fault weight, so rare configurations get their turn.
 */
export function randomCheck(base: ModelConfig, options: RandomCheckOptions): RandomCheckResult {
  const models = new Map<string, CompactModel>();
  const modelOf = (config: ModelConfig) => {
    const key = JSON.stringify(config);
    let m = models.get(key);
    if (m === undefined) {
      m = new CompactModel(createModel(config, options.implementations));
      models.set(key, m);
    }
    return m;
  };
  // size 'max': fast-check's default size would keep schedules to about ten steps.
  const schedule = fc.array(fc.integer({ min: 0, max: CHOICE_RANGE - 1 }), { minLength: 1, maxLength: options.maxSteps, size: 'max' });
  const weight = fc.constantFrom(0.01, 0.05, 0.2, 1);
  const run = options.swarm
    ? fc.record({ config: swarmConfig(base), faultWeight: weight, schedule })
    : fc.record({ config: fc.constant(base), faultWeight: fc.constant(options.faultWeight ?? 0.05), schedule });
  const details = fc.check(
    fc.property(run, ({ config, faultWeight, schedule: s }) => runSchedule(modelOf(config), s, faultWeight).violation === null),
    { seed: options.seed, numRuns: options.runs, endOnFailure: false },
  );
  if (!details.failed || details.counterexample === null) {
    return { verdict: 'pass', runs: details.numRuns, seed: options.seed, config: base };
  }
  const [failing] = details.counterexample;
  const cm = modelOf(failing.config);
  const outcome = runSchedule(cm, failing.schedule, failing.faultWeight);
  if (outcome.violation === null) throw new Error(`randomCheck: the shrunk schedule of seed ${options.seed} no longer fails`);
  const fingerprinter = new Fingerprinter(cm.model.compiled.states);
  return {
    verdict: 'violation',
    runs: details.numRuns,
    seed: options.seed,
    config: failing.config,
    violation: outcome.violation,
    trace: outcome.steps.map((s) => ({ action: cm.action(s.code), fingerprint: fingerprinter.format(cm.materialize(s.state)) })),
    path: details.counterexamplePath ?? undefined,
  };
}
