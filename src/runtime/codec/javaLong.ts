/**
 * zabstate keeps zxids and session ids as unsigned 64-bit bigints; ZooKeeper's jute writes them as
 * Java longs. They differ from 2^63 up, which a server with myid 128 or more reaches: its session
 * ids carry the myid in the high byte. These convert at every boundary that writes or reads one.
 */

const TWO_64 = 1n << 64n;
/** A container's ephemeralOwner: Java's Long.MIN_VALUE, the same bits either way. */
const LONG_MIN = -(1n << 63n);

/** The Java long with the bits of an unsigned 64-bit value; a RangeError for anything else. */
export function toJavaLong(value: unknown): bigint {
  if (typeof value !== 'bigint' || value < 0n || value >= TWO_64) throw new RangeError(`${String(value)} is not an unsigned 64-bit value`);
  return BigInt.asIntN(64, value);
}

/** The unsigned value a Java long's bits stand for. */
export function fromJavaLong(bits: bigint): bigint {
  return BigInt.asUintN(64, bits);
}

/** An ephemeralOwner as ZooKeeper holds it: 0, a session id, or a container's Long.MIN_VALUE as itself. */
export function ownerToJavaLong(owner: bigint): bigint {
  return owner === LONG_MIN ? owner : toJavaLong(owner);
}

/** The owner a Java long stands for (a session id is never exactly 2^63: ids count from 1 under each myid). */
export function ownerFromJavaLong(bits: bigint): bigint {
  return bits === LONG_MIN ? bits : fromJavaLong(bits);
}
