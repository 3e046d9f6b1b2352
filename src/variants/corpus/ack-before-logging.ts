/**
 * Textbook: a follower ACKs a proposal before it is logged.
 *
 * Changes: the actions followerProcessPROPOSAL (ACK at once; the txn is kept in memory, in
 * pendingSync, not written) and followerProcessCOMMIT (write what is pending, then deliver).
 * The chart has no step between receiving a PROPOSAL and ACKing it (FollowerProcessPROPOSAL logs
 * and ACKs in one step), so the write is deferred to the COMMIT: a crash in between loses a txn
 * the leader counted as logged.
 * Real bug: none filed; the reason ZooKeeper's SendAckRequestProcessor runs after the
 * SyncRequestProcessor.
 * Breaks: CommittedNotLost. Bounds: stated in `bounds` below.
 */
import { defineVariant } from '../Variant.js';
import { deliverUpTo, emit, fromOf, msgOf, send } from '../protocolHelpers.js';

export default defineVariant({
  name: 'ack-before-logging',
  description: 'A follower ACKs a PROPOSAL on receipt and writes it to its log only when the COMMIT arrives.',
  actions: {
    followerProcessPROPOSAL: (context, event) => {
      const m = msgOf(event, 'PROPOSAL');
      const pending = context.pendingSync?.txns ?? [];
      const pendingSync = { snap: false, txns: [...pending, m.txn] };
      return emit({ ...context, pendingSync }, send(fromOf(event), { type: 'ACK', zxid: m.txn.zxid }));
    },
    followerProcessCOMMIT: (context, event) => {
      const written = context.pendingSync === null ? context : { ...context, history: [...context.history, ...context.pendingSync.txns], pendingSync: null };
      return deliverUpTo(written, msgOf(event, 'COMMIT').zxid);
    },
  },
  bounds: { maxEpoch: 2, maxTxns: 1, maxCrashes: 1, maxPartitions: 0 },
  expect: 'CommittedNotLost',
});
