import type { Txn } from './Txn.js';
import { appended, isChunked, type Seq } from './Seq.js';
import { compareZxid, ZXID_ZERO, zxidEquals, type Zxid } from './zxid.js';

/**
 * A server's log, the spec's `history`. In the model it is an array read as the spec reads it, in
 * order from the first txn, so that a variant breaking ZxidMonotonicity is checked as it is. A
 * running server's log is chunked and strictly ordered by zxid (appendTxns asserts it), so lookups
 * in it are binary searches: a log of millions of txns costs a write no more than one of ten.
 */
export type History = Seq<Txn>;

/** The txn at `index` of `history`, which must hold one there. */
export function txnAt(history: History, index: number): Txn {
  const txn = history.at(index);
  if (txn === undefined || index < 0) throw new RangeError(`no txn at ${index} in a log of ${history.length}`);
  return txn;
}

/** The zxid of the last txn in `history` (the spec's LastZxid), ZXID_ZERO for an empty log. */
export function lastZxidOf(history: History): Zxid {
  return history.length === 0 ? ZXID_ZERO : txnAt(history, history.length - 1).zxid;
}

/** Length of the prefix of `history` with zxids up to `zxid` (in a log out of order: up to the first greater one). */
export function prefixLengthUpTo(history: History, zxid: Zxid): number {
  if (isChunked(history)) {
    // Mostly recent txns are looked up (an ACK, a COMMIT): gallop back from the end, then bisect.
    let low = 0;
    let high = history.length;
    for (let step = 1; high > 0; step *= 2) {
      const probe = Math.max(0, high - step);
      if (compareZxid(txnAt(history, probe).zxid, zxid) <= 0) {
        low = probe + 1;
        break;
      }
      high = probe;
    }
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareZxid(txnAt(history, middle).zxid, zxid) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
  let n = 0;
  while (n < history.length && compareZxid(history[n].zxid, zxid) <= 0) n++;
  return n;
}

/** Index of the first txn of `history` with zxid `zxid`, or -1. */
export function indexOfZxid(history: History, zxid: Zxid): number {
  if (isChunked(history)) {
    const index = prefixLengthUpTo(history, zxid) - 1;
    return index >= 0 && zxidEquals(txnAt(history, index).zxid, zxid) ? index : -1;
  }
  return history.findIndex((t) => zxidEquals(t.zxid, zxid));
}

/** `history` with `txns` logged after it. */
export function appendTxns(history: History, txns: readonly Txn[]): History {
  if (isChunked(history)) {
    let last = lastZxidOf(history);
    for (const txn of txns) {
      if (compareZxid(txn.zxid, last) <= 0) {
        throw new Error(`ZxidMonotonicity: <${txn.zxid.epoch},${txn.zxid.counter}> logged after <${last.epoch},${last.counter}>`);
      }
      last = txn.zxid;
    }
  }
  return appended(history, txns);
}
