import type { Vote } from './Message.js';
import { compareZxid, zxidEquals } from './zxid.js';

/** Fast leader election's order: (peerEpoch, zxid, sid), lexicographically (FastLeaderElection.totalOrderPredicate). */
export function isBetterVote(candidate: Vote, current: Vote): boolean {
  if (candidate.peerEpoch !== current.peerEpoch) return candidate.peerEpoch > current.peerEpoch;
  const z = compareZxid(candidate.zxid, current.zxid);
  if (z !== 0) return z > 0;
  return candidate.leader > current.leader;
}

export function voteEquals(a: Vote, b: Vote): boolean {
  return a.leader === b.leader && a.peerEpoch === b.peerEpoch && zxidEquals(a.zxid, b.zxid);
}
