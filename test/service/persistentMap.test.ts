/**
 * The data tree's node map and child sets: random sequences of set and delete, checked against a
 * Map at every step, with keys that include two of equal hash (collision buckets). Old versions
 * must not change.
 * Replay a failure with ZABSTATE_SEED=<seed printed by fast-check>.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashString, PersistentMap } from '../../src/service/PersistentMap.js';
import { PersistentSet } from '../../src/service/PersistentSet.js';
import { runs, testSeed } from '../support/seed.js';

const seed = testSeed();

/** Two different keys of equal 32-bit hash, found by search (deterministic: the hash is fixed). */
function collidingKeys(): [string, string] {
  const seen = new Map<number, string>();
  for (let index = 0; ; index++) {
    const key = `/k${index}`;
    const hash = hashString(key);
    const other = seen.get(hash);
    if (other !== undefined) return [other, key];
    seen.set(hash, key);
  }
}

const [collisionA, collisionB] = collidingKeys();
const keys = fc.constantFrom('/', '/a', '/a/b', '/b', '/c', '/d/e', '', collisionA, collisionB, ...Array.from({ length: 40 }, (_, index) => `/n${index}`));
const operation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key: keys, value: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('delete' as const), key: keys }),
);

describe('PersistentMap', () => {
  it('agrees with a Map after every set and delete, and leaves earlier versions as they were', () => {
    fc.assert(fc.property(fc.array(operation, { maxLength: 200 }), (operations) => {
      let map = PersistentMap.empty<number>();
      const model = new Map<string, number>();
      const versions: { map: PersistentMap<number>; entries: [string, number][] }[] = [];
      for (const step of operations) {
        map = applyStep(map, model, step);
        expect(map.size).toBe(model.size);
        expect(map.get(step.key)).toBe(model.get(step.key));
        versions.push({ map, entries: [...model].sort() });
      }
      for (const version of versions) {
        expect([...version.map].sort()).toEqual(version.entries);
        for (const [key, value] of version.entries) expect(version.map.get(key)).toBe(value);
      }
    }), { seed, numRuns: 200 });
  });

  it('iterates equal maps alike however they were built, so toEqual compares entries', () => {
    fc.assert(fc.property(fc.uniqueArray(keys, { minLength: 1 }), fc.array(keys), (kept, dropped) => {
      const direct = PersistentMap.from<number>(kept.map((key) => [key, 1] as const));
      let roundabout = PersistentMap.from([...dropped, ...kept].reverse().map((key) => [key, 1] as const));
      for (const key of dropped) if (!kept.includes(key)) roundabout = roundabout.delete(key);
      expect([...roundabout.keys()]).toEqual([...direct.keys()]);
      expect(roundabout).toEqual(direct);
      expect(roundabout).not.toEqual(direct.set(kept[0], 2));
    }), { seed, numRuns: 200 });
  });

  it('returns itself for a change that changes nothing', () => {
    const map = PersistentMap.from([['/a', 1], [collisionA, 2], [collisionB, 3]]);
    expect(map.set('/a', 1)).toBe(map);
    expect(map.set(collisionB, 3)).toBe(map);
    expect(map.delete('/missing')).toBe(map);
    expect(map.delete(collisionA).get(collisionB)).toBe(3);
    expect(map.delete(collisionA).has(collisionA)).toBe(false);
  });

  it('keeps its size through random sets and deletes on a trie several levels deep', () => {
    // Thousands of keys from the server benchmark's shape: branches fill, split and collapse at every level.
    const deepKey = fc.integer({ min: 0, max: 3999 }).map((index) => `/bench/c${index % 64}/s-${String(index).padStart(10, '0')}`);
    const deepOperation = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.oneof(deepKey, fc.constantFrom(collisionA, collisionB)), value: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.oneof(deepKey, fc.constantFrom(collisionA, collisionB)) }),
    );
    fc.assert(fc.property(fc.array(deepOperation, { minLength: 500, maxLength: 3000 }), (operations) => {
      let map = PersistentMap.empty<number>();
      const model = new Map<string, number>();
      for (const step of operations) {
        map = applyStep(map, model, step);
        expect(map.size).toBe(model.size);
      }
      expect([...map].sort()).toEqual([...model].sort());
      expect([...map.keys()]).toEqual([...PersistentMap.from([...model].sort().reverse()).keys()]);
      const visited: [string, number][] = [];
      map.forEach((value, key) => visited.push([key, value]));
      expect(visited).toEqual([...map.entries()]);
      expect([...map.values()]).toEqual(visited.map(([, value]) => value));
    }), { seed, numRuns: runs(20, 200) });
  });

  it('returns itself, the same object, for every set of a value already bound (no copy of the path)', () => {
    fc.assert(fc.property(fc.uniqueArray(keys, { minLength: 1 }), (present) => {
      const values = present.map((key) => ({ key }));
      const map = PersistentMap.from(present.map((key, index) => [key, values[index]] as const));
      for (const [index, key] of present.entries()) expect(map.set(key, values[index])).toBe(map);
      const replaced = map.set(present[0], { key: present[0] });
      expect(replaced).not.toBe(map);
      expect(replaced.size).toBe(map.size);
      expect(map.get(present[0])).toBe(values[0]);
    }), { seed, numRuns: 200 });
  });

  it('refuses undefined as a value', () => {
    expect(() => PersistentMap.empty<number | undefined>().set('/a', undefined)).toThrow(/undefined is not a value/);
  });
});

describe('PersistentSet', () => {
  it('adds and deletes without changing earlier versions, and compares by members', () => {
    const empty = PersistentSet.EMPTY;
    const ab = empty.add('a').add('b');
    const a = ab.delete('b');
    expect([empty.size, ab.size, a.size]).toEqual([0, 2, 1]);
    expect([...ab].sort()).toEqual(['a', 'b']);
    expect(a.has('b')).toBe(false);
    expect(ab.has('b')).toBe(true);
    expect(ab.add('a')).toBe(ab);
    expect(a.delete('z')).toBe(a);
    expect(PersistentSet.from(new Set(['b', 'a']))).toEqual(ab);
    expect(PersistentSet.from(ab)).toBe(ab);
    expect(a).not.toEqual(ab);
  });
});

/** One set or delete, done alike to the persistent map (returned) and to the Map it is checked against. */
function applyStep(map: PersistentMap<number>, model: Map<string, number>, step: { kind: 'set'; key: string; value: number } | { kind: 'delete'; key: string }): PersistentMap<number> {
  if (step.kind === 'set') {
    model.set(step.key, step.value);
    return map.set(step.key, step.value);
  }
  model.delete(step.key);
  return map.delete(step.key);
}
