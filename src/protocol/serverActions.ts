import type { Effect, ServerContext } from './ServerContext.js';
import { NEW_LEADER_STEPS, NO_VOTE, withChanges } from './ServerContext.js';
import type { ServerEvent } from './ServerEvent.js';
import type { Txn } from './Txn.js';
import { bit, has, isQuorum, members } from './quorum.js';
import { compareZxid, ZXID_ZERO } from './zxid.js';
import { syncMessage } from './syncMessage.js';
import { appendTxns, indexOfZxid, lastZxidOf, prefixLengthUpTo, txnAt, type History } from './History.js';
import { appended, prefixOf, sameKindAs, withItem } from './Seq.js';
import type { Vote } from './Message.js';
import { isBetterVote } from './vote.js';
import { establishedLeaderOf } from './serverGuards.js';
import { commitAcked, deliverUpTo, emit, emptyVotes, fromOf, msgOf, notifyVoters, receiveNotificationWith, selfVote, send, syncLearnerWith } from './actionHelpers.js';

/** An action maps the server's variables and the event to new variables; effects go to `outbox`. */
export type Action = (context: ServerContext, event: ServerEvent) => ServerContext;

function resetLeaderVars(context: ServerContext): ServerContext {
  return {
    ...context,
    learners: 0,
    cepochRecv: 0,
    maxAcceptedEpoch: 0,
    ackeRecv: 0,
    ackeZxid: context.ackeZxid.map(() => null),
    synced: 0,
    ackldRecv: 0,
    acks: prefixOf(context.acks, 0),
  };
}

function resetLearnerVars(context: ServerContext): ServerContext {
  return withChanges(context, { leader: 0, pendingSync: null, newLeaderEpoch: 0, newLeaderStep: 0 });
}

/** The last txn counter this leader used in its current epoch. */
function lastCounterInEpoch(history: History, epoch: number): number {
  const last = history.at(-1);
  return last !== undefined && last.zxid.epoch === epoch ? last.zxid.counter : 0;
}

/** Leader: send `learner` its sync message (as ZooKeeper chooses it) and NEWLEADER. */
function syncLearner(context: ServerContext, learner: number): ServerContext {
  return syncLearnerWith(syncMessage, context, learner);
}

/** Leader: commit, in zxid order, every txn whose acks form a quorum. */
function commitQuorumAcked(context: ServerContext): ServerContext {
  return commitAcked(context, isQuorum);
}

/** A learner leaves its leader: the connection closes and it forgets everything of that leader. */
function leaveLeader(context: ServerContext): ServerContext {
  const peer = context.leader;
  return emit(resetLearnerVars(context), { kind: 'disconnect', peer });
}

/** A leader steps down: every learner connection closes. */
function leaveLeading(context: ServerContext): ServerContext {
  const effects: Effect[] = members(context.learners).map((peer) => ({ kind: 'disconnect', peer }));
  return emit(resetLeaderVars(context), ...effects);
}

/** The server's role as FLE reports it in a notification, read off its variables. */
function reportedState(context: ServerContext): 'FOLLOWING' | 'LEADING' | 'OBSERVING' {
  if (context.leader !== 0) return has(context.voters, context.id) ? 'FOLLOWING' : 'OBSERVING';
  return 'LEADING';
}

/** Leaving the election: only the settled vote and round are kept. */
function leaveElection(context: ServerContext, vote: Vote): ServerContext {
  const none = emptyVotes(context);
  return withChanges(context, { vote, recvVotes: none, outOfElection: none, reportedLeading: 0 });
}

/** A new leader counts itself in every quorum it is about to gather. */
function startLeading(context: ServerContext): ServerContext {
  const self = bit(context.id);
  return withChanges(context, { cepochRecv: self, maxAcceptedEpoch: context.acceptedEpoch, ackeRecv: self, ackldRecv: self });
}

function joinAsLearner(context: ServerContext, leader: number): ServerContext {
  return emit(withChanges(context, { leader }), send(leader, { type: 'CEPOCH', acceptedEpoch: context.acceptedEpoch }));
}

/**
 * The server chart's actions by name: what each transition does to the server's variables. Each is
 * the variable update (and the messages sent, as effects in `outbox`) of the spec action named in
 * its comment; a transition may run several, in order (`['recordAckEpoch', 'startSync']`). A
 * variant replaces some of them by name (see {@link ServerImplementations}).
 */
export const serverActions = {
  // ----- Election (oracle) -----
  /** ElectLeader, as the leader i: it leads and counts itself in the quorums it gathers. */
  becomeLeader: (context) => startLeading(context),
  /** ElectLeader, as a member of Q other than the leader: follow it and send it CEPOCH. */
  becomeElectedFollower: (context, event) => {
    if (event.type !== 'ElectLeader') throw new Error(`becomeElectedFollower on ${event.type}`);
    return joinAsLearner(context, event.leader);
  },
  /** ElectLeader, as the leader i: the rest of the quorum Q are its learners (they send CEPOCH). */
  addElectedLearners: (context, event) => {
    if (event.type !== 'ElectLeader') throw new Error(`addElectedLearners on ${event.type}`);
    return withChanges(context, { learners: event.quorum & ~bit(context.id) });
  },
  /** JoinLeader, as the joining server i: its leader is j, to which it sends CEPOCH. */
  joinLeader: (context, event) => {
    if (event.type !== 'JoinLeader') throw new Error(`joinLeader on ${event.type}`);
    return joinAsLearner(context, event.leader);
  },
  /** JoinLeader, as the leader j: the joining server is one more learner. */
  addLearner: (context, event) => {
    if (event.type !== 'JoinLeader') throw new Error(`addLearner on ${event.type}`);
    return withChanges(context, { learners: context.learners | bit(event.learner) });
  },

  // ----- Discovery -----
  /**
   * Count the learner's acceptedEpoch. When the CEPOCHs first form a quorum the new epoch is
   * max(acceptedEpoch) + 1: the leader accepts it and sends NEWEPOCH to all it counted. Once the
   * epoch is chosen, a late learner is answered at once.
   */
  leaderProcessCEPOCH: (context, event) => {
    const from = fromOf(event);
    const m = msgOf(event, 'CEPOCH');
    // Under FLE a learner connects by sending CEPOCH; under the oracle it is a learner already.
    const learners = context.learners | bit(from);
    if (isQuorum(context.cepochRecv, context.voters)) {
      return emit(withChanges(context, { learners, cepochRecv: context.cepochRecv | bit(from) }), send(from, { type: 'NEWEPOCH', epoch: context.acceptedEpoch }));
    }
    const cepochRecv = context.cepochRecv | bit(from);
    const maxAcceptedEpoch = Math.max(context.maxAcceptedEpoch, m.acceptedEpoch);
    if (!isQuorum(cepochRecv, context.voters)) return withChanges(context, { learners, cepochRecv, maxAcceptedEpoch });
    const epoch = maxAcceptedEpoch + 1;
    const effects = members(cepochRecv & learners).map((learner) => send(learner, { type: 'NEWEPOCH', epoch }));
    return emit(withChanges(context, { learners, cepochRecv, maxAcceptedEpoch, acceptedEpoch: epoch }), ...effects);
  },
  /** Accept the new epoch (persisting acceptedEpoch) and answer with currentEpoch and last zxid. */
  followerProcessNEWEPOCH: (context, event) => {
    const m = msgOf(event, 'NEWEPOCH');
    // An epoch already accepted is acknowledged with currentEpoch -1: it must not count twice
    // toward the new epoch's quorum (Learner.registerWithLeader, Leader.waitForEpochAck).
    const currentEpoch = m.epoch === context.acceptedEpoch ? -1 : context.currentEpoch;
    const accepted = withChanges(context, { acceptedEpoch: Math.max(context.acceptedEpoch, m.epoch) });
    return emit(accepted, send(fromOf(event), { type: 'ACKEPOCH', currentEpoch, lastZxid: lastZxidOf(context.history) }));
  },
  /**
   * A learner gives up its leader (Disconnect, or FollowerProcessNEWEPOCH with an epoch below its
   * acceptedEpoch): the connection closes and everything it had from that leader is dropped.
   */
  leaveLeader: (context) => leaveLeader(context),
  /** Remember the learner's position; it is synced once a quorum acked the epoch. */
  recordAckEpoch: (context, event) => {
    const from = fromOf(event);
    const m = msgOf(event, 'ACKEPOCH');
    const ackeZxid = context.ackeZxid.slice();
    ackeZxid[from] = m.lastZxid;
    return withChanges(context, { ackeRecv: m.currentEpoch === -1 ? context.ackeRecv : context.ackeRecv | bit(from), ackeZxid });
  },
  /** A quorum acked the epoch: persist currentEpoch and sync every learner that acked. */
  startSync: (context) => {
    let next: ServerContext = withChanges(context, { currentEpoch: context.acceptedEpoch });
    for (const learner of members(context.learners)) if (context.ackeZxid[learner] !== null) next = syncLearner(next, learner);
    return next;
  },
  /** A learner acked the epoch after the quorum: sync it at once. */
  syncLateLearner: (context, event) => syncLearner(context, fromOf(event)),
  /**
   * A leader steps down (LeaderTimeout, LeaderInitTimeout, or LeaderProcessACKEPOCH from a learner
   * ahead of it): every learner connection closes and the leader variables are reset.
   */
  leaveLeading: (context) => leaveLeading(context),

  // ----- Synchronization -----
  /** FollowerProcessDIFF: keep the txns, to be logged at the first NEWLEADER step. */
  followerProcessDIFF: (context, event) => {
    const m = msgOf(event, 'DIFF');
    return withChanges(context, { pendingSync: { snap: false, txns: m.txns } });
  },
  /** TRUNC cuts the log at once (ZooKeeper truncates the txn log on receipt). */
  followerProcessTRUNC: (context, event) => {
    const m = msgOf(event, 'TRUNC');
    const history = prefixOf(context.history, prefixLengthUpTo(context.history, m.truncZxid));
    return {
      ...context,
      history,
      lastCommitted: Math.min(context.lastCommitted, history.length),
      pendingSync: { snap: false, txns: m.txns },
    };
  },
  /** FollowerProcessSNAP: keep the leader's whole log, to replace this one at the first NEWLEADER step. */
  followerProcessSNAP: (context, event) => {
    const m = msgOf(event, 'SNAP');
    return withChanges(context, { pendingSync: { snap: true, txns: m.txns } });
  },
  /** FollowerProcessNEWLEADER: remember the new epoch and start the NEWLEADER steps (NEW_LEADER_STEPS) from the first. */
  followerProcessNEWLEADER: (context, event) => (withChanges(context, { newLeaderEpoch: msgOf(event, 'NEWLEADER').epoch, newLeaderStep: 0 })),
  /**
   * Write the synced txns to the log. Nothing is delivered yet: only UPTODATE, sent once a quorum
   * follows the new leader, says what is committed (ZooKeeper applies a DIFF in memory earlier,
   * which lets a learner apply txns a leader that never gets established had; see spec/README.md).
   */
  followerPersistSyncedTxns: (context) => {
    const sync = context.pendingSync;
    if (sync === null) return withChanges(context, { newLeaderStep: context.newLeaderStep + 1 });
    const history = sync.snap ? sameKindAs(context.history, sync.txns) : appendTxns(context.history, sync.txns);
    const lastCommitted = sync.snap ? 0 : context.lastCommitted;
    return withChanges(context, { history, lastCommitted, pendingSync: null, newLeaderStep: context.newLeaderStep + 1 });
  },
  /** FollowerPersistCurrentEpoch, the second NEWLEADER step: currentEpoch becomes the new leader's epoch. */
  followerPersistCurrentEpoch: (context) => ({
    ...context,
    currentEpoch: context.newLeaderEpoch,
    newLeaderStep: context.newLeaderStep + 1,
  }),
  /**
   * FollowerAckNEWLEADER, the third NEWLEADER step: ACKLD to the leader, only after the txns and
   * the epoch are persisted (the other order is ZOOKEEPER-4643/4646).
   */
  followerAckNEWLEADER: (context) =>
    emit(withChanges(context, { newLeaderStep: context.newLeaderStep + 1 }), send(context.leader, { type: 'ACKLD', epoch: context.newLeaderEpoch })),
  /** LeaderProcessACKLD in SYNCHRONIZATION before a quorum: count the learner's ack of NEWLEADER. */
  recordAckLd: (context, event) => (withChanges(context, { ackldRecv: context.ackldRecv | bit(fromOf(event)) })),
  /**
   * A quorum acked NEWLEADER: the leader is established. Everything in its log is committed now
   * (the old epochs' txns it synced to the quorum), and the learners that acked get UPTODATE.
   */
  establishLeadership: (context, event) => {
    const ackldRecv = context.ackldRecv | bit(fromOf(event));
    const txns = context.history.slice(context.lastCommitted);
    const acks = sameKindAs(context.acks, new Array<number>(context.history.length).fill(0));
    const effects: Effect[] = [{ kind: 'establish', epoch: context.currentEpoch }];
    if (txns.length > 0) effects.push({ kind: 'commit', txns });
    const committedZxid = lastZxidOf(context.history);
    for (const learner of members(ackldRecv & context.learners)) effects.push(send(learner, { type: 'UPTODATE', committedZxid }));
    return emit(withChanges(context, { ackldRecv, acks, lastCommitted: context.history.length }), ...effects);
  },
  /** LeaderProcessACKLD once established: the late learner gets UPTODATE with the leader's commit point. */
  sendUPTODATE: (context, event) => {
    const from = fromOf(event);
    const committedZxid = context.lastCommitted === 0 ? ZXID_ZERO : txnAt(context.history, context.lastCommitted - 1).zxid;
    return emit(withChanges(context, { ackldRecv: context.ackldRecv | bit(from) }), send(from, { type: 'UPTODATE', committedZxid }));
  },

  // ----- Broadcast -----
  /**
   * LeaderProcessRequest: log the client's value with the next zxid of this epoch, send PROPOSAL to
   * the synced voters, ack it itself, and commit whatever now has a quorum (a one-voter ensemble).
   */
  leaderProcessRequest: (context, event) => {
    if (event.type !== 'LeaderProcessRequest') throw new Error(`leaderProcessRequest on ${event.type}`);
    const zxid = { epoch: context.currentEpoch, counter: lastCounterInEpoch(context.history, context.currentEpoch) + 1 };
    const txn: Txn = { zxid, value: event.value };
    const effects: Effect[] = [{ kind: 'propose', txn }];
    for (const learner of members(context.synced & context.voters)) effects.push(send(learner, { type: 'PROPOSAL', txn }));
    const next = emit(withChanges(context, { history: appendTxns(context.history, [txn]), acks: appended(context.acks, [bit(context.id)]) }), ...effects);
    return commitQuorumAcked(next);
  },
  /** Log the proposal, then ACK it (ZooKeeper: SyncRequestProcessor before SendAckRequestProcessor). */
  followerProcessPROPOSAL: (context, event) => {
    const m = msgOf(event, 'PROPOSAL');
    return emit(withChanges(context, { history: appendTxns(context.history, [m.txn]) }), send(fromOf(event), { type: 'ACK', zxid: m.txn.zxid }));
  },
  /**
   * LeaderProcessACK: count a voter's ACK of a txn not committed yet, then commit, in zxid order,
   * every txn whose acks form a quorum (COMMIT to followers, INFORM to observers).
   */
  leaderProcessACK: (context, event) => {
    const m = msgOf(event, 'ACK');
    const index = indexOfZxid(context.history, m.zxid);
    if (index < context.lastCommitted) return context;
    const acks = withItem(context.acks, index, (context.acks.at(index) as number) | (bit(fromOf(event)) & context.voters));
    return commitQuorumAcked(withChanges(context, { acks }));
  },
  /** FollowerProcessCOMMIT: deliver the logged txns up to the committed zxid. */
  followerProcessCOMMIT: (context, event) => deliverUpTo(context, msgOf(event, 'COMMIT').zxid),
  /**
   * FollowerProcessUPTODATE: deliver up to the zxid the leader says is committed; the learner is in
   * BROADCAST and serves clients.
   */
  followerProcessUPTODATE: (context, event) => deliverUpTo(context, msgOf(event, 'UPTODATE').committedZxid),
  /** An observer logs and delivers an INFORM at once: it never acks. */
  observerProcessINFORM: (context, event) => {
    const m = msgOf(event, 'INFORM');
    const last = lastZxidOf(context.history);
    const history = compareZxid(m.txn.zxid, last) > 0 ? appendTxns(context.history, [m.txn]) : context.history;
    return deliverUpTo(withChanges(context, { history }), m.txn.zxid);
  },

  // ----- Fast leader election -----
  /**
   * Enter a new election round voting for itself, and tell every voter (ZooKeeper's
   * lookForLeader start). A no-op under the oracle, where elections are not modelled.
   */
  startElection: (context) => {
    if (!context.fle || !has(context.voters, context.id)) return context;
    const vote = selfVote(context);
    const recvVotes = emptyVotes(context).slice();
    recvVotes[context.id] = vote;
    const next = withChanges(context, { round: context.round + 1, vote, recvVotes, outOfElection: emptyVotes(context), reportedLeading: 0 });
    return emit(next, ...notifyVoters(next, 'LOOKING'));
  },
  /** A LOOKING server takes a notification, ranking votes by (epoch, zxid, sid): `receiveNotificationWith`. */
  fleReceiveNOTIFICATION: (context, event) => receiveNotificationWith(isBetterVote, context, event),
  /** A server out of the election answers a LOOKING sender with the leader it settled on. */
  fleReplyNOTIFICATION: (context, event) => {
    const n = msgOf(event, 'NOTIFICATION');
    if (n.state !== 'LOOKING') return context;
    return emit(context, send(fromOf(event), { type: 'NOTIFICATION', vote: context.vote, round: context.round, state: reportedState(context) }));
  },
  /** The election chose this server: it leads, and learners connect to it with CEPOCH. */
  fleBecomeLeader: (context) => startLeading(leaveElection(context, context.vote)),
  /** The election chose another server: follow it. */
  fleFollowVote: (context) => joinAsLearner(leaveElection(context, context.vote), context.vote.leader),
  /** Follow the leader a quorum of servers out of the election already follow. */
  fleFollowEstablished: (context) => {
    const leader = establishedLeaderOf(context);
    const vote = context.outOfElection[leader];
    if (leader === 0 || vote === null) throw new Error(`server ${context.id} follows an established leader that is not there`);
    return joinAsLearner(leaveElection(context, vote), leader);
  },
  /** A server that is not leading refuses a learner's connection: the learner looks again. */
  refuseCEPOCH: (context, event) => emit(context, { kind: 'disconnect', peer: fromOf(event) }),

  // ----- Environment -----
  /** Disconnect, as the leader: the peer is no longer a learner, nor synced, and its ACKEPOCH is forgotten. */
  removeLearner: (context, event) => {
    if (event.type !== 'Disconnect') throw new Error(`removeLearner on ${event.type}`);
    // What belonged to the connection goes with it; the counts toward quorums stay.
    const ackeZxid = context.ackeZxid.slice();
    ackeZxid[event.peer] = null;
    return withChanges(context, { learners: context.learners & ~bit(event.peer), synced: context.synced & ~bit(event.peer), ackeZxid });
  },
  /** A crash loses every volatile variable; currentEpoch, acceptedEpoch and the log survive. */
  crash: (context) => {
    const leaving = context.leader !== 0 ? leaveLeader(context) : context.learners !== 0 ? leaveLeading(context) : context;
    const none = emptyVotes(context);
    return {
      ...resetLearnerVars(resetLeaderVars(leaving)),
      lastCommitted: 0,
      round: 0,
      vote: NO_VOTE,
      recvVotes: none,
      outOfElection: none,
      reportedLeading: 0,
    };
  },
  /**
   * Restart: a crashed server comes back LOOKING with the persistent variables crash kept; nothing
   * else changes here (the election it starts is the transition's next action, startElection).
   */
  restart: (context) => context,
} satisfies Record<string, Action>;

/** The name of one of the chart's actions: what a transition's `actions` and a variant's replacements refer to. */
export type ServerActionName = keyof typeof serverActions;
export { NEW_LEADER_STEPS, ZXID_ZERO };
