import type { ClusterState } from '../model/ClusterState.js';
import type { Model } from '../model/Model.js';
import type { Message } from '../protocol/Message.js';
import type { ModelConfig } from '../model/ModelConfig.js';

/** A `sometimes` property: a state the standard model must be able to reach, or it is vacuous. */
export interface Reachability {
  readonly name: string;
  readonly description: string;
  /** True when `state` is one of the states this property asks the model to reach. */
  holds(model: Model, state: ClusterState): boolean;
  /**
   * Set for properties about messages in flight: the property holds in a state exactly when some
   * channel holds a message for which this holds (so the explorer asks each channel value once).
   */
  holdsForMessage?(m: Message): boolean;
  /** False when the bounds rule the property out (no observers, say): exploration does not ask it. */
  applies?(config: ModelConfig): boolean;
}

function anyMessage(s: ClusterState, p: (m: Message) => boolean): boolean {
  for (const ch of s.channels) for (const m of ch) if (p(m)) return true;
  return false;
}

/** A property that some message in flight satisfies `p`. */
function messageInFlight(name: string, description: string, p: (m: Message) => boolean): Reachability {
  return { name, description, holds: (_model, s) => anyMessage(s, p), holdsForMessage: p };
}

/** The states the standard model must reach. */
export const REACHABILITY: readonly Reachability[] = [
  {
    name: 'LeaderReachesBroadcast',
    description: 'Some leader reaches BROADCAST.',
    holds: (model, s) => model.sids.some((i) => s.states[i] === 'LEADING.BROADCAST'),
  },
  {
    name: 'TxnCommitted',
    description: 'A txn is committed by a quorum.',
    holds: (_model, s) => s.committedLog.length > 0,
  },
  messageInFlight('SyncDIFF', 'A leader sends a DIFF that carries txns.', (m) => m.type === 'DIFF' && m.txns.length > 0),
  messageInFlight('SyncTRUNC', 'A leader sends a TRUNC.', (m) => m.type === 'TRUNC'),
  messageInFlight('SyncSNAP', 'A leader sends a SNAP.', (m) => m.type === 'SNAP'),
  {
    name: 'SecondEpochAfterCrash',
    description: 'After a crash, a leader is established in a second epoch.',
    holds: (_model, s) => s.nCrashes > 0 && s.established.some((mask, e) => e >= 2 && mask !== 0),
  },
  {
    name: 'ObserverDeliversTxn',
    description: 'An observer delivers a txn (models with observers only).',
    holds: (model, s) => model.sids.some((i) => i > model.config.servers && s.servers[i].lastCommitted > 0),
    applies: (config) => config.observers > 0,
  },
];
