import type { DataTreeDraft } from './DataTreeDraft.js';
import { OpCode } from './OpCode.js';
import type { OpResult } from './ProcessTxnResult.js';
import { CONTAINER_EPHEMERAL_OWNER } from './Stat.js';
import type { Stat } from './Stat.js';
import type { CreateTxn, SetACLTxn, SubTxn } from './Txn.js';

/**
 * Applies one node-changing record to a draft and says what it did. Shared by applyTxn (every
 * replica) and prepRequest (the leader's speculative tree), so the two can never disagree.
 * An ErrorTxn has no effect and reports its code.
 */
export function applyRecord(draft: DataTreeDraft, sessionId: bigint, record: SubTxn, zxid: bigint, time: number): OpResult {
  switch (record.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return applyCreate(draft, sessionId, record, zxid, time);
    case OpCode.delete:
      draft.deleteNode(record.path, zxid);
      return { type: OpCode.delete };
    case OpCode.setData:
      return { type: OpCode.setData, stat: draft.setData(record.path, record.data, record.version, zxid, time) };
    case OpCode.check:
      return { type: OpCode.check };
    case OpCode.error:
      return { type: OpCode.error, err: record.err };
  }
}

export function applySetACL(draft: DataTreeDraft, record: SetACLTxn): Stat {
  return draft.setACL(record.path, record.acl, record.version);
}

function applyCreate(draft: DataTreeDraft, sessionId: bigint, record: CreateTxn, zxid: bigint, time: number): OpResult {
  const stat = draft.createNode(record.path, record.data, record.acl, ownerOf(record, sessionId), record.parentCVersion,
    zxid, time);
  if (record.type === OpCode.create) return { type: OpCode.create, path: record.path };
  return { type: record.type, path: record.path, stat };
}

function ownerOf(record: CreateTxn, sessionId: bigint): bigint {
  if (record.type === OpCode.createContainer) return CONTAINER_EPHEMERAL_OWNER;
  return record.ephemeral ? sessionId : 0n;
}
