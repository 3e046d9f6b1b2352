/**
 * An open-addressing set of 64-bit fingerprints in one Uint32Array (hi, lo pairs), with a parallel
 * Int32Array giving each fingerprint's insertion order: the explorer's "seen" set and the key from
 * which a counterexample path is rebuilt. The pair (0, 0) marks an empty slot; a real fingerprint
 * of (0, 0) is stored as (0, 1), a collision we accept.
 */
export class FingerprintSet {
  private slots: Uint32Array;
  private ids: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacityLog2 = 20) {
    this.slots = new Uint32Array(2 << capacityLog2);
    this.ids = new Int32Array(1 << capacityLog2);
    this.mask = (1 << capacityLog2) - 1;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.slots.byteLength + this.ids.byteLength;
  }

  /** Insert; returns the existing id if present, else -1 after storing `id`. */
  insert(hi: number, lo: number, id: number): number {
    if (hi === 0 && lo === 0) lo = 1;
    if ((this.size + 1) * 4 > (this.mask + 1) * 3) this.grow();
    let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & this.mask;
    for (;;) {
      const h = this.slots[slot * 2];
      const l = this.slots[slot * 2 + 1];
      if (h === 0 && l === 0) {
        this.slots[slot * 2] = hi;
        this.slots[slot * 2 + 1] = lo;
        this.ids[slot] = id;
        this.size++;
        return -1;
      }
      if (h === hi && l === lo) return this.ids[slot];
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const oldSlots = this.slots;
    const oldIds = this.ids;
    const capacity = (this.mask + 1) * 2;
    this.slots = new Uint32Array(capacity * 2);
    this.ids = new Int32Array(capacity);
    this.mask = capacity - 1;
    this.size = 0;
    for (let k = 0; k < oldIds.length; k++) {
      const hi = oldSlots[k * 2];
      const lo = oldSlots[k * 2 + 1];
      if (hi !== 0 || lo !== 0) this.insert(hi, lo, oldIds[k]);
    }
  }
}
