import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { REPEATS, RunList, type RunRule } from '../../src/protocol/RunList.js';
import { appended, asArray, filled, isRunList, prefixOf, withItem, type Seq } from '../../src/protocol/Seq.js';
import { appendTxns, CONSECUTIVE_TXNS, indexOfZxid, prefixLengthUpTo } from '../../src/protocol/History.js';
import type { ServerContext } from '../../src/protocol/ServerContext.js';
import type { Txn } from '../../src/protocol/Txn.js';
import { createServerMachine, defaultImplementations } from '../../src/protocol/serverMachine.js';
import { compileServerMachine } from '../../src/protocol/compileServerMachine.js';
import { createModel } from '../../src/model/Model.js';
import { STANDARD_MODEL } from '../../src/model/ModelConfig.js';
import { simulate } from '../../src/sim/simulate.js';
import { historyRunsOf, historyRunsOfLog } from '../../src/runtime/storage/historyRuns.js';
import { runs, testSeed } from '../support/seed.js';

/** One change to a list, applied alike to an array and to a run list. */
type Op =
  | { readonly kind: 'append'; readonly items: readonly number[] }
  | { readonly kind: 'prefix'; readonly length: number }
  | { readonly kind: 'fill'; readonly value: number; readonly start: number; readonly end: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number };

// Few values, so that runs form under both rules.
const value = fc.integer({ min: 0, max: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('append' as const), items: fc.array(value, { maxLength: 9 }) }) },
  fc.record({ kind: fc.constant('prefix' as const), length: fc.nat(40) }),
  fc.record({ kind: fc.constant('fill' as const), value, start: fc.integer({ min: -3, max: 40 }), end: fc.integer({ min: -3, max: 40 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(40), value }),
);

/** Runs of numbers counting up by one: items made inside a run by arithmetic, as a log's txns are. */
const COUNTING: RunRule<number> = { follows: (previous, item) => item === previous + 1, nth: (first, offset) => first + offset };
const RULES: [string, RunRule<number>][] = [['repeats', REPEATS], ['counting', COUNTING]];

function apply(list: Seq<number>, change: Op): Seq<number> {
  switch (change.kind) {
    case 'append': return appended(list, change.items);
    case 'prefix': return prefixOf(list, change.length);
    case 'fill': return filled(list, change.value, change.start, change.end);
    case 'set': return change.at < list.length ? withItem(list, change.at, change.value) : list;
  }
}

/** How many maximal runs `items` make under `rule`: what a run list of them should hold, no more. */
function maximalRuns(items: readonly number[], rule: RunRule<number>): number {
  return items.filter((item, index) => index === 0 || !rule.follows(items[index - 1], item)).length;
}

describe('RunList, the representation of a running server\'s log and acks', () => {
  it.each(RULES)('holds what an array holds after any sequence of appends, truncations and updates, in as few runs as the items make (%s)', (_, rule) => {
    const seed = testSeed();
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        let array: Seq<number> = [];
        let list: Seq<number> = RunList.of<number>([], rule);
        for (const change of ops) {
          const previous = list;
          const previousItems = [...previous];
          array = apply(array, change);
          list = apply(list, change);
          // The earlier version is untouched: versions share their arrays of runs and read only their own part.
          expect([...previous]).toEqual(previousItems);
          expect(isRunList(list)).toBe(true);
          expect(list.length).toBe(array.length);
          expect(asArray(list)).toEqual(asArray(array));
          for (let index = -2; index <= array.length + 1; index++) expect(list.at(index)).toBe(array.at(index));
          expect(list.slice(1, -1)).toEqual(array.slice(1, -1));
          expect(JSON.stringify(list)).toBe(JSON.stringify(array));
          expect((list as RunList<number>).runCount).toBe(maximalRuns(asArray(array), rule));
          // The same items built in one go compare equal.
          expect(list).toEqual(RunList.of(asArray(array), rule));
        }
      }),
      { seed, numRuns: runs(300, 3000), verbose: 1 },
    );
  });

  it('leaves the version it was made from as it was', () => {
    const base = RunList.of([1, 2, 3, 4, 5], COUNTING);
    const longer = base.append([6, 7]);
    const shorter = base.prefix(3);
    const changed = base.fill(0, 1, 4);
    expect([...base]).toEqual([1, 2, 3, 4, 5]);
    expect([...longer]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect([...shorter]).toEqual([1, 2, 3]);
    expect([...changed]).toEqual([1, 0, 0, 0, 5]);
    expect([...shorter.append([9])]).toEqual([1, 2, 3, 9]);
    expect([...base]).toEqual([1, 2, 3, 4, 5]);
    expect([base.runCount, longer.runCount, changed.runCount]).toEqual([1, 1, 5]);
  });

  it('pushes a new run in place only for the version that ends where its arrays end', () => {
    const base = RunList.of([1, 2, 3], COUNTING);
    const first = base.append([7]);
    const second = base.append([9]);
    const updated = first.fill(0, 0, 1);
    const third = first.append([8]);
    const fourth = updated.append([5]);
    expect([...base]).toEqual([1, 2, 3]);
    expect([...first]).toEqual([1, 2, 3, 7]);
    expect([...second]).toEqual([1, 2, 3, 9]);
    expect([...third]).toEqual([1, 2, 3, 7, 8]);
    expect([...fourth]).toEqual([0, 2, 3, 7, 5]);
    expect(second).not.toEqual(first);
    expect(fourth).toEqual(RunList.of([0, 2, 3, 7, 5], COUNTING));
  });

  it('keeps a log of a million txns of one epoch as one run, built in one go or appended to', () => {
    const txns = function* (from: number, count: number): Generator<Txn> {
      for (let counter = from; counter < from + count; counter++) yield { zxid: { epoch: 3, counter }, value: 3 * 2 ** 32 + counter };
    };
    const log = RunList.of(txns(1, 500_000), CONSECUTIVE_TXNS);
    const longer = log.append(txns(500_001, 500_000));
    expect([log.runCount, longer.runCount, longer.length]).toEqual([1, 1, 1_000_000]);
    expect(longer.at(999_999)).toEqual({ zxid: { epoch: 3, counter: 1_000_000 }, value: 3 * 2 ** 32 + 1_000_000 });
    expect(log.prefix(40_000).at(-1)).toEqual({ zxid: { epoch: 3, counter: 40_000 }, value: 3 * 2 ** 32 + 40_000 });
    // A new epoch is a new run; the acks of a million committed txns are one run of zeros.
    expect(appendTxns(longer, [{ zxid: { epoch: 4, counter: 1 }, value: 4 * 2 ** 32 + 1 }]).length).toBe(1_000_001);
    expect(RunList.of(new Array<number>(1_000_000).fill(0), REPEATS).runCount).toBe(1);
    expect(() => withItem(RunList.of([1], REPEATS), 1, 2)).toThrow(/index 1 outside a list of 1/);
    expect(() => log.run(1)).toThrow(/no run 1 of 1/);
  });
});

function txnOf(epoch: number, counter: number): Txn {
  return { zxid: { epoch, counter }, value: epoch * 100 + counter };
}

describe('lookups in a log kept in runs', () => {
  it('find by bisecting the runs what the spec\'s scan from the first txn finds, in any ordered log', () => {
    const seed = testSeed();
    const orderedLog = fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 30 })), { maxLength: 60, selector: ([e, c]) => e * 1000 + c })
      .map((pairs) => pairs.sort(([e1, c1], [e2, c2]) => e1 - e2 || c1 - c2).map(([e, c]) => txnOf(e, c)));
    fc.assert(
      fc.property(orderedLog, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 31 }), fc.nat(60), (log, epoch, counter, cut) => {
        const inRuns = RunList.of(log, CONSECUTIVE_TXNS);
        const zxid = { epoch, counter };
        expect(prefixLengthUpTo(inRuns, zxid)).toBe(prefixLengthUpTo(log, zxid));
        expect(indexOfZxid(inRuns, zxid)).toBe(indexOfZxid(log, zxid));
        // What a snapshot records of the log's first txns, read from the runs, is what its zxids make.
        expect(historyRunsOfLog(inRuns, cut)).toEqual(historyRunsOf(log.slice(0, cut).map((txn) => txn.zxid)));
      }),
      { seed, numRuns: runs(500, 5000), verbose: 1 },
    );
  });

  it('a running server never logs a txn at or below its last zxid (ZxidMonotonicity, asserted)', () => {
    const log = RunList.of([txnOf(1, 1), txnOf(1, 2)], CONSECUTIVE_TXNS);
    expect(() => appendTxns(log, [txnOf(1, 2)])).toThrow(/ZxidMonotonicity: <1,2> logged after <1,2>/);
    expect(() => appendTxns(log, [txnOf(2, 1), txnOf(1, 3)])).toThrow(/ZxidMonotonicity: <1,3> logged after <2,1>/);
    expect([...appendTxns(log, [txnOf(2, 1)])].map((t) => t.value)).toEqual([101, 102, 201]);
    // The model's arrays are not asserted on: a variant that breaks the order is the checker's to catch.
    expect(appendTxns([txnOf(1, 2)], [txnOf(1, 1)])).toHaveLength(2);
  });
});

const compiled = compileServerMachine(createServerMachine(defaultImplementations), defaultImplementations);

function inRuns(context: ServerContext): ServerContext {
  return { ...context, history: RunList.of(asArray(context.history), CONSECUTIVE_TXNS), acks: RunList.of(asArray(context.acks), REPEATS) };
}

function asArrays(context: ServerContext): ServerContext {
  return { ...context, history: asArray(context.history), acks: asArray(context.acks) };
}

describe('the chart over logs and acks kept in runs', () => {
  it('takes the same steps as over the model\'s arrays, on every step of seeded simulated runs', () => {
    const model = createModel({ ...STANDARD_MODEL, maxEpoch: 6, maxTxns: 8, maxCrashes: 3, maxPartitions: 3, observers: 1, commitLogCount: 3 });
    let checked = 0;
    let longest = 0;
    for (const seed of [1, 2, 3, 4, 5, 6].map((k) => (k + testSeed()) >>> 0)) {
      for (const step of simulate(model, seed, 250, { fault: 0.05 })) {
        const i = step.action.i;
        const path = step.before.states[i];
        const event = model.eventFor(step.before, step.action);
        const viaArrays = compiled.step(path, step.before.servers[i], event);
        const viaRuns = compiled.step(path, inRuns(step.before.servers[i]), event);
        expect(viaArrays, `seed ${seed}: ${step.action.name} must be enabled`).not.toBeNull();
        expect(viaRuns?.state, `seed ${seed}: ${step.action.name}`).toBe(viaArrays?.state);
        expect(isRunList(viaRuns?.context.history ?? []), 'the log stays in runs').toBe(true);
        expect(isRunList(viaRuns?.context.acks ?? []), 'the acks stay in runs').toBe(true);
        expect(asArrays(viaRuns?.context as ServerContext)).toEqual(viaArrays?.context);
        longest = Math.max(longest, step.before.servers[i].history.length);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
    // Logs of several txns.
    expect(longest).toBeGreaterThanOrEqual(5);
  });
});
