import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ChunkedList } from '../../src/protocol/ChunkedList.js';
import { appended, asArray, filled, isChunked, prefixOf, withItem, type Seq } from '../../src/protocol/Seq.js';
import { appendTxns, indexOfZxid, prefixLengthUpTo } from '../../src/protocol/History.js';
import type { ServerContext } from '../../src/protocol/ServerContext.js';
import type { Txn } from '../../src/protocol/Txn.js';
import { createServerMachine, defaultImplementations } from '../../src/protocol/serverMachine.js';
import { compileServerMachine } from '../../src/protocol/compileServerMachine.js';
import { createModel } from '../../src/model/Model.js';
import { STANDARD_MODEL } from '../../src/model/ModelConfig.js';
import { simulate } from '../../src/sim/simulate.js';
import { runs, testSeed } from '../support/seed.js';

/** One change to a list, applied alike to an array and to a chunked list. */
type Op =
  | { readonly kind: 'append'; readonly items: readonly number[] }
  | { readonly kind: 'prefix'; readonly length: number }
  | { readonly kind: 'fill'; readonly value: number; readonly start: number; readonly end: number }
  | { readonly kind: 'set'; readonly at: number; readonly value: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('append' as const), items: fc.array(fc.integer(), { maxLength: 9 }) }) },
  fc.record({ kind: fc.constant('prefix' as const), length: fc.nat(40) }),
  fc.record({ kind: fc.constant('fill' as const), value: fc.integer(), start: fc.integer({ min: -3, max: 40 }), end: fc.integer({ min: -3, max: 40 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(40), value: fc.integer() }),
);

function apply(list: Seq<number>, change: Op): Seq<number> {
  switch (change.kind) {
    case 'append': return appended(list, change.items);
    case 'prefix': return prefixOf(list, change.length);
    case 'fill': return filled(list, change.value, change.start, change.end);
    case 'set': return change.at < list.length ? withItem(list, change.at, change.value) : list;
  }
}

describe('ChunkedList, the representation of a running server\'s log', () => {
  it('holds what an array holds after any sequence of appends, truncations and updates, and stays chunked', () => {
    const seed = testSeed();
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.array(op, { maxLength: 40 }), (chunkSize, ops) => {
        let array: Seq<number> = [];
        let chunked: Seq<number> = ChunkedList.of<number>([], chunkSize);
        for (const change of ops) {
          const previous = chunked;
          const previousItems = [...previous];
          array = apply(array, change);
          chunked = apply(chunked, change);
          // The earlier version is untouched: versions share chunks and tails, and read only their own length of a tail.
          expect([...previous]).toEqual(previousItems);
          expect(isChunked(chunked)).toBe(true);
          expect(chunked.length).toBe(array.length);
          expect(asArray(chunked)).toEqual(asArray(array));
          for (let index = -2; index <= array.length + 1; index++) expect(chunked.at(index)).toBe(array.at(index));
          expect(chunked.slice(1, -1)).toEqual(array.slice(1, -1));
          expect(JSON.stringify(chunked)).toBe(JSON.stringify(array));
          // The same items built in one go compare equal.
          expect(chunked).toEqual(ChunkedList.of(asArray(array), chunkSize));
        }
      }),
      { seed, numRuns: runs(300, 3000), verbose: 1 },
    );
  });

  it('leaves the version it was made from as it was', () => {
    const base = ChunkedList.of([1, 2, 3, 4, 5], 2);
    const longer = base.append([6, 7]);
    const shorter = base.prefix(3);
    const changed = base.fill(0, 1, 4);
    expect([...base]).toEqual([1, 2, 3, 4, 5]);
    expect([...longer]).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect([...shorter]).toEqual([1, 2, 3]);
    expect([...changed]).toEqual([1, 0, 0, 0, 5]);
    expect([...shorter.append([9])]).toEqual([1, 2, 3, 9]);
    expect([...base]).toEqual([1, 2, 3, 4, 5]);
  });

  it('appends in place only for the version that ends where its tail array ends', () => {
    const base = ChunkedList.of([1, 2, 3], 8);
    const first = base.append([4]);
    const second = base.append([5]);
    const updated = first.fill(0, 0, 1);
    const third = first.append([6]);
    const fourth = updated.append([7]);
    expect([...base]).toEqual([1, 2, 3]);
    expect([...first]).toEqual([1, 2, 3, 4]);
    expect([...second]).toEqual([1, 2, 3, 5]);
    expect([...third]).toEqual([1, 2, 3, 4, 6]);
    expect([...fourth]).toEqual([0, 2, 3, 4, 7]);
    expect(second).not.toEqual(first);
    expect(fourth).toEqual(ChunkedList.of([0, 2, 3, 4, 7], 8));
  });

  it('holds a log of half a million txns, more than any argument list can pass, built in one go or appended to', () => {
    const items = Array.from({ length: 500_000 }, (_, index) => index);
    const list = ChunkedList.of(items);
    expect(list.length).toBe(500_000);
    for (const index of [0, 31, 32, 1023, 1024, 32_767, 32_768, 499_999]) expect(list.at(index)).toBe(index);
    const longer = list.append(items);
    expect(longer.length).toBe(1_000_000);
    expect(longer.at(999_999)).toBe(499_999);
    expect(list.prefix(40_000).at(-1)).toBe(39_999);
  });

  it('refuses a chunk size that is not an integer of at least 2, and an update outside the list', () => {
    expect(() => ChunkedList.of([], 0)).toThrow(/chunk size 0/);
    expect(() => ChunkedList.of([], 1)).toThrow(/chunk size 1 is not an integer of at least 2/);
    expect(() => ChunkedList.of([], 1.5)).toThrow(/chunk size 1.5/);
    expect(() => withItem(ChunkedList.of([1]), 1, 2)).toThrow(/index 1 outside a list of 1/);
  });
});

function txnOf(epoch: number, counter: number): Txn {
  return { zxid: { epoch, counter }, value: epoch * 100 + counter };
}

describe('lookups in a chunked log', () => {
  it('find by binary search what the spec\'s scan from the first txn finds, in any ordered log', () => {
    const seed = testSeed();
    const orderedLog = fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 30 })), { maxLength: 60, selector: ([e, c]) => e * 1000 + c })
      .map((pairs) => pairs.sort(([e1, c1], [e2, c2]) => e1 - e2 || c1 - c2).map(([e, c]) => txnOf(e, c)));
    fc.assert(
      fc.property(orderedLog, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 31 }), fc.integer({ min: 2, max: 7 }), (log, epoch, counter, chunkSize) => {
        const chunked = ChunkedList.of(log, chunkSize);
        const zxid = { epoch, counter };
        expect(prefixLengthUpTo(chunked, zxid)).toBe(prefixLengthUpTo(log, zxid));
        expect(indexOfZxid(chunked, zxid)).toBe(indexOfZxid(log, zxid));
      }),
      { seed, numRuns: runs(500, 5000), verbose: 1 },
    );
  });

  it('a running server never logs a txn at or below its last zxid (ZxidMonotonicity, asserted)', () => {
    const log = ChunkedList.of([txnOf(1, 1), txnOf(1, 2)], 2);
    expect(() => appendTxns(log, [txnOf(1, 2)])).toThrow(/ZxidMonotonicity: <1,2> logged after <1,2>/);
    expect(() => appendTxns(log, [txnOf(2, 1), txnOf(1, 3)])).toThrow(/ZxidMonotonicity: <1,3> logged after <2,1>/);
    expect([...appendTxns(log, [txnOf(2, 1)])].map((t) => t.value)).toEqual([101, 102, 201]);
    // The model's arrays are not asserted on: a variant that breaks the order is the checker's to catch.
    expect(appendTxns([txnOf(1, 2)], [txnOf(1, 1)])).toHaveLength(2);
  });
});

const compiled = compileServerMachine(createServerMachine(defaultImplementations), defaultImplementations);

function chunkedCopy(context: ServerContext, chunkSize: number): ServerContext {
  return { ...context, history: ChunkedList.of(asArray(context.history), chunkSize), acks: ChunkedList.of(asArray(context.acks), chunkSize) };
}

function asArrays(context: ServerContext): ServerContext {
  return { ...context, history: asArray(context.history), acks: asArray(context.acks) };
}

describe('the chart over a chunked log', () => {
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
        const viaChunks = compiled.step(path, chunkedCopy(step.before.servers[i], 2), event);
        expect(viaArrays, `seed ${seed}: ${step.action.name} must be enabled`).not.toBeNull();
        expect(viaChunks?.state, `seed ${seed}: ${step.action.name}`).toBe(viaArrays?.state);
        expect(isChunked(viaChunks?.context.history ?? []), 'the log stays chunked').toBe(true);
        expect(isChunked(viaChunks?.context.acks ?? []), 'the acks stay chunked').toBe(true);
        expect(asArrays(viaChunks?.context as ServerContext)).toEqual(viaArrays?.context);
        longest = Math.max(longest, step.before.servers[i].history.length);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
    // Logs long enough to cross several chunk boundaries.
    expect(longest).toBeGreaterThanOrEqual(5);
  });
});
