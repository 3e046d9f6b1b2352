/**
 * An immutable list kept as runs: a run is a first item and the items that follow it by a rule
 * (`RunRule`), stored as the first item and where the run starts. A running server's log is a run
 * per epoch (zxids (e, 1), (e, 2), ... whose txn values count up with them), and a leader's acks
 * are one run of zeros for everything committed and a few runs for what is in flight; so memory
 * stays a handful of runs however many txns a server has logged, where a list of items grew by
 * about 110 bytes a txn for as long as the server ran.
 *
 * Versions share their arrays of runs: a version reads only its first `runCount` runs and its own
 * `length`, so appending to the version that ends where the arrays end pushes in place, and
 * extending its last run allocates nothing but the new version. Any other change copies the arrays
 * of runs (a few entries), never the items. Items inside a run are made on demand by the rule: a
 * txn read back is equal to the one appended, not the same object.
 * Equal items make equal lists whatever the history of the versions: the fields are private (#),
 * so structural comparisons (vitest's toEqual) see the items.
 *
 * The model checker's logs hold a handful of txns and stay plain arrays; `Seq` (the functions the
 * chart's actions use) keeps each list in the representation it was given.
 */
export class RunList<T> implements Iterable<T> {
  readonly length: number;

  readonly #rule: RunRule<T>;
  /** The first item of each run; this version's are the first `#runCount`. */
  readonly #firsts: T[];
  /** Where each run starts (its first item's index), increasing; the last of this version's runs ends at `length`. */
  readonly #starts: number[];
  readonly #runCount: number;

  private constructor(rule: RunRule<T>, firsts: T[], starts: number[], runCount: number, length: number) {
    this.#rule = rule;
    this.#firsts = firsts;
    this.#starts = starts;
    this.#runCount = runCount;
    this.length = length;
  }

  /** A list of `items`, in runs by `rule`. */
  static of<T>(items: Iterable<T>, rule: RunRule<T>): RunList<T> {
    return new RunList<T>(rule, [], [], 0, 0).append(items);
  }

  /** A list of `items` with this one's rule. */
  like(items: Iterable<T>): RunList<T> {
    return RunList.of(items, this.#rule);
  }

  /** How the items of a run follow each other. */
  get rule(): RunRule<T> {
    return this.#rule;
  }

  /** How many runs hold the items (what the list's memory grows with). */
  get runCount(): number {
    return this.#runCount;
  }

  /** The first item of run `run` (0 <= run < runCount), where it starts, and how many items it holds. */
  run(run: number): { readonly first: T; readonly start: number; readonly count: number } {
    if (!(run >= 0 && run < this.#runCount)) throw new RangeError(`RunList: no run ${run} of ${this.#runCount}`);
    const start = this.#starts[run];
    return { first: this.#firsts[run], start, count: this.endOf(run) - start };
  }

  /** The item at `index` (negative counts from the end, as Array.prototype.at), or undefined outside the list. */
  at(index: number): T | undefined {
    if (index < 0) index += this.length;
    if (index < 0 || index >= this.length) return undefined;
    const run = this.runHolding(index);
    const offset = index - this.#starts[run];
    return offset === 0 ? this.#firsts[run] : this.#rule.nth(this.#firsts[run], offset);
  }

  /** The list with every item of `items` appended (an iterable, not arguments: a recovered log holds millions). */
  append(items: Iterable<T>): RunList<T> {
    let firsts = this.#firsts;
    let starts = this.#starts;
    let runCount = this.#runCount;
    let length = this.length;
    let last = length === 0 ? undefined : this.at(length - 1);
    let owned = firsts.length === runCount;
    for (const item of items) {
      if (length === 0 || !this.#rule.follows(last as T, item)) {
        // Only the version that ends where the arrays end may push onto them.
        if (!owned) {
          firsts = firsts.slice(0, runCount);
          starts = starts.slice(0, runCount);
          owned = true;
        }
        firsts.push(item);
        starts.push(length);
        runCount += 1;
      }
      last = item;
      length += 1;
    }
    return length === this.length ? this : new RunList(this.#rule, firsts, starts, runCount, length);
  }

  /** The first `length` items (all of them if the list is shorter). */
  prefix(length: number): RunList<T> {
    if (length >= this.length) return this;
    const keep = Math.max(0, length);
    const runCount = keep === 0 ? 0 : this.runHolding(keep - 1) + 1;
    return new RunList(this.#rule, this.#firsts, this.#starts, runCount, keep);
  }

  /** The list with the items at `start` up to `end` (exclusive) replaced by `value`. */
  fill(value: T, start: number, end: number): RunList<T> {
    const from = this.position(start);
    const to = this.position(end);
    if (from >= to) return this;
    let list = this.prefix(from).append(repeat(value, to - from));
    if (to === this.length) return list;
    // The rest, a run (or the part of one) at a time: each part's later items follow its first.
    for (let run = this.runHolding(to); run < this.#runCount; run++) {
      const partStart = Math.max(to, this.#starts[run]);
      list = list.appendRun(this.at(partStart) as T, this.endOf(run) - partStart);
    }
    return list;
  }

  /** The items from `start` up to `end` (exclusive), as Array.prototype.slice takes them. */
  slice(start = 0, end = this.length): T[] {
    const from = this.position(start);
    const to = this.position(end);
    const out: T[] = [];
    for (let index = from; index < to; index++) out.push(this.at(index) as T);
    return out;
  }

  /** The items in order. */
  *[Symbol.iterator](): Iterator<T> {
    for (let run = 0; run < this.#runCount; run++) {
      const first = this.#firsts[run];
      const count = this.endOf(run) - this.#starts[run];
      yield first;
      for (let offset = 1; offset < count; offset++) yield this.#rule.nth(first, offset);
    }
  }

  /** Serialized as the array it stands for. */
  toJSON(): T[] {
    return this.slice();
  }

  /** The list with `first` and the `count - 1` items that follow it by the rule appended. */
  private appendRun(first: T, count: number): RunList<T> {
    const list = this.append([first]);
    return count === 1 ? list : new RunList(this.#rule, list.#firsts, list.#starts, list.#runCount, list.length + count - 1);
  }

  /** Where run `run` ends (exclusive). */
  private endOf(run: number): number {
    return run + 1 < this.#runCount ? this.#starts[run + 1] : this.length;
  }

  /** The run holding item `index` (0 <= index < length): the last one, mostly, for a log read near its end. */
  private runHolding(index: number): number {
    let low = 0;
    let high = this.#runCount - 1;
    if (this.#starts[high] <= index) return high;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.#starts[middle] <= index) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** An index as Array.prototype.slice and fill read it: negative counts from the end; clamped to the list. */
  private position(index: number): number {
    return index < 0 ? Math.max(0, this.length + index) : Math.min(index, this.length);
  }
}

/** How the items of a run follow each other. */
export interface RunRule<T> {
  /** Whether `item` may come right after `previous` in a run. */
  follows(previous: T, item: T): boolean;
  /** The item `offset` places after `first` in a run: equal to what was appended there, so it must agree with `follows`. */
  nth(first: T, offset: number): T;
}

/** Runs of one repeated value (===): a leader's acks. */
export const REPEATS: RunRule<never> = {
  follows: (previous, item) => previous === item,
  nth: (first) => first,
};

function* repeat<T>(value: T, count: number): Generator<T> {
  for (let index = 0; index < count; index++) yield value;
}
