import type { ClusterState } from '../model/ClusterState.js';
import { StateEncoder } from './encodeState.js';
import { fingerprint, formatFingerprint, type Fingerprint } from './fingerprint.js';

/**
 * The 64-bit fingerprint of a state as traces record it: the hash of its whole canonical
 * encoding. (The exhaustive explorer dedups on another 64-bit hash of the same values, combined
 * from its interned parts' hashes: CompactModel.fingerprint.)
 */
export class Fingerprinter {
  private readonly encoder: StateEncoder;

  constructor(states: readonly string[]) {
    this.encoder = new StateEncoder(states);
  }

  fingerprint(s: ClusterState, out: Fingerprint): Fingerprint {
    return fingerprint(this.encoder.encode(s), out);
  }

  format(s: ClusterState): string {
    return formatFingerprint(this.fingerprint(s, { hi: 0, lo: 0 }));
  }
}
