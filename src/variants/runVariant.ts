import { createModel } from '../model/Model.js';
import type { ModelConfig } from '../model/ModelConfig.js';
import { explore } from '../checker/explore.js';
import { checkLiveness, LIVENESS_PROPERTY } from '../checker/liveness.js';
import { makeTrace, type TraceFile } from '../trace/Trace.js';
import { implementationsOf, variantConfig, type Variant } from './Variant.js';

/** One row of the variants report. */
export interface VariantOutcome {
  readonly name: string;
  readonly bug: string | null;
  readonly check: 'safety' | 'liveness';
  readonly verdict: 'pass' | 'violation';
  /** The property broken, or null. */
  readonly property: string | null;
  /** Whether the verdict is what the variant said to expect (a variant with no `expect` expects to pass). */
  readonly asExpected: boolean;
  readonly traceLength: number | null;
  /** Distinct states (safety) or fault-free steps taken by the fair runs (liveness). */
  readonly states: number;
  readonly seconds: number;
  readonly config: ModelConfig;
  readonly trace: TraceFile | null;
}

/** The liveness check's sampling, as the corpus uses it: enough walks to find 1419 in seconds. */
export const LIVENESS_SAMPLING = { seed: 1, walks: 4000, walkSteps: 160, faultWeight: 0.15, timeLimitMs: 55_000 } as const;

/**
 * Check one variant on its bounds: BFS for a shortest counterexample (safety), or the bounded
 * liveness check. `variantLabel` is what the trace records (the name, or name@path for a file).
 */
export function runVariant(variant: Variant, options: { base?: ModelConfig; variantLabel?: string; now?: () => number } = {}): VariantOutcome {
  const now = options.now ?? (() => performance.now());
  const config = variantConfig(variant, options.base);
  const impl = implementationsOf(variant);
  const check = variant.check ?? 'safety';
  const label = options.variantLabel ?? variant.name;
  const started = now();
  let verdict: 'pass' | 'violation';
  let property: string | null = null;
  let trace: TraceFile | null = null;
  let states: number;
  if (check === 'liveness') {
    const r = checkLiveness(config, { ...LIVENESS_SAMPLING, implementations: impl, now });
    verdict = r.verdict;
    states = r.statesExplored;
    if (r.violation !== undefined) {
      property = LIVENESS_PROPERTY;
      const steps = [...(r.prefix ?? []), ...(r.loop ?? [])];
      trace = makeTrace(config, steps, {
        invariant: LIVENESS_PROPERTY,
        message: r.violation.message,
        values: { kind: r.violation.kind, loopStart: (r.prefix ?? []).length, loopLength: (r.loop ?? []).length },
      }, { variant: label, strategy: 'liveness', seed: LIVENESS_SAMPLING.seed });
    }
  } else {
    const r = explore(createModel(config, impl), { now });
    verdict = r.verdict;
    states = r.distinctStates;
    if (r.violation !== undefined) {
      property = r.violation.invariant;
      trace = makeTrace(config, r.trace ?? [], r.violation, { variant: label, strategy: 'bfs' });
    }
  }
  const seconds = (now() - started) / 1000;
  const asExpected = variant.expect === undefined ? verdict === 'pass' : property === variant.expect;
  return { name: variant.name, bug: variant.bug ?? null, check, verdict, property, asExpected, traceLength: trace?.steps.length ?? null, states, seconds, config, trace };
}

/** The report as a fixed-width table, one line per outcome. */
export function formatVariantTable(rows: readonly VariantOutcome[]): string[] {
  const header = ['variant', 'bug', 'check', 'verdict', 'property violated', 'trace', 'states', 'time'];
  const cells = rows.map((r) => [
    r.name,
    r.bug ?? '-',
    r.check,
    r.verdict === 'pass' ? 'pass' : 'CAUGHT',
    (r.property ?? '-') + (r.asExpected ? '' : ' (unexpected)'),
    r.traceLength === null ? '-' : String(r.traceLength),
    String(r.states),
    `${r.seconds.toFixed(1)} s`,
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...cells.map((c) => c[k].length)));
  const line = (c: string[]) => c.map((x, k) => x.padEnd(widths[k])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
}
