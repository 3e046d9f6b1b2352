/**
 * The planted bug of the example trace (a variant in the format of docs/variants.md): a leader never
 * notices that a learner is more up to date than itself, so a stale leader truncates committed txns.
 */
export default {
  name: 'learner-ahead-ignored',
  description: 'LeaderProcessACKEPOCH never sees a learner ahead of the leader (isLearnerAhead is always false).',
  guards: { isLearnerAhead: () => false },
};
