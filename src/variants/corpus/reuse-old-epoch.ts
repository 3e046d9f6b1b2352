/**
 * Textbook: a new leader reuses the old epoch instead of a fresh one.
 *
 * Changes: the action leaderProcessCEPOCH picks max(acceptedEpoch) (at least 1) for the new epoch
 * instead of max(acceptedEpoch) + 1. Followers accept it: it is not below their acceptedEpoch.
 * Real bug: none filed; the reason discovery exists (ZAB's epoch must be unique per leader).
 * Breaks: Leadership (two leaders established in one epoch). Bounds: stated in `bounds` below.
 */
import { withChanges } from '../../protocol/ServerContext.js';
import { defineVariant } from '../Variant.js';
import { bit, isQuorum, members } from '../../protocol/quorum.js';
import { emit, fromOf, msgOf, send } from '../protocolHelpers.js';

export default defineVariant({
  name: 'reuse-old-epoch',
  description: 'A new leader proposes the greatest acceptedEpoch it heard as its epoch, not one more.',
  actions: {
    leaderProcessCEPOCH: (context, event) => {
      const from = fromOf(event);
      const m = msgOf(event, 'CEPOCH');
      const learners = context.learners | bit(from);
      if (isQuorum(context.cepochRecv, context.voters)) {
        return emit(withChanges(context, { learners, cepochRecv: context.cepochRecv | bit(from) }), send(from, { type: 'NEWEPOCH', epoch: context.acceptedEpoch }));
      }
      const cepochRecv = context.cepochRecv | bit(from);
      const maxAcceptedEpoch = Math.max(context.maxAcceptedEpoch, m.acceptedEpoch);
      if (!isQuorum(cepochRecv, context.voters)) return withChanges(context, { learners, cepochRecv, maxAcceptedEpoch });
      const epoch = Math.max(maxAcceptedEpoch, 1);
      const effects = members(cepochRecv & ~bit(context.id)).map((learner) => send(learner, { type: 'NEWEPOCH', epoch }));
      return emit(withChanges(context, { learners, cepochRecv, maxAcceptedEpoch, acceptedEpoch: epoch }), ...effects);
    },
  },
  bounds: { maxEpoch: 2, maxTxns: 0, maxCrashes: 1, maxPartitions: 0 },
  expect: 'Leadership',
});
