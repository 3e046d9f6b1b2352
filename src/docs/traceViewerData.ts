import { formatAction, type ClusterState } from '../model/ClusterState.js';
import { formatTxn } from '../protocol/Txn.js';
import { describeChanges } from '../sim/describeStep.js';
import type { TraceFile } from '../trace/Trace.js';
import type { ReplayResult } from '../trace/replay.js';
import { toMermaid } from '../trace/toMermaid.js';
import { asArray } from '../protocol/Seq.js';

/** The fields of a server the viewer shows, one column each; a changed one is highlighted. */
export const SERVER_FIELDS = ['role', 'phase', 'acceptedEpoch', 'currentEpoch', 'history', 'lastCommitted', 'leader'] as const;

/** One of {@link SERVER_FIELDS}. */
export type ServerField = (typeof SERVER_FIELDS)[number];

/** A server at one step, as the viewer shows it. */
export interface ViewerServer {
  readonly sid: number;
  /** The chart's top-level state: LOOKING, LEADING, FOLLOWING, OBSERVING or DOWN. */
  readonly role: string;
  /** The ZAB phase inside the role (DISCOVERY, SYNCHRONIZATION, BROADCAST); ELECTION while LOOKING. */
  readonly phase: string;
  readonly acceptedEpoch: number;
  readonly currentEpoch: number;
  /** The txn log, each entry as `<epoch,counter>=value`. */
  readonly history: readonly string[];
  /** The commit point: how many entries of `history` are delivered. */
  readonly lastCommitted: number;
  /** The leader a learner follows (0: none). */
  readonly leader: number;
  /** The fields that differ from the step before (empty at the initial state). */
  readonly changed: readonly ServerField[];
}

/** A message a step put on the wire. */
export interface ViewerMessage {
  readonly from: number;
  readonly to: number;
  readonly label: string;
}

/** The state after a step; step 0 is the initial state. */
export interface ViewerStep {
  readonly index: number;
  /** The spec action with its parameters, e.g. `LeaderProcessACKEPOCH(1, 2)`; `Init` for step 0. */
  readonly action: string;
  /** The server that acted (0 for the initial state). */
  readonly actor: number;
  readonly sent: readonly ViewerMessage[];
  /** What changed, in words (as `zabstate replay` prints it). */
  readonly changes: readonly string[];
  readonly servers: readonly ViewerServer[];
}

/** How the replay ended: the violated invariant, a divergence from the code, or neither. */
export interface ViewerVerdict {
  readonly kind: 'violation' | 'divergence' | 'holds';
  /** The invariant's name (for a violation), else a short title. */
  readonly title: string;
  readonly message: string;
  /** The offending values, by name, as the checker reported them. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Servers named by the offending values, to be marked in the table. */
  readonly servers: readonly number[];
}

/** Everything the trace viewer page shows, as plain JSON. */
export interface ViewerData {
  readonly title: string;
  readonly serverCount: number;
  readonly summary: readonly string[];
  readonly steps: readonly ViewerStep[];
  readonly verdict: ViewerVerdict;
}

function serverAt(state: ClusterState, sid: number, before: ClusterState | null): ViewerServer {
  const path = state.states[sid].split('.');
  const c = state.servers[sid];
  const view = {
    sid,
    role: path[0],
    phase: path[1] ?? (path[0] === 'LOOKING' ? 'ELECTION' : ''),
    acceptedEpoch: c.acceptedEpoch,
    currentEpoch: c.currentEpoch,
    history: asArray(c.history).map(formatTxn),
    lastCommitted: c.lastCommitted,
    leader: c.leader,
  };
  if (before === null) return { ...view, changed: [] };
  const old = serverAt(before, sid, null);
  const changed = SERVER_FIELDS.filter((field) => JSON.stringify(old[field]) !== JSON.stringify(view[field]));
  return { ...view, changed };
}

function serversAt(state: ClusterState, before: ClusterState | null, serverCount: number): ViewerServer[] {
  return Array.from({ length: serverCount }, (_, k) => serverAt(state, k + 1, before));
}

/** The arrows `zabstate replay --format mermaid` draws for one step, so both views agree. */
function sentBy(step: ReplayResult['steps'][number], serverCount: number): ViewerMessage[] {
  const out: ViewerMessage[] = [];
  for (const line of toMermaid([step], serverCount, null).split('\n')) {
    const arrow = /^\s*s(\d+)->>s(\d+): (.*)$/.exec(line);
    if (arrow !== null) out.push({ from: Number(arrow[1]), to: Number(arrow[2]), label: arrow[3] });
  }
  return out;
}

const SERVER_KEYS = new Set(['i', 'j', 'server', 'leader', 'leaders']);

function verdictOf(trace: TraceFile, result: ReplayResult, stepCount: number): ViewerVerdict {
  if (result.divergence !== null) {
    return {
      kind: 'divergence',
      title: `Diverged at step ${result.divergence.index}`,
      message: `${result.divergence.reason}. The trace was found as a violation of ${trace.violation.invariant}` +
        (trace.variant === null ? '' : ` with variant ${trace.variant}`) + '; replay it with the implementations it was found with.',
      values: {},
      servers: [],
    };
  }
  if (result.violation === null) {
    return { kind: 'holds', title: 'Every invariant holds', message: `After ${stepCount} steps the trace no longer violates ${trace.violation.invariant}.`, values: {}, servers: [] };
  }
  const servers = new Set<number>();
  for (const [key, value] of Object.entries(result.violation.values)) {
    if (!SERVER_KEYS.has(key)) continue;
    for (const sid of Array.isArray(value) ? value : [value]) if (typeof sid === 'number') servers.add(sid);
  }
  return {
    kind: 'violation',
    title: result.violation.invariant,
    message: result.violation.message,
    values: result.violation.values,
    servers: [...servers].sort((a, b) => a - b),
  };
}

/** Turn a replayed trace into the viewer's data: one entry per state, what changed marked. */
export function traceViewerData(trace: TraceFile, result: ReplayResult): ViewerData {
  const serverCount = trace.config.servers + trace.config.observers;
  const steps: ViewerStep[] = [];
  if (result.steps.length > 0) {
    const initial = result.steps[0].before;
    steps.push({ index: 0, action: 'Init', actor: 0, sent: [], changes: [], servers: serversAt(initial, null, serverCount) });
  }
  for (const step of result.steps) {
    steps.push({
      index: step.index,
      action: formatAction(step.action),
      actor: step.action.i,
      sent: sentBy(step, serverCount),
      changes: describeChanges(step.before, step.after),
      servers: serversAt(step.after, step.before, serverCount),
    });
  }
  const config = trace.config;
  const summary = [
    `${config.servers} voters, ${config.observers} observers, election ${config.election}`,
    `bounds: maxEpoch ${config.maxEpoch}, maxTxns ${config.maxTxns}, maxCrashes ${config.maxCrashes}, maxPartitions ${config.maxPartitions}, commitLogCount ${config.commitLogCount}`,
    `found by ${trace.strategy}${trace.seed === null ? '' : ` (seed ${trace.seed})`}${trace.variant === null ? '' : `, variant ${trace.variant}`}; expects ${trace.violation.invariant}`,
  ];
  return {
    title: `${trace.violation.invariant} in ${trace.steps.length} steps`,
    serverCount,
    summary,
    steps,
    verdict: verdictOf(trace, result, result.steps.length),
  };
}
