/**
 * ZOOKEEPER-4685: a follower ACKs a PROPOSAL before it has ACKed NEWLEADER.
 *
 * Changes: the guard isNewLeaderDone, for the event FollowerProcessPROPOSAL only: a follower in
 * SYNCHRONIZATION logs and ACKs a PROPOSAL as soon as it has received NEWLEADER, before its
 * NEWLEADER steps are done (the other events keep the guard).
 * Real bug: after 4646 the follower logged the proposals it got during sync and the sync processor
 * ACKed them before the ACK of NEWLEADER went out; the leader, expecting the NEWLEADER ACK, saw an
 * ACK of a proposal and dropped the learner. Our leader counts such an ACK instead of dropping the
 * learner, so the model's symptom is what the early ACK does to the follower's own log (the
 * proposal is logged ahead of the synced txns).
 * Breaks: ZxidMonotonicity. Bounds: two txns (one before the late learner syncs, one during).
 */
import { defineVariant } from '../Variant.js';
import { serverGuards, type Guard } from '../../protocol/serverGuards.js';

export default defineVariant({
  name: 'ZOOKEEPER-4685',
  bug: 'ZOOKEEPER-4685',
  description: 'A follower logs and ACKs a PROPOSAL after NEWLEADER arrives but before its NEWLEADER steps are done.',
  guards: {
    isNewLeaderDone: (context, event) =>
      event.type === 'FollowerProcessPROPOSAL' ? context.newLeaderEpoch !== 0 : (serverGuards.isNewLeaderDone as Guard)(context, event),
  },
  bounds: { maxEpoch: 1, maxTxns: 2, maxCrashes: 0, maxPartitions: 0 },
  expect: 'ZxidMonotonicity',
});
