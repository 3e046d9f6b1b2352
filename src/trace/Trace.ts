import type { ModelAction } from '../model/ClusterState.js';
import type { ModelConfig } from '../model/ModelConfig.js';
import { maskToList } from '../model/ClusterState.js';
import type { Violation } from '../checker/invariants.js';
import type { TraceStep } from '../checker/explore.js';

/** The `format` field of every trace file. */
export const TRACE_FORMAT = 'zabstate-trace';
/** The trace format version this code writes and reads. */
export const TRACE_VERSION = 1;

/** A step as written to a file: the spec action's name and its parameters by name. */
export interface TraceFileStep {
  readonly action: string;
  readonly params: { readonly i: number; readonly j?: number; readonly quorum?: readonly number[] };
  /** Fingerprint of the state after the step (16 hex digits). */
  readonly fingerprint: string;
}

/** A counterexample, as a person reads it and a program replays it. Documented in traces/README.md. */
export interface TraceFile {
  readonly format: typeof TRACE_FORMAT;
  readonly version: typeof TRACE_VERSION;
  readonly config: ModelConfig;
  readonly variant: string | null;
  readonly seed: number | null;
  readonly strategy: string;
  readonly steps: readonly TraceFileStep[];
  readonly violation: Violation;
}

/** A step as a trace file writes it. */
export function toFileStep(step: TraceStep): TraceFileStep {
  const { action } = step;
  const params: { i: number; j?: number; quorum?: number[] } = { i: action.i };
  if (action.j !== undefined) params.j = action.j;
  if (action.q !== undefined) params.quorum = maskToList(action.q);
  return { action: action.name, params, fingerprint: step.fingerprint };
}

/** A trace file step as the model action it names. */
export function fromFileStep(step: TraceFileStep): ModelAction {
  const q = step.params.quorum?.reduce((mask, sid) => mask | (1 << sid), 0);
  return { name: step.action, i: step.params.i, ...(step.params.j === undefined ? {} : { j: step.params.j }), ...(q === undefined ? {} : { q }) };
}

/** A trace file for a counterexample. */
export function makeTrace(
  config: ModelConfig,
  steps: readonly TraceStep[],
  violation: Violation,
  extra: { variant?: string | null; seed?: number | null; strategy: string },
): TraceFile {
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    config,
    variant: extra.variant ?? null,
    seed: extra.seed ?? null,
    strategy: extra.strategy,
    steps: steps.map(toFileStep),
    violation,
  };
}

/** A file that is not a trace this version reads; the message names the first bad field. */
export class TraceFormatError extends Error {}

/** Check a parsed JSON value is a trace this version reads; the error names the first bad field. */
export function validateTrace(value: unknown): TraceFile {
  const fail = (why: string): never => {
    throw new TraceFormatError(why);
  };
  if (value === null || typeof value !== 'object') fail('a trace must be a JSON object');
  const t = value as Record<string, unknown>;
  if (t.format !== TRACE_FORMAT) fail(`format must be "${TRACE_FORMAT}", got ${JSON.stringify(t.format)}`);
  if (t.version !== TRACE_VERSION) fail(`version must be ${TRACE_VERSION}, got ${JSON.stringify(t.version)}`);
  if (t.config === null || typeof t.config !== 'object') fail('config must be an object');
  if (!Array.isArray(t.steps)) fail('steps must be an array');
  (t.steps as unknown[]).forEach((s, k) => {
    const step = s as Record<string, unknown>;
    if (typeof step?.action !== 'string') fail(`steps[${k}].action must be a string`);
    const params = step.params as Record<string, unknown> | undefined;
    if (params === undefined || typeof params.i !== 'number') fail(`steps[${k}].params.i must be a number`);
    if (typeof step.fingerprint !== 'string' || !/^[0-9a-f]{16}$/.test(step.fingerprint)) fail(`steps[${k}].fingerprint must be 16 hex digits`);
  });
  return value as TraceFile;
}
