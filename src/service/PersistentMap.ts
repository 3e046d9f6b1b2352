/**
 * An immutable map from strings, as a hash array mapped trie (Bagwell's HAMT): `set` and `delete`
 * return a new map that shares every node but the O(log32 n) on the key's path with the old one.
 * The data tree keeps its nodes in one, so that a txn costs the same on a tree of ten nodes and on
 * one of a million, while every earlier tree stays valid (the leader's speculative tree, tests).
 *
 * Iteration order depends only on the keys (hash order; keys of equal hash in string order), so two
 * maps with equal entries iterate alike however they were built. The fields are private (#) so that
 * structural comparisons (vitest's toEqual) see the entries, not the trie.
 */
export class PersistentMap<V> implements ReadonlyMap<string, V> {
  readonly #root: Branch<V>;
  readonly #size: number;

  private constructor(root: Branch<V>, size: number) {
    this.#root = root;
    this.#size = size;
  }

  static empty<V>(): PersistentMap<V> {
    return new PersistentMap<V>(EMPTY_BRANCH as Branch<V>, 0);
  }

  static from<V>(entries: Iterable<readonly [string, V]>): PersistentMap<V> {
    let map = PersistentMap.empty<V>();
    for (const [key, value] of entries) map = map.set(key, value);
    return map;
  }

  get size(): number {
    return this.#size;
  }

  get(key: string): V | undefined {
    const hash = hashString(key);
    let slot: Slot<V> = this.#root;
    for (let shift = 0; isBranch(slot); shift += BITS) {
      const bitmap = slot[0] as number;
      const bit = 1 << ((hash >>> shift) & MASK);
      if ((bitmap & bit) === 0) return undefined;
      slot = slot[1 + popcount(bitmap & (bit - 1))] as Slot<V>;
    }
    if (slot.kind === LEAF) return slot.key === key ? slot.value : undefined;
    return collisionGet(slot, key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** This map with `key` bound to `value`; this map itself when it already was. */
  set(key: string, value: V): PersistentMap<V> {
    if (value === undefined) throw new TypeError('PersistentMap.set: undefined is not a value (get could not tell it from absent)');
    added = false;
    const root = setIn(this.#root, 0, hashString(key), key, value) as Branch<V>;
    return root === this.#root ? this : new PersistentMap(root, added ? this.#size + 1 : this.#size);
  }

  /** This map without `key`; this map itself when it had none. */
  delete(key: string): PersistentMap<V> {
    const root = deleteIn(this.#root, 0, hashString(key), key);
    if (root === this.#root) return this;
    return new PersistentMap(root === null ? (EMPTY_BRANCH as Branch<V>) : asBranch(root), this.#size - 1);
  }

  *entries(): MapIterator<[string, V]> {
    const cursor = new LeafCursor(this.#root);
    for (let leaf = cursor.next(); leaf !== undefined; leaf = cursor.next()) yield [leaf.key, leaf.value];
  }

  *keys(): MapIterator<string> {
    const cursor = new LeafCursor(this.#root);
    for (let leaf = cursor.next(); leaf !== undefined; leaf = cursor.next()) yield leaf.key;
  }

  *values(): MapIterator<V> {
    const cursor = new LeafCursor(this.#root);
    for (let leaf = cursor.next(); leaf !== undefined; leaf = cursor.next()) yield leaf.value;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    const cursor = new LeafCursor(this.#root);
    for (let leaf = cursor.next(); leaf !== undefined; leaf = cursor.next()) callback.call(thisArg, leaf.value, leaf.key, this);
  }

  get [Symbol.toStringTag](): string {
    return 'PersistentMap';
  }
}

const BITS = 5;
const MASK = (1 << BITS) - 1;
const LEAF = 0;
const COLLISION = 2;

interface Leaf<V> {
  readonly kind: typeof LEAF;
  readonly hash: number;
  readonly key: string;
  readonly value: V;
}

/**
 * One array: the bitmap at index 0, then one slot per set bit of it, in bit order. No object
 * around the array, so that a set copies one object per level rather than two (and a get follows
 * one pointer per level rather than two).
 */
type Branch<V> = readonly (number | Slot<V>)[];

/** Keys whose 32-bit hashes are equal, sorted by key. */
interface Collision<V> {
  readonly kind: typeof COLLISION;
  readonly hash: number;
  readonly leaves: readonly Leaf<V>[];
}

type Slot<V> = Leaf<V> | Branch<V> | Collision<V>;

const EMPTY_BRANCH: Branch<never> = [0];

function isBranch<V>(slot: Slot<V>): slot is Branch<V> {
  return Array.isArray(slot);
}

/** FNV-1a over the UTF-16 code units, then a final avalanche so that the low bits (the first level) mix well. Exported for tests. */
export function hashString(key: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) hash = Math.imul(hash ^ key.charCodeAt(index), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x7feb352d);
  hash ^= hash >>> 15;
  return hash >>> 0;
}

function popcount(bits: number): number {
  let count = bits - ((bits >>> 1) & 0x55555555);
  count = (count & 0x33333333) + ((count >>> 2) & 0x33333333);
  return (Math.imul((count + (count >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/**
 * Whether the last `setIn` added a key rather than replacing a value: `set` keeps the size without
 * an object per call. Module state is safe here because `setIn` calls nothing that could re-enter it.
 */
let added = false;

function leafOf<V>(hash: number, key: string, value: V): Leaf<V> {
  return { kind: LEAF, hash, key, value };
}

/** The slot with `key` bound to `value`: the same slot when it already was, so that no-op sets allocate nothing. */
function setIn<V>(slot: Slot<V>, shift: number, hash: number, key: string, value: V): Slot<V> {
  if (isBranch(slot)) {
    const bitmap = slot[0] as number;
    const bit = 1 << ((hash >>> shift) & MASK);
    const index = 1 + popcount(bitmap & (bit - 1));
    if ((bitmap & bit) === 0) {
      added = true;
      const inserted = insertedAt(slot, index, leafOf(hash, key, value));
      inserted[0] = bitmap | bit;
      return inserted;
    }
    const child = slot[index] as Slot<V>;
    const updated = setIn(child, shift + BITS, hash, key, value);
    return updated === child ? slot : replacedAt(slot, index, updated);
  }
  switch (slot.kind) {
    case LEAF:
      if (slot.key === key) return slot.value === value ? slot : leafOf(hash, key, value);
      added = true;
      return merge(slot, leafOf(hash, key, value), shift);
    case COLLISION: {
      if (slot.hash !== hash) {
        added = true;
        return merge(slot, leafOf(hash, key, value), shift);
      }
      const leaves = slot.leaves;
      let index = 0;
      while (index < leaves.length && leaves[index].key < key) index++;
      if (index < leaves.length && leaves[index].key === key) {
        return leaves[index].value === value ? slot : { kind: COLLISION, hash, leaves: replacedAt(leaves, index, leafOf(hash, key, value)) };
      }
      added = true;
      return { kind: COLLISION, hash, leaves: insertedAt(leaves, index, leafOf(hash, key, value)) };
    }
  }
}

function collisionGet<V>(collision: Collision<V>, key: string): V | undefined {
  const leaves = collision.leaves;
  for (let index = 0; index < leaves.length; index++) if (leaves[index].key === key) return leaves[index].value;
  return undefined;
}

/** A copy of `items` with `item` at `index`, built in one pass (slice then splice copies twice). */
function insertedAt<T>(items: readonly T[], index: number, item: T): T[] {
  const result = new Array<T>(items.length + 1);
  for (let position = 0; position < index; position++) result[position] = items[position];
  result[index] = item;
  for (let position = index; position < items.length; position++) result[position + 1] = items[position];
  return result;
}

function replacedAt<T>(items: readonly T[], index: number, item: T): T[] {
  const result = items.slice();
  result[index] = item;
  return result;
}

function removedAt<T>(items: readonly T[], index: number): T[] {
  const result = new Array<T>(items.length - 1);
  for (let position = 0; position < index; position++) result[position] = items[position];
  for (let position = index + 1; position < items.length; position++) result[position - 1] = items[position];
  return result;
}

/** The smallest subtree below level `shift` holding two slots of different keys. */
function merge<V>(existing: Leaf<V> | Collision<V>, leaf: Leaf<V>, shift: number): Slot<V> {
  if (existing.hash === leaf.hash) {
    const leaves = existing.kind === LEAF ? [existing, leaf] : [...existing.leaves, leaf];
    return { kind: COLLISION, hash: leaf.hash, leaves: leaves.sort((a, b) => (a.key < b.key ? -1 : 1)) };
  }
  const existingIndex = (existing.hash >>> shift) & MASK;
  const leafIndex = (leaf.hash >>> shift) & MASK;
  if (existingIndex === leafIndex) {
    return [1 << leafIndex, merge(existing, leaf, shift + BITS)];
  }
  const bitmap = (1 << existingIndex) | (1 << leafIndex);
  return existingIndex < leafIndex ? [bitmap, existing, leaf] : [bitmap, leaf, existing];
}

/** The slot without `key`: the same slot when absent, null when nothing is left. */
function deleteIn<V>(slot: Slot<V>, shift: number, hash: number, key: string): Slot<V> | null {
  if (isBranch(slot)) {
    const bitmap = slot[0] as number;
    const bit = 1 << ((hash >>> shift) & MASK);
    if ((bitmap & bit) === 0) return slot;
    const index = 1 + popcount(bitmap & (bit - 1));
    const child = slot[index] as Slot<V>;
    const updated = deleteIn(child, shift + BITS, hash, key);
    if (updated === child) return slot;
    if (updated === null) {
      if (slot.length === 2) return null;
      const removed = removedAt(slot, index);
      removed[0] = bitmap & ~bit;
      // A branch left with one leaf (or collision) gives it to its parent: the trie stays minimal.
      const only = removed[1] as Slot<V>;
      if (removed.length === 2 && !isBranch(only) && shift > 0) return only;
      return removed;
    }
    if (slot.length === 2 && !isBranch(updated) && shift > 0) return updated;
    return replacedAt(slot, index, updated);
  }
  switch (slot.kind) {
    case LEAF:
      return slot.key === key ? null : slot;
    case COLLISION: {
      const leaves = slot.leaves.filter((leaf) => leaf.key !== key);
      if (leaves.length === slot.leaves.length) return slot;
      return leaves.length === 1 ? leaves[0] : { kind: COLLISION, hash: slot.hash, leaves };
    }
  }
}

/** The root is always a branch; a lone leaf or collision left at the top goes back under one. */
function asBranch<V>(slot: Slot<V>): Branch<V> {
  return isBranch(slot) ? slot : [1 << (slot.hash & MASK), slot];
}

/**
 * Walks the leaves in trie order (depth first, slots in bit order, collisions in key order) with an
 * explicit stack: recursive generators (yield* per level) resume every enclosing generator and
 * allocate a result object per level for each leaf.
 */
class LeafCursor<V> {
  /** The branches and collisions' leaf arrays being walked, outermost first, and the next position in each. */
  readonly #arrays: (Branch<V> | readonly Leaf<V>[])[];
  readonly #positions: number[];

  constructor(root: Branch<V>) {
    this.#arrays = [root];
    this.#positions = [1];
  }

  /** The next leaf, or undefined after the last. */
  next(): Leaf<V> | undefined {
    const arrays = this.#arrays;
    const positions = this.#positions;
    while (arrays.length > 0) {
      const top = arrays.length - 1;
      const slots = arrays[top];
      const position = positions[top];
      if (position === slots.length) {
        arrays.pop();
        positions.pop();
        continue;
      }
      positions[top] = position + 1;
      const slot = slots[position] as Slot<V>;
      if (isBranch(slot)) {
        arrays.push(slot);
        positions.push(1);
      } else if (slot.kind === LEAF) {
        return slot;
      } else {
        arrays.push(slot.leaves);
        positions.push(0);
      }
    }
    return undefined;
  }
}
