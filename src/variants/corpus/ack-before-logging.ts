/**
 * Textbook: a follower ACKs a proposal before it is logged.
 *
 * Changes: the action followerProcessPROPOSAL ACKs at once and queues the txn for the disk (in
 * pendingSync) instead of writing it first. The queued writes complete, in order, before the
 * follower applies a COMMIT or UPTODATE (followerProcessCOMMIT, followerProcessUPTODATE) and when
 * it leaves its leader (leaveLeader: ZooKeeper's SyncRequestProcessor drains its queue on
 * shutdown); only a crash loses them. So every run of the variant is a run of a follower whose
 * disk is slow, and the window the bug needs, a crash between the ACK and the write, is there.
 * The write has no step of its own: the chart logs and ACKs in one step (FollowerProcessPROPOSAL),
 * and a separate write step would only add runs where the write lands earlier, which lose nothing.
 * Real bug: none filed; the reason ZooKeeper's SendAckRequestProcessor runs after the
 * SyncRequestProcessor.
 * Breaks: PrimaryIntegrity (and CommittedNotLost, checked after it): the leader commits and
 * delivers the txn on the follower's ACK, the follower crashes before its write, restarts, and is
 * elected with the third server, which never got the txn; the new leader is established without it.
 * Bounds: stated in `bounds` below.
 */
import { withChanges } from '../../protocol/ServerContext.js';
import { defineVariant } from '../Variant.js';
import { serverActions, type Action } from '../../protocol/serverActions.js';
import { serverGuards, type Guard } from '../../protocol/serverGuards.js';
import type { ServerContext } from '../../protocol/ServerContext.js';
import type { ServerEvent } from '../../protocol/ServerEvent.js';
import { appendTxns, deliverUpTo, emit, fromOf, msgOf, send } from '../protocolHelpers.js';

/** Complete the queued writes: the proposals ACKed but not logged yet. */
function writeAcked(context: ServerContext, event: ServerEvent): ServerContext {
  // Before the NEWLEADER steps are done pendingSync holds the sync data, which is not this
  // variant's to write.
  if (context.pendingSync === null || !(serverGuards.isNewLeaderDone as Guard)(context, event)) return context;
  return withChanges(context, { history: appendTxns(context.history, context.pendingSync.txns), pendingSync: null });
}

export default defineVariant({
  name: 'ack-before-logging',
  description: 'A follower ACKs a PROPOSAL on receipt and writes it to its log later; a crash in between loses it.',
  actions: {
    followerProcessPROPOSAL: (context, event) => {
      const m = msgOf(event, 'PROPOSAL');
      const queued = context.pendingSync?.txns ?? [];
      const pendingSync = { snap: false, txns: [...queued, m.txn] };
      return emit(withChanges(context, { pendingSync }), send(fromOf(event), { type: 'ACK', zxid: m.txn.zxid }));
    },
    followerProcessCOMMIT: (context, event) => deliverUpTo(writeAcked(context, event), msgOf(event, 'COMMIT').zxid),
    followerProcessUPTODATE: (context, event) => (serverActions.followerProcessUPTODATE as Action)(writeAcked(context, event), event),
    leaveLeader: (context, event) => (serverActions.leaveLeader as Action)(writeAcked(context, event), event),
  },
  bounds: { maxEpoch: 2, maxTxns: 1, maxCrashes: 1, maxPartitions: 0 },
  expect: 'PrimaryIntegrity',
});
