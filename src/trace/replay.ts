import type { ClusterState, ModelAction } from '../model/ClusterState.js';
import type { Model } from '../model/Model.js';
import { Fingerprinter } from '../checker/Fingerprinter.js';
import { checkActionProperties, checkInvariants, type Violation } from '../checker/invariants.js';
import { fromFileStep, type TraceFile } from './Trace.js';

/** One step of a replay: the action, the states around it and the fingerprint after it. */
export interface ReplayedStep {
  readonly index: number;
  readonly action: ModelAction;
  readonly before: ClusterState;
  readonly after: ClusterState;
  readonly fingerprint: string;
}

/** What a replay found. */
export interface ReplayResult {
  readonly steps: readonly ReplayedStep[];
  /** The first step whose action is not enabled or whose fingerprint differs, if any. */
  readonly divergence: { readonly index: number; readonly reason: string } | null;
  /** The violation found on the replayed path (null if the invariants now hold). */
  readonly violation: Violation | null;
}

/**
 * Re-execute a trace from the initial state. Stops at the first step that no longer matches the
 * code (not enabled, or a different state), naming it, so a stale trace is never silently wrong.
 */
export function replay(model: Model, trace: TraceFile): ReplayResult {
  const fingerprinter = new Fingerprinter(model.compiled.states);
  let state = model.init();
  const steps: ReplayedStep[] = [];
  let violation: Violation | null = checkInvariants(model, state);
  for (let k = 0; k < trace.steps.length && violation === null; k++) {
    const fileStep = trace.steps[k];
    const action = fromFileStep(fileStep);
    let after: ClusterState;
    try {
      after = model.next(state, action);
    } catch (e) {
      return { steps, divergence: { index: k + 1, reason: (e as Error).message }, violation: null };
    }
    const print = fingerprinter.format(after);
    if (print !== fileStep.fingerprint) {
      return { steps, divergence: { index: k + 1, reason: `state fingerprint ${print} differs from the trace's ${fileStep.fingerprint}` }, violation: null };
    }
    steps.push({ index: k + 1, action, before: state, after, fingerprint: print });
    violation = checkActionProperties(model, state, after) ?? checkInvariants(model, after);
    state = after;
  }
  return { steps, divergence: null, violation };
}
