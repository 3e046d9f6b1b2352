/**
 * JSON with two tagged types, so that Txns and snapshots are self-describing text: a bigint is
 * `{"$n":"123"}` and a byte array is `{"$b":"<base64>"}`. No value of the service types is an object
 * with exactly one of these keys, so the tags cannot be confused with data.
 */
export function toTaggedJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return { $n: item.toString() };
    if (item instanceof Uint8Array) return { $b: Buffer.from(item.buffer, item.byteOffset, item.byteLength).toString('base64') };
    if (item instanceof Set || item instanceof Map) throw new TypeError('toTaggedJson: convert Sets and Maps to arrays first');
    return item;
  });
}

export function fromTaggedJson(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const keys = Object.keys(item);
    if (keys.length !== 1) return item;
    const tagged = item as { $n?: unknown; $b?: unknown };
    if (typeof tagged.$n === 'string') return BigInt(tagged.$n);
    if (typeof tagged.$b === 'string') return new Uint8Array(Buffer.from(tagged.$b, 'base64'));
    return item;
  });
}
