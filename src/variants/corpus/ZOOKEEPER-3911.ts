/**
 * ZOOKEEPER-3911: the proposals of a DIFF are written to the log only at UPTODATE.
 *
 * Changes: the actions followerPersistSyncedTxns (for a DIFF or TRUNC it only counts the step;
 * the txns stay in memory, in pendingSync; a SNAP is written as before) and
 * followerProcessUPTODATE (writes what is still pending, then delivers as before).
 * Real bug: Learner.syncWithLeader queued DIFF proposals in packetsNotCommitted and logged them
 * only on UPTODATE, though it had already ACKed NEWLEADER; a follower restarted in between lost
 * txns the leader had committed on the strength of that ACK.
 * Breaks: CommittedNotLost. Bounds: stated in `bounds` below (the shortest found).
 */
import { withChanges } from '../../protocol/ServerContext.js';
import { defineVariant } from '../Variant.js';
import { serverActions, type Action } from '../../protocol/serverActions.js';
import { appendTxns } from '../protocolHelpers.js';

export default defineVariant({
  name: 'ZOOKEEPER-3911',
  bug: 'ZOOKEEPER-3911',
  description: 'A follower writes the txns of a DIFF to its log only when UPTODATE arrives, after it ACKed NEWLEADER.',
  actions: {
    followerPersistSyncedTxns: (context, event) => {
      if (context.pendingSync === null || context.pendingSync.snap) return (serverActions.followerPersistSyncedTxns as Action)(context, event);
      return withChanges(context, { newLeaderStep: context.newLeaderStep + 1 });
    },
    followerProcessUPTODATE: (context, event) => {
      const sync = context.pendingSync;
      const written = sync === null ? context : withChanges(context, { history: appendTxns(context.history, sync.txns), pendingSync: null });
      return (serverActions.followerProcessUPTODATE as Action)(written, event);
    },
  },
  bounds: { maxEpoch: 3, maxTxns: 1, maxCrashes: 2, maxPartitions: 0 },
  expect: 'CommittedNotLost',
});
