/**
 * ZOOKEEPER-4643: a follower persists its currentEpoch before the txns it was synced.
 *
 * Changes: the order of the NEWLEADER steps, through the guards isNextNewLeaderStep and
 * isNewLeaderDone: FollowerPersistCurrentEpoch, FollowerPersistSyncedTxns, FollowerAckNEWLEADER
 * (ZooKeeper's is txns, epoch, ACK).
 * Real bug: Learner.syncWithLeader set currentEpoch on NEWLEADER and logged the DIFF txns later; a
 * follower that crashed in between came back with the new epoch and an old log, won the next
 * election on (currentEpoch, zxid) and truncated txns a quorum had committed.
 * Breaks: CommittedNotLost (34 steps). Bounds: MaxEpoch 3 (epoch 1 commits, the follower takes
 * epoch 2 and loses its txns, it leads epoch 3), two crashes, one txn, no partition.
 */
import { defineVariant } from '../Variant.js';
import { newLeaderStepGuards } from '../protocolHelpers.js';

export default defineVariant({
  name: 'ZOOKEEPER-4643',
  bug: 'ZOOKEEPER-4643',
  description: 'On NEWLEADER a follower persists currentEpoch before the synced txns.',
  guards: newLeaderStepGuards(['FollowerPersistCurrentEpoch', 'FollowerPersistSyncedTxns', 'FollowerAckNEWLEADER']),
  bounds: { maxEpoch: 3, maxTxns: 1, maxCrashes: 2, maxPartitions: 0 },
  expect: 'CommittedNotLost',
});
