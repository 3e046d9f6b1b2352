import type { ClusterState } from '../model/ClusterState.js';
import { StateEncoder } from './encodeState.js';
import { fingerprint, formatFingerprint, type Fingerprint } from './fingerprint.js';

/**
 * The 64-bit fingerprint of a state: the hash of its canonical encoding. (Caching the parts'
 * fingerprints on the shared sub-objects was measured slower: V8's WeakMap and added
 * properties cost more than re-encoding a 3-server state.)
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
