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
import { bit } from '../../protocol/quorum.js';
import { compareZxid } from '../../protocol/zxid.js';
import { emit, emptyVotes, fromOf, msgOf, notifyVoters, selfVote, send } from '../protocolHelpers.js';

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
    fleReceiveNOTIFICATION: (context, event) => {
      const from = fromOf(event);
      const n = msgOf(event, 'NOTIFICATION');
      if (n.state !== 'LOOKING') {
        const outOfElection = context.outOfElection.slice();
        outOfElection[from] = n.vote;
        const reportedLeading = n.state === 'LEADING' ? context.reportedLeading | bit(from) : context.reportedLeading & ~bit(from);
        return { ...context, outOfElection, reportedLeading };
      }
      if (n.round > context.round) {
        const own = selfVote(context);
        const vote = isBetterVote(n.vote, own) ? n.vote : own;
        const recvVotes = emptyVotes(context).slice();
        recvVotes[context.id] = vote;
        recvVotes[from] = n.vote;
        const next = { ...context, round: n.round, vote, recvVotes };
        return emit(next, ...notifyVoters(next, 'LOOKING'));
      }
      if (n.round < context.round) {
        return emit(context, send(from, { type: 'NOTIFICATION', vote: context.vote, round: context.round, state: 'LOOKING' }));
      }
      const recvVotes = context.recvVotes.slice();
      recvVotes[from] = n.vote;
      if (!isBetterVote(n.vote, context.vote)) return { ...context, recvVotes };
      recvVotes[context.id] = n.vote;
      const next = { ...context, vote: n.vote, recvVotes };
      return emit(next, ...notifyVoters(next, 'LOOKING'));
    },
  },
  bounds: { election: 'FLE', maxEpoch: 2, maxTxns: 1, maxCrashes: 2, maxPartitions: 0, maxRounds: 3 },
  check: 'liveness',
  expect: 'EventuallyBroadcast',
});
