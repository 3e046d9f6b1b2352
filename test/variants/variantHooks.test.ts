import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createModel } from '../../src/model/Model.js';
import type { ClusterState } from '../../src/model/ClusterState.js';
import type { Model } from '../../src/model/Model.js';
import { parseModelConfig } from '../../src/model/parseModelConfig.js';
import { explore } from '../../src/checker/explore.js';
import { INVARIANTS, type Invariant, type Violation } from '../../src/checker/invariants.js';
import { serverGuards } from '../../src/protocol/serverGuards.js';
import { serverActions } from '../../src/protocol/serverActions.js';
import { NEW_LEADER_STEPS } from '../../src/protocol/ServerContext.js';

const specDir = join(import.meta.dirname, '..', '..', 'spec');

function holdsOnEveryServer(name: string, ok: (model: Model, state: ClusterState, sid: number) => string | null): Invariant {
  return {
    name,
    description: name,
    check(model, state): Violation | null {
      for (const sid of model.sids) {
        const why = ok(model, state, sid);
        if (why !== null) return { invariant: name, message: `server ${sid}: ${why}`, values: {} };
      }
      return null;
    },
  };
}

/**
 * The variant broadcast-before-quorum-ackld swaps the guard isEstablished, which the chart puts on
 * LeaderProcessRequest in SYNCHRONIZATION as well as in BROADCAST: in the protocol it must hold
 * exactly in BROADCAST, so that the SYNCHRONIZATION transition is never taken.
 */
const establishedIffBroadcast = holdsOnEveryServer('EstablishedIffBroadcast', (_model, state, sid) => {
  const where = state.states[sid];
  if (where !== 'LEADING.SYNCHRONIZATION' && where !== 'LEADING.BROADCAST') return null;
  const established = serverGuards.isEstablished(state.servers[sid], { type: 'LeaderProcessRequest', value: 0 });
  return established === (where === 'LEADING.BROADCAST') ? null : `isEstablished is ${established} in ${where}`;
});

/**
 * The variant ack-before-logging queues acked proposals in pendingSync once the NEWLEADER steps
 * are done: in the protocol nothing is pending then, so what it finds there is its own.
 */
const nothingPendingAfterNewLeader = holdsOnEveryServer('NothingPendingAfterNewLeader', (_model, state, sid) => {
  const c = state.servers[sid];
  const done = c.newLeaderEpoch !== 0 && c.newLeaderStep === NEW_LEADER_STEPS.length;
  return done && c.pendingSync !== null ? 'sync data pending after the NEWLEADER steps' : null;
});

// The configs of spec/ whose counts TLC confirmed (spec/README.md): one voter with an observer,
// two voters under FLE, three voters with a partition or a crash.
const CONFIGS: [file: string, distinct: number][] = [
  ['MCZab_single.cfg', 38],
  ['MCZab_partition.cfg', 18502],
  ['MCZab_crash.cfg', 18643],
  ['MCZab_fle_faults.cfg', 50573],
];

describe('the chart places a variant may change are inert in the protocol', () => {
  for (const [file, distinct] of CONFIGS) {
    it(`${file}: isEstablished holds exactly in BROADCAST, nothing is pending after NEWLEADER; ${distinct} states`, () => {
      const config = parseModelConfig(readFileSync(join(specDir, file), 'utf8'));
      const r = explore(createModel(config), { invariants: [...INVARIANTS, establishedIffBroadcast, nothingPendingAfterNewLeader] });
      expect(r.violation).toBeUndefined();
      expect(r.distinctStates).toBe(distinct);
    });
  }

  it('the check can fail: a leader that stays in SYNCHRONIZATION with a quorum of ACKs is reported', () => {
    const config = parseModelConfig(readFileSync(join(specDir, 'MCZab_tiny.cfg'), 'utf8'));
    const model = createModel(config, { guards: { ...serverGuards, isAckLdQuorum: () => false }, actions: serverActions });
    const r = explore(model, { invariants: [establishedIffBroadcast] });
    expect(r.violation?.invariant).toBe('EstablishedIffBroadcast');
  });
});
