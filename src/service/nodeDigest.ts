import type { ZNode } from './ZNode.js';

/**
 * A 64-bit hash of one node: its path, every stat field, its access list and its data. The tree's
 * digest is the sum of these modulo 2^64 (as in ZooKeeper 3.6's DigestCalculator), so it can be kept
 * incrementally and does not depend on the order in which nodes were added.
 * Two 32-bit lanes (FNV-1a and a multiply-xorshift) keep it fast without BigInt per byte.
 *
 * The hash is defined over text: the path, then the stat fields in decimal joined by ",", then the
 * access list as "perms:scheme:id" entries joined by ",", each followed by a separator, then the
 * data bytes and their count. The code units are fed to the lanes as they are produced, without
 * building the strings (a write hashes two or three nodes; the strings were most of its garbage).
 */
export function nodeDigest(path: string, node: ZNode): bigint {
  hashNode(path, node);
  return (BigInt(result[0]) << 32n) | BigInt(result[1]);
}

/**
 * A 64-bit digest as two unsigned 32-bit halves, so that a draft can keep the tree's sum without a
 * BigInt per change. Mutable, owned by whoever made it.
 */
export interface DigestParts {
  high: number;
  low: number;
}

/** Adds `sign` (1 or -1) times the node's digest to `sum`, modulo 2^64. */
export function addNodeDigest(sum: DigestParts, path: string, node: ZNode, sign: 1 | -1): void {
  hashNode(path, node);
  const low = sum.low + sign * result[1];
  // `low` is in (-2^32, 2^33): the carry (or borrow) moves into the high half.
  const carry = Math.floor(low / 0x1_0000_0000);
  sum.low = low - carry * 0x1_0000_0000;
  sum.high = (sum.high + sign * result[0] + carry) >>> 0;
}

export function digestToParts(digest: bigint): DigestParts {
  return { high: Number(BigInt.asUintN(64, digest) >> 32n), low: Number(BigInt.asUintN(32, digest)) };
}

export function digestFromParts(parts: DigestParts): bigint {
  return (BigInt(parts.high) << 32n) | BigInt(parts.low);
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const MIX_SEED = 0x9e3779b9;
const MIX_PRIME = 0x85ebca6b;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
/** Ends a string: no UTF-16 code unit can equal it, so "ab"+"c" differs from "a"+"bc". */
const STRING_END = 0x1_0000;
/** Added to the byte count that ends the data. */
const BYTES_END = 0x2_0000;

/**
 * The code units of the node being hashed before its data, written into a reusable buffer and then
 * hashed in one loop whose lanes are locals: kept in object fields, V8 boxes every lane update that
 * leaves the small-integer range, several times slower. One hash runs at a time (hashing never re-enters).
 */
class UnitWriter {
  units = new Int32Array(256);
  length = 0;
  /** The last bigint written other than 0 (0 itself before the first), and its text (the sign and at most 20 digits). */
  private lastBigint = 0n;
  private readonly lastBigintUnits = new Int32Array(21);
  private lastBigintLength = 0;

  unit(unit: number): void {
    if (this.length === this.units.length) this.grow();
    this.units[this.length++] = unit;
  }

  text(text: string): void {
    for (let index = 0; index < text.length; index++) this.unit(text.charCodeAt(index));
  }

  /** The decimal text of an integer-valued field, as String() writes it. */
  number(value: number): void {
    if (!Number.isSafeInteger(value)) {
      this.text(String(value));
      return;
    }
    if (value < 0) {
      this.unit(MINUS);
      value = -value;
    }
    if (value < BILLION) {
      this.digits(value, 1);
      return;
    }
    // Above 10^9 (zxids, times) in two int32 parts, so that the digit loop stays in integer arithmetic.
    const high = Math.floor(value / BILLION);
    this.digits(high, 1);
    this.digits(value - high * BILLION, 9);
  }

  /**
   * The decimal text of a bigint field, as its toString() writes it. The last value's text is kept:
   * a node's zxids are mostly equal (a created node's three, the txn's zxid in a changed parent), and
   * converting a bigint costs more than copying its digits.
   */
  bigint(value: bigint): void {
    if (value === 0n) {
      this.unit(ZERO);
      return;
    }
    if (value === this.lastBigint) {
      for (let index = 0; index < this.lastBigintLength; index++) this.unit(this.lastBigintUnits[index]);
      return;
    }
    const start = this.length;
    const converted = Number(value);
    // A bigint that converts to a safe integer is that integer (beyond 2^53 - 1 conversions round to 2^53 or more).
    if (Number.isSafeInteger(converted)) this.number(converted);
    else this.text(value.toString());
    const length = this.length - start;
    if (length > this.lastBigintUnits.length) return;
    for (let index = 0; index < length; index++) this.lastBigintUnits[index] = this.units[start + index];
    this.lastBigint = value;
    this.lastBigintLength = length;
  }

  /** The digits of a non-negative int32, most significant first, at least `width` of them (zero-padded). */
  private digits(value: number, width: number): void {
    let count = 0;
    do {
      const rest = (value / 10) | 0;
      scratch[count++] = value - rest * 10;
      value = rest;
    } while (value > 0);
    while (count < width) scratch[count++] = 0;
    while (count > 0) this.unit(ZERO + scratch[--count]);
  }

  private grow(): void {
    const units = new Int32Array(this.units.length * 2);
    units.set(this.units);
    this.units = units;
  }
}

const BILLION = 1_000_000_000;
/** Room for the 10 digits of an int32. */
const scratch = new Int32Array(10);
const writer = new UnitWriter();
/** The last hash: [high, low], unsigned. */
const result = new Uint32Array(2);

function hashNode(path: string, node: ZNode): void {
  writer.length = 0;
  writer.text(path);
  writer.unit(STRING_END);
  const s = node.stat;
  writer.bigint(s.czxid);
  writer.unit(COMMA);
  writer.bigint(s.mzxid);
  writer.unit(COMMA);
  writer.bigint(s.pzxid);
  writer.unit(COMMA);
  writer.number(s.ctime);
  writer.unit(COMMA);
  writer.number(s.mtime);
  writer.unit(COMMA);
  writer.number(s.version);
  writer.unit(COMMA);
  writer.number(s.cversion);
  writer.unit(COMMA);
  writer.number(s.aversion);
  writer.unit(COMMA);
  writer.bigint(s.ephemeralOwner);
  writer.unit(COMMA);
  writer.number(s.dataLength);
  writer.unit(COMMA);
  writer.number(s.numChildren);
  writer.unit(STRING_END);
  const acl = node.acl;
  for (let index = 0; index < acl.length; index++) {
    if (index > 0) writer.unit(COMMA);
    const entry = acl[index];
    writer.number(entry.perms);
    writer.unit(COLON);
    writer.text(String(entry.id.scheme));
    writer.unit(COLON);
    writer.text(String(entry.id.id));
  }
  writer.unit(STRING_END);
  hashUnits(writer.units, writer.length, node.data);
}

/** Both lanes over the units, then the data bytes and their count; the result goes to `result`. */
function hashUnits(units: Int32Array, length: number, data: Uint8Array): void {
  let fnv = FNV_OFFSET;
  let mix = MIX_SEED;
  for (let index = 0; index < length; index++) {
    const unit = units[index];
    fnv = Math.imul(fnv ^ unit, FNV_PRIME);
    mix = Math.imul(mix ^ unit, MIX_PRIME);
    mix ^= mix >>> 13;
  }
  for (let index = 0; index < data.length; index++) {
    const unit = data[index];
    fnv = Math.imul(fnv ^ unit, FNV_PRIME);
    mix = Math.imul(mix ^ unit, MIX_PRIME);
    mix ^= mix >>> 13;
  }
  const end = data.length + BYTES_END;
  fnv = Math.imul(fnv ^ end, FNV_PRIME);
  mix = Math.imul(mix ^ end, MIX_PRIME);
  mix ^= mix >>> 13;
  result[0] = fnv;
  result[1] = finalMix(mix);
}

function finalMix(value: number): number {
  let mixed = value ^ (value >>> 16);
  mixed = Math.imul(mixed, 0x7feb352d);
  mixed ^= mixed >>> 15;
  return Math.imul(mixed, 0x846ca68b) ^ (mixed >>> 16);
}
