import { serverActions } from '../../src/protocol/serverActions.js';
import { serverGuards } from '../../src/protocol/serverGuards.js';
import type { ServerImplementations } from '../../src/protocol/serverMachine.js';

/** A planted bug for checker tests: a leader never gives up to a more up-to-date follower. */
const leaderNeverGivesUp: ServerImplementations = { guards: { ...serverGuards, isLearnerAhead: () => false }, actions: serverActions };
export default leaderNeverGivesUp;
