import type { ServerContext } from './ServerContext.js';
import { NEW_LEADER_STEPS } from './ServerContext.js';
import type { ServerEvent } from './ServerEvent.js';
import { has, isQuorum, bit } from './quorum.js';
import { compareZxid } from './zxid.js';
import { lastZxidOf } from './History.js';
import { voteEquals } from './vote.js';
import { msgOf } from './actionHelpers.js';
import type { Vote } from './Message.js';

/** A guard reads the server's own variables and the event, nothing else. */
export type Guard = (context: ServerContext, event: ServerEvent) => boolean;

function isVoter(context: ServerContext): boolean {
  return has(context.voters, context.id);
}

/** The voters whose recorded vote equals `vote`. */
function agreeing(votes: readonly (Vote | null)[], vote: Vote): number {
  let mask = 0;
  for (let sid = 1; sid < votes.length; sid++) {
    const v = votes[sid];
    if (v !== null && voteEquals(v, vote)) mask |= 1 << sid;
  }
  return mask;
}

/**
 * The established leader a LOOKING server may follow: one that reported LEADING and that a quorum
 * of out-of-election servers report as their leader (FastLeaderElection's termPredicate + checkLeader).
 * 0 when there is none; the smallest sid when several qualify, so the choice is deterministic.
 */
export function establishedLeaderOf(context: ServerContext): number {
  for (let l = 1; l < context.outOfElection.length; l++) {
    const own = context.outOfElection[l];
    if (own === null || !has(context.reportedLeading, l) || own.leader !== l) continue;
    let mask = 0;
    for (let sid = 1; sid < context.outOfElection.length; sid++) if (context.outOfElection[sid]?.leader === l) mask |= 1 << sid;
    if (isQuorum(mask, context.voters)) return l;
  }
  return 0;
}

/** The chart's guards by name: what `setup()` gets and what a variant may replace. */
export const serverGuards = {
  /** ElectLeader: this server is the one the oracle chose. */
  isElectedLeader: (context, event) => event.type === 'ElectLeader' && event.leader === context.id,
  /** ElectLeader: this server is in the quorum that follows the chosen leader. */
  isInElectedQuorum: (context, event) =>
    event.type === 'ElectLeader' && event.leader !== context.id && has(event.quorum, context.id),
  /** JoinLeader: this server is the leader being joined. */
  isJoinedLeader: (context, event) => event.type === 'JoinLeader' && event.leader === context.id,
  /** JoinLeader: this voter joins the leader as a follower. */
  isJoiningFollower: (context, event) =>
    event.type === 'JoinLeader' && event.learner === context.id && isVoter(context),
  /** JoinLeader: this observer joins the leader. */
  isJoiningObserver: (context, event) =>
    event.type === 'JoinLeader' && event.learner === context.id && !isVoter(context),
  /** NEWEPOCH below what this learner already accepted: the leader is stale (ZOOKEEPER: "Leaders epoch is less than accepted epoch"). */
  isEpochBelowAccepted: (context, event) => msgOf(event, 'NEWEPOCH').epoch < context.acceptedEpoch,
  /** ACKEPOCH from a learner more recent than the leader: (currentEpoch, lastZxid) greater. */
  isLearnerAhead: (context, event) => {
    const m = msgOf(event, 'ACKEPOCH');
    if (m.currentEpoch === -1) return false;
    if (m.currentEpoch !== context.currentEpoch) return m.currentEpoch > context.currentEpoch;
    return compareZxid(m.lastZxid, lastZxidOf(context.history)) > 0;
  },
  /** This ACKEPOCH makes a quorum of voters (the leader counts itself). */
  isAckEpochQuorum: (context, event) =>
    'from' in event && msgOf(event, 'ACKEPOCH').currentEpoch !== -1 && isQuorum(context.ackeRecv | bit(event.from), context.voters),
  /** This ACK of NEWLEADER makes a quorum: the leader is established. */
  isAckLdQuorum: (context, event) =>
    'from' in event && isQuorum(context.ackldRecv | bit(event.from), context.voters),
  /**
   * The leader is established: a quorum acked NEWLEADER, a learner among them (the chart
   * establishes on a learner's ACK, so a lone voter is not established by its own count). In the
   * protocol this holds exactly in LEADING.BROADCAST: the ACK that completes a quorum moves the
   * leader there. It guards LeaderProcessRequest in SYNCHRONIZATION too, so that a variant can let
   * a leader propose before it is established.
   */
  isEstablished: (context) => context.ackldRecv !== bit(context.id) && isQuorum(context.ackldRecv, context.voters),
  /** The leader no longer has a quorum of connected voters (syncLimit expired). */
  isQuorumLost: (context) => !isQuorum(context.learners | bit(context.id), context.voters),
  /** Disconnect: the peer is this learner's leader. */
  isPeerLeader: (context, event) => event.type === 'Disconnect' && event.peer === context.leader,
  /** Disconnect: the peer is one of this leader's learners. */
  isPeerLearner: (context, event) => event.type === 'Disconnect' && has(context.learners, event.peer),
  /** FLE: a quorum of this round's votes equals this server's vote, which is for itself. */
  isElectedByVotes: (context) =>
    context.vote.leader === context.id && isQuorum(agreeing(context.recvVotes, context.vote), context.voters),
  /** FLE: a quorum of this round's votes equals this server's vote, for another server. */
  isLeaderChosenByVotes: (context) =>
    context.vote.leader !== context.id && context.vote.leader !== 0 && isQuorum(agreeing(context.recvVotes, context.vote), context.voters),
  /** FLE: a quorum of servers out of the election follow a leader that says it is LEADING. */
  isEstablishedLeaderFound: (context) => establishedLeaderOf(context) !== 0,
  /** A learner has finished its NEWLEADER steps. */
  isNewLeaderDone: (context) =>
    context.newLeaderEpoch !== 0 && context.newLeaderStep === NEW_LEADER_STEPS.length,
  /** A learner has received NEWLEADER and `event.type` is its next step. */
  isNextNewLeaderStep: (context, event) =>
    context.newLeaderEpoch !== 0 && NEW_LEADER_STEPS[context.newLeaderStep] === event.type,
} satisfies Record<string, Guard>;

/** The name of one of the chart's guards. */
export type ServerGuardName = keyof typeof serverGuards;
