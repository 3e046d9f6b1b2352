import type { Txn } from './Txn.js';
import type { Zxid } from './zxid.js';

/**
 * The messages of the protocol. Names follow the ZAB paper where ZooKeeper's wire names differ:
 * CEPOCH is FOLLOWERINFO/OBSERVERINFO, NEWEPOCH is LEADERINFO, ACKLD is the ACK of NEWLEADER.
 */
export type Message =
  | { readonly type: 'NOTIFICATION'; readonly vote: Vote; readonly round: number; readonly state: 'LOOKING' | 'FOLLOWING' | 'LEADING' | 'OBSERVING' }
  | { readonly type: 'CEPOCH'; readonly acceptedEpoch: number }
  | { readonly type: 'NEWEPOCH'; readonly epoch: number }
  /** currentEpoch is -1 when the learner had already accepted the epoch: the leader does not count it. */
  | { readonly type: 'ACKEPOCH'; readonly currentEpoch: number; readonly lastZxid: Zxid }
  | { readonly type: 'DIFF'; readonly txns: readonly Txn[] }
  | { readonly type: 'TRUNC'; readonly truncZxid: Zxid; readonly txns: readonly Txn[] }
  | { readonly type: 'SNAP'; readonly txns: readonly Txn[] }
  | { readonly type: 'NEWLEADER'; readonly epoch: number }
  | { readonly type: 'ACKLD'; readonly epoch: number }
  /** The leader is established; everything up to `committedZxid` is committed. */
  | { readonly type: 'UPTODATE'; readonly committedZxid: Zxid }
  | { readonly type: 'PROPOSAL'; readonly txn: Txn }
  | { readonly type: 'ACK'; readonly zxid: Zxid }
  | { readonly type: 'COMMIT'; readonly zxid: Zxid }
  | { readonly type: 'INFORM'; readonly txn: Txn };

/** The name of a message type. */
export type MessageType = Message['type'];

/** A fast-leader-election vote: (peerEpoch, zxid, sid) ordered lexicographically. */
export interface Vote {
  readonly leader: number;
  readonly zxid: Zxid;
  readonly peerEpoch: number;
}

/** Every message type, in the order the state encoding numbers them. */
export const MESSAGE_TYPES: readonly MessageType[] = [
  'NOTIFICATION', 'CEPOCH', 'NEWEPOCH', 'ACKEPOCH', 'DIFF', 'TRUNC', 'SNAP',
  'NEWLEADER', 'ACKLD', 'UPTODATE', 'PROPOSAL', 'ACK', 'COMMIT', 'INFORM',
];
