/**
 * ZOOKEEPER-2832 / ZOOKEEPER-1154: DIFF where TRUNC is needed.
 *
 * Changes: the actions startSync and syncLateLearner, which call a sync choice that, when the learner holds txns the leader lacks (its last zxid is inside
 * the leader's log range but not in it), sends a plain DIFF from the common prefix instead of a
 * TRUNC to it. The other cases (equal, learner ahead, SNAP) are ZooKeeper's.
 * Real bug: LearnerHandler.syncFollower sent DIFF to a follower that still had the uncommitted
 * txn of a dead leader's epoch; the txn stayed in its log between committed ones.
 * Breaks: TotalOrder (the follower delivers the dead leader's txn between committed ones). Bounds: stated in `bounds` below (the shortest found).
 */
import { withChanges } from '../../protocol/ServerContext.js';
import { defineVariant } from '../Variant.js';
import { members } from '../../protocol/quorum.js';
import { syncMessage } from '../../protocol/syncMessage.js';
import type { ServerContext } from '../../protocol/ServerContext.js';
import { fromOf, syncLearnerWith, type SyncChoice } from '../protocolHelpers.js';

/** ZooKeeper's choice, except that a TRUNC to the common prefix (followed by txns) becomes a DIFF. */
const diffInsteadOfTrunc: SyncChoice = (history, peerZxid, commitLogCount) => {
  const right = syncMessage(history, peerZxid, commitLogCount);
  if (right.type !== 'TRUNC' || right.txns.length === 0) return right;
  return { type: 'DIFF', txns: right.txns };
};

export default defineVariant({
  name: 'ZOOKEEPER-2832',
  bug: 'ZOOKEEPER-2832',
  description: "A leader sends DIFF to a learner holding a dead leader's uncommitted txn, where TRUNC is needed.",
  actions: {
    startSync: (context) => {
      let next: ServerContext = withChanges(context, { currentEpoch: context.acceptedEpoch });
      for (const learner of members(context.learners)) if (context.ackeZxid[learner] !== null) next = syncLearnerWith(diffInsteadOfTrunc, next, learner);
      return next;
    },
    syncLateLearner: (context, event) => syncLearnerWith(diffInsteadOfTrunc, context, fromOf(event)),
  },
  bounds: { maxEpoch: 2, maxTxns: 2, maxCrashes: 1, maxPartitions: 0 },
  expect: 'TotalOrder',
});
