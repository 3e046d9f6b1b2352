/**
 * A 64-bit fingerprint of a word sequence, as two 32-bit halves (murmur3-style mixing on two
 * independent lanes). 64 bits make a collision among 10^8 states about a 1-in-3,000 event, the
 * same trade TLC makes.
 */
export interface Fingerprint {
  hi: number;
  lo: number;
}

/** One murmur3 round: fold the 32-bit word `k` into the running hash `h`. */
export function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3's finalizer: avalanche the running hash `h` of `length` words. */
export function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The fingerprint of `words`, written into `out`. */
export function fingerprint(words: Int32Array, out: Fingerprint): Fingerprint {
  let a = 0x9747b28c;
  let b = 0x2545f491;
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    a = mix(a, w);
    b = mix(b, w ^ 0x5bd1e995);
  }
  out.hi = finish(a, words.length);
  out.lo = finish(b ^ a, words.length);
  return out;
}

/** 16 hex digits, as traces store a fingerprint. */
export function formatFingerprint(f: Fingerprint): string {
  return f.hi.toString(16).padStart(8, '0') + f.lo.toString(16).padStart(8, '0');
}
