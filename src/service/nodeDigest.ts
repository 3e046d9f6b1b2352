import type { ZNode } from './ZNode.js';

/**
 * A 64-bit hash of one node: its path, every stat field, its access list and its data. The tree's
 * digest is the sum of these modulo 2^64 (as in ZooKeeper 3.6's DigestCalculator), so it can be kept
 * incrementally and does not depend on the order in which nodes were added.
 * Two 32-bit lanes (FNV-1a and a multiply-xorshift) keep it fast without BigInt per byte.
 */
export function nodeDigest(path: string, node: ZNode): bigint {
  const hasher = new Hasher();
  hasher.addString(path);
  hasher.addString(describeStat(node));
  hasher.addString(node.acl.map((entry) => `${entry.perms}:${entry.id.scheme}:${entry.id.id}`).join(','));
  hasher.addBytes(node.data);
  return hasher.value();
}

function describeStat(node: ZNode): string {
  const s = node.stat;
  return [s.czxid, s.mzxid, s.pzxid, s.ctime, s.mtime, s.version, s.cversion, s.aversion, s.ephemeralOwner,
    s.dataLength, s.numChildren].join(',');
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const MIX_SEED = 0x9e3779b9;
const MIX_PRIME = 0x85ebca6b;

class Hasher {
  private fnv = FNV_OFFSET;
  private mix = MIX_SEED;

  addString(text: string): void {
    for (let index = 0; index < text.length; index++) this.addUnit(text.charCodeAt(index));
    this.addUnit(0x1_0000); // A separator no code unit can equal, so "ab"+"c" differs from "a"+"bc".
  }

  addBytes(bytes: Uint8Array): void {
    for (let index = 0; index < bytes.length; index++) this.addUnit(bytes[index]);
    this.addUnit(bytes.length + 0x2_0000);
  }

  value(): bigint {
    const high = BigInt(this.fnv >>> 0);
    const low = BigInt(finalMix(this.mix) >>> 0);
    return (high << 32n) | low;
  }

  private addUnit(unit: number): void {
    this.fnv = Math.imul(this.fnv ^ unit, FNV_PRIME);
    this.mix = Math.imul(this.mix ^ unit, MIX_PRIME);
    this.mix ^= this.mix >>> 13;
  }
}

function finalMix(value: number): number {
  let mixed = value ^ (value >>> 16);
  mixed = Math.imul(mixed, 0x7feb352d);
  mixed ^= mixed >>> 15;
  return Math.imul(mixed, 0x846ca68b) ^ (mixed >>> 16);
}
