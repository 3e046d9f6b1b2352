/**
 * Textbook: a follower accepts a NEWEPOCH lower than its acceptedEpoch.
 *
 * Changes: the guard isEpochBelowAccepted is always false, so a follower goes on with a stale
 * leader instead of returning to LOOKING.
 * Real bug: none filed; ZAB's discovery rule (a follower never goes back to an older epoch).
 * Breaks: CommittedNotLost: the follower, having promised epoch 2 to a new leader, acks a txn of
 * the old leader, which commits it; the new leader, whose history came from that follower's
 * ACKEPOCH, is established without it. The leader's check of ACKEPOCH (isLearnerAhead) masks the
 * change unless the follower had not yet persisted epoch 2, so it needs two partitions.
 * Bounds: MaxPartitions 2, one crash.
 */
import { defineVariant } from '../Variant.js';

export default defineVariant({
  name: 'accept-lower-newepoch',
  description: 'A follower accepts a NEWEPOCH below its acceptedEpoch and follows the stale leader.',
  guards: { isEpochBelowAccepted: () => false },
  bounds: { maxEpoch: 2, maxTxns: 1, maxCrashes: 1, maxPartitions: 2 },
  expect: 'CommittedNotLost',
});
