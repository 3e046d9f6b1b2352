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
export { commitAcked, deliverUpTo, emit, emptyVotes, fromOf, msgOf, notifyVoters, prefixLengthUpTo, selfVote, send, syncLearnerWith, type SyncChoice } from '../protocol/actionHelpers.js';







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
