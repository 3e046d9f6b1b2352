/**
 * ZOOKEEPER-1419: fast leader election compares votes without the epoch order.
 *
 * Changes: the action fleReceiveNOTIFICATION, with ZooKeeper 3.4.3's totalOrderPredicate: a vote
 * is better if its peerEpoch is greater OR its zxid is greater OR (same zxid) its sid is greater,
 * so the zxid and sid are compared even when the epoch is lower. The order has cycles.
 * Real bug: with one server of a newer epoch but older zxid and one of an older epoch but newer
 * zxid, each adopts the other's vote forever; the election never ends.
 * Breaks: EventuallyBroadcast (the bounded liveness check finds the lasso). Bounds: FLE, two
 * crashes (the first ends epoch 1 leaving an uncommitted txn on its leader, the second takes a
 * server of epoch 2 down so the other two must agree), three rounds.
 */
import { defineVariant } from '../Variant.js';
import type { Vote } from '../../protocol/Message.js';
import { compareZxid } from '../../protocol/zxid.js';
import { receiveNotificationWith } from '../protocolHelpers.js';

/** ZooKeeper 3.4.3's predicate: the epoch is compared, but does not bound the zxid comparison. */
function isBetterVote(candidate: Vote, current: Vote): boolean {
  const z = compareZxid(candidate.zxid, current.zxid);
  return candidate.peerEpoch > current.peerEpoch || z > 0 || (z === 0 && candidate.leader > current.leader);
}

export default defineVariant({
  name: 'ZOOKEEPER-1419',
  bug: 'ZOOKEEPER-1419',
  description: 'Fast leader election orders votes by epoch OR zxid OR sid, not lexicographically.',
  actions: {
    // serverActions.fleReceiveNOTIFICATION with the predicate above.
    fleReceiveNOTIFICATION: (context, event) => receiveNotificationWith(isBetterVote, context, event),
  },
  bounds: { election: 'FLE', maxEpoch: 2, maxTxns: 1, maxCrashes: 2, maxPartitions: 0, maxRounds: 3 },
  check: 'liveness',
  expect: 'EventuallyBroadcast',
});
