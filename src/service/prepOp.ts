import type { ACL, Id } from './Acl.js';
import { Code } from './Code.js';
import { CreateMode, createModeFromFlag, isEphemeralMode, isSequentialMode } from './CreateMode.js';
import type { DataTreeDraft } from './DataTreeDraft.js';
import { OpCode } from './OpCode.js';
import { Perms } from './Perms.js';
import type { CheckVersionRequest, CreateRequest, DeleteRequest, MultiOp, SetACLRequest, SetDataRequest } from './Request.js';
import { isSessionEphemeral, nextVersion } from './Stat.js';
import type { CheckVersionTxn, CreateTxn, DeleteTxn, SetACLTxn, SetDataTxn } from './Txn.js';
import type { ZNode } from './ZNode.js';
import { checkACL } from './checkACL.js';
import { fixupACL } from './fixupACL.js';
import { parentPath, validatePath } from './validatePath.js';

/**
 * PrepRequestProcessor.pRequest2Txn for one op: checks the op against the leader's speculative tree
 * and returns its txn record, or the KeeperException code ZooKeeper would throw. The checks run in
 * ZooKeeper's order (so a request with two faults gets ZooKeeper's error), except that every path is
 * validated first, as ZooKeeper's client does before sending.
 */
export function prepOp(draft: DataTreeDraft, op: MultiOp, authInfo: readonly Id[]): CreateTxn | DeleteTxn | SetDataTxn | CheckVersionTxn | Code {
  switch (op.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return prepCreate(draft, op, authInfo);
    case OpCode.delete:
      return prepDelete(draft, op, authInfo);
    case OpCode.setData:
      return prepSetData(draft, op, authInfo);
    case OpCode.check:
      return prepCheck(draft, op, authInfo);
  }
}

export function prepCreate(draft: DataTreeDraft, op: CreateRequest, authInfo: readonly Id[]): CreateTxn | Code {
  const mode = op.type === OpCode.createContainer ? CreateMode.CONTAINER : createModeFromFlag(op.flags);
  if (mode < 0) return mode as Code;
  const createMode = mode as CreateMode;
  const sequential = isSequentialMode(createMode);
  if (validatePath(op.path, sequential) !== null) return Code.BadArguments;
  const acl = fixupACL(op.acl, authInfo);
  if (acl === Code.InvalidACL) return acl;
  const parentName = createParentPath(op.path);
  const parent = draft.getNode(parentName);
  if (parent === undefined) return Code.NoNode;
  if (!checkACL(parent.acl, Perms.CREATE, authInfo)) return Code.NoAuth;
  const path = sequential ? op.path + formatSequence(parent.stat.cversion) : op.path;
  if (validatePath(path) !== null) return Code.BadArguments;
  if (draft.getNode(path) !== undefined) return Code.NodeExists;
  if (isSessionEphemeral(parent.stat.ephemeralOwner)) return Code.NoChildrenForEphemerals;
  return createTxn(op, createMode, path, acl, parent);
}

function createTxn(op: CreateRequest, mode: CreateMode, path: string, acl: readonly ACL[], parent: ZNode): CreateTxn {
  const type = mode === CreateMode.CONTAINER ? OpCode.createContainer : op.type;
  return { type, path, data: op.data, acl, ephemeral: isEphemeralMode(mode), parentCVersion: parent.stat.cversion + 1 };
}

/** The parent as ZooKeeper's validatePathForCreate takes it: up to the last "/" ("/" for "/x" and for "/"). */
function createParentPath(path: string): string {
  const lastSlash = path.lastIndexOf('/');
  return lastSlash <= 0 ? '/' : path.slice(0, lastSlash);
}

/** Java's String.format("%010d", n): the sequence suffix of a sequential node. */
export function formatSequence(sequence: number): string {
  if (sequence < 0) return `-${String(-sequence).padStart(9, '0')}`;
  return String(sequence).padStart(10, '0');
}

export function prepDelete(draft: DataTreeDraft, op: DeleteRequest, authInfo: readonly Id[]): DeleteTxn | Code {
  if (validatePath(op.path) !== null || op.path === '/') return Code.BadArguments;
  const parent = draft.getNode(parentPath(op.path));
  if (parent === undefined) return Code.NoNode;
  if (!checkACL(parent.acl, Perms.DELETE, authInfo)) return Code.NoAuth;
  const node = draft.getNode(op.path);
  if (node === undefined) return Code.NoNode;
  if (!versionMatches(node.stat.version, op.version)) return Code.BadVersion;
  if (node.children.size > 0) return Code.NotEmpty;
  return { type: OpCode.delete, path: op.path };
}

export function prepSetData(draft: DataTreeDraft, op: SetDataRequest, authInfo: readonly Id[]): SetDataTxn | Code {
  const node = existingNode(draft, op.path);
  if (typeof node === 'number') return node;
  if (!checkACL(node.acl, Perms.WRITE, authInfo)) return Code.NoAuth;
  if (!versionMatches(node.stat.version, op.version)) return Code.BadVersion;
  return { type: OpCode.setData, path: op.path, data: op.data, version: nextVersion(node.stat.version) };
}

export function prepSetACL(draft: DataTreeDraft, op: SetACLRequest, authInfo: readonly Id[]): SetACLTxn | Code {
  if (validatePath(op.path) !== null) return Code.BadArguments;
  const acl = fixupACL(op.acl, authInfo);
  if (acl === Code.InvalidACL) return acl;
  const node = draft.getNode(op.path);
  if (node === undefined) return Code.NoNode;
  if (!checkACL(node.acl, Perms.ADMIN, authInfo)) return Code.NoAuth;
  if (!versionMatches(node.stat.aversion, op.version)) return Code.BadVersion;
  return { type: OpCode.setACL, path: op.path, acl, version: nextVersion(node.stat.aversion) };
}

export function prepCheck(draft: DataTreeDraft, op: CheckVersionRequest, authInfo: readonly Id[]): CheckVersionTxn | Code {
  const node = existingNode(draft, op.path);
  if (typeof node === 'number') return node;
  if (!checkACL(node.acl, Perms.READ, authInfo)) return Code.NoAuth;
  if (!versionMatches(node.stat.version, op.version)) return Code.BadVersion;
  return { type: OpCode.check, path: op.path, version: nextVersion(node.stat.version) };
}

function existingNode(draft: DataTreeDraft, path: string): ZNode | Code {
  if (validatePath(path) !== null) return Code.BadArguments;
  return draft.getNode(path) ?? Code.NoNode;
}

/** -1 in a request means "any version" (checkAndIncVersion). */
function versionMatches(current: number, expected: number): boolean {
  return expected === -1 || expected === current;
}
