import { RunList } from './RunList.js';

/**
 * A list in a server's variables that can grow without bound (the log and a leader's acks): a
 * plain array in the model, a RunList in a running server. The functions below change one
 * and return the same representation, so a server started with run lists keeps them.
 */
export type Seq<T> = readonly T[] | RunList<T>;

/** Whether `list` is a running server's run list (else the model's array). */
export function isRunList<T>(list: Seq<T>): list is RunList<T> {
  return list instanceof RunList;
}

/** `list` with `items` appended. */
export function appended<T>(list: Seq<T>, items: readonly T[]): Seq<T> {
  return isRunList(list) ? list.append(items) : [...list, ...items];
}

/** The first `length` items of `list`. */
export function prefixOf<T>(list: Seq<T>, length: number): Seq<T> {
  return isRunList(list) ? list.prefix(length) : list.slice(0, length);
}

/** `list` with the item at `index` replaced by `value`. */
export function withItem<T>(list: Seq<T>, index: number, value: T): Seq<T> {
  if (index < 0 || index >= list.length) throw new RangeError(`withItem: index ${index} outside a list of ${list.length}`);
  if (isRunList(list)) return list.fill(value, index, index + 1);
  const copy = list.slice();
  copy[index] = value;
  return copy;
}

/** `list` with the items from `start` up to `end` (exclusive) replaced by `value`. */
export function filled<T>(list: Seq<T>, value: T, start: number, end: number): Seq<T> {
  if (isRunList(list)) return list.fill(value, start, end);
  const copy = list.slice();
  copy.fill(value, start, end);
  return copy;
}

/** `items`, in the representation of `like`. */
export function sameKindAs<T>(like: Seq<T>, items: readonly T[]): Seq<T> {
  return isRunList(like) ? like.like(items) : items;
}

/** The items of `list` as an array: free for the model's arrays, a copy for a run list. */
export function asArray<T>(list: Seq<T>): readonly T[] {
  return isRunList(list) ? list.slice() : list;
}
