/**
 * An immutable list that a running server's log (and a leader's acks) can grow in without being
 * copied. Items live in full chunks (of `chunkSize`, fixed per list and inherited by the lists
 * made from it), shared between versions, and a short tail:
 * appending copies the tail (or, when it is full, the array of chunk references), never the
 * items. The chunking is canonical (every chunk but the tail is full), so two lists with the same
 * items have the same shape.
 *
 * The model checker's logs hold a handful of txns and stay plain arrays; `Seq` (the functions the
 * chart's actions use) keeps each list in the representation it was given.
 */
export class ChunkedList<T> implements Iterable<T> {
  /** Large enough that the chunk references of a million txns copy in microseconds; small enough that a tail does too. */
  static readonly CHUNK_SIZE_DEFAULT = 256;
  readonly length: number;

  private readonly chunks: readonly (readonly T[])[];
  private readonly tail: readonly T[];

  private constructor(
    private readonly chunkSize: number,
    chunks: readonly (readonly T[])[],
    tail: readonly T[],
  ) {
    // Canonical: a full tail becomes a chunk, so equal lists have equal shapes.
    if (tail.length === chunkSize) {
      chunks = [...chunks, tail];
      tail = [];
    }
    if (tail.length > chunkSize) throw new Error(`ChunkedList: a tail of ${tail.length} exceeds the chunk size ${chunkSize}`);
    this.chunks = chunks;
    this.tail = tail;
    this.length = chunks.length * chunkSize + tail.length;
  }

  /** A list of `items`; tests choose a small `chunkSize` to cross chunk boundaries often. */
  static of<T>(items: Iterable<T>, chunkSize = ChunkedList.CHUNK_SIZE_DEFAULT): ChunkedList<T> {
    if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`ChunkedList: chunk size ${chunkSize} is not a positive integer`);
    const all = Array.from(items);
    const full = Math.floor(all.length / chunkSize);
    const chunks: T[][] = [];
    for (let index = 0; index < full; index++) chunks.push(all.slice(index * chunkSize, (index + 1) * chunkSize));
    return new ChunkedList(chunkSize, chunks, all.slice(full * chunkSize));
  }

  /** A list of `items` with this one's chunk size. */
  like<U>(items: Iterable<U>): ChunkedList<U> {
    return ChunkedList.of(items, this.chunkSize);
  }

  /** The item at `index` (negative counts from the end, as Array.prototype.at), or undefined outside the list. */
  at(index: number): T | undefined {
    if (index < 0) index += this.length;
    if (index < 0 || index >= this.length) return undefined;
    const chunk = Math.floor(index / this.chunkSize);
    return chunk < this.chunks.length ? this.chunks[chunk][index % this.chunkSize] : this.tail[index - this.chunks.length * this.chunkSize];
  }

  /** The list with `items` appended. */
  append(...items: readonly T[]): ChunkedList<T> {
    let chunks = this.chunks;
    let tail = this.tail;
    let added = 0;
    while (added < items.length) {
      if (tail.length === this.chunkSize) {
        chunks = [...chunks, tail];
        tail = [];
      }
      const take = Math.min(this.chunkSize - tail.length, items.length - added);
      tail = [...tail, ...items.slice(added, added + take)];
      added += take;
    }
    return added === 0 ? this : new ChunkedList(this.chunkSize, chunks, tail);
  }

  /** The first `length` items (all of them if the list is shorter). */
  prefix(length: number): ChunkedList<T> {
    if (length >= this.length) return this;
    const keep = Math.max(0, length);
    const full = Math.floor(keep / this.chunkSize);
    const rest = keep % this.chunkSize;
    const tail = full < this.chunks.length ? this.chunks[full].slice(0, rest) : this.tail.slice(0, rest);
    return new ChunkedList(this.chunkSize, this.chunks.slice(0, full), tail);
  }

  /** The list with the items at `start` up to `end` (exclusive) replaced by `value`. */
  fill(value: T, start: number, end: number): ChunkedList<T> {
    const from = this.position(start);
    const to = this.position(end);
    if (from >= to) return this;
    const chunks = this.chunks.slice();
    let tail = this.tail;
    const size = this.chunkSize;
    for (let chunk = Math.floor(from / size); chunk * size < to; chunk++) {
      const low = Math.max(from, chunk * size) - chunk * size;
      const high = Math.min(to, (chunk + 1) * size) - chunk * size;
      const items = (chunk < chunks.length ? chunks[chunk] : tail).slice();
      items.fill(value, low, high);
      if (chunk < chunks.length) chunks[chunk] = items;
      else tail = items;
    }
    return new ChunkedList(this.chunkSize, chunks, tail);
  }

  /** The items from `start` up to `end` (exclusive), as Array.prototype.slice takes them. */
  slice(start = 0, end = this.length): T[] {
    const from = this.position(start);
    const to = this.position(end);
    const out: T[] = [];
    for (let index = from; index < to; index++) out.push(this.at(index) as T);
    return out;
  }

  /** An index as Array.prototype.slice and fill read it: negative counts from the end; clamped to the list. */
  private position(index: number): number {
    return index < 0 ? Math.max(0, this.length + index) : Math.min(index, this.length);
  }

  /** The items in order. */
  *[Symbol.iterator](): Iterator<T> {
    for (const chunk of this.chunks) yield* chunk;
    yield* this.tail;
  }

  /** Serialized as the array it stands for. */
  toJSON(): T[] {
    return this.slice();
  }
}
