import { PersistentMap } from './PersistentMap.js';

/**
 * An immutable map keyed by 64-bit ids (session ids): the tree's sessions and ephemerals index and
 * the leader's session tracker change one session at a time, and copying a Map of every session for
 * each change made a thousand sessions cost seconds (10k sessions: 13 s to create them, and 12 s of
 * every 2 s tick to touch them, measured). A PersistentMap under the ids' base-36 text; each entry
 * keeps its id, so that iterating makes no BigInt. Equal entries make equal maps whatever their
 * history (the field is private, so structural comparisons see the entries).
 */
export class PersistentIdMap<V> implements ReadonlyMap<bigint, V> {
  static readonly #EMPTY = new PersistentIdMap<never>(PersistentMap.empty());
  readonly #entries: PersistentMap<readonly [bigint, V]>;

  private constructor(entries: PersistentMap<readonly [bigint, V]>) {
    this.#entries = entries;
  }

  static empty<V>(): PersistentIdMap<V> {
    return PersistentIdMap.#EMPTY;
  }

  /** `entries` as a PersistentIdMap (itself when it is one). */
  static from<V>(entries: Iterable<readonly [bigint, V]>): PersistentIdMap<V> {
    if (entries instanceof PersistentIdMap) return entries as PersistentIdMap<V>;
    let map = PersistentIdMap.empty<V>();
    for (const [id, value] of entries) map = map.set(id, value);
    return map;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(id: bigint): V | undefined {
    return this.#entries.get(keyOf(id))?.[1];
  }

  has(id: bigint): boolean {
    return this.#entries.has(keyOf(id));
  }

  set(id: bigint, value: V): PersistentIdMap<V> {
    return new PersistentIdMap(this.#entries.set(keyOf(id), [id, value]));
  }

  delete(id: bigint): PersistentIdMap<V> {
    const entries = this.#entries.delete(keyOf(id));
    return entries === this.#entries ? this : new PersistentIdMap(entries);
  }

  *entries(): MapIterator<[bigint, V]> {
    for (const entry of this.#entries.values()) yield [entry[0], entry[1]];
  }

  *keys(): MapIterator<bigint> {
    for (const entry of this.#entries.values()) yield entry[0];
  }

  *values(): MapIterator<V> {
    for (const entry of this.#entries.values()) yield entry[1];
  }

  [Symbol.iterator](): MapIterator<[bigint, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: bigint, map: ReadonlyMap<bigint, V>) => void, thisArg?: unknown): void {
    for (const [id, value] of this.entries()) callback.call(thisArg, value, id, this);
  }

  get [Symbol.toStringTag](): string {
    return 'PersistentIdMap';
  }
}

function keyOf(id: bigint): string {
  return id.toString(36);
}
