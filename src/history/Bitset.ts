/**
 * A fixed-size set of small non-negative integers, used by the linearizability search to record
 * which operations are already linearized. Its `key()` is an exact string identity, so two bitsets
 * with the same members have the same key (the memoization cache relies on this).
 */
export class Bitset {
  private readonly words: Uint32Array;

  constructor(readonly size: number, words?: Uint32Array) {
    if (!Number.isInteger(size) || size < 0) {
      throw new Error(`Bitset: size must be a non-negative integer, got ${size}`);
    }
    const wordCount = Math.ceil(size / 32);
    if (words !== undefined && words.length !== wordCount) {
      throw new Error(`Bitset: expected ${wordCount} words, got ${words.length}`);
    }
    this.words = words ?? new Uint32Array(wordCount);
  }

  has(index: number): boolean {
    this.assertIndex(index);
    return (this.words[index >>> 5] & (1 << (index & 31))) !== 0;
  }

  set(index: number): void {
    this.assertIndex(index);
    this.words[index >>> 5] |= 1 << (index & 31);
  }

  clear(index: number): void {
    this.assertIndex(index);
    this.words[index >>> 5] &= ~(1 << (index & 31));
  }

  clone(): Bitset {
    return new Bitset(this.size, this.words.slice());
  }

  /** Number of members. */
  count(): number {
    let total = 0;
    for (const word of this.words) {
      let value = word;
      while (value !== 0) {
        value &= value - 1;
        total += 1;
      }
    }
    return total;
  }

  /** An exact identity for the member set: equal keys if and only if equal sets of the same size. */
  key(): string {
    let text = '';
    for (const word of this.words) text += word.toString(36) + '.';
    return text;
  }

  private assertIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new Error(`Bitset: index ${index} outside [0, ${this.size})`);
    }
  }
}
