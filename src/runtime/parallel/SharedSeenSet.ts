import type { SeenSet } from '../../checker/explore.js';

/** A SharedArrayBuffer that can grow in place (ES2024; Node 20 has it, the ES2022 typings do not). */
interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  grow(newByteLength: number): void;
  readonly maxByteLength: number;
}

/**
 * Words of the control block. RESIZING, read by every `add`, has a cache line of its own, apart
 * from the counters that the threads write.
 */
const COUNT = 0;
/** Threads waiting in `park`. */
const PARKED = 1;
/** Threads that may call `add` (see `join` and `leave`). */
const ACTIVE = 2;
/** 1 while one thread rehashes into a grown table; the others wait in `park`. */
const RESIZING = 16;
const CONTROL_WORDS = 32;
/**
 * Inserts a thread counts before it adds them to the shared COUNT: at most 1/512 of the slots, so
 * that even 64 threads cannot overfill the table between the 3/4 line and the resize.
 */
const COUNT_BATCH_MAX = 256;

/** What a worker needs to open the same set: the two shared buffers. */
export interface SharedSeenSetBuffers {
  readonly table: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
}

/**
 * A lock-free set of 64-bit fingerprints in shared memory, for worker threads exploring one state
 * space: open addressing over (hi, lo) pairs of 32-bit words, a slot claimed by compare-and-
 * exchange of its hi word. Empty slots read hi = 0, and a claimed slot's lo is 0 until written,
 * so a fingerprint's 0 halves are stored as 1 (a collision we accept, as TLC's own table does).
 *
 * The table grows, so memory follows the state count: when it is 3/4 full, the thread whose
 * insert crossed that line waits until every other active thread is parked at the entrance of
 * `add`, doubles the buffer in place and rehashes, then releases them.
 */
export class SharedSeenSet implements SeenSet {
  private readonly table: Int32Array;
  private readonly control: Int32Array;
  private readonly buffer: GrowableSharedArrayBuffer;

  constructor(buffers: SharedSeenSetBuffers) {
    this.buffer = buffers.table as GrowableSharedArrayBuffer;
    if (typeof this.buffer.grow !== 'function') throw new Error('the shared seen-set needs a growable SharedArrayBuffer');
    this.table = new Int32Array(this.buffer);
    this.control = new Int32Array(buffers.control);
  }

  /** Buffers for a set of 2^initialLog2 slots that may grow to 2^maxLog2 (8 bytes a slot). */
  static allocate(initialLog2: number, maxLog2: number): SharedSeenSetBuffers {
    if (!(initialLog2 >= 4 && initialLog2 <= maxLog2 && maxLog2 <= 30)) throw new RangeError(`shared seen-set sizes 2^${initialLog2}..2^${maxLog2} slots are out of range`);
    const options = { maxByteLength: 8 * 2 ** maxLog2 };
    const Growable = SharedArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => SharedArrayBuffer;
    const control = new SharedArrayBuffer(4 * CONTROL_WORDS);
    new Int32Array(control)[ACTIVE] = 1;
    return { table: new Growable(8 * 2 ** initialLog2, options), control };
  }

  /** Fingerprints in the set (those other threads have not flushed yet excepted). */
  get size(): number {
    return Atomics.load(this.control, COUNT) + this.pending;
  }

  get bytes(): number {
    return this.buffer.byteLength;
  }

  /** Count one more thread that may call `add` (a worker starting). */
  join(): void {
    Atomics.add(this.control, ACTIVE, 1);
  }

  /** This thread will call `add` no more (a worker done): a resize no longer waits for it. */
  leave(): void {
    const pending = this.pending;
    this.pending = 0;
    Atomics.add(this.control, COUNT, pending);
    Atomics.sub(this.control, ACTIVE, 1);
    Atomics.notify(this.control, PARKED);
  }

  add(hi: number, lo: number): boolean {
    if (Atomics.load(this.control, RESIZING) === 1) this.park();
    // As the Int32Array stores them, so that what is read back compares equal.
    hi |= 0;
    lo |= 0;
    if (hi === 0) hi = 1;
    if (lo === 0) lo = 1;
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
    for (;;) {
      // A plain read first: most fingerprints are there already, and a read does not take the cache line from the other threads.
      let found = table[slot * 2];
      if (found === 0) {
        found = Atomics.compareExchange(table, slot * 2, 0, hi);
        if (found === 0) {
          Atomics.store(table, slot * 2 + 1, lo);
          if (++this.pending >= Math.min(COUNT_BATCH_MAX, (mask + 1) >> 9)) this.flush(mask + 1);
          return true;
        }
      }
      if (found === hi) {
        // Claimed by the same hi: wait for its lo (written right after the claim) to compare.
        let other = table[slot * 2 + 1];
        while (other === 0) other = Atomics.load(table, slot * 2 + 1);
        if (other === lo) return false;
      }
      slot = (slot + 1) & mask;
    }
  }

  /** Inserts of this thread not yet in COUNT. */
  private pending = 0;

  /** Add this thread's pending inserts to COUNT, and grow the table if that makes it 3/4 full. */
  flush(capacity = this.table.length >> 1): void {
    const size = Atomics.add(this.control, COUNT, this.pending) + this.pending;
    this.pending = 0;
    if (size * 4 > capacity * 3) this.grow(capacity);
  }

  /** Wait while another thread resizes. */
  private park(): void {
    Atomics.add(this.control, PARKED, 1);
    Atomics.notify(this.control, PARKED);
    while (Atomics.load(this.control, RESIZING) === 1) Atomics.wait(this.control, RESIZING, 1, 50);
    Atomics.sub(this.control, PARKED, 1);
  }

  /** Double the table from `capacity` slots, unless another thread already does or did. */
  private grow(capacity: number): void {
    if (Atomics.compareExchange(this.control, RESIZING, 0, 1) !== 0) {
      this.park();
      return;
    }
    for (;;) {
      const parked = Atomics.load(this.control, PARKED);
      if (parked >= Atomics.load(this.control, ACTIVE) - 1) break;
      Atomics.wait(this.control, PARKED, parked, 50);
    }
    if (this.table.length >> 1 === capacity) {
      if (2 * capacity * 8 > this.buffer.maxByteLength) {
        Atomics.store(this.control, RESIZING, 0);
        Atomics.notify(this.control, RESIZING);
        throw new Error(`the shared seen-set is full (${this.size} states in ${capacity} slots): raise its maximum (--table-log2)`);
      }
      const old = this.table.slice(0, capacity * 2);
      this.buffer.grow(capacity * 2 * 8);
      this.table.fill(0, 0, capacity * 2);
      const mask = capacity * 2 - 1;
      for (let k = 0; k < old.length; k += 2) {
        if (old[k] === 0) continue;
        let slot = (old[k + 1] ^ Math.imul(old[k], 0x9e3779b1)) & mask;
        while (this.table[slot * 2] !== 0) slot = (slot + 1) & mask;
        this.table[slot * 2] = old[k];
        this.table[slot * 2 + 1] = old[k + 1];
      }
    }
    Atomics.store(this.control, RESIZING, 0);
    Atomics.notify(this.control, RESIZING);
  }
}
