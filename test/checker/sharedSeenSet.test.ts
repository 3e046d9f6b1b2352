import { describe, expect, it } from 'vitest';
import { SharedSeenSet } from '../../src/runtime/parallel/SharedSeenSet.js';

/** Distinct 64-bit fingerprints as (hi, lo) unsigned halves, as Fingerprint holds them. */
function fingerprints(n: number): [number, number][] {
  return Array.from({ length: n }, (_, k) => [Math.imul(k + 1, 0x9e3779b1) >>> 0, (Math.imul(k, 0x85ebca6b) ^ 0xdeadbeef) >>> 0]);
}

describe('the shared seen-set', () => {
  it('stores unsigned fingerprints once each and grows in place from 16 slots', () => {
    const set = new SharedSeenSet(SharedSeenSet.allocate(4, 20));
    const prints = fingerprints(10_000);
    expect(prints.some(([hi]) => hi >= 2 ** 31)).toBe(true);
    expect(prints.filter(([hi, lo]) => set.add(hi, lo))).toHaveLength(10_000);
    expect(prints.filter(([hi, lo]) => set.add(hi, lo))).toHaveLength(0);
    set.leave();
    expect(set.size).toBe(10_000);
    // At most 3/4 full, at least 3/8 after the last doubling: 16,384 or 32,768 slots of 8 bytes.
    expect(set.bytes).toBe(8 * 16_384);
  });

  it('tells apart fingerprints that share a half', () => {
    const set = new SharedSeenSet(SharedSeenSet.allocate(4, 10));
    expect(set.add(7, 1)).toBe(true);
    expect(set.add(7, 2)).toBe(true);
    expect(set.add(8, 1)).toBe(true);
    expect(set.add(7, 2)).toBe(false);
    expect(set.add(0xffffffff, 0xffffffff)).toBe(true);
    expect(set.add(-1, -1)).toBe(false);
  });

  it('refuses to grow past its maximum, naming the option', () => {
    const set = new SharedSeenSet(SharedSeenSet.allocate(4, 6));
    expect(() => fingerprints(1000).forEach(([hi, lo]) => set.add(hi, lo))).toThrow(/full.*--table-log2/);
  });
});
