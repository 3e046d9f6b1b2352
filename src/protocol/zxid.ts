/**
 * A zxid is (epoch, counter): epoch in the high 32 bits, a per-epoch counter in the low 32 bits.
 * The model keeps the two halves apart so that TLA+ (`<<e, c>>`) and TypeScript read alike.
 */
export interface Zxid {
  readonly epoch: number;
  readonly counter: number;
}

/** The zxid of an empty history. */
export const ZXID_ZERO: Zxid = Object.freeze({ epoch: 0, counter: 0 });

/** Lexicographic order on (epoch, counter): negative, zero or positive. */
export function compareZxid(a: Zxid, b: Zxid): number {
  return a.epoch !== b.epoch ? a.epoch - b.epoch : a.counter - b.counter;
}

/** Same epoch and same counter. */
export function zxidEquals(a: Zxid, b: Zxid): boolean {
  return a.epoch === b.epoch && a.counter === b.counter;
}

/** The 64-bit wire form, for logs and the real ensemble. */
export function zxidToBigInt(z: Zxid): bigint {
  return (BigInt(z.epoch) << 32n) | BigInt(z.counter);
}

/** ZooKeeper's hexadecimal form, e.g. 0x100000002. */
export function formatZxid(z: Zxid): string {
  return `0x${z.epoch.toString(16)}${z.counter.toString(16).padStart(8, '0')}`;
}
