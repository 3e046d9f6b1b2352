import type { SeenSet } from '../../checker/explore.js';

/**
 * A lock-free set of 64-bit fingerprints in shared memory, for several worker threads exploring
 * one state space: open addressing over a BigInt64Array, a slot claimed by compare-and-exchange.
 * It cannot grow while shared, so it is sized up front and refuses to fill past 90 %.
 */
export class SharedSeenSet implements SeenSet {
  readonly table: BigInt64Array;
  private readonly counter: Int32Array;
  private readonly mask: number;

  /** `buffer` holds the slots, `counterBuffer` the shared count (Int32 at index 0). */
  constructor(buffer: SharedArrayBuffer, counterBuffer: SharedArrayBuffer) {
    this.table = new BigInt64Array(buffer);
    this.counter = new Int32Array(counterBuffer);
    const capacity = this.table.length;
    if ((capacity & (capacity - 1)) !== 0) throw new Error(`shared seen-set capacity ${capacity} is not a power of two`);
    this.mask = capacity - 1;
  }

  static allocate(capacityLog2: number): { buffer: SharedArrayBuffer; counterBuffer: SharedArrayBuffer } {
    return { buffer: new SharedArrayBuffer(8 << capacityLog2), counterBuffer: new SharedArrayBuffer(4) };
  }

  get size(): number {
    return Atomics.load(this.counter, 0);
  }

  get bytes(): number {
    return this.table.byteLength;
  }

  add(hi: number, lo: number): boolean {
    // Signed, as the BigInt64Array stores it, so a read-back compares equal.
    let key = BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
    if (key === 0n) key = 1n;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const found = Atomics.compareExchange(this.table, slot, 0n, key);
      if (found === 0n) {
        const size = Atomics.add(this.counter, 0, 1) + 1;
        if (size * 10 > this.table.length * 9) {
          throw new Error(`the shared seen-set is full (${size} states): raise its size (--table-log2)`);
        }
        return true;
      }
      if (found === key) return false;
      slot = (slot + 1) & this.mask;
    }
  }
}
