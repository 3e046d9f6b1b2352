import type { History } from '../../protocol/History.js';
import { isRunList, prefixOf } from '../../protocol/Seq.js';

/**
 * The zxids of a server's history, compressed: a run is [epoch, firstCounter, lastCounter], the
 * zxids (epoch, firstCounter) .. (epoch, lastCounter). A ZAB history holds, for each epoch, a prefix
 * (e, 1) .. (e, k) of that epoch leader's proposals, so a history of millions of txns is a handful
 * of runs. A quorum server's snapshot records the runs of the history it covers: its log then no
 * longer needs to keep those txns for the server to know its history (what DIFF, TRUNC and the
 * vote's last zxid are computed from).
 */
export type HistoryRun = readonly [epoch: number, firstCounter: number, lastCounter: number];

export interface RunZxid {
  readonly epoch: number;
  readonly counter: number;
}

const U32_MAX = 0xffff_ffff;

/** The runs of zxids given in increasing order. */
export function historyRunsOf(zxids: Iterable<RunZxid>): HistoryRun[] {
  const runs: [number, number, number][] = [];
  for (const { epoch, counter } of zxids) addRun(runs, epoch, counter, counter);
  return runs;
}

/** Appends the zxids (epoch, first) .. (epoch, last) to `runs`, joining the last run when they continue it. */
function addRun(runs: [number, number, number][], epoch: number, first: number, last: number): void {
  const previous = runs[runs.length - 1];
  if (previous !== undefined && previous[0] === epoch && previous[2] + 1 === first) {
    previous[2] = last;
    return;
  }
  if (previous !== undefined && (epoch < previous[0] || (epoch === previous[0] && first <= previous[2]))) {
    throw new RangeError(`historyRunsOf: zxid (${epoch}, ${first}) does not follow (${previous[0]}, ${previous[2]})`);
  }
  runs.push([epoch, first, last]);
}

/**
 * The runs of the first `length` txns of a server's log. A log kept in runs gives them run by run
 * (its runs are an epoch's consecutive counters, as these are); the whole log is not read, which a
 * snapshot of a server that has logged millions of txns would otherwise do each time.
 */
export function historyRunsOfLog(history: History, length: number): HistoryRun[] {
  const prefix = prefixOf(history, length);
  if (!isRunList(prefix)) return historyRunsOf(prefix.map((txn) => txn.zxid));
  const runs: [number, number, number][] = [];
  for (let run = 0; run < prefix.runCount; run++) {
    const { first, count } = prefix.run(run);
    addRun(runs, first.zxid.epoch, first.zxid.counter, first.zxid.counter + count - 1);
  }
  return runs;
}

/** Every zxid of the runs, in order. */
export function* zxidsOfRuns(runs: readonly HistoryRun[]): Generator<RunZxid> {
  for (const [epoch, first, last] of runs) {
    for (let counter = first; counter <= last; counter++) yield { epoch, counter };
  }
}

export function countOfRuns(runs: readonly HistoryRun[]): number {
  let count = 0;
  for (const [, first, last] of runs) count += last - first + 1;
  return count;
}

/** The last zxid the runs hold, as a 64-bit zxid (0 for no runs). */
export function lastZxidOfRuns(runs: readonly HistoryRun[]): bigint {
  const last = runs[runs.length - 1];
  return last === undefined ? 0n : (BigInt(last[0]) << 32n) | BigInt(last[2]);
}

/** The runs, checked: integers in range, each run non-empty, zxids increasing; or why not. */
export function parseHistoryRuns(value: unknown): HistoryRun[] | { invalid: string } {
  if (!Array.isArray(value)) return { invalid: 'history is not a list of runs' };
  const runs: HistoryRun[] = [];
  for (const [index, item] of value.entries()) {
    const valid = Array.isArray(item) && item.length === 3 && item.every((part) => Number.isInteger(part) && part >= 0 && part <= U32_MAX);
    if (!valid) return { invalid: `history run ${index} is not [epoch, firstCounter, lastCounter]` };
    const [epoch, first, last] = item as [number, number, number];
    if (first < 1 || last < first) return { invalid: `history run ${index} has counters ${first}..${last}` };
    const previous = runs[runs.length - 1];
    if (previous !== undefined && (epoch < previous[0] || (epoch === previous[0] && first <= previous[2] + 1))) {
      return { invalid: `history run ${index} does not follow run ${index - 1}` };
    }
    runs.push([epoch, first, last]);
  }
  return runs;
}
