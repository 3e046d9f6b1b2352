/**
 * What a variant's replacement guards and actions are written with: the chart's own small
 * operations (src/protocol/actionHelpers.ts, shared rather than copied, so that a variant changes
 * only what it means to change) and the guards for another order of the NEWLEADER steps.
 */
import type { NewLeaderStep } from '../protocol/ServerContext.js';
import { NEW_LEADER_STEPS } from '../protocol/ServerContext.js';
export { withChanges } from '../protocol/ServerContext.js';
import type { Guard } from '../protocol/serverGuards.js';

export { appendTxns, indexOfZxid, lastZxidOf, prefixLengthUpTo } from '../protocol/History.js';
export { appended, withItem } from '../protocol/Seq.js';
export { commitAcked, deliverUpTo, emit, emptyVotes, fromOf, msgOf, notifyVoters, receiveNotificationWith, selfVote, send, syncLearnerWith, type SyncChoice, type VoteOrder } from '../protocol/actionHelpers.js';

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
