import { parseArgs } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createModel } from '../model/Model.js';
import { explore, type ExploreResult, type Strategy } from '../checker/explore.js';
import { makeTrace, type TraceFile } from '../trace/Trace.js';
import { REACHABILITY } from '../checker/reachability.js';
import { formatAction } from '../model/ClusterState.js';
import { BOUND_FLAGS, modelConfigFromFlags, wholeNumber } from './modelOptions.js';
import { UsageError } from './CliError.js';

const STRATEGIES = ['bfs', 'dfs'] as const;

export function traceFileName(trace: TraceFile): string {
  const last = trace.steps.length === 0 ? 'init' : trace.steps[trace.steps.length - 1].fingerprint;
  return `${trace.violation.invariant}-${trace.steps.length}-${last}.json`;
}

export function checkCommand(args: string[], out: (line: string) => void, err: (line: string) => void, isTTY: boolean): number {
  const { values } = parseArgs({
    args,
    options: {
      ...BOUND_FLAGS,
      strategy: { type: 'string' },
      depth: { type: 'string' },
      json: { type: 'boolean' },
      'traces-dir': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const strategy = (values.strategy ?? 'bfs') as Strategy;
  if (!(STRATEGIES as readonly string[]).includes(strategy)) throw new UsageError(`--strategy must be one of ${STRATEGIES.join(', ')}, got ${JSON.stringify(values.strategy)}`);
  const maxDepth = values.depth === undefined ? 0 : wholeNumber('depth', values.depth);
  const config = modelConfigFromFlags(values);
  const model = createModel(config);
  const started = performance.now();
  const result: ExploreResult = explore(model, {
    strategy,
    maxDepth,
    now: () => performance.now(),
    onProgress: isTTY && !values.json
      ? (p) => err(`generated ${p.generated}, distinct ${p.distinct}, queue ${p.queue}, depth ${p.depth}, ${Math.round(p.distinct / Math.max(p.seconds, 1e-9))} states/s`)
      : undefined,
  });
  const seconds = (performance.now() - started) / 1000;
  let tracePath: string | null = null;
  if (result.violation !== undefined && result.trace !== undefined) {
    const trace = makeTrace(config, result.trace, result.violation, { strategy });
    const dir = values['traces-dir'] ?? 'traces';
    mkdirSync(dir, { recursive: true });
    tracePath = join(dir, traceFileName(trace));
    writeFileSync(tracePath, JSON.stringify(trace, null, 2) + '\n');
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
    workers: 1,
    strategy,
    config,
    unreached,
    ...(result.violation === undefined ? {} : { invariant: result.violation.invariant, trace: tracePath, violation: result.violation }),
  };
  if (values.json) {
    out(JSON.stringify(summary));
  } else {
    out(`model: ${config.servers} servers, ${config.observers} observers, ${config.election} election, MaxEpoch ${config.maxEpoch}, MaxTxns ${config.maxTxns}, MaxCrashes ${config.maxCrashes}, MaxPartitions ${config.maxPartitions}, CommitLogCount ${config.commitLogCount}`);
    out(`${strategy}: ${result.distinctStates} distinct states, ${result.generatedStates} generated, depth ${result.depth}, ${summary.seconds} s, ${summary.statesPerSecond} distinct states/s`);
    if (result.violation !== undefined) {
      out(`VIOLATION of ${result.violation.invariant}: ${result.violation.message}`);
      for (const [k, step] of (result.trace ?? []).entries()) out(`  ${String(k + 1).padStart(3)}  ${formatAction(step.action)}`);
      out(`trace written to ${tracePath}; replay it with: zabstate replay ${tracePath}`);
    } else {
      out(`all invariants hold (${result.distinctStates} states)`);
      if (unreached.length > 0) out(`FINDING: never reached: ${unreached.join(', ')} (the model is vacuous for them)`);
    }
  }
  if (result.violation !== undefined) return 1;
  return unreached.length > 0 ? 1 : 0;
}
