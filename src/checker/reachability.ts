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
  /** False when the bounds rule the property out (no observers, say): exploration does not ask it. */
  applies?(config: ModelConfig): boolean;
}

function anyMessage(model: Model, s: ClusterState, p: (m: Message) => boolean): boolean {
  for (const ch of s.channels) for (const m of ch) if (p(m)) return true;
  return false;
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
  {
    name: 'SyncDIFF',
    description: 'A leader sends a DIFF that carries txns.',
    holds: (model, s) => anyMessage(model, s, (m) => m.type === 'DIFF' && m.txns.length > 0),
  },
  {
    name: 'SyncTRUNC',
    description: 'A leader sends a TRUNC.',
    holds: (model, s) => anyMessage(model, s, (m) => m.type === 'TRUNC'),
  },
  {
    name: 'SyncSNAP',
    description: 'A leader sends a SNAP.',
    holds: (model, s) => anyMessage(model, s, (m) => m.type === 'SNAP'),
  },
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
