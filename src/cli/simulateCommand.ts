import { parseArgs } from 'node:util';
import { createModel } from '../model/Model.js';
import type { ModelConfig } from '../model/ModelConfig.js';
import { simulate } from '../sim/simulate.js';
import { formatStep } from '../sim/describeStep.js';
import { BOUND_FLAGS, modelConfigFromFlags, wholeNumber } from './modelOptions.js';
import { UsageError } from './CliError.js';
import type { ClusterState } from '../model/ClusterState.js';
import { writeFileSync } from 'node:fs';
import { defaultServiceTracePath, serviceSimulateCommand } from '../servicesim/serviceSimulateCommand.js';

/** Simulation bounds are looser than the checker's: a run should see several epochs and faults. */
export const SIMULATION_MODEL: ModelConfig = {
  servers: 3,
  observers: 0,
  maxEpoch: 20,
  maxTxns: 60,
  maxCrashes: 6,
  maxPartitions: 6,
  commitLogCount: 2,
  maxRounds: 40,
  election: 'Oracle',
};

export function simulateCommand(args: string[], out: (line: string) => void): number {
  const { values } = parseArgs({
    args,
    options: { ...BOUND_FLAGS, seed: { type: 'string' }, steps: { type: 'string' }, service: { type: 'boolean' }, trace: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  if (values.seed === undefined) throw new UsageError('simulate needs --seed S (a whole number): the seed names the run');
  const seed = wholeNumber('seed', values.seed);
  if (seed > 0xffffffff) throw new UsageError(`--seed must be at most 4294967295, got ${seed}`);
  if (values.service) return simulateServiceRun(values, seed, out);
  const steps = values.steps === undefined ? 300 : wholeNumber('steps', values.steps);
  const config = modelConfigFromFlags(values, SIMULATION_MODEL);
  const model = createModel(config);
  out(`zabstate simulate --seed ${seed} --steps ${steps}: ${config.servers} servers, ${config.observers} observers, ${config.election} election, MaxEpoch ${config.maxEpoch}, MaxTxns ${config.maxTxns}, MaxCrashes ${config.maxCrashes}, MaxPartitions ${config.maxPartitions}`);
  let last: ClusterState = model.init();
  let taken = 0;
  for (const step of simulate(model, seed, steps)) {
    out(formatStep(step.index, step.action, step.before, step.after));
    last = step.after;
    taken = step.index;
  }
  if (taken < steps) out(`quiescent after ${taken} steps: no action is enabled within the bounds`);
  out('summary:');
  const leaders = last.established
    .map((mask, epoch) => ({ mask, epoch }))
    .filter((e) => e.mask !== 0)
    .map((e) => `epoch ${e.epoch}: s${Math.log2(e.mask & -e.mask)}`);
  out(`  leaders established: ${leaders.length === 0 ? 'none' : leaders.join(', ')}`);
  out(`  txns proposed: ${last.proposed.length}, committed: ${last.committedLog.length}`);
  out(`  crashes: ${last.nCrashes}, partitions: ${last.nPartitions}`);
  out(`  final: ${model.sids.map((s) => `s${s} ${last.states[s]} e${last.servers[s].currentEpoch} log ${last.servers[s].history.length} delivered ${last.servers[s].lastCommitted}`).join('; ')}`);
  return 0;
}

/** --service: the data tree and clients on the protocol model, checked; a violation's trace is written to a file. */
function simulateServiceRun(values: Record<string, string | boolean | undefined>, seed: number, out: (line: string) => void): number {
  const bound = Object.keys(BOUND_FLAGS).find((name) => values[name] !== undefined);
  if (bound !== undefined) throw new UsageError(`--service derives its model from the seed; --${bound} is not accepted`);
  const steps = typeof values.steps === 'string' ? wholeNumber('steps', values.steps) : undefined;
  if (steps !== undefined && steps > 1_000_000) throw new UsageError(`--steps must be at most 1000000, got ${steps}`);
  const result = serviceSimulateCommand(seed, steps);
  for (const line of result.lines) out(line);
  if (result.trace !== null) {
    const path = typeof values.trace === 'string' ? values.trace : defaultServiceTracePath(seed);
    writeFileSync(path, JSON.stringify(result.trace, null, 2) + '\n');
    out(`trace: ${path}`);
  }
  return result.exitCode;
}
