import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createModel } from '../model/Model.js';
import { explore, type ExploreResult, type Progress, type Strategy } from '../checker/explore.js';
import { makeTrace, type TraceFile } from '../trace/Trace.js';
import { REACHABILITY } from '../checker/reachability.js';
import { formatAction } from '../model/ClusterState.js';
import { BOUND_FLAGS, modelConfigFromFlags, wholeNumber } from './modelOptions.js';
import { UsageError } from './CliError.js';
import { randomCheck } from '../checker/randomCheck.js';
import { exploreParallel } from '../runtime/parallel/exploreParallel.js';
import { availableParallelism } from 'node:os';
import type { ModelConfig } from '../model/ModelConfig.js';
import type { TraceStep } from '../checker/explore.js';
import type { Violation } from '../checker/invariants.js';
import { allVariantsCommand, chooseVariant, livenessCommand, type ChosenVariant } from '../variants/variantCommands.js';
import { variantConfig } from '../variants/Variant.js';
import { loadVariantForCli } from '../variants/loadVariant.js';

/** Write a counterexample under the traces directory; returns its path. */
function writeTrace(dir: string, config: ModelConfig, steps: readonly TraceStep[], violation: Violation, extra: { strategy: string; seed?: number; variant?: string | null }): string {
  const trace = makeTrace(config, steps, violation, extra);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, traceFileName(trace));
  writeFileSync(path, JSON.stringify(trace, null, 2) + '\n');
  return path;
}

function randomCheckCommand(strategy: 'random' | 'swarm', config: ModelConfig, values: Record<string, unknown>, out: (line: string) => void, chosen: ChosenVariant | null = null): number {
  // The seed is the only source of chance: drawn here, outside the pure core, when not given.
  const seed = typeof values.seed === 'string' ? wholeNumber('seed', values.seed) : Math.floor(Math.random() * 0x7fffffff);
  const runs = typeof values.runs === 'string' ? wholeNumber('runs', values.runs) : 1000;
  const maxSteps = typeof values.depth === 'string' ? wholeNumber('depth', values.depth) : 120;
  if (runs < 1 || maxSteps < 1) throw new UsageError('--runs and --depth must be at least 1');
  const started = performance.now();
  const result = randomCheck(config, { seed, runs, maxSteps, swarm: strategy === 'swarm', implementations: chosen?.implementations });
  const seconds = (performance.now() - started) / 1000;
  let tracePath: string | null = null;
  if (result.violation !== undefined && result.trace !== undefined) {
    tracePath = writeTrace(typeof values['traces-dir'] === 'string' ? values['traces-dir'] : 'traces', result.config, result.trace, result.violation, { strategy, seed, variant: chosen?.label });
  }
  const summary = {
    verdict: result.verdict,
    strategy,
    seed,
    runs: result.runs,
    maxSteps,
    seconds: Number(seconds.toFixed(3)),
    workers: 1,
    config: result.config,
    ...(result.violation === undefined ? {} : { invariant: result.violation.invariant, trace: tracePath, violation: result.violation }),
  };
  if (values.json) out(JSON.stringify(summary));
  else {
    out(`${strategy}: seed ${seed}, ${result.runs} schedules of up to ${maxSteps} steps, ${summary.seconds} s`);
    if (result.violation !== undefined) {
      out(`VIOLATION of ${result.violation.invariant}: ${result.violation.message}`);
      out(`shrunk to ${result.trace?.length} steps; trace written to ${tracePath}; reproduce with --seed ${seed}`);
    } else out('all invariants hold on every schedule');
  }
  return result.violation === undefined ? 0 : 1;
}

const STRATEGIES = ['bfs', 'dfs', 'random', 'swarm'] as const;

export function traceFileName(trace: TraceFile): string {
  const last = trace.steps.length === 0 ? 'init' : trace.steps[trace.steps.length - 1].fingerprint;
  return `${trace.violation.invariant}-${trace.steps.length}-${last}.json`;
}

export async function checkCommand(args: string[], out: (line: string) => void, err: (line: string) => void, isTTY: boolean): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...BOUND_FLAGS,
      strategy: { type: 'string' },
      depth: { type: 'string' },
      json: { type: 'boolean' },
      'traces-dir': { type: 'string' },
      seed: { type: 'string' },
      runs: { type: 'string' },
      workers: { type: 'string' },
      'table-log2': { type: 'string' },
      variant: { type: 'string' },
      'all-variants': { type: 'boolean' },
      liveness: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const strategy = (values.strategy ?? 'bfs') as Strategy | 'random' | 'swarm';
  if (!(STRATEGIES as readonly string[]).includes(strategy)) throw new UsageError(`--strategy must be one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(values.strategy)}`);
  const maxDepth = values.depth === undefined ? 0 : wholeNumber('depth', values.depth);
  if (values['all-variants']) return allVariantsCommand(values, out);
  const chosen = chooseVariant(values.variant, values.variant === undefined ? undefined : await loadVariantForCli(values.variant));
  const config = modelConfigFromFlags(values, chosen === null ? undefined : variantConfig(chosen.variant));
  if (values.liveness) return livenessCommand(config, chosen, values, out);
  if (strategy === 'random' || strategy === 'swarm') return randomCheckCommand(strategy, config, values, out, chosen);
  // By default BFS uses every core (up to 2 on this project's machines); DFS is single-threaded.
  const workers = values.workers === undefined ? (strategy === 'bfs' && maxDepth === 0 && chosen === null ? Math.min(2, availableParallelism()) : 1) : wholeNumber('workers', values.workers);
  if (workers > 1 && chosen !== null) throw new UsageError('--variant runs on one worker (the parallel explorer takes no implementations)');
  if (workers < 1 || workers > 64) throw new UsageError(`--workers must be from 1 to 64, got ${workers}`);
  if (workers > 1 && strategy !== 'bfs') throw new UsageError('--workers above 1 needs --strategy bfs');
  if (workers > 1 && maxDepth > 0) throw new UsageError('--depth is not supported with --workers above 1');
  // The shared table grows in place up to 2^tableLog2 slots; the maximum reserves address space, not memory.
  const tableLog2 = values['table-log2'] === undefined ? 28 : wholeNumber('table-log2', values['table-log2']);
  if (tableLog2 < 10 || tableLog2 > 30) throw new UsageError(`--table-log2 must be from 10 to 30, got ${tableLog2}`);
  const model = createModel(config, chosen?.implementations);
  const started = performance.now();
  const onProgress = isTTY && !values.json
    ? (p: Progress) => err(`generated ${p.generated}, distinct ${p.distinct}, queue ${p.queue}, depth ${p.depth}, ${Math.round(p.distinct / Math.max(p.seconds, 1e-9))} states/s`)
    : undefined;
  let result: ExploreResult = workers > 1
    ? await exploreParallel(config, { workers, tableLog2, onProgress }).catch((error: Error) => {
        if (error.message.includes('seen-set is full')) throw new UsageError(error.message);
        throw error;
      })
    : explore(model, { strategy, maxDepth, now: () => performance.now(), onProgress });
  if (workers > 1 && result.trace !== undefined) {
    // Threads find a counterexample, not necessarily a shortest one: BFS again, no deeper than it.
    const shortest = explore(model, { maxDepth: result.trace.length });
    if (shortest.trace !== undefined) result = { ...result, violation: shortest.violation, trace: shortest.trace, path: shortest.path };
  }
  const seconds = (performance.now() - started) / 1000;
  let tracePath: string | null = null;
  if (result.violation !== undefined && result.trace !== undefined) {
    tracePath = writeTrace(values['traces-dir'] ?? 'traces', config, result.trace, result.violation, { strategy, variant: chosen?.label });
  }
  const unreached = maxDepth === 0 && result.verdict === 'pass'
    ? REACHABILITY.filter((r) => !result.reached[r.name] && (r.name !== 'ObserverDeliversTxn' || config.observers > 0)).map((r) => r.name)
    : [];
  const summary = {
    verdict: result.verdict,
    distinctStates: result.distinctStates,
    generatedStates: result.generatedStates,
    depth: result.depth,
    seconds: Number(seconds.toFixed(3)),
    statesPerSecond: Math.round(result.distinctStates / Math.max(seconds, 1e-9)),
    workers,
    strategy,
    config,
    unreached,
    bytesPerState: Number((result.fingerprintBytes / result.distinctStates).toFixed(1)),
    ...(result.violation === undefined ? {} : { invariant: result.violation.invariant, trace: tracePath, violation: result.violation }),
  };
  if (values.json) {
    out(JSON.stringify(summary));
  } else {
    out(`model: ${config.servers} servers, ${config.observers} observers, ${config.election} election, MaxEpoch ${config.maxEpoch}, MaxTxns ${config.maxTxns}, MaxCrashes ${config.maxCrashes}, MaxPartitions ${config.maxPartitions}, CommitLogCount ${config.commitLogCount}`);
    out(`${strategy}${workers > 1 ? ` on ${workers} workers` : ''}: ${result.distinctStates} distinct states, ${result.generatedStates} generated, depth ${result.depth}, ${summary.seconds} s, ${summary.statesPerSecond} distinct states/s`);
    if (result.violation !== undefined) {
      out(`VIOLATION of ${result.violation.invariant}: ${result.violation.message}`);
      for (const [k, step] of (result.trace ?? []).entries()) out(`  ${String(k + 1).padStart(3)}  ${formatAction(step.action)}`);
      out(`trace written to ${tracePath}; replay it with: zabstate replay ${tracePath}`);
    } else {
      out(`all invariants hold (${result.distinctStates} states)`);
      if (unreached.length > 0) out(`FINDING: never reached: ${unreached.join(', ')} (these bounds are vacuous for them)`);
    }
  }
  // An unreached `sometimes` property is a finding about the bounds, not a protocol violation.
  return result.violation !== undefined ? 1 : 0;
}
