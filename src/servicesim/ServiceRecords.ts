import type { ZooKeeperInput, ZooKeeperResult, Zxid } from '../history/ClientHistory.js';
import type { DataTree } from '../service/DataTree.js';
import type { ReadRequestBody, WriteRequestBody } from '../service/Request.js';
import type { SessionTracker } from '../service/SessionTracker.js';
import type { Txn as ServiceTxn } from '../service/Txn.js';
import type { Txn as ProtocolTxn } from '../protocol/Txn.js';
import type { OperationKind } from './randomOperation.js';

/**
 * The side table behind the protocol's opaque txn values: what the leader's prepRequest made of the
 * request when `LeaderProcessRequest` proposed value `value`. Every replica applies this txn with
 * this zxid and time when it delivers the value.
 */
export interface TxnEntry {
  readonly value: number;
  readonly txn: ServiceTxn;
  readonly zxid: Zxid;
  readonly zxidBig: bigint;
  readonly time: number;
  /** The client operation that asked for it; null for a session expiry the leader proposed. */
  readonly origin: { readonly client: number; readonly operation: number } | null;
}

/** How an operation ended for its client. */
export type Completion =
  /** A reply: err is ZooKeeper's code (0 for success); zxid the txn's, or the replica's for a read. */
  | {
      readonly status: 'ok';
      readonly err: number;
      readonly zxid: Zxid;
      readonly historyResult: ZooKeeperResult | null;
      readonly sessionId?: bigint;
      readonly path?: string;
    }
  /** The leader refused the request before proposing it (SessionExpired): it took no effect. */
  | { readonly status: 'refused'; readonly err: number }
  /** The client lost its connection or session: the operation may or may not take effect. */
  | { readonly status: 'unknown'; readonly reason: string };

export interface OperationRecord {
  readonly id: number;
  readonly client: number;
  readonly server: number;
  readonly kind: OperationKind;
  readonly role: 'write' | 'read' | 'sync';
  readonly body: WriteRequestBody | ReadRequestBody;
  readonly historyInput: ZooKeeperInput | null;
  readonly call: number;
  /** A sync's goal: the leader's last proposed zxid when the sync reached it (null: no leader). */
  syncTarget: Zxid | null;
  /** The txn value a leader proposed for this write, once one did. */
  proposedValue: number | null;
  /** The reply, once known, waiting for the operations issued before it (replies come in order). */
  ready: Completion | null;
  completion: Completion | null;
  returnTime: number | null;
}

export interface ClientState {
  readonly id: number;
  /** 0 while disconnected. */
  server: number;
  /** The server's incarnation when the client connected: a change means the connection is gone. */
  incarnation: string;
  session: bigint | null;
  /** A closeSession is in flight: the client issues nothing more. */
  closing: boolean;
  /** The highest zxid the client has seen: it connects only to a server at least this recent. */
  lastZxid: Zxid;
  /** Operation ids in issue order. */
  inFlight: number[];
  cxid: number;
}

/** A write waiting at the leader for `LeaderProcessRequest`. */
export type QueuedRequest =
  | { readonly kind: 'client'; readonly client: number; readonly operation: number; readonly sessionId: bigint; readonly body: WriteRequestBody }
  | { readonly kind: 'expire'; readonly sessionId: bigint };

/** A leader's service side for one epoch: ZooKeeper's outstanding changes, session tracker and request queue. */
export interface LeaderState {
  readonly epoch: number;
  /** The committed tree plus every outstanding proposal. */
  speculative: DataTree;
  tracker: SessionTracker;
  readonly queue: QueuedRequest[];
  /** Sessions whose expiry is queued: they get SessionExpired; closeSession is prepped later. */
  readonly expiring: Set<bigint>;
}

/** One server's data tree: the delivered prefix of its log, applied in order. */
export interface ReplicaState {
  historyRef: readonly ProtocolTxn[];
  applied: ProtocolTxn[];
  tree: DataTree;
}
