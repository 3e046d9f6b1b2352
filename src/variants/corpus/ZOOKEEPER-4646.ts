/**
 * ZOOKEEPER-4646: a follower ACKs NEWLEADER before the synced txns are on disk.
 *
 * Changes: the order of the NEWLEADER steps, through the guards isNextNewLeaderStep and
 * isNewLeaderDone: FollowerPersistCurrentEpoch, FollowerAckNEWLEADER, FollowerPersistSyncedTxns,
 * the order of ZooKeeper before the fix. No order puts the ACK before the txns without also
 * putting the epoch before the txns (4643) or the ACK before the epoch (a leader established by
 * a follower that can still join an older leader of the same epoch: Leadership breaks first).
 * Real bug: after the fix of 4643 the follower logged the synced txns asynchronously and sent the
 * ACK of NEWLEADER at once; the leader, established by that ACK, committed txns that the follower
 * lost when it crashed before the write.
 * Breaks: CommittedNotLost. Bounds: stated in `bounds` below (the shortest found).
 */
import { defineVariant } from '../Variant.js';
import { newLeaderStepGuards } from '../protocolHelpers.js';

export default defineVariant({
  name: 'ZOOKEEPER-4646',
  bug: 'ZOOKEEPER-4646',
  description: 'On NEWLEADER a follower persists its epoch and ACKs before it writes the synced txns.',
  guards: newLeaderStepGuards(['FollowerPersistCurrentEpoch', 'FollowerAckNEWLEADER', 'FollowerPersistSyncedTxns']),
  bounds: { maxEpoch: 3, maxTxns: 1, maxCrashes: 2, maxPartitions: 0 },
  expect: 'CommittedNotLost',
});
