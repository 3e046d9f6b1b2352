import type { Message } from './Message.js';
import { ZXID_ZERO, compareZxid, zxidEquals, type Zxid } from './zxid.js';
import { asArray } from './Seq.js';
import { lastZxidOf, prefixLengthUpTo, txnAt, type History } from './History.js';

/** A DIFF, TRUNC or SNAP. */
export type SyncMessage = Extract<Message, { type: 'DIFF' | 'TRUNC' | 'SNAP' }>;

/**
 * How a leader brings a learner whose last zxid is `peerZxid` up to its own log, as ZooKeeper's
 * LearnerHandler.syncFollower decides: equal → empty DIFF; learner ahead → TRUNC; learner within
 * the leader's retained log → DIFF (TRUNC to the common prefix first when it holds txns the
 * leader lacks); learner missing more than `commitLogCount` txns → SNAP.
 *
 * The learner only logs what it is sent; it delivers once UPTODATE says what is committed.
 */
export function syncMessage(
  history: History,
  peerZxid: Zxid,
  commitLogCount: number,
): SyncMessage {
  const leaderZxid = lastZxidOf(history);
  const order = compareZxid(peerZxid, leaderZxid);
  if (order === 0) return { type: 'DIFF', txns: [] };
  if (order > 0) return { type: 'TRUNC', truncZxid: leaderZxid, txns: [] };
  const known = prefixLengthUpTo(history, peerZxid);
  if (history.length - known > commitLogCount) return { type: 'SNAP', txns: asArray(history) };
  const commonZxid = known === 0 ? ZXID_ZERO : txnAt(history, known - 1).zxid;
  const txns = history.slice(known);
  if (zxidEquals(commonZxid, peerZxid)) return { type: 'DIFF', txns };
  return { type: 'TRUNC', truncZxid: commonZxid, txns };
}

