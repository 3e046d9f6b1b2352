/**
 * The control: a change that changes nothing observable.
 *
 * Changes: the action followerProcessUPTODATE and the guard isQuorumLost are replaced by wrappers
 * that call the originals (as a change that only adds logging would). The checker must report it
 * safe, with the standard model's state count.
 * Real bug: none. Breaks: nothing. Bounds: the standard model.
 */
import { defineVariant } from '../Variant.js';
import { serverActions, type Action } from '../../protocol/serverActions.js';
import { serverGuards, type Guard } from '../../protocol/serverGuards.js';

export default defineVariant({
  name: 'noop-wrapped-action',
  description: 'followerProcessUPTODATE and isQuorumLost wrapped by functions that call the originals.',
  actions: { followerProcessUPTODATE: (context, event) => (serverActions.followerProcessUPTODATE as Action)(context, event) },
  guards: { isQuorumLost: (context, event) => (serverGuards.isQuorumLost as Guard)(context, event) },
});
