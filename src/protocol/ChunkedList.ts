/**
 * An immutable list that a running server's log (and a leader's acks) can grow in and be updated
 * in without being copied: a persistent vector (Clojure's, after Bagwell). Items live in a trie of
 * full chunks of `chunkSize` items, `chunkSize` children per inner node, shared between versions,
 * and a tail of the last `length % chunkSize` items. Appending adds to the tail, in place when no
 * other version has added to the same tail array (each version reads only its own `length` of it,
 * so what a later version pushes is invisible to earlier ones); a full tail joins the trie. Updating
 * an item copies the tail or one path of the trie, never the whole list.
 * Equal items make equal lists whatever the history of the versions: the fields are private (#),
 * so structural comparisons (vitest's toEqual) see the items.
 *
 * The model checker's logs hold a handful of txns and stay plain arrays; `Seq` (the functions the
 * chart's actions use) keeps each list in the representation it was given.
 */
export class ChunkedList<T> implements Iterable<T> {
  /** Copies of 32 references (a tail, a trie node) take tens of nanoseconds; a million txns are four levels deep. */
  static readonly CHUNK_SIZE_DEFAULT = 32;
  readonly length: number;

  readonly #chunkSize: number;
  /** Null when no chunk is full; else a chunk (height 1) or an inner node of `#height` levels. */
  readonly #root: Node<T> | null;
  readonly #height: number;
  /** The tail's items are its first `length % chunkSize`; later versions may have pushed more. */
  readonly #tail: T[];

  private constructor(chunkSize: number, root: Node<T> | null, height: number, tail: T[], length: number) {
    this.#chunkSize = chunkSize;
    this.#root = root;
    this.#height = height;
    this.#tail = tail;
    this.length = length;
  }

  /** A list of `items`; tests choose a small `chunkSize` to cross chunk and level boundaries often. */
  static of<T>(items: Iterable<T>, chunkSize = ChunkedList.CHUNK_SIZE_DEFAULT): ChunkedList<T> {
    if (!Number.isInteger(chunkSize) || chunkSize < 2) throw new RangeError(`ChunkedList: chunk size ${chunkSize} is not an integer of at least 2`);
    return new ChunkedList<T>(chunkSize, null, 0, [], 0).append(items);
  }

  /** A list of `items` with this one's chunk size. */
  like<U>(items: Iterable<U>): ChunkedList<U> {
    return ChunkedList.of(items, this.#chunkSize);
  }

  /** The item at `index` (negative counts from the end, as Array.prototype.at), or undefined outside the list. */
  at(index: number): T | undefined {
    if (index < 0) index += this.length;
    if (index < 0 || index >= this.length) return undefined;
    const inTrie = this.length - this.tailLength;
    if (index >= inTrie) return this.#tail[index - inTrie];
    let node = this.#root as Node<T>;
    for (let span = this.#chunkSize ** (this.#height - 1); span > 1; span /= this.#chunkSize) {
      node = (node as Node<T>[])[Math.floor(index / span)];
      index %= span;
    }
    return (node as T[])[index];
  }

  /** The list with every item of `items` appended (an iterable, not arguments: a recovered log holds millions). */
  append(items: Iterable<T>): ChunkedList<T> {
    const size = this.#chunkSize;
    let root = this.#root;
    let height = this.#height;
    let tail = this.#tail;
    let length = this.length;
    let owned = false;
    for (const item of items) {
      // Only the version that ends where the array ends may push onto it.
      if (!owned && tail.length !== this.tailLength) tail = tail.slice(0, this.tailLength);
      owned = true;
      tail.push(item);
      length += 1;
      if (tail.length === size) {
        [root, height] = withChunk(root, height, length - size, tail, size);
        tail = [];
      }
    }
    return length === this.length ? this : new ChunkedList(size, root, height, tail, length);
  }

  /** The first `length` items (all of them if the list is shorter). */
  prefix(length: number): ChunkedList<T> {
    if (length >= this.length) return this;
    const size = this.#chunkSize;
    const keep = Math.max(0, length);
    const inTrie = keep - (keep % size);
    const tail = inTrie < this.length - this.tailLength
      ? this.chunkAt(inTrie).slice(0, keep % size)
      : this.#tail.slice(0, keep % size);
    const [root, height] = truncated(this.#root, this.#height, inTrie, size);
    return new ChunkedList(size, root, height, tail, keep);
  }

  /** The list with the items at `start` up to `end` (exclusive) replaced by `value`. */
  fill(value: T, start: number, end: number): ChunkedList<T> {
    const from = this.position(start);
    const to = this.position(end);
    if (from >= to) return this;
    const inTrie = this.length - this.tailLength;
    let tail = this.#tail;
    if (to > inTrie) {
      tail = tail.slice(0, this.tailLength);
      tail.fill(value, Math.max(0, from - inTrie), to - inTrie);
    }
    const root = from < inTrie ? filledNode(this.#root as Node<T>, this.#height, 0, from, Math.min(to, inTrie), value, this.#chunkSize) : this.#root;
    return new ChunkedList(this.#chunkSize, root, this.#height, tail, this.length);
  }

  /** The items from `start` up to `end` (exclusive), as Array.prototype.slice takes them. */
  slice(start = 0, end = this.length): T[] {
    const from = this.position(start);
    const to = this.position(end);
    const out: T[] = [];
    for (let index = from; index < to; index++) out.push(this.at(index) as T);
    return out;
  }

  /** The items in order. */
  *[Symbol.iterator](): Iterator<T> {
    if (this.#root !== null) yield* itemsOf(this.#root, this.#height);
    for (let index = 0; index < this.tailLength; index++) yield this.#tail[index];
  }

  /** Serialized as the array it stands for. */
  toJSON(): T[] {
    return this.slice();
  }

  private get tailLength(): number {
    return this.length % this.#chunkSize;
  }

  /** The full chunk holding the item at `index`, which is in the trie. */
  private chunkAt(index: number): readonly T[] {
    let node = this.#root as Node<T>;
    for (let span = this.#chunkSize ** (this.#height - 1); span > 1; span /= this.#chunkSize) {
      node = (node as Node<T>[])[Math.floor(index / span)];
      index %= span;
    }
    return node as T[];
  }

  /** An index as Array.prototype.slice and fill read it: negative counts from the end; clamped to the list. */
  private position(index: number): number {
    return index < 0 ? Math.max(0, this.length + index) : Math.min(index, this.length);
  }
}

/** A chunk of items (height 1) or an inner node whose children are one level lower. */
type Node<T> = readonly T[] | readonly Node<T>[];

/** The trie with a full chunk added at item `at` (the number of items it holds). */
function withChunk<T>(root: Node<T> | null, height: number, at: number, chunk: readonly T[], size: number): [Node<T>, number] {
  if (root === null) return [chunk, 1];
  if (at === size ** height) return [[root, pathTo(chunk, height)], height + 1];
  return [insertChunk(root, height, at, chunk, size), height];
}

function insertChunk<T>(node: Node<T>, height: number, at: number, chunk: readonly T[], size: number): Node<T> {
  const span = size ** (height - 1);
  const index = Math.floor(at / span);
  const children = (node as Node<T>[]).slice();
  children[index] = index < node.length ? insertChunk(children[index], height - 1, at - index * span, chunk, size) : pathTo(chunk, height - 1);
  return children;
}

/** The chunk under single-child nodes down from `height`. */
function pathTo<T>(chunk: readonly T[], height: number): Node<T> {
  return height === 1 ? chunk : [pathTo(chunk, height - 1)];
}

/** The trie of its first `count` items (a multiple of the chunk size), as low as it fits. */
function truncated<T>(root: Node<T> | null, height: number, count: number, size: number): [Node<T> | null, number] {
  if (root === null || count === 0) return [null, 0];
  let node = root;
  while (height > 1 && count <= size ** (height - 1)) {
    node = (node as Node<T>[])[0];
    height -= 1;
  }
  return [keepFirst(node, height, count, size), height];
}

function keepFirst<T>(node: Node<T>, height: number, count: number, size: number): Node<T> {
  if (height === 1) return node;
  const span = size ** (height - 1);
  const full = Math.floor(count / span);
  const children = (node as Node<T>[]).slice(0, full);
  if (count % span !== 0) children.push(keepFirst((node as Node<T>[])[full], height - 1, count % span, size));
  return children;
}

/** `node` (holding items from `offset`) with the items in [from, to) replaced by `value`. */
function filledNode<T>(node: Node<T>, height: number, offset: number, from: number, to: number, value: T, size: number): Node<T> {
  if (height === 1) {
    const items = (node as T[]).slice();
    items.fill(value, Math.max(0, from - offset), Math.min(size, to - offset));
    return items;
  }
  const span = size ** (height - 1);
  const children = (node as Node<T>[]).slice();
  for (let index = Math.max(0, Math.floor((from - offset) / span)); index < children.length && offset + index * span < to; index++) {
    children[index] = filledNode(children[index], height - 1, offset + index * span, from, to, value, size);
  }
  return children;
}

function* itemsOf<T>(node: Node<T>, height: number): Generator<T> {
  if (height === 1) {
    yield* node as T[];
    return;
  }
  for (const child of node as Node<T>[]) yield* itemsOf(child, height - 1);
}
