import { checkLinearizability, type LinearizabilityResult, type Operation } from './checkLinearizability.js';
import {
  compareZxid,
  formatZxid,
  isAcknowledged,
  isRead,
  isWrite,
  operationsByClient,
  type ClientOperation,
  type ServerId,
  type Zxid,
} from './ClientHistory.js';
import { clientOrderedModel, type ClientOrderedInput, type ClientOrderedState } from './clientOrderedModel.js';
import type { Json } from './Json.js';
import {
  EMPTY_TREE,
  partitionByPath,
  zooKeeperModel,
  type ZooKeeperModelInput,
  type ZooKeeperModelOutput,
  type ZooKeeperTree,
} from './zooKeeperModel.js';

/**
 * ZooKeeper's client guarantees, one named check each, so that a failure names exactly what broke:
 * - `writeLinearizability`: the writes alone (create, delete, setData) are linearizable.
 * - `clientFifo`: each client's operations take effect in its issue order.
 * - `syncReads`: a read after its client's sync() sees every write completed before the sync was called.
 * - `noLostWrites`: every acknowledged write is in the final state's derivation.
 * - `replicaDigests`: replicas that applied the same zxid report the same digest for it.
 * - `orderedSequentialConsistency`: all operations, reads included, fit one order that respects real
 *   time for writes and syncs, each client's issue order, and lets reads be stale (never from the future).
 */
export type CheckName =
  | 'writeLinearizability'
  | 'clientFifo'
  | 'syncReads'
  | 'noLostWrites'
  | 'replicaDigests'
  | 'orderedSequentialConsistency';

export type CheckResult = 'ok' | 'violation' | 'unknown';

export interface CheckVerdict {
  readonly check: CheckName;
  readonly result: CheckResult;
  /** One sentence a person reads first. */
  readonly message: string;
  /** Plain data: what was found, in terms of operation ids, paths, zxids and servers. */
  readonly details: Json;
}

export interface CheckOptions {
  /** The tree before the history starts (default: only the root). */
  readonly initialTree?: ZooKeeperTree;
  /** Search iterations per partition before a linearizability question is answered `unknown`. */
  readonly stepLimit?: number;
}

type ZooKeeperOperation = Operation<ZooKeeperModelInput, ZooKeeperModelOutput>;

/** The checker's view of a client operation: completed when acknowledged, pending otherwise. */
function toModelOperation(op: ClientOperation, call: number = op.call): ZooKeeperOperation {
  if (op.outcome.status === 'ok') {
    if (op.return === null) throw new Error(`history: acknowledged operation ${op.id} has no return time`);
    return { id: op.id, call, return: op.return, input: op.input, output: op.outcome.result };
  }
  return { id: op.id, call, return: null, input: op.input, output: undefined };
}

/** One line naming an operation: "#3 client a on server 2: setData /x "v" version -1 -> OK version 1". */
export function describeOperation(op: ClientOperation): string {
  const { kind, path, ...arguments_ } = op.input as { kind: string; path: string };
  const argumentText = Object.entries(arguments_)
    .map(([name, value]) => `${name} ${JSON.stringify(value)}`)
    .join(' ');
  const outcome =
    op.outcome.status === 'ok'
      ? Object.entries(op.outcome.result)
          .map(([name, value]) => (name === 'code' ? String(value) : `${name} ${JSON.stringify(value)}`))
          .join(' ') + (op.outcome.zxid === undefined ? '' : ` zxid ${formatZxid(op.outcome.zxid)}`)
      : op.outcome.status;
  return `#${op.id} client ${op.client} on server ${op.server}: ${kind} ${path}${argumentText === '' ? '' : ' ' + argumentText} -> ${outcome}`;
}

function describeIds(operations: readonly ClientOperation[], ids: readonly number[]): string[] {
  const byId = new Map(operations.map((op) => [op.id, op]));
  return ids.map((id) => {
    const op = byId.get(id);
    return op === undefined ? `#${id} (synthetic)` : describeOperation(op);
  });
}

/** Turn a linearizability answer into a verdict, with the explanation as plain data. */
function linearizabilityVerdict<State>(
  check: CheckName,
  what: string,
  answer: LinearizabilityResult<State>,
  operations: readonly ClientOperation[],
  stateToJson: (state: State) => Json,
): CheckVerdict {
  if (answer.result === 'ok') {
    return { check, result: 'ok', message: `${what} are linearizable.`, details: { steps: answer.steps, linearizations: answer.linearizations } };
  }
  if (answer.result === 'unknown') {
    return { check, result: 'unknown', message: `Undecided: ${answer.reason}.`, details: { steps: answer.steps, stepLimit: answer.stepLimit } };
  }
  const explanation = answer.explanation;
  const blocking = describeIds(operations, [explanation.blocking])[0];
  return {
    check,
    result: 'violation',
    message: `${what} are not linearizable: after the longest linearizable prefix [${explanation.longestPrefix.join(', ')}], operation ${blocking} cannot be placed.`,
    details: {
      steps: answer.steps,
      partition: explanation.partition,
      longestPrefix: explanation.longestPrefix,
      longestPrefixDescribed: describeIds(operations, explanation.longestPrefix),
      stateAfterPrefix: stateToJson(explanation.stateAfterPrefix),
      blocking: explanation.blocking,
      frontier: explanation.frontier.map((item) => ({ ...item })),
      unplaced: explanation.unplaced,
      unplacedDescribed: describeIds(operations, explanation.unplaced),
    },
  };
}

const treeToJson = (tree: ZooKeeperTree): Json => tree as unknown as Json;

function orderedStateToJson(state: ClientOrderedState<ZooKeeperTree>): Json {
  return { tree: treeToJson(state.inner), lastSequence: Object.fromEntries(state.lastSequence) };
}

/** (a) The writes alone are linearizable. Reads are left out: ZooKeeper may serve them stale. */
export function checkWriteLinearizability(operations: readonly ClientOperation[], options: CheckOptions = {}): CheckVerdict {
  const writes = operations.filter((op) => isWrite(op.input)).map((op) => toModelOperation(op));
  const answer = checkLinearizability(zooKeeperModel(options.initialTree ?? EMPTY_TREE), writes, { stepLimit: options.stepLimit });
  return linearizabilityVerdict('writeLinearizability', 'The writes', answer, operations, treeToJson);
}

/** Client-ordered operations for `clientOrderedModel`: the sequence is the position in issue order. */
function clientOrderedOperations(
  operations: readonly ClientOperation[],
  include: (op: ClientOperation) => boolean,
  callOf: (op: ClientOperation) => number = (op) => op.call,
): Operation<ClientOrderedInput<ZooKeeperModelInput>, ZooKeeperModelOutput>[] {
  const result: Operation<ClientOrderedInput<ZooKeeperModelInput>, ZooKeeperModelOutput>[] = [];
  for (const [client, list] of operationsByClient(operations)) {
    let previousCompleted = -1;
    let previousIncluded = -1;
    list.forEach((op, sequence) => {
      if (!include(op)) return;
      const base = toModelOperation(op, callOf(op));
      result.push({ ...base, input: { client, sequence, previousCompleted, previousIncluded, inner: op.input } });
      if (base.return !== null) previousCompleted = sequence;
      previousIncluded = sequence;
    });
  }
  return result.sort((left, right) => left.id - right.id);
}

interface FifoViolation {
  readonly rule: 'completionOrder' | 'zxidOrder';
  readonly client: string | number;
  readonly earlier: number;
  readonly later: number;
  readonly explanation: string;
}

/** Replies reach a client in its issue order, and the zxids it sees never go back. */
function fifoOrderViolations(operations: readonly ClientOperation[]): FifoViolation[] {
  const violations: FifoViolation[] = [];
  for (const [client, list] of operationsByClient(operations)) {
    const acknowledged = list.filter(isAcknowledged);
    let latestReturn: ClientOperation | null = null;
    let latestZxid: { op: ClientOperation; zxid: Zxid } | null = null;
    for (const op of acknowledged) {
      if (latestReturn !== null && op.return! < latestReturn.return!) {
        violations.push({
          rule: 'completionOrder',
          client,
          earlier: latestReturn.id,
          later: op.id,
          explanation: `operation #${op.id} was issued after #${latestReturn.id} but completed first (${op.return} < ${latestReturn.return})`,
        });
      }
      if (latestReturn === null || op.return! > latestReturn.return!) latestReturn = op;
      const zxid = op.outcome.zxid;
      if (zxid === undefined) continue;
      const successfulWrite = isWrite(op.input) && op.outcome.result.code === 'OK';
      const order = latestZxid === null ? 1 : compareZxid(zxid, latestZxid.zxid);
      if (latestZxid !== null && (order < 0 || (successfulWrite && order === 0))) {
        violations.push({
          rule: 'zxidOrder',
          client,
          earlier: latestZxid.op.id,
          later: op.id,
          explanation: `operation #${op.id} (zxid ${formatZxid(zxid)}) was issued after #${latestZxid.op.id} (zxid ${formatZxid(latestZxid.zxid)}) but ${successfulWrite ? 'is a write that is not newer' : 'saw an older state'}`,
        });
      }
      if (order > 0) latestZxid = { op, zxid };
    }
  }
  return violations;
}

/**
 * (b) Each client's operations take effect in its issue order: replies arrive in issue order, zxids
 * along the issue order never decrease (and strictly increase at each successful write), and the
 * writes are linearizable with every client's writes kept in issue order.
 */
export function checkClientFifo(operations: readonly ClientOperation[], options: CheckOptions = {}): CheckVerdict {
  const orderViolations = fifoOrderViolations(operations);
  const model = clientOrderedModel(zooKeeperModel(options.initialTree ?? EMPTY_TREE));
  const writes = clientOrderedOperations(operations, (op) => isWrite(op.input));
  const answer = checkLinearizability(model, writes, { stepLimit: options.stepLimit });
  const semantic = linearizabilityVerdict('clientFifo', 'The writes in client order', answer, operations, orderedStateToJson);
  const details = { orderViolations: orderViolations.map((violation) => ({ ...violation })), writesInClientOrder: semantic.details };
  if (orderViolations.length > 0) {
    return { check: 'clientFifo', result: 'violation', message: `Client order broken: ${orderViolations[0].explanation}.`, details };
  }
  return { check: 'clientFifo', result: semantic.result, message: semantic.message, details };
}

interface SyncedRead {
  readonly read: ClientOperation;
  readonly sync: ClientOperation;
}

/** Reads each preceded, in their client's issue order, by an acknowledged sync (the latest such). */
function syncedReads(operations: readonly ClientOperation[]): SyncedRead[] {
  const result: SyncedRead[] = [];
  for (const list of operationsByClient(operations).values()) {
    let latestSync: ClientOperation | null = null;
    for (const op of list) {
      if (op.input.kind === 'sync' && isAcknowledged(op) && op.outcome.result.code === 'OK') latestSync = op;
      else if (isRead(op.input) && isAcknowledged(op) && latestSync !== null) result.push({ read: op, sync: latestSync });
    }
  }
  return result.sort((left, right) => left.read.id - right.read.id);
}

/**
 * (c) A read that follows its client's sync() sees every write that completed before the sync was
 * called. By zxid: the read's zxid is at least each such write's zxid. By value: the writes plus the
 * synced reads are linearizable when each synced read may take effect anywhere from its sync's call
 * to its own return (ZooKeeper orders the read after the sync, and the sync after those writes).
 */
export function checkSyncReads(operations: readonly ClientOperation[], options: CheckOptions = {}): CheckVerdict {
  const pairs = syncedReads(operations);
  if (pairs.length === 0) {
    return { check: 'syncReads', result: 'ok', message: 'No read follows a sync; nothing to check.', details: { syncedReads: [] } };
  }
  const zxidViolations = syncedReadZxidViolations(operations, pairs);
  const model = zooKeeperModel(options.initialTree ?? EMPTY_TREE);
  const writes = operations.filter((op) => isWrite(op.input)).map((op) => toModelOperation(op));
  const reads = pairs.map(({ read, sync }) => toModelOperation(read, sync.call));
  const details = {
    syncedReads: pairs.map(({ read, sync }) => ({ read: read.id, sync: sync.id })),
    zxidViolations,
  };
  if (zxidViolations.length > 0) {
    const first = zxidViolations[0];
    return {
      check: 'syncReads',
      result: 'violation',
      message: `Read #${first.read} after sync #${first.sync} has zxid ${formatZxid(first.readZxid)}, older than write #${first.write} (zxid ${formatZxid(first.writeZxid)}) completed before the sync.`,
      details,
    };
  }
  const answer = checkLinearizability(model, [...writes, ...reads], { stepLimit: options.stepLimit });
  if (answer.result === 'illegal' && checkLinearizability(model, writes, { stepLimit: options.stepLimit }).result !== 'ok') {
    return { check: 'syncReads', result: 'unknown', message: 'The writes themselves are not linearizable (see writeLinearizability); synced reads cannot be judged.', details };
  }
  const verdict = linearizabilityVerdict('syncReads', 'The writes and the reads after sync', answer, operations, treeToJson);
  return { ...verdict, details: { ...details, search: verdict.details } };
}

function syncedReadZxidViolations(operations: readonly ClientOperation[], pairs: readonly SyncedRead[]) {
  const writes = operations.filter((op) => isWrite(op.input) && isAcknowledged(op) && op.outcome.zxid !== undefined);
  const violations: { read: number; sync: number; write: number; readZxid: { epoch: number; counter: number }; writeZxid: { epoch: number; counter: number } }[] = [];
  for (const { read, sync } of pairs) {
    const readZxid = read.outcome.status === 'ok' ? read.outcome.zxid : undefined;
    if (readZxid === undefined) continue;
    const missed = writes.filter((write) => write.return! < sync.call && compareZxid((write.outcome as { zxid: Zxid }).zxid, readZxid) > 0);
    for (const write of missed) {
      const writeZxid = (write.outcome as { zxid: Zxid }).zxid;
      violations.push({ read: read.id, sync: sync.id, write: write.id, readZxid: { ...readZxid }, writeZxid: { ...writeZxid } });
    }
  }
  return violations;
}

export interface LostWriteOptions extends CheckOptions {
  /**
   * The complete data tree at the end of the run (for example, any replica's after convergence),
   * root included. Nodes no write touched must be as in `initialTree` (pass system nodes such as
   * /zookeeper in both).
   */
  readonly finalTree?: ZooKeeperTree;
  /** Zxids in the final committed log. */
  readonly committedZxids?: Iterable<Zxid>;
}

/**
 * (d) No acknowledged write is lost. By zxid: every acknowledged successful write's zxid is committed.
 * By value: the final tree is the result of a linearization of the writes in which every
 * acknowledged write takes effect (pending writes may or may not).
 */
export function checkNoLostWrites(operations: readonly ClientOperation[], options: LostWriteOptions): CheckVerdict {
  const committed = options.committedZxids === undefined ? undefined : new Set([...options.committedZxids].map(formatZxid));
  const lostByZxid = committed === undefined ? [] : writesMissingFromLog(operations, committed);
  if (lostByZxid.length > 0) {
    return {
      check: 'noLostWrites',
      result: 'violation',
      message: `Acknowledged write ${describeIds(operations, [lostByZxid[0]])[0]} is not in the committed log.`,
      details: { missingFromLog: lostByZxid },
    };
  }
  if (options.finalTree === undefined) {
    const message = options.committedZxids === undefined ? 'No final tree or committed log given; nothing to check.' : 'Every acknowledged write is in the committed log.';
    return { check: 'noLostWrites', result: 'ok', message, details: { missingFromLog: [] } };
  }
  return checkFinalTree(operations, options.finalTree, options);
}

/** `committed` holds formatted zxids. */
function writesMissingFromLog(operations: readonly ClientOperation[], committed: ReadonlySet<string>): number[] {
  return operations
    .filter((op) => isWrite(op.input) && isAcknowledged(op) && op.outcome.result.code === 'OK')
    .filter((op) => op.outcome.status === 'ok' && op.outcome.zxid !== undefined && !committed.has(formatZxid(op.outcome.zxid)))
    .map((op) => op.id);
}

function sameNode(left: ZooKeeperTree[string] | undefined, right: ZooKeeperTree[string] | undefined): boolean {
  if (left === undefined || right === undefined) return left === right;
  return left.data === right.data && left.version === right.version;
}

function checkFinalTree(operations: readonly ClientOperation[], finalTree: ZooKeeperTree, options: CheckOptions): CheckVerdict {
  const initialTree = options.initialTree ?? EMPTY_TREE;
  const writes = operations.filter((op) => isWrite(op.input)).map((op) => toModelOperation(op));
  const touched = new Set(writes.map((op) => op.input.kind === 'observeFinalState' ? '' : op.input.path));
  const untouchedChanged = [...new Set([...Object.keys(initialTree), ...Object.keys(finalTree)])]
    .filter((path) => !touched.has(path))
    .filter((path) => !sameNode(initialTree[path], finalTree[path]))
    .sort();
  if (untouchedChanged.length > 0) {
    return {
      check: 'noLostWrites',
      result: 'violation',
      message: `The final tree differs from the initial tree at ${untouchedChanged[0]}, which no write touched.`,
      details: { untouchedChanged },
    };
  }
  const model = zooKeeperModel(initialTree);
  const endTime = Math.max(0, ...operations.map((op) => Math.max(op.call, op.return ?? op.call))) + 1;
  let nextId = Math.max(-1, ...operations.map((op) => op.id)) + 1;
  let steps = 0;
  for (const group of partitionByPath(writes)) {
    const paths = [...new Set(group.map((op) => (op.input as { path: string }).path))].sort();
    const nodes = Object.fromEntries(paths.filter((path) => finalTree[path] !== undefined).map((path) => [path, finalTree[path]]));
    const observation: ZooKeeperOperation = {
      id: nextId++,
      call: endTime,
      return: endTime + 1,
      input: { kind: 'observeFinalState', paths },
      output: { code: 'OK', nodes },
    };
    const answer = checkLinearizability(model, [...group, observation], { stepLimit: options.stepLimit, partition: false });
    steps += answer.steps;
    if (answer.result !== 'ok') {
      const verdict = linearizabilityVerdict('noLostWrites', `The writes followed by the final tree of ${paths.join(', ')}`, answer, operations, treeToJson);
      return { ...verdict, details: { finalTreeOfPaths: nodes as unknown as Json, search: verdict.details } };
    }
  }
  return { check: 'noLostWrites', result: 'ok', message: 'The final tree is explained by the writes, every acknowledged one included.', details: { steps } };
}

/** What a replica reports after applying a txn: its digest of the data tree at that zxid. */
export interface DigestRecord {
  readonly server: ServerId;
  readonly zxid: Zxid;
  /** The service's digest is a bigint; any type works, digests compare by their decimal text. */
  readonly digest: string | number | bigint;
}

/** (e) Every replica that applied zxid z reports the same digest at z. */
export function checkReplicaDigests(records: readonly DigestRecord[]): CheckVerdict {
  const byZxid = new Map<string, DigestRecord[]>();
  for (const record of records) {
    const key = formatZxid(record.zxid);
    const list = byZxid.get(key) ?? [];
    list.push(record);
    byZxid.set(key, list);
  }
  const mismatches = [...byZxid.values()]
    .sort((left, right) => compareZxid(left[0].zxid, right[0].zxid))
    .filter((list) => new Set(list.map((record) => String(record.digest))).size > 1)
    .map((list) => ({
      zxid: formatZxid(list[0].zxid),
      reports: list.map((record) => ({ server: record.server, digest: String(record.digest) })),
    }));
  if (mismatches.length === 0) {
    return { check: 'replicaDigests', result: 'ok', message: `Replicas agree on the digest at each of ${byZxid.size} zxids.`, details: { zxids: byZxid.size } };
  }
  const first = mismatches[0];
  return {
    check: 'replicaDigests',
    result: 'violation',
    message: `Replicas disagree at zxid ${first.zxid}: ${first.reports.map((report) => `server ${report.server} has ${report.digest}`).join(', ')}.`,
    details: { mismatches },
  };
}

/**
 * (f) ZooKeeper's full consistency model with reads: one order of all acknowledged operations (and
 * any pending write) that respects real time among writes and syncs, keeps each client's issue order,
 * and places each read no later than its return but possibly earlier than its call (a stale read).
 */
export function checkOrderedSequentialConsistency(operations: readonly ClientOperation[], options: CheckOptions = {}): CheckVerdict {
  const model = clientOrderedModel(zooKeeperModel(options.initialTree ?? EMPTY_TREE));
  const included = clientOrderedOperations(
    operations,
    (op) => !isRead(op.input) || isAcknowledged(op),
    (op) => (isRead(op.input) ? -Infinity : op.call),
  );
  const answer = checkLinearizability(model, included, { stepLimit: options.stepLimit });
  return linearizabilityVerdict('orderedSequentialConsistency', 'All operations (reads may be stale)', answer, operations, orderedStateToJson);
}

export interface HistoryCheckInput extends LostWriteOptions {
  readonly operations: readonly ClientOperation[];
  readonly digests?: readonly DigestRecord[];
  /** Also run `orderedSequentialConsistency` (all reads; slower). Default true. */
  readonly checkReads?: boolean;
}

export interface HistoryReport {
  readonly result: CheckResult;
  /** The first check that found a violation, or null. */
  readonly failedCheck: CheckName | null;
  readonly verdicts: readonly CheckVerdict[];
}

/** Run every check that has its evidence; the report's result is the worst verdict. */
export function checkZooKeeperHistory(input: HistoryCheckInput): HistoryReport {
  const { operations } = input;
  const verdicts: CheckVerdict[] = [
    checkWriteLinearizability(operations, input),
    checkClientFifo(operations, input),
    checkSyncReads(operations, input),
  ];
  if (input.finalTree !== undefined || input.committedZxids !== undefined) verdicts.push(checkNoLostWrites(operations, input));
  if (input.digests !== undefined) verdicts.push(checkReplicaDigests(input.digests));
  if (input.checkReads ?? true) verdicts.push(checkOrderedSequentialConsistency(operations, input));
  const failed = verdicts.find((verdict) => verdict.result === 'violation');
  const result: CheckResult = failed !== undefined ? 'violation' : verdicts.some((verdict) => verdict.result === 'unknown') ? 'unknown' : 'ok';
  return { result, failedCheck: failed?.check ?? null, verdicts };
}
