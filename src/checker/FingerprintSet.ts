/**
 * An open-addressing set of 64-bit fingerprints in one Uint32Array of (hi, lo) pairs: the
 * single-threaded explorer's "seen" set, 8 bytes a slot, kept at most 75 % full. The pair (0, 0)
 * marks an empty slot; a real fingerprint of (0, 0) is stored as (0, 1), a collision we accept.
 */
export class FingerprintSet {
  private slots: Uint32Array;
  private mask: number;
  size = 0;

  constructor(capacityLog2 = 20) {
    this.slots = new Uint32Array(2 << capacityLog2);
    this.mask = (1 << capacityLog2) - 1;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Insert; true if the fingerprint was not there yet. */
  add(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    if ((this.size + 1) * 4 > (this.mask + 1) * 3) this.grow();
    let slot = (hi ^ Math.imul(lo, 0x9e3779b1)) & this.mask;
    for (;;) {
      const h = this.slots[slot * 2];
      const l = this.slots[slot * 2 + 1];
      if (h === 0 && l === 0) {
        this.slots[slot * 2] = hi;
        this.slots[slot * 2 + 1] = lo;
        this.size++;
        return true;
      }
      if (h === hi && l === lo) return false;
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const capacity = (this.mask + 1) * 2;
    this.slots = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
    this.size = 0;
    for (let k = 0; k < old.length; k += 2) if (old[k] !== 0 || old[k + 1] !== 0) this.add(old[k], old[k + 1]);
  }
}
