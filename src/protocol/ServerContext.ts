import type { Message, Vote } from './Message.js';
import type { Txn } from './Txn.js';
import type { Zxid } from './zxid.js';
import type { History } from './History.js';
import type { Seq } from './Seq.js';

/** What a server emits in one transition; the cluster model performs it (etcd raft's `Ready`). */
export type Effect =
  | { readonly kind: 'send'; readonly to: number; readonly msg: Message }
  /** The connection to `peer` is gone: both channels are emptied and the peer is told. */
  | { readonly kind: 'disconnect'; readonly peer: number }
  /** Ghost: a leader made a proposal (feeds the spec's `proposed`). */
  | { readonly kind: 'propose'; readonly txn: Txn }
  /** Ghost: txns committed by a quorum, in commit order (feeds `committedLog`). */
  | { readonly kind: 'commit'; readonly txns: readonly Txn[] }
  /** Ghost: a leader was established (quorum of NEWLEADER acks) in `epoch` (feeds `established`). */
  | { readonly kind: 'establish'; readonly epoch: number };

/** Sync data a learner received (DIFF / TRUNC / SNAP) and has not yet written to its log. */
export interface PendingSync {
  readonly snap: boolean;
  readonly txns: readonly Txn[];
}

/**
 * One server's variables, grouped as in the spec. Sets of servers are bitmasks (bit `sid`), so
 * they are canonical and cheap to copy. Fields of a role the server is not in hold their initial
 * values: the spec resets them on every role change, and so must we, or the state counts differ.
 */
export interface ServerContext {
  /** Server id, 1-based; fixed. */
  readonly id: number;
  /** Bitmask of the voting servers; fixed. */
  readonly voters: number;
  /** How many txns a leader retains for DIFF before it sends SNAP instead; fixed. */
  readonly commitLogCount: number;
  /** Whether leaders come from fast leader election (else from the oracle); fixed. */
  readonly fle: boolean;

  // Persistent: survives a crash.
  readonly currentEpoch: number;
  readonly acceptedEpoch: number;
  /** The txn log: logged proposals, committed or not. */
  readonly history: History;

  // Volatile.
  /** Length of the delivered (committed) prefix of `history`. */
  readonly lastCommitted: number;
  /** A learner's leader (0: none). */
  readonly leader: number;

  // Fast leader election (FLE mode only).
  /** The election round, ZooKeeper's `logicalclock`. */
  readonly round: number;
  /** The vote this server proposes while LOOKING, and the leader it settled on afterwards. */
  readonly vote: Vote;
  /** Votes of LOOKING voters received in this round, indexed by sid (its own included). */
  readonly recvVotes: readonly (Vote | null)[];
  /** Votes reported by FOLLOWING or LEADING servers, indexed by sid (ZooKeeper's `outofelection`). */
  readonly outOfElection: readonly (Vote | null)[];
  /** The servers among `outOfElection` that reported LEADING. */
  readonly reportedLeading: number;

  // Leader only.
  /** Learners connected to this leader. */
  readonly learners: number;
  /** Servers whose CEPOCH the leader has counted (itself included). */
  readonly cepochRecv: number;
  /** Greatest acceptedEpoch among `cepochRecv`: the new epoch is this plus one. */
  readonly maxAcceptedEpoch: number;
  /** Servers whose ACKEPOCH the leader has counted (itself included). */
  readonly ackeRecv: number;
  /** Last zxid each learner reported in ACKEPOCH, indexed by sid, kept until it is synced. */
  readonly ackeZxid: readonly (Zxid | null)[];
  /** Learners that were sent NEWLEADER: the forwarding set for PROPOSAL and COMMIT. */
  readonly synced: number;
  /** Servers whose ACK of NEWLEADER the leader has counted (itself included). */
  readonly ackldRecv: number;
  /** Voters that acked each history entry (leader only; parallel to `history`). */
  readonly acks: Seq<number>;

  // Learner only.
  /** Received sync data not yet logged. */
  readonly pendingSync: PendingSync | null;
  /** Epoch of the NEWLEADER being processed (0: none). */
  readonly newLeaderEpoch: number;
  /** How many of the NEWLEADER steps are done (meaningful while `newLeaderEpoch` > 0). */
  readonly newLeaderStep: number;

  /** Effects of the last transition, drained by the cluster model. Always empty between steps. */
  readonly outbox: readonly Effect[];
}

/** The steps a learner takes on NEWLEADER. The spec separates them so a variant can reorder them. */
export type NewLeaderStep = 'FollowerPersistSyncedTxns' | 'FollowerPersistCurrentEpoch' | 'FollowerAckNEWLEADER';

/** The order ZooKeeper uses since ZOOKEEPER-4643/4646: txns, then currentEpoch, then the ACK. */
export const NEW_LEADER_STEPS: readonly NewLeaderStep[] = [
  'FollowerPersistSyncedTxns',
  'FollowerPersistCurrentEpoch',
  'FollowerAckNEWLEADER',
];

/** No vote: the oracle mode's placeholder and an observer's. */
export const NO_VOTE: Vote = Object.freeze({ leader: 0, zxid: Object.freeze({ epoch: 0, counter: 0 }), peerEpoch: 0 });

/** A server's variables before it has done anything: LOOKING, empty log, epochs 0. */
export function initialServerContext(
  id: number,
  voters: number,
  serverCount: number,
  commitLogCount: number,
  fle = false,
): ServerContext {
  const empty = new Array<Vote | null>(serverCount + 1).fill(null);
  return {
    id,
    voters,
    commitLogCount,
    fle,
    round: 0,
    vote: NO_VOTE,
    recvVotes: empty,
    outOfElection: empty,
    reportedLeading: 0,
    currentEpoch: 0,
    acceptedEpoch: 0,
    history: [],
    lastCommitted: 0,
    leader: 0,
    learners: 0,
    cepochRecv: 0,
    maxAcceptedEpoch: 0,
    ackeRecv: 0,
    ackeZxid: new Array<Zxid | null>(serverCount + 1).fill(null),
    synced: 0,
    ackldRecv: 0,
    acks: [],
    pendingSync: null,
    newLeaderEpoch: 0,
    newLeaderStep: 0,
    outbox: [],
  };
}

/**
 * `context` with `changes` applied: how every action makes its next context. Not a spread:
 * V8 clones an object of this many fields through a dictionary (measured: 460 ns and 1.1 KB per
 * copy, several copies per message), while a literal naming every field is one allocation of the
 * final shape (35 ns, 285 bytes). The compiler checks that the literal names every field.
 */
export function withChanges(context: ServerContext, changes: Partial<ServerContext>): ServerContext {
  const copy: ServerContext = {
    id: context.id,
    voters: context.voters,
    commitLogCount: context.commitLogCount,
    fle: context.fle,
    round: context.round,
    vote: context.vote,
    recvVotes: context.recvVotes,
    outOfElection: context.outOfElection,
    reportedLeading: context.reportedLeading,
    currentEpoch: context.currentEpoch,
    acceptedEpoch: context.acceptedEpoch,
    history: context.history,
    lastCommitted: context.lastCommitted,
    leader: context.leader,
    learners: context.learners,
    cepochRecv: context.cepochRecv,
    maxAcceptedEpoch: context.maxAcceptedEpoch,
    ackeRecv: context.ackeRecv,
    ackeZxid: context.ackeZxid,
    synced: context.synced,
    ackldRecv: context.ackldRecv,
    acks: context.acks,
    pendingSync: context.pendingSync,
    newLeaderEpoch: context.newLeaderEpoch,
    newLeaderStep: context.newLeaderStep,
    outbox: context.outbox,
  };
  return Object.assign(copy, changes);
}
