/**
 * Small copies of serverActions' private helpers, for variants that replace an action with a
 * changed copy of it. They are written exactly as in src/protocol/serverActions.ts; a variant
 * imports them instead of reaching into the protocol's internals.
 */
import type { Effect, NewLeaderStep, ServerContext } from '../protocol/ServerContext.js';
import { NEW_LEADER_STEPS } from '../protocol/ServerContext.js';
import type { Message, Vote } from '../protocol/Message.js';
import type { ServerEvent } from '../protocol/ServerEvent.js';
import type { Guard } from '../protocol/serverGuards.js';
import { bit, has, isQuorum, members } from '../protocol/quorum.js';
import { lastZxidOf, type SyncMessage } from '../protocol/syncMessage.js';
import type { Txn } from '../protocol/Txn.js';
import { compareZxid, type Zxid } from '../protocol/zxid.js';
import { deliverUpTo, emit, fromOf, msgOf, send } from '../protocol/actionHelpers.js';

// The chart's own helpers, shared rather than copied: a variant changes only what it means to change.
export { deliverUpTo, emit, emptyVotes, fromOf, msgOf, notifyVoters, prefixLengthUpTo, selfVote, send } from '../protocol/actionHelpers.js';







/** How a leader chooses a learner's sync message (syncMessage's signature). */
export type SyncChoice = (history: readonly Txn[], peerZxid: Zxid, commitLogCount: number) => SyncMessage;

/** Leader: send `learner` its sync message, chosen by `choose`, and NEWLEADER (serverActions' syncLearner). */
export function syncLearnerWith(choose: SyncChoice, context: ServerContext, learner: number): ServerContext {
  const peerZxid = context.ackeZxid[learner];
  if (peerZxid === null) throw new Error(`leader ${context.id} syncs learner ${learner} without its ACKEPOCH`);
  if (!has(context.learners, learner)) throw new Error(`leader ${context.id} syncs ${learner}, which is not connected`);
  const sync = choose(context.history, peerZxid, context.commitLogCount);
  const ackeZxid = context.ackeZxid.slice();
  ackeZxid[learner] = null;
  return emit(
    { ...context, ackeZxid, synced: context.synced | bit(learner) },
    send(learner, sync),
    send(learner, { type: 'NEWLEADER', epoch: context.currentEpoch }),
  );
}

/** Leader: commit, in zxid order, every txn whose acks satisfy `enough` (serverActions' commitQuorumAcked). */
export function commitAcked(context: ServerContext, enough: (acks: number, voters: number) => boolean = isQuorum): ServerContext {
  let committed = context.lastCommitted;
  while (committed < context.history.length && enough(context.acks[committed], context.voters)) committed++;
  if (committed === context.lastCommitted) return context;
  const txns = context.history.slice(context.lastCommitted, committed);
  const acks = context.acks.slice();
  acks.fill(0, context.lastCommitted, committed);
  const effects: Effect[] = [{ kind: 'commit', txns }];
  for (const learner of members(context.synced)) {
    for (const txn of txns) {
      effects.push(has(context.voters, learner) ? send(learner, { type: 'COMMIT', zxid: txn.zxid }) : send(learner, { type: 'INFORM', txn }));
    }
  }
  return emit({ ...context, acks, lastCommitted: committed }, ...effects);
}




/**
 * The two guards that enforce the order of the NEWLEADER steps, for another order. `order` must
 * be a permutation of NEW_LEADER_STEPS: a variant reorders the steps, it never drops one.
 */
export function newLeaderStepGuards(order: readonly NewLeaderStep[]): { isNextNewLeaderStep: Guard; isNewLeaderDone: Guard } {
  const sorted = [...order].sort();
  if (sorted.join() !== [...NEW_LEADER_STEPS].sort().join()) throw new Error(`not an order of the NEWLEADER steps: ${order.join(', ')}`);
  return {
    isNextNewLeaderStep: (context, event) => context.newLeaderEpoch !== 0 && order[context.newLeaderStep] === event.type,
    isNewLeaderDone: (context) => context.newLeaderEpoch !== 0 && context.newLeaderStep === order.length,
  };
}
