import { operationsFromEvents, type ClientOperation, type Zxid } from '../history/ClientHistory.js';
import type { Json } from '../history/Json.js';
import { toTraceJson, type HistoryTrace } from '../history/toTraceJson.js';
import { checkZooKeeperHistory, type CheckResult, type DigestRecord, type HistoryCheckInput, type HistoryReport } from '../history/zooKeeperChecks.js';
import { EMPTY_TREE, ROOT_PATH, type ZooKeeperTree } from '../history/zooKeeperModel.js';
import { Code } from '../service/Code.js';
import { DataTree } from '../service/DataTree.js';
import type { Txn as ProtocolTxn } from '../protocol/Txn.js';
import { applyTxn } from '../service/applyTxn.js';
import { MODELED_PATHS } from './randomOperation.js';
import { ServiceSimulator } from './ServiceSimulator.js';
import type { ServiceSimOptions } from './ServiceSimOptions.js';

/** A check the simulator adds to src/history's: about operations and state the history model does not cover. */
export interface ServiceCheckVerdict {
  readonly check: 'deliveredPrefixesAgree' | 'acknowledgedWritesCommitted' | 'sequentialNamesUnique' | 'digestBookkeeping' | 'convergence';
  readonly result: CheckResult;
  readonly message: string;
}

export interface ServiceSimResult {
  readonly options: ServiceSimOptions;
  readonly simulator: ServiceSimulator;
  readonly safetySteps: number;
  readonly drainSteps: number;
  /** The liveness phase ended with nothing left to do (else it hit drainStepsMax). */
  readonly quiet: boolean;
  readonly history: HistoryCheckInput;
  readonly report: HistoryReport;
  readonly serviceVerdicts: readonly ServiceCheckVerdict[];
  /** What the run showed about the protocol model that no client could observe (not a check of the service). */
  readonly modelFindings: readonly string[];
  /** ok when every check is ok; violation when any is; else unknown. */
  readonly result: CheckResult;
  /** A replayable trace when a check found a violation; null otherwise. */
  readonly trace: ServiceTrace | null;
}

/** A violating run, written out: the options that re-run it, and the history that re-checks it. */
export interface ServiceTrace {
  readonly kind: 'servicesim';
  readonly version: 1;
  readonly replay: string;
  readonly options: Json;
  readonly serviceVerdicts: readonly Json[];
  readonly history: HistoryTrace;
}

/** Runs the safety phase, then the liveness phase, then every check. Pure: same options, same result. */
export function simulateService(options: ServiceSimOptions): ServiceSimResult {
  const simulator = new ServiceSimulator(options);
  let safetySteps = 0;
  while (safetySteps < options.steps && simulator.safetyStep()) safetySteps++;
  let drainSteps = 0;
  let quiet = false;
  while (drainSteps < options.drainStepsMax) {
    if (!simulator.drainStep()) {
      quiet = true;
      break;
    }
    drainSteps++;
  }
  const history = historyOf(simulator);
  const report = checkZooKeeperHistory(history);
  const serviceVerdicts = [deliveredPrefixesAgree(simulator), acknowledgedWritesCommitted(simulator), sequentialNamesUnique(simulator), digestBookkeeping(simulator), convergence(simulator, quiet)];
  const results = [report.result, ...serviceVerdicts.map((v) => v.result)];
  const result: CheckResult = results.includes('violation') ? 'violation' : results.includes('unknown') ? 'unknown' : 'ok';
  const trace = result === 'violation' ? traceOf(options, history, report, serviceVerdicts) : null;
  return { options, simulator, safetySteps, drainSteps, quiet, history, report, serviceVerdicts, modelFindings: modelFindings(simulator, quiet), result, trace };
}

/**
 * The log the run ends with: the longest prefix any server delivered during the run (servers that
 * crashed since count too, so a cluster stuck without a leader still has its committed writes).
 * A delivery that disagrees with it replaces it (deliveredPrefixesAgree and modelFindings report that).
 */
export function finalDeliveredLog(simulator: ServiceSimulator): readonly ProtocolTxn[] {
  return simulator.longestDelivered;
}

/**
 * The checker's input: the modeled operations, the committed zxids (the model's ghost committedLog
 * and the final delivered log), the tree the final log builds, and every digest.
 */
function historyOf(simulator: ServiceSimulator): HistoryCheckInput {
  const final = finalDeliveredLog(simulator);
  const operations: ClientOperation[] = operationsFromEvents(simulator.historyEvents(new Set(final.map((txn) => txn.value))));
  const zxids = new Map<string, Zxid>();
  for (const txn of [...simulator.state.committedLog, ...final]) zxids.set(`${txn.zxid.epoch}/${txn.zxid.counter}`, { epoch: txn.zxid.epoch, counter: txn.zxid.counter });
  const digests: DigestRecord[] = simulator.digests.map((record) => ({ server: record.server, zxid: { ...record.zxid }, digest: record.digest.toString() }));
  return { operations, committedZxids: [...zxids.values()], finalTree: modeledTree(treeOf(simulator, final)), digests, initialTree: EMPTY_TREE };
}

/** The tree a log builds, from the service txns behind its values. */
export function treeOf(simulator: ServiceSimulator, log: readonly ProtocolTxn[]): DataTree {
  let tree = DataTree.empty();
  for (const txn of log) {
    const entry = simulator.txns.get(txn.value);
    if (entry === undefined) throw new Error(`servicesim: logged value ${txn.value} has no service txn`);
    tree = applyTxn(tree, entry.txn, entry.zxidBig, entry.time).tree;
  }
  return tree;
}

/**
 * Findings about the protocol model, reported beside the checks (no client could observe them):
 * txns delivered that the ghost committedLog never recorded (seed 100), deliveries while
 * synchronizing that a later leader truncated (seed 1103), and a cluster stuck with every server
 * LOOKING and nothing enabled (FLE has no notification timeout; seed 237).
 */
function modelFindings(simulator: ServiceSimulator, quiet: boolean): string[] {
  const findings = [...simulator.modelFindings];
  const committed = new Set(simulator.state.committedLog.map((txn) => txn.value));
  const missing = finalDeliveredLog(simulator).filter((txn) => !committed.has(txn.value));
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).map((txn) => `<${txn.zxid.epoch},${txn.zxid.counter}>=${txn.value}`).join(', ');
    findings.push(`the ghost committedLog lacks ${missing.length} delivered txns (${shown}${missing.length > 5 ? ', ...' : ''})`);
  }
  const up = simulator.model.sids.filter((sid) => simulator.state.states[sid] !== 'DOWN');
  if (quiet && up.length > 0 && up.every((sid) => simulator.state.states[sid] === 'LOOKING')) {
    findings.push(`the cluster is stuck: servers ${up.join(', ')} are LOOKING and no action is enabled (${simulator.options.model.election} election)`);
  }
  return findings;
}

const decoder = new TextDecoder();

/** The modeled paths of a tree, in the history model's terms (data as text, data version). */
function modeledTree(tree: DataTree): ZooKeeperTree {
  const out: Record<string, { data: string; version: number }> = { [ROOT_PATH]: { data: '', version: 0 } };
  for (const path of MODELED_PATHS) {
    const node = tree.getNode(path);
    if (node !== undefined) out[path] = { data: decoder.decode(node.data), version: node.stat.version };
  }
  return out;
}

/** Every server delivers a prefix of one log: no two servers ever delivered different txns at one position. */
function deliveredPrefixesAgree(simulator: ServiceSimulator): ServiceCheckVerdict {
  const found = simulator.prefixDisagreements;
  if (found.length > 0) return { check: 'deliveredPrefixesAgree', result: 'violation', message: `${found[0]}.` };
  return { check: 'deliveredPrefixesAgree', result: 'ok', message: `Every delivery is a prefix of one log of ${simulator.longestDelivered.length} txns.` };
}

/** Every write a client saw succeed or fail through the log (any kind, sessions included) is in the committed log at its zxid. */
function acknowledgedWritesCommitted(simulator: ServiceSimulator): ServiceCheckVerdict {
  const committed = new Map([...simulator.state.committedLog, ...finalDeliveredLog(simulator)].map((txn) => [`${txn.zxid.epoch}/${txn.zxid.counter}`, txn.value]));
  let checked = 0;
  for (const op of simulator.operations) {
    const done = op.completion;
    if (op.role !== 'write' || done === null || done.status !== 'ok') continue;
    checked++;
    const value = committed.get(`${done.zxid.epoch}/${done.zxid.counter}`);
    const origin = value === undefined ? undefined : simulator.txns.get(value)?.origin;
    if (origin?.operation !== op.id) {
      return { check: 'acknowledgedWritesCommitted', result: 'violation', message: `Operation #${op.id} (${op.kind} by client ${op.client}) was acknowledged at zxid ${done.zxid.epoch}/${done.zxid.counter}, which neither the committed log nor the final log holds for it.` };
    }
  }
  return { check: 'acknowledgedWritesCommitted', result: 'ok', message: `All ${checked} acknowledged writes are in the committed log at their zxids.` };
}

/** Sequential creates that succeeded got distinct names. */
function sequentialNamesUnique(simulator: ServiceSimulator): ServiceCheckVerdict {
  const seen = new Map<string, number>();
  const named = (op: (typeof simulator.operations)[number]) => op.completion?.status === 'ok' && op.completion.err === Code.Ok && (op.kind === 'createSequential' || op.kind === 'createEphemeralSequential');
  for (const op of simulator.operations.filter(named)) {
    const path = op.completion!.status === 'ok' ? op.completion!.path ?? '' : '';
    const earlier = seen.get(path);
    if (earlier !== undefined) return { check: 'sequentialNamesUnique', result: 'violation', message: `Operations #${earlier} and #${op.id} both created ${path}.` };
    seen.set(path, op.id);
  }
  return { check: 'sequentialNamesUnique', result: 'ok', message: `${seen.size} sequential names, all distinct.` };
}

/** Each replica's incremental digest equals a digest computed from scratch. */
function digestBookkeeping(simulator: ServiceSimulator): ServiceCheckVerdict {
  for (const sid of simulator.model.sids) {
    const tree = simulator.replicas[sid].tree;
    if (tree.recomputeDigest() !== tree.digest) return { check: 'digestBookkeeping', result: 'violation', message: `Server ${sid}'s incremental digest ${tree.digest} differs from its recomputed digest ${tree.recomputeDigest()}.` };
  }
  return { check: 'digestBookkeeping', result: 'ok', message: 'Every replica\'s incremental digest equals its recomputed digest.' };
}

/**
 * Liveness, after faults heal: the cluster goes quiet with a leader, and every server that serves has
 * delivered the whole committed log. A run whose bounds (MaxEpoch, MaxRounds) ran out may end with no
 * leader; that is reported as unknown, not as a violation.
 */
function convergence(simulator: ServiceSimulator, quiet: boolean): ServiceCheckVerdict {
  const committed = finalDeliveredLog(simulator).length;
  const serving = simulator.model.sids.filter((sid) => simulator.incarnation(sid) !== null);
  if (!quiet) return { check: 'convergence', result: 'unknown', message: 'The liveness phase hit its step limit before the cluster went quiet.' };
  if (serving.length === 0) return { check: 'convergence', result: 'unknown', message: 'The cluster went quiet with no server serving (a bound ran out).' };
  const behind = serving.filter((sid) => simulator.state.servers[sid].lastCommitted !== committed);
  if (behind.length > 0) return { check: 'convergence', result: 'violation', message: `Quiet, but server ${behind[0]} delivered ${simulator.state.servers[behind[0]].lastCommitted} of ${committed} txns.` };
  return { check: 'convergence', result: 'ok', message: `Quiet; ${serving.length} serving servers delivered the same ${committed} txns.` };
}

function traceOf(options: ServiceSimOptions, history: HistoryCheckInput, report: HistoryReport, serviceVerdicts: readonly ServiceCheckVerdict[]): ServiceTrace {
  return {
    kind: 'servicesim',
    version: 1,
    replay: `zabstate simulate --service --seed ${options.seed} --steps ${options.steps}`,
    options: JSON.parse(JSON.stringify(options)) as Json,
    serviceVerdicts: serviceVerdicts.map((v) => ({ ...v })),
    history: toTraceJson(history, report),
  };
}

