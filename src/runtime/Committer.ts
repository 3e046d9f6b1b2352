import type { ApplyTxnResult, DataTree, Txn, WriteRequest } from '../service/index.js';

/** A txn the ensemble agreed on, with the zxid and time of its proposal. */
export interface CommittedTxn {
  readonly zxid: bigint;
  readonly time: number;
  readonly txn: Txn;
}

/**
 * What a leader's prepRequest already applied for a txn it proposed: `applied` is
 * applyTxn(base, txn, zxid, time), so the server that finds its tree to be `base` when the txn
 * commits takes it instead of applying the txn a second time.
 */
export interface PreparedTxn extends CommittedTxn {
  readonly base: DataTree;
  readonly applied: ApplyTxnResult;
}

/** A write the leader refused before giving it a zxid (ZooKeeper's submitRequest failures). */
export class CommitRefused extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'CommitRefused';
  }
}

/**
 * The write path as the client side sees it: whatever orders and commits writes (a standalone
 * committer that logs then applies; later the quorum protocol, which forwards to the leader). The
 * committer delivers every committed txn, in zxid order, to the apply callback it was built with, and
 * resolves a proposal only after its txn was applied there. Reads never go through it.
 */
export interface Committer {
  /** Allocates a session id, commits its createSession, resolves with the id once applied. */
  createSession(timeoutTicks: number): Promise<bigint>;
  /** Preps, orders and commits a write; resolves with its zxid once applied; rejects with CommitRefused. */
  propose(request: WriteRequest): Promise<bigint>;
  /** A request or ping from the session: false when the session is unknown, closing or expired. */
  touchSession(sessionId: bigint): boolean;
  /** Resolves once every write proposed so far has been applied (ZooKeeper's sync). */
  sync(): Promise<void>;
  /** One tickTime has passed: expire the sessions that were not heard from in their timeout. */
  tick(): void;
  /** Waits for outstanding proposals, then stops accepting new ones. */
  close(): Promise<void>;
}
