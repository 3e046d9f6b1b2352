import { parseArgs } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { createModel } from '../model/Model.js';
import { validateTrace, TraceFormatError, type TraceFile } from '../trace/Trace.js';
import { replay } from '../trace/replay.js';
import { toMermaid } from '../trace/toMermaid.js';
import { renderTraceHtml } from '../docs/traceViewerHtml.js';
import { formatStep } from '../sim/describeStep.js';
import { validateModelConfig } from '../model/ModelConfig.js';
import { UsageError } from './CliError.js';
import { chooseVariant, replayImplementations, replayLassoCommand } from '../variants/variantCommands.js';
import { loadVariantForCli } from '../variants/loadVariant.js';
import { LIVENESS_PROPERTY } from '../checker/liveness.js';

export function readTrace(path: string): TraceFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read trace ${path}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not JSON: ${(e as Error).message}`);
  }
  try {
    const trace = validateTrace(json);
    validateModelConfig(trace.config);
    return trace;
  } catch (e) {
    if (e instanceof TraceFormatError || e instanceof RangeError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
}

export async function replayCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { format: { type: 'string' }, html: { type: 'string' }, variant: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('replay takes exactly one trace file');
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'mermaid') throw new UsageError(`--format must be text or mermaid, got ${JSON.stringify(format)}`);
  const trace = readTrace(positionals[0]);
  const chosen = chooseVariant(values.variant, values.variant === undefined ? undefined : await loadVariantForCli(values.variant));
  if (trace.violation.invariant === LIVENESS_PROPERTY) return replayLassoCommand(trace, replayImplementations(trace, chosen), out);
  const model = createModel(trace.config, replayImplementations(trace, chosen));
  const result = replay(model, trace);
  if (values.html !== undefined) {
    writeFileSync(values.html, renderTraceHtml(trace, result));
    out(`wrote ${values.html}: the trace viewer (open it in a browser)`);
  }
  if (format === 'mermaid') {
    out(toMermaid(result.steps, model.sids.length, result.violation?.invariant ?? null).trimEnd());
  } else {
    out(`replaying ${positionals[0]}: ${trace.steps.length} steps, expecting ${trace.violation.invariant}`);
    for (const step of result.steps) out(formatStep(step.index, step.action, step.before, step.after));
  }
  if (result.divergence !== null) {
    out(`DIVERGED at step ${result.divergence.index}: ${result.divergence.reason}`);
    return 1;
  }
  if (result.violation === null) {
    out(`the trace no longer violates ${trace.violation.invariant}: every invariant holds on its last state`);
    return 1;
  }
  if (format === 'text') {
    out(`VIOLATION of ${result.violation.invariant}: ${result.violation.message}`);
    out(`  values: ${JSON.stringify(result.violation.values)}`);
  }
  return result.violation.invariant === trace.violation.invariant ? 0 : 1;
}
