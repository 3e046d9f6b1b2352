/**
 * Textbook: the leader starts broadcasting before a quorum acked NEWLEADER.
 *
 * Changes: the guard isEstablished holds as soon as the leader is in SYNCHRONIZATION, so it takes
 * client requests (LeaderProcessRequest) right after it sent NEWLEADER, before any ACK of it.
 * Real bug: none filed. ZooKeeper's Leader.lead starts its request processors (startZkServer) only
 * after waitForNewLeaderAck has a quorum, and Apache's TLA+ specifications enable
 * LeaderProcessRequest only in BROADCAST. ZAB's rule: a leader broadcasts once established.
 * Breaks: CommittedNotLost. A quorum's ACKs of NEWLEADER vouch for the history the leader synced
 * them to, and on that quorum the leader commits its log; a proposal made before the quorum is in
 * that log but in no follower's, so it is committed with the leader's own copy alone and lost
 * when the leader crashes.
 * Bounds: stated in `bounds` below.
 */
import { defineVariant } from '../Variant.js';

export default defineVariant({
  name: 'broadcast-before-quorum-ackld',
  description: 'A leader takes client requests as soon as it has sent NEWLEADER, before a quorum acked it.',
  guards: { isEstablished: () => true },
  bounds: { maxEpoch: 2, maxTxns: 1, maxCrashes: 1, maxPartitions: 0 },
  expect: 'CommittedNotLost',
});
