import type { Variant } from '../Variant.js';
import zk4643 from './ZOOKEEPER-4643.js';
import zk4646 from './ZOOKEEPER-4646.js';
import zk4685 from './ZOOKEEPER-4685.js';
import zk3911 from './ZOOKEEPER-3911.js';
import zk2832 from './ZOOKEEPER-2832.js';
import zk1419 from './ZOOKEEPER-1419.js';
import commitAfterOneAck from './commit-after-one-ack.js';
import reuseOldEpoch from './reuse-old-epoch.js';
import ackBeforeLogging from './ack-before-logging.js';
import observersVote from './observers-vote.js';
import acceptLowerNewEpoch from './accept-lower-newepoch.js';
import broadcastBeforeQuorumAckLd from './broadcast-before-quorum-ackld.js';
import noopWrappedAction from './noop-wrapped-action.js';

/** The built-in variants, in the order `check --all-variants` runs them. */
export const CORPUS: readonly Variant[] = [
  zk4643,
  zk4646,
  zk4685,
  zk3911,
  zk2832,
  zk1419,
  commitAfterOneAck,
  reuseOldEpoch,
  ackBeforeLogging,
  observersVote,
  acceptLowerNewEpoch,
  broadcastBeforeQuorumAckLd,
  noopWrappedAction,
];

/** The built-in variant of that name, if any. */
export function corpusVariant(name: string): Variant | undefined {
  return CORPUS.find((v) => v.name === name);
}
