import type { ACL } from './Acl.js';
import type { OpCode } from './OpCode.js';

/**
 * The txns the leader proposes and every replica applies, record for record ZooKeeper's txn
 * records (CreateTxn, DeleteTxn, ...). The zxid and the time travel beside the txn in the proposal,
 * the way ZooKeeper's TxnHeader carries them, and are passed to applyTxn.
 */
export interface CreateTxn {
  readonly type: typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer;
  /** The final path: a sequential node's suffix is already appended. */
  readonly path: string;
  readonly data: Uint8Array;
  /** The access list after fixupACL (the `auth` scheme already expanded). */
  readonly acl: readonly ACL[];
  /** An ephemeral is owned by the txn's session. */
  readonly ephemeral: boolean;
  /** The parent's cversion after this create: the leader's count plus one. */
  readonly parentCVersion: number;
}

export interface DeleteTxn {
  readonly type: typeof OpCode.delete;
  readonly path: string;
}

export interface SetDataTxn {
  readonly type: typeof OpCode.setData;
  readonly path: string;
  readonly data: Uint8Array;
  /** The node's version after the change. */
  readonly version: number;
}

export interface SetACLTxn {
  readonly type: typeof OpCode.setACL;
  readonly path: string;
  readonly acl: readonly ACL[];
  /** The node's aversion after the change. */
  readonly version: number;
}

/** A version check that passed at the leader; it changes nothing. */
export interface CheckVersionTxn {
  readonly type: typeof OpCode.check;
  readonly path: string;
  readonly version: number;
}

/** A request the leader refused with a KeeperException: it is logged and changes nothing. */
export interface ErrorTxn {
  readonly type: typeof OpCode.error;
  readonly err: number;
}

/** The txns a multi may hold. */
export type SubTxn = CreateTxn | DeleteTxn | SetDataTxn | CheckVersionTxn | ErrorTxn;

/** All or nothing: if any sub-txn is an ErrorTxn, applying the multi changes nothing. */
export interface MultiTxn {
  readonly type: typeof OpCode.multi;
  readonly txns: readonly SubTxn[];
}

export interface CreateSessionTxn {
  readonly type: typeof OpCode.createSession;
  /** The session timeout in ticks. */
  readonly timeOut: number;
}

/** Closes the txn's session and deletes its ephemerals (ZooKeeper 3.6+'s CloseSessionTxn). */
export interface CloseSessionTxn {
  readonly type: typeof OpCode.closeSession;
  readonly paths2Delete: readonly string[];
}

export type TxnRecord = SubTxn | SetACLTxn | MultiTxn | CreateSessionTxn | CloseSessionTxn;

/** The part of ZooKeeper's TxnHeader that the leader fills in from the request. */
export interface TxnHeader {
  /** The session that sent the request (ZooKeeper's clientId). */
  readonly sessionId: bigint;
  /** The client's request number, so the server can match the response. */
  readonly cxid: number;
}

export type Txn = TxnHeader & TxnRecord;
