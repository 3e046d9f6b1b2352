import type { Txn } from './Txn.js';
import { appended, isRunList, type Seq } from './Seq.js';
import type { RunList, RunRule } from './RunList.js';
import { compareZxid, ZXID_ZERO, zxidEquals, type Zxid } from './zxid.js';

/**
 * A server's log, the spec's `history`. In the model it is an array read as the spec reads it, in
 * order from the first txn, so that a variant breaking ZxidMonotonicity is checked as it is. A
 * running server's log is a RunList by CONSECUTIVE_TXNS, strictly ordered by zxid (appendTxns
 * asserts it), so lookups in it are binary searches over its runs, a handful however long the log.
 */
export type History = Seq<Txn>;

/**
 * The runs of a running server's log: within an epoch, each txn's counter and value are one above
 * the txn before it's (a running server's txn value is its zxid as a number).
 */
export const CONSECUTIVE_TXNS: RunRule<Txn> = {
  follows: (previous, txn) =>
    txn.zxid.epoch === previous.zxid.epoch && txn.zxid.counter === previous.zxid.counter + 1 && txn.value === previous.value + 1,
  nth: (first, offset) => ({ zxid: { epoch: first.zxid.epoch, counter: first.zxid.counter + offset }, value: first.value + offset }),
};

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
  if (isRunList(history)) return locate(history, zxid).prefixLength;
  let n = 0;
  while (n < history.length && compareZxid(history[n].zxid, zxid) <= 0) n++;
  return n;
}

/** Index of the first txn of `history` with zxid `zxid`, or -1. */
export function indexOfZxid(history: History, zxid: Zxid): number {
  if (isRunList(history)) {
    const { prefixLength, found } = locate(history, zxid);
    return found ? prefixLength - 1 : -1;
  }
  return history.findIndex((t) => zxidEquals(t.zxid, zxid));
}

/**
 * Where `zxid` falls in an ordered log kept in runs: the length of the prefix up to it, and whether
 * its last txn is `zxid`. Bisects the runs (each an epoch's consecutive counters), then counts
 * within the run, making no txn.
 */
function locate(history: RunList<Txn>, zxid: Zxid): { prefixLength: number; found: boolean } {
  if (history.rule !== CONSECUTIVE_TXNS) throw new Error('a log kept in runs must be in runs of CONSECUTIVE_TXNS');
  let low = 0;
  let high = history.runCount;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareZxid(history.run(middle).first.zxid, zxid) <= 0) low = middle + 1;
    else high = middle;
  }
  if (low === 0) return { prefixLength: 0, found: false };
  const { first, start, count } = history.run(low - 1);
  if (zxid.epoch !== first.zxid.epoch) return { prefixLength: start + count, found: false };
  const offset = zxid.counter - first.zxid.counter;
  return offset < count ? { prefixLength: start + offset + 1, found: true } : { prefixLength: start + count, found: false };
}

/** `history` with `txns` logged after it. */
export function appendTxns(history: History, txns: readonly Txn[]): History {
  if (isRunList(history)) {
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
