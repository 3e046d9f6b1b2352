import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelConfig } from '../model/ModelConfig.js';
import { createModel } from '../model/Model.js';
import { defaultImplementations, type ServerImplementations } from '../protocol/serverMachine.js';
import { checkLiveness, livenessConfig, replayLasso, LIVENESS_PROPERTY } from '../checker/liveness.js';
import { formatAction } from '../model/ClusterState.js';
import { fromFileStep, makeTrace, type TraceFile } from '../trace/Trace.js';
import { UsageError } from '../cli/CliError.js';
import { CORPUS, corpusVariant } from './corpus/index.js';
import { implementationsOf, type Variant } from './Variant.js';
import type { LoadedVariant } from './loadVariant.js';
import { formatVariantTable, LIVENESS_SAMPLING, runVariant, type VariantOutcome } from './runVariant.js';

/** A variant the CLI runs with: its implementations and the label its traces record. */
export interface ChosenVariant {
  readonly variant: Variant;
  readonly implementations: ServerImplementations;
  /** The corpus name, or `name@path` for a file. */
  readonly label: string;
}

/**
 * The variant `--variant` names: a built-in one by name, or the module the binary loaded before
 * running the command (loading is asynchronous; see runAsync in cli/main.ts).
 */
export function chooseVariant(flag: string | undefined, loaded: LoadedVariant | undefined): ChosenVariant | null {
  if (flag === undefined) return null;
  const builtIn = corpusVariant(flag);
  if (builtIn !== undefined) return { variant: builtIn, implementations: implementationsOf(builtIn), label: builtIn.name };
  if (loaded === undefined || loaded.path !== flag) throw new UsageError(`--variant ${flag}: not a built-in variant (${CORPUS.map((v) => v.name).join(', ')}) and not loaded as a file`);
  return { variant: loaded.variant, implementations: implementationsOf(loaded.variant), label: `${loaded.variant.name}@${flag}` };
}

/** The implementations a trace replays with: `--variant`, else the built-in variant it records. */
export function replayImplementations(trace: TraceFile, chosen: ChosenVariant | null): ServerImplementations {
  if (chosen !== null) return chosen.implementations;
  if (trace.variant === null) return defaultImplementations;
  const builtIn = corpusVariant(trace.variant);
  if (builtIn !== undefined) return implementationsOf(builtIn);
  throw new UsageError(`the trace was made with variant ${trace.variant}; pass --variant <its file>`);
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

/** `check --all-variants`: the unchanged protocol, then every built-in variant, as one table. */
export function allVariantsCommand(values: Record<string, unknown>, out: (line: string) => void): number {
  const tracesDir = typeof values['traces-dir'] === 'string' ? values['traces-dir'] : join('traces', 'variants');
  const unchanged: Variant = { name: 'unchanged', description: 'The protocol as it is.' };
  const rows: VariantOutcome[] = [];
  for (const variant of [unchanged, ...CORPUS]) {
    const row = runVariant(variant);
    rows.push(row);
    if (row.trace !== null) {
      mkdirSync(tracesDir, { recursive: true });
      writeJson(join(tracesDir, `${row.name}.json`), row.trace);
    }
    if (values.json) out(JSON.stringify({ ...row, trace: row.trace === null ? null : join(tracesDir, `${row.name}.json`) }));
  }
  if (!values.json) {
    for (const line of formatVariantTable(rows)) out(line);
    const wrong = rows.filter((r) => !r.asExpected).map((r) => r.name);
    out(wrong.length === 0 ? 'every variant as expected: the unchanged protocol holds, every bug is caught' : `NOT AS EXPECTED: ${wrong.join(', ')}`);
    out(`traces written to ${tracesDir}/<variant>.json`);
  }
  return rows.every((r) => r.asExpected) ? 0 : 1;
}

/** `check --liveness`: the bounded liveness check on the model (with the variant, if any). */
export function livenessCommand(config: ModelConfig, chosen: ChosenVariant | null, values: Record<string, unknown>, out: (line: string) => void): number {
  const seed = typeof values.seed === 'string' ? Number(values.seed) : LIVENESS_SAMPLING.seed;
  const r = checkLiveness(config, { ...LIVENESS_SAMPLING, seed, implementations: chosen?.implementations, now: () => performance.now() });
  out(`liveness: ${r.startsChecked} states where faults stop, ${r.statesExplored} fair steps, ${r.seconds.toFixed(1)} s; longest way to BROADCAST ${r.stepsToBroadcastMax} steps; ${r.inconclusive} inconclusive, ${r.stalled} stalled (model has no FLE re-send)`);
  if (r.violation === undefined) {
    out(`${LIVENESS_PROPERTY} holds on every sampled state`);
    return 0;
  }
  const prefix = r.prefix ?? [];
  const loop = r.loop ?? [];
  const trace = makeTrace(config, [...prefix, ...loop], { invariant: LIVENESS_PROPERTY, message: r.violation.message, values: { kind: r.violation.kind, loopStart: prefix.length, loopLength: loop.length } }, { variant: chosen?.label ?? null, strategy: 'liveness', seed });
  const dir = typeof values['traces-dir'] === 'string' ? values['traces-dir'] : 'traces';
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${LIVENESS_PROPERTY}-${prefix.length}+${loop.length}.json`);
  writeJson(path, trace);
  out(`VIOLATION of ${LIVENESS_PROPERTY} (${r.violation.kind}): ${r.violation.message}`);
  prefix.forEach((s, k) => out(`  ${String(k + 1).padStart(3)}  ${formatAction(s.action)}`));
  out('  loop:');
  loop.forEach((s, k) => out(`  ${String(prefix.length + k + 1).padStart(3)}  ${formatAction(s.action)}`));
  out(`trace written to ${path}`);
  return 1;
}

/** Replay a liveness trace: the loop must still close without a leader in BROADCAST. */
export function replayLassoCommand(trace: TraceFile, implementations: ServerImplementations, out: (line: string) => void): number {
  const loopStart = Number((trace.violation.values as { loopStart?: unknown }).loopStart);
  if (!Number.isInteger(loopStart) || loopStart < 0 || loopStart > trace.steps.length) throw new UsageError('a liveness trace needs violation.values.loopStart');
  const model = createModel(livenessConfig(trace.config), implementations);
  const r = replayLasso(model, trace.steps.map(fromFileStep), loopStart);
  if (r.divergence !== null) {
    out(`DIVERGED at step ${r.divergence.index}: ${r.divergence.reason}`);
    return 1;
  }
  const still = r.closes && r.neverBroadcast && r.faultFree;
  out(still
    ? `VIOLATION of ${LIVENESS_PROPERTY}: steps ${loopStart + 1}..${trace.steps.length} loop forever, fault-free, with no leader in BROADCAST`
    : `the trace is no longer a lasso (closes ${r.closes}, never BROADCAST ${r.neverBroadcast}, fault-free ${r.faultFree})`);
  return still ? 0 : 1;
}
