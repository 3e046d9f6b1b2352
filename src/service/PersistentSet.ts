import { PersistentMap } from './PersistentMap.js';

/**
 * An immutable set of strings on a PersistentMap: a node's child names, so that creating the
 * thousandth child of a node does not copy the other 999. Iterates in an order that depends only
 * on the members (callers that show children sort them).
 */
export class PersistentSet implements ReadonlySet<string> {
  readonly #members: PersistentMap<true>;

  private constructor(members: PersistentMap<true>) {
    this.#members = members;
  }

  static readonly EMPTY = new PersistentSet(PersistentMap.empty<true>());

  /** The set itself when it already is persistent, else a persistent copy. */
  static from(members: Iterable<string>): PersistentSet {
    if (members instanceof PersistentSet) return members;
    let set = PersistentSet.EMPTY;
    for (const member of members) set = set.add(member);
    return set;
  }

  get size(): number {
    return this.#members.size;
  }

  has(member: string): boolean {
    return this.#members.has(member);
  }

  add(member: string): PersistentSet {
    const members = this.#members.set(member, true);
    return members === this.#members ? this : new PersistentSet(members);
  }

  delete(member: string): PersistentSet {
    const members = this.#members.delete(member);
    return members === this.#members ? this : new PersistentSet(members);
  }

  values(): SetIterator<string> {
    return this.#members.keys();
  }

  keys(): SetIterator<string> {
    return this.values();
  }

  *entries(): SetIterator<[string, string]> {
    for (const member of this.#members.keys()) yield [member, member];
  }

  [Symbol.iterator](): SetIterator<string> {
    return this.values();
  }

  forEach(callback: (value: string, key: string, set: ReadonlySet<string>) => void, thisArg?: unknown): void {
    for (const member of this.#members.keys()) callback.call(thisArg, member, member, this);
  }

  get [Symbol.toStringTag](): string {
    return 'PersistentSet';
  }
}
