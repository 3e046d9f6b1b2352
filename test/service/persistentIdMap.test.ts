/**
 * PersistentIdMap, the sessions' maps: holds what a Map holds after any sets and deletes of 64-bit
 * ids (the high ones of servers with myid 128 and up included), and never changes a version it was
 * made from.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PersistentIdMap } from '../../src/service/PersistentIdMap.js';
import { runs, testSeed } from '../support/seed.js';

type Change = { readonly kind: 'set'; readonly id: bigint; readonly value: number } | { readonly kind: 'delete'; readonly id: bigint };

// Few distinct ids, so that sets overwrite and deletes hit; from both ends of the unsigned 64-bit range.
const id = fc.oneof(fc.bigInt({ min: 0n, max: 20n }), fc.bigInt({ min: 2n ** 64n - 20n, max: 2n ** 64n - 1n }), fc.constantFrom((200n << 56n) + 1n, (1n << 56n) + 1n));
const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), id, value: fc.integer() }),
  fc.record({ kind: fc.constant('delete' as const), id }),
);

const sorted = (entries: Iterable<[bigint, number]>) => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

describe('PersistentIdMap', () => {
  it('holds what a Map holds after any sets and deletes, and leaves every earlier version as it was (property)', () => {
    fc.assert(
      fc.property(fc.array(change, { maxLength: 60 }), (changes) => {
        const expected = new Map<bigint, number>();
        let map = PersistentIdMap.empty<number>();
        const versions: [PersistentIdMap<number>, [bigint, number][]][] = [];
        for (const next of changes) {
          versions.push([map, sorted(map)]);
          if (next.kind === 'set') {
            expected.set(next.id, next.value);
            map = map.set(next.id, next.value);
          } else {
            const had = expected.delete(next.id);
            const after = map.delete(next.id);
            // Deleting an id it does not hold gives the map itself.
            if (!had) expect(after).toBe(map);
            map = after;
          }
          expect(map.size).toBe(expected.size);
          for (const key of expected.keys()) {
            expect(map.has(key)).toBe(true);
            expect(map.get(key)).toBe(expected.get(key));
          }
          expect(sorted(map)).toEqual(sorted(expected));
          expect(sorted([...map.keys()].map((key): [bigint, number] => [key, map.get(key) as number]))).toEqual(sorted(expected));
          expect([...map.values()].sort()).toEqual([...expected.values()].sort());
        }
        for (const [version, entries] of versions) expect(sorted(version)).toEqual(entries);
        // Built in one go from the entries, it compares equal whatever the history.
        expect(PersistentIdMap.from(expected)).toEqual(map);
      }),
      { seed: testSeed(), numRuns: runs(300, 3000) },
    );
  });

  it('from() of a PersistentIdMap is that map; forEach sees every entry with the map', () => {
    const map = PersistentIdMap.from([[1n, 'a'], [2n ** 63n + 5n, 'b']]);
    expect(PersistentIdMap.from(map)).toBe(map);
    const seen: [bigint, string][] = [];
    map.forEach((value, key, owner) => {
      expect(owner).toBe(map);
      seen.push([key, value]);
    });
    expect(seen.sort(([a], [b]) => (a < b ? -1 : 1))).toEqual([[1n, 'a'], [2n ** 63n + 5n, 'b']]);
    expect(map.get(3n)).toBeUndefined();
    expect(Object.prototype.toString.call(map)).toBe('[object PersistentIdMap]');
  });
});
