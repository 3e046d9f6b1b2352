import type { ServerContext } from './ServerContext.js';
import { NEW_LEADER_STEPS } from './ServerContext.js';
import type { ServerEvent } from './ServerEvent.js';
import type { Message } from './Message.js';
import { has, isQuorum, bit } from './quorum.js';
import { compareZxid } from './zxid.js';
import { lastZxidOf } from './syncMessage.js';

/** A guard reads the server's own variables and the event, nothing else. */
export type Guard = (context: ServerContext, event: ServerEvent) => boolean;

function msgOf<T extends Message['type']>(event: ServerEvent, type: T): Extract<Message, { type: T }> {
  if (!('msg' in event) || event.msg.type !== type) {
    throw new Error(`expected a ${type} message in ${event.type}, got ${'msg' in event ? event.msg.type : 'none'}`);
  }
  return event.msg as Extract<Message, { type: T }>;
}

function isVoter(context: ServerContext): boolean {
  return has(context.voters, context.id);
}

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
    if (m.currentEpoch !== context.currentEpoch) return m.currentEpoch > context.currentEpoch;
    return compareZxid(m.lastZxid, lastZxidOf(context.history)) > 0;
  },
  /** This ACKEPOCH makes a quorum of voters (the leader counts itself). */
  isAckEpochQuorum: (context, event) =>
    'from' in event && isQuorum(context.ackeRecv | bit(event.from), context.voters),
  /** This ACK of NEWLEADER makes a quorum: the leader is established. */
  isAckLdQuorum: (context, event) =>
    'from' in event && isQuorum(context.ackldRecv | bit(event.from), context.voters),
  /** The leader no longer has a quorum of connected voters (syncLimit expired). */
  isQuorumLost: (context) => !isQuorum(context.learners | bit(context.id), context.voters),
  /** Disconnect: the peer is this learner's leader. */
  isPeerLeader: (context, event) => event.type === 'Disconnect' && event.peer === context.leader,
  /** Disconnect: the peer is one of this leader's learners. */
  isPeerLearner: (context, event) => event.type === 'Disconnect' && has(context.learners, event.peer),
  /** A learner has finished its NEWLEADER steps. */
  isNewLeaderDone: (context) =>
    context.newLeaderEpoch !== 0 && context.newLeaderStep === NEW_LEADER_STEPS.length,
  /** A learner has received NEWLEADER and `event.type` is its next step. */
  isNextNewLeaderStep: (context, event) =>
    context.newLeaderEpoch !== 0 && NEW_LEADER_STEPS[context.newLeaderStep] === event.type,
} satisfies Record<string, Guard>;

export type ServerGuardName = keyof typeof serverGuards;
