import { Code } from './Code.js';
import type { DataTree } from './DataTree.js';
import { DataTreeDraft } from './DataTreeDraft.js';
import { OpCode } from './OpCode.js';
import type { OpResult, ProcessTxnResult } from './ProcessTxnResult.js';
import type { CloseSessionTxn, MultiTxn, SubTxn, Txn } from './Txn.js';
import type { WatchTrigger } from './WatchTrigger.js';
import { applyRecord, applySetACL } from './applyRecord.js';

/** A replica's new state after one txn, the answer for the client, and the watches to fire. */
export interface ApplyTxnResult {
  readonly tree: DataTree;
  readonly result: ProcessTxnResult;
  /** In the order the changes happened; WatchManager.trigger turns them into events. */
  readonly triggers: readonly WatchTrigger[];
}

/**
 * ZooKeeper's DataTree.processTxn: applies a committed txn with the zxid and time its proposal
 * carried. Deterministic, so every replica that applies the same log reaches the same tree and
 * digest. The input tree is not changed. A txn that does not fit the tree (it was not prepped
 * against this tree's history) throws: replicas of one log cannot disagree.
 * `keepDigest` false leaves the new tree's digest to be computed if read (see DataTreeDraft).
 */
export function applyTxn(tree: DataTree, txn: Txn, zxid: bigint, time: number, keepDigest = true): ApplyTxnResult {
  const draft = new DataTreeDraft(tree, keepDigest);
  const outcome = applyToDraft(draft, txn, zxid, time);
  const result: ProcessTxnResult = { sessionId: txn.sessionId, cxid: txn.cxid, zxid, type: txn.type, ...outcome };
  return { tree: draft.finish(), result, triggers: draft.triggers };
}

type Outcome = Pick<ProcessTxnResult, 'err' | 'path' | 'stat' | 'multiResult'>;

function applyToDraft(draft: DataTreeDraft, txn: Txn, zxid: bigint, time: number): Outcome {
  switch (txn.type) {
    case OpCode.setACL:
      return { err: Code.Ok, path: txn.path, stat: applySetACL(draft, txn) };
    case OpCode.multi:
      return applyMulti(draft, txn, txn.sessionId, zxid, time);
    case OpCode.createSession:
      draft.addSession(txn.sessionId, txn.timeOut);
      return { err: Code.Ok };
    case OpCode.closeSession:
      return applyCloseSession(draft, txn, txn.sessionId, zxid);
    default:
      return outcomeOf(applyRecord(draft, txn.sessionId, txn, zxid, time), txn);
  }
}

function outcomeOf(opResult: OpResult, txn: SubTxn): Outcome {
  const path = txn.type === OpCode.error ? undefined : txn.path;
  if (opResult.type === OpCode.error) return { err: opResult.err };
  return { err: Code.Ok, path, stat: 'stat' in opResult ? opResult.stat : undefined };
}

/**
 * A multi with an ErrorTxn changes nothing: the ops before the first error report Ok ("rolled
 * back"), the erroneous op its code, the ops after it RuntimeInconsistency (DataTree.processTxn).
 */
function applyMulti(draft: DataTreeDraft, txn: MultiTxn, sessionId: bigint, zxid: bigint, time: number): Outcome {
  const firstError = txn.txns.findIndex((sub) => sub.type === OpCode.error);
  if (firstError === -1) {
    const multiResult = txn.txns.map((sub) => applyRecord(draft, sessionId, sub, zxid, time));
    return { err: Code.Ok, multiResult };
  }
  const multiResult = txn.txns.map((sub, index): OpResult => ({ type: OpCode.error, err: rolledBackCode(sub, index, firstError) }));
  const failing = txn.txns[firstError];
  if (failing.type !== OpCode.error) throw new Error('applyMulti: the first error index must hold an ErrorTxn');
  return { err: failing.err, multiResult };
}

function rolledBackCode(sub: SubTxn, index: number, firstError: number): number {
  if (sub.type === OpCode.error) return sub.err;
  return index < firstError ? Code.Ok : Code.RuntimeInconsistency;
}

/** Deletes the listed ephemerals, then ends the session; no ephemeral of the session may survive. */
function applyCloseSession(draft: DataTreeDraft, txn: CloseSessionTxn, sessionId: bigint, zxid: bigint): Outcome {
  for (const path of txn.paths2Delete) draft.deleteNode(path, zxid);
  draft.removeSession(sessionId);
  const survivors = draft.finish().getEphemerals(sessionId);
  if (survivors.length !== 0) throw new Error(`closeSession: every ephemeral of the session must be in paths2Delete (${survivors.join(', ')})`);
  return { err: Code.Ok };
}
