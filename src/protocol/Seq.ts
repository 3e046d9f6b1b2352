import { ChunkedList } from './ChunkedList.js';

/**
 * A list in a server's variables that can grow without bound (the log and a leader's acks): a
 * plain array in the model, a ChunkedList in a running server. The functions below change one
 * and return the same representation, so a server started with chunked lists keeps them.
 */
export type Seq<T> = readonly T[] | ChunkedList<T>;

/** Whether `list` is a running server's chunked list (else the model's array). */
export function isChunked<T>(list: Seq<T>): list is ChunkedList<T> {
  return list instanceof ChunkedList;
}

/** `list` with `items` appended. */
export function appended<T>(list: Seq<T>, items: readonly T[]): Seq<T> {
  return isChunked(list) ? list.append(items) : [...list, ...items];
}

/** The first `length` items of `list`. */
export function prefixOf<T>(list: Seq<T>, length: number): Seq<T> {
  return isChunked(list) ? list.prefix(length) : list.slice(0, length);
}

/** `list` with the item at `index` replaced by `value`. */
export function withItem<T>(list: Seq<T>, index: number, value: T): Seq<T> {
  if (index < 0 || index >= list.length) throw new RangeError(`withItem: index ${index} outside a list of ${list.length}`);
  if (isChunked(list)) return list.fill(value, index, index + 1);
  const copy = list.slice();
  copy[index] = value;
  return copy;
}

/** `list` with the items from `start` up to `end` (exclusive) replaced by `value`. */
export function filled<T>(list: Seq<T>, value: T, start: number, end: number): Seq<T> {
  if (isChunked(list)) return list.fill(value, start, end);
  const copy = list.slice();
  copy.fill(value, start, end);
  return copy;
}

/** `items`, in the representation of `like`. */
export function sameKindAs<T>(like: Seq<unknown>, items: readonly T[]): Seq<T> {
  return isChunked(like) ? like.like(items) : items;
}

/** The items of `list` as an array: free for the model's arrays, a copy for a chunked list. */
export function asArray<T>(list: Seq<T>): readonly T[] {
  return isChunked(list) ? list.slice() : list;
}
