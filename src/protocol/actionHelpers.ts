import type { Effect, ServerContext } from './ServerContext.js';
import { withChanges } from './ServerContext.js';
import type { ServerEvent } from './ServerEvent.js';
import type { Message, Vote } from './Message.js';
import { bit, has, isQuorum, members } from './quorum.js';
import type { Zxid } from './zxid.js';
import type { SyncMessage } from './syncMessage.js';
import { lastZxidOf, prefixLengthUpTo, type History } from './History.js';
import { filled } from './Seq.js';

/**
 * The small operations the chart's actions are written in (and that a variant's replacement
 * actions reuse, so a variant changes only what it means to change).
 */
export function msgOf<T extends Message['type']>(event: ServerEvent, type: T): Extract<Message, { type: T }> {
  if (!('msg' in event) || event.msg.type !== type) {
    throw new Error(`expected a ${type} message in ${event.type}, got ${'msg' in event ? event.msg.type : 'none'}`);
  }
  return event.msg as Extract<Message, { type: T }>;
}


export function fromOf(event: ServerEvent): number {
  if (!('from' in event)) throw new Error(`${event.type} has no sender`);
  return event.from;
}


export function emit(context: ServerContext, ...effects: Effect[]): ServerContext {
  return withChanges(context, { outbox: [...context.outbox, ...effects] });
}


export function send(to: number, msg: Message): Effect {
  return { kind: 'send', to, msg };
}


/** Learner: deliver the logged prefix up to `zxid` (never shrinks what was delivered). */
export function deliverUpTo(context: ServerContext, zxid: Zxid): ServerContext {
  const upTo = prefixLengthUpTo(context.history, zxid);
  return upTo > context.lastCommitted ? withChanges(context, { lastCommitted: upTo }) : context;
}


/** The vote a server casts for itself: its last zxid and currentEpoch (FastLeaderElection's init vote). */
export function selfVote(context: ServerContext): Vote {
  return { leader: context.id, zxid: lastZxidOf(context.history), peerEpoch: context.currentEpoch };
}

export function emptyVotes(context: ServerContext): readonly (Vote | null)[] {
  return context.recvVotes.map(() => null);
}

/** Send this server's vote to every other voter: ZooKeeper's sendNotifications. */
export function notifyVoters(context: ServerContext, state: 'LOOKING' | 'FOLLOWING' | 'LEADING'): Effect[] {
  const out: Effect[] = [];
  for (const peer of members(context.voters)) {
    if (peer !== context.id) out.push(send(peer, { type: 'NOTIFICATION', vote: context.vote, round: context.round, state }));
  }
  return out;
}

/** How a leader chooses a learner's sync message (syncMessage's signature). */
export type SyncChoice = (history: History, peerZxid: Zxid, commitLogCount: number) => SyncMessage;

/** Leader: send `learner` its sync message, chosen by `choose`, and NEWLEADER. */
export function syncLearnerWith(choose: SyncChoice, context: ServerContext, learner: number): ServerContext {
  const peerZxid = context.ackeZxid[learner];
  if (peerZxid === null) throw new Error(`leader ${context.id} syncs learner ${learner} without its ACKEPOCH`);
  if (!has(context.learners, learner)) throw new Error(`leader ${context.id} syncs ${learner}, which is not connected`);
  const sync = choose(context.history, peerZxid, context.commitLogCount);
  const ackeZxid = context.ackeZxid.slice();
  ackeZxid[learner] = null;
  return emit(
    withChanges(context, { ackeZxid, synced: context.synced | bit(learner) }),
    send(learner, sync),
    send(learner, { type: 'NEWLEADER', epoch: context.currentEpoch }),
  );
}

/** Leader: commit, in zxid order, every txn whose acks satisfy `enough`. */
export function commitAcked(context: ServerContext, enough: (acks: number, voters: number) => boolean = isQuorum): ServerContext {
  let committed = context.lastCommitted;
  while (committed < context.history.length && enough(context.acks.at(committed) as number, context.voters)) committed++;
  if (committed === context.lastCommitted) return context;
  const txns = context.history.slice(context.lastCommitted, committed);
  // Acks of committed txns no longer matter; clearing them keeps equal states equal.
  const acks = filled(context.acks, 0, context.lastCommitted, committed);
  const effects: Effect[] = [{ kind: 'commit', txns }];
  for (const learner of members(context.synced)) {
    for (const txn of txns) {
      effects.push(has(context.voters, learner) ? send(learner, { type: 'COMMIT', zxid: txn.zxid }) : send(learner, { type: 'INFORM', txn }));
    }
  }
  return emit(withChanges(context, { acks, lastCommitted: committed }), ...effects);
}

/** An order of FLE votes: true when `candidate` beats `current` (the protocol's is vote.ts's isBetterVote). */
export type VoteOrder = (candidate: Vote, current: Vote) => boolean;

/**
 * FLEReceiveNOTIFICATION under a vote order. A newer round restarts the tally with the better of
 * the sender's vote and the receiver's initial vote; in its round a better vote is adopted and
 * re-broadcast; an older round is answered with the receiver's vote. Votes of servers out of the
 * election are kept apart, to find an established leader.
 */
export function receiveNotificationWith(isBetter: VoteOrder, context: ServerContext, event: ServerEvent): ServerContext {
  const from = fromOf(event);
  const n = msgOf(event, 'NOTIFICATION');
  if (n.state !== 'LOOKING') {
    const outOfElection = context.outOfElection.slice();
    outOfElection[from] = n.vote;
    const reportedLeading = n.state === 'LEADING' ? context.reportedLeading | bit(from) : context.reportedLeading & ~bit(from);
    return withChanges(context, { outOfElection, reportedLeading });
  }
  if (n.round > context.round) {
    const own = selfVote(context);
    const vote = isBetter(n.vote, own) ? n.vote : own;
    const recvVotes = emptyVotes(context).slice();
    recvVotes[context.id] = vote;
    recvVotes[from] = n.vote;
    const next = withChanges(context, { round: n.round, vote, recvVotes });
    return emit(next, ...notifyVoters(next, 'LOOKING'));
  }
  if (n.round < context.round) {
    return emit(context, send(from, { type: 'NOTIFICATION', vote: context.vote, round: context.round, state: 'LOOKING' }));
  }
  const recvVotes = context.recvVotes.slice();
  recvVotes[from] = n.vote;
  if (!isBetter(n.vote, context.vote)) return withChanges(context, { recvVotes });
  recvVotes[context.id] = n.vote;
  const next = withChanges(context, { vote: n.vote, recvVotes });
  return emit(next, ...notifyVoters(next, 'LOOKING'));
}
