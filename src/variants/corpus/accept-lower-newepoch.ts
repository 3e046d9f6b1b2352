/**
 * Textbook: a follower accepts a NEWEPOCH lower than its acceptedEpoch.
 *
 * Changes: the guard isEpochBelowAccepted is always false, so a follower goes on with a stale
 * leader instead of returning to LOOKING.
 * Real bug: none filed; ZAB's discovery rule (a follower never goes back to an older epoch).
 * Breaks: PrimaryIntegrity (and CommittedNotLost, checked after it). Leader 1 of epoch 1 is cut
 * off from its follower while still in discovery; that follower leads epoch 2 with the third
 * server, which accepts epoch 2, is cut off before NEWLEADER and joins leader 1. Having promised
 * epoch 2, it accepts epoch 1 anyway, so leader 1 is established with it, commits and delivers a
 * txn. Cut off once more, it rejoins leader 2, which truncates the txn away and is established in
 * epoch 2 without it. The leader's check of ACKEPOCH (isLearnerAhead) masks the change once the
 * follower has persisted currentEpoch 2, which is why it must leave leader 2 before NEWLEADER.
 * Bounds: stated in `bounds` below: the three partitions and no crash. (With one crash in place of
 * the last partition BFS finds CommittedNotLost in 34 steps too, but needs 1.5 million states
 * for it; 805,000 here.)
 */
import { defineVariant } from '../Variant.js';

export default defineVariant({
  name: 'accept-lower-newepoch',
  description: 'A follower accepts a NEWEPOCH below its acceptedEpoch and follows the stale leader.',
  guards: { isEpochBelowAccepted: () => false },
  bounds: { maxEpoch: 2, maxTxns: 1, maxCrashes: 0, maxPartitions: 3 },
  expect: 'PrimaryIntegrity',
});
