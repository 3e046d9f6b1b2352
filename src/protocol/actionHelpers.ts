import type { Effect, ServerContext } from './ServerContext.js';
import type { ServerEvent } from './ServerEvent.js';
import type { Message, Vote } from './Message.js';
import type { Txn } from './Txn.js';
import { members } from './quorum.js';
import { compareZxid, type Zxid } from './zxid.js';
import { lastZxidOf } from './syncMessage.js';

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
  return { ...context, outbox: [...context.outbox, ...effects] };
}


export function send(to: number, msg: Message): Effect {
  return { kind: 'send', to, msg };
}


/** Index (1-based length) of the prefix of `history` with zxids up to `zxid`. */
export function prefixLengthUpTo(history: readonly Txn[], zxid: Zxid): number {
  let n = 0;
  while (n < history.length && compareZxid(history[n].zxid, zxid) <= 0) n++;
  return n;
}


/** Learner: deliver the logged prefix up to `zxid` (never shrinks what was delivered). */
export function deliverUpTo(context: ServerContext, zxid: Zxid): ServerContext {
  const upTo = prefixLengthUpTo(context.history, zxid);
  return upTo > context.lastCommitted ? { ...context, lastCommitted: upTo } : context;
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

