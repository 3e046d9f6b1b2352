/**
 * Textbook: commit after one ACK instead of a quorum.
 *
 * Changes: the actions leaderProcessRequest and leaderProcessACK, whose commit rule becomes "some
 * server acked" instead of "a quorum acked". The leader acks its own proposal, so it commits at
 * once, alone.
 * Real bug: none filed; the first thing a quorum protocol must not do.
 * Breaks: CommittedNotLost (the lone leader crashes; the others elect a leader without the txn).
 * Bounds: stated in `bounds` below.
 */
import { withChanges } from '../../protocol/ServerContext.js';
import { defineVariant } from '../Variant.js';
import { bit, members } from '../../protocol/quorum.js';
import type { Effect } from '../../protocol/ServerContext.js';
import type { Txn } from '../../protocol/Txn.js';
import { appended, appendTxns, commitAcked, emit, fromOf, indexOfZxid, msgOf, send, withItem } from '../protocolHelpers.js';

const oneAck = (acks: number) => acks !== 0;

export default defineVariant({
  name: 'commit-after-one-ack',
  description: 'The leader commits a proposal once one server (itself) acked it.',
  actions: {
    leaderProcessRequest: (context, event) => {
      if (event.type !== 'LeaderProcessRequest') throw new Error(`leaderProcessRequest on ${event.type}`);
      const last = context.history.at(-1);
      const counter = last !== undefined && last.zxid.epoch === context.currentEpoch ? last.zxid.counter : 0;
      const txn: Txn = { zxid: { epoch: context.currentEpoch, counter: counter + 1 }, value: event.value };
      const effects: Effect[] = [{ kind: 'propose', txn }];
      for (const learner of members(context.synced & context.voters)) effects.push(send(learner, { type: 'PROPOSAL', txn }));
      return commitAcked(emit(withChanges(context, { history: appendTxns(context.history, [txn]), acks: appended(context.acks, [bit(context.id)]) }), ...effects), oneAck);
    },
    leaderProcessACK: (context, event) => {
      const m = msgOf(event, 'ACK');
      const index = indexOfZxid(context.history, m.zxid);
      if (index < context.lastCommitted) return context;
      const acks = withItem(context.acks, index, (context.acks.at(index) as number) | (bit(fromOf(event)) & context.voters));
      return commitAcked(withChanges(context, { acks }), oneAck);
    },
  },
  bounds: { maxEpoch: 2, maxTxns: 1, maxCrashes: 1, maxPartitions: 0 },
  expect: 'CommittedNotLost',
});
