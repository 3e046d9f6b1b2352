import { Code } from './Code.js';
import type { DataTree } from './DataTree.js';
import { DataTreeDraft } from './DataTreeDraft.js';
import { OpCode } from './OpCode.js';
import type { MultiRequest, WriteRequest } from './Request.js';
import type { SessionTracker } from './SessionTracker.js';
import type { MultiTxn, SubTxn, Txn, TxnRecord } from './Txn.js';
import { applyRecord } from './applyRecord.js';
import { applyTxn, type ApplyTxnResult } from './applyTxn.js';
import { prepOp, prepSetACL } from './prepOp.js';

/** jute.maxbuffer: ZooKeeper refuses a packet larger than this. */
export const MAX_DATA_LENGTH = 1_048_576;

/**
 * What the leader does with a write request. A txn is proposed with the zxid given to prepRequest
 * (an ErrorTxn too: ZooKeeper logs failed writes). A refused request gets no zxid and no proposal.
 * `tree` is the leader's speculative tree (committed state plus every outstanding proposal,
 * ZooKeeper's outstandingChanges) and `tracker` its session tracker, both after this request.
 * `applied` is exactly `applyTxn(input tree, txn, zxid, time, false)`, and `tree` is its tree: when
 * the txn commits onto that same input tree, the leader takes it instead of applying the txn again.
 */
export type PrepResult =
  | { readonly kind: 'txn'; readonly txn: Txn; readonly tree: DataTree; readonly applied: ApplyTxnResult; readonly tracker: SessionTracker }
  | { readonly kind: 'refused'; readonly err: typeof Code.ConnectionLoss | typeof Code.SessionExpired };

/**
 * ZooKeeper's PrepRequestProcessor: turns a client's write into a deterministic txn, checked against
 * the speculative tree so that requests prepped before earlier ones commit still see their effect.
 * Oversized data is refused with ConnectionLoss: ZooKeeper closes a connection that sends a packet over
 * jute.maxbuffer, before any prepping. A request from an unknown or closing session is refused with
 * SessionExpired, as ZooKeeper's submitRequest does when touching the session fails.
 */
export function prepRequest(tree: DataTree, tracker: SessionTracker, request: WriteRequest, zxid: bigint, time: number): PrepResult {
  if (requestDataLength(request) > MAX_DATA_LENGTH) return { kind: 'refused', err: Code.ConnectionLoss };
  if (request.type !== OpCode.createSession && tracker.checkSession(request.sessionId) !== Code.Ok) {
    return { kind: 'refused', err: Code.SessionExpired };
  }
  const header = { sessionId: request.sessionId, cxid: request.cxid };
  if (request.type === OpCode.closeSession) {
    const paths2Delete = tree.getEphemerals(request.sessionId);
    const txn: Txn = { sessionId: header.sessionId, cxid: header.cxid, type: OpCode.closeSession, paths2Delete };
    return prepared(tree, txn, zxid, time, tracker.setSessionClosing(request.sessionId));
  }
  // The draft only answers the checks (and carries a multi's earlier ops for its later ones): the
  // speculative tree is built by applyTxn, the function every replica applies the txn with.
  const draft = new DataTreeDraft(tree, false);
  const record = prepRecord(draft, request, zxid, time);
  // Not { ...header, ...record }: V8 copies a second spread key by key, at microseconds per write.
  return prepared(tree, Object.assign(header, record), zxid, time, tracker);
}

/** No one reads a speculative tree's digest as a rule; the tree computes it if asked. */
function prepared(tree: DataTree, txn: Txn, zxid: bigint, time: number, tracker: SessionTracker): PrepResult {
  const applied = applyTxn(tree, txn, zxid, time, false);
  return { kind: 'txn', txn, tree: applied.tree, applied, tracker };
}

/** The request's txn record, checked against the draft. */
function prepRecord(draft: DataTreeDraft, request: Exclude<WriteRequest, { type: typeof OpCode.closeSession }>, zxid: bigint, time: number): TxnRecord {
  switch (request.type) {
    case OpCode.createSession:
      return { type: OpCode.createSession, timeOut: request.timeOut };
    case OpCode.multi:
      return prepMulti(draft, request, zxid, time);
    case OpCode.setACL: {
      const record = prepSetACL(draft, request, request.authInfo);
      return typeof record === 'number' ? { type: OpCode.error, err: record } : record;
    }
    default: {
      const record = prepOp(draft, request, request.authInfo);
      return typeof record === 'number' ? { type: OpCode.error, err: record } : record;
    }
  }
}

/**
 * Each op is checked against the tree as the ops before it left it. After the first failure the
 * remaining ops are not checked: they become RuntimeInconsistency errors, as in ZooKeeper.
 */
function prepMulti(draft: DataTreeDraft, request: MultiRequest & { sessionId: bigint; authInfo: WriteRequest['authInfo'] }, zxid: bigint, time: number): MultiTxn {
  const txns: SubTxn[] = [];
  let failed = false;
  for (const op of request.ops) {
    const record = failed ? Code.RuntimeInconsistency : prepOp(draft, op, request.authInfo);
    if (typeof record === 'number') {
      failed = true;
      txns.push({ type: OpCode.error, err: record });
      continue;
    }
    applyRecord(draft, request.sessionId, record, zxid, time);
    txns.push(record);
  }
  return { type: OpCode.multi, txns };
}

/** The payload bytes of a write: what makes a packet outgrow jute.maxbuffer. */
function requestDataLength(request: WriteRequest): number {
  if (request.type === OpCode.multi) {
    return request.ops.reduce((sum, op) => sum + ('data' in op ? op.data.length : 0), 0);
  }
  return 'data' in request ? request.data.length : 0;
}
