import { describe, expect, it } from 'vitest';
import { Scenario } from '../support/Scenario.js';
import { ACTION_PROPERTIES, INVARIANTS, checkInvariants } from '../../src/checker/invariants.js';
import type { ClusterState } from '../../src/model/ClusterState.js';
import type { ServerContext } from '../../src/protocol/ServerContext.js';
import type { Txn } from '../../src/protocol/Txn.js';

const txn = (epoch: number, counter: number, value: number): Txn => ({ zxid: { epoch, counter }, value });
const a = txn(1, 1, 1);
const b = txn(1, 2, 2);
const c = txn(2, 1, 3);

/** A healthy state in broadcast (3 leads epoch 1, two txns committed), to break one thing at a time. */
function healthy(): ClusterState {
  return new Scenario().elect(3, [1, 2, 3]).settle().request(3, 2).settle().state;
}

function withServer(s: ClusterState, sid: number, patch: Partial<ServerContext>): ClusterState {
  const servers = s.servers.slice();
  servers[sid] = { ...servers[sid], ...patch };
  return { ...s, servers };
}

const broken: Record<string, () => ClusterState> = {
  ZxidMonotonicity: () => withServer(healthy(), 1, { history: [b, a], lastCommitted: 0 }),
  Leadership: () => ({ ...healthy(), established: [0, (1 << 3) | (1 << 2), 0, 0] }),
  Integrity: () => withServer(healthy(), 1, { history: [a, txn(1, 2, 9)], lastCommitted: 2 }),
  TotalOrder: () => withServer(withServer(healthy(), 1, { history: [a, b], lastCommitted: 2 }), 2, { history: [b], lastCommitted: 1 }),
  Agreement: () => withServer(withServer({ ...healthy(), proposed: [a, b, c] }, 1, { history: [a], lastCommitted: 1 }), 2, { history: [c], lastCommitted: 1 }),
  LocalPrimaryOrder: () => withServer(healthy(), 1, { history: [b], lastCommitted: 1 }),
  GlobalPrimaryOrder: () => withServer({ ...healthy(), proposed: [a, b, c] }, 1, { history: [c, a], lastCommitted: 2 }),
  PrimaryIntegrity: () => {
    const s = withServer({ ...healthy(), proposed: [a, b, c] }, 3, { currentEpoch: 2, acceptedEpoch: 2, history: [c], lastCommitted: 1 });
    return withServer(s, 1, { history: [a], lastCommitted: 1 });
  },
  PrefixConsistency: () => withServer(withServer({ ...healthy(), proposed: [a, b, c] }, 1, { history: [a, b], lastCommitted: 2 }), 2, { history: [a, c], lastCommitted: 2 }),
  CommittedNotLost: () => withServer(healthy(), 3, { history: [a], lastCommitted: 1 }),
  ProposedOnlyDiscarded: () => {
    const s = { ...healthy(), proposed: [a, b, c], committedLog: [a, c] };
    return withServer(withServer(withServer(s, 1, { history: [a, b], lastCommitted: 2 }), 2, { history: [a, b], lastCommitted: 2 }), 3, { history: [a, b], lastCommitted: 2, currentEpoch: 1 });
  },
};

describe('the invariants hold on a healthy run', () => {
  it('no invariant fails on a state in broadcast with committed txns', () => {
    const s = new Scenario().elect(3, [1, 2, 3]).settle().request(3, 2).settle();
    expect(checkInvariants(s.model, s.state)).toBeNull();
  });
});

describe('every invariant can fail, and is reported by its own name', () => {
  it('has a breaking state for every invariant', () => {
    expect(Object.keys(broken).sort()).toEqual(INVARIANTS.map((i) => i.name).sort());
  });

  it.each(INVARIANTS.map((i) => i.name))('%s', (name) => {
    const s = new Scenario();
    const state = broken[name]();
    const inv = INVARIANTS.find((i) => i.name === name);
    const v = inv?.check(s.model, state);
    expect(v?.invariant).toBe(name);
    expect(v?.message.length).toBeGreaterThan(0);
    // The checker as a whole reports a violation on this state too (maybe another invariant first).
    expect(checkInvariants(s.model, state)).not.toBeNull();
  });

  it('Leadership also catches two live leaders of one epoch, before either is established', () => {
    const s = new Scenario();
    const base = healthy();
    const states = base.states.slice();
    states[2] = 'LEADING.SYNCHRONIZATION';
    const state = withServer({ ...base, states }, 2, { currentEpoch: 1 });
    expect(INVARIANTS.find((i) => i.name === 'Leadership')?.check(s.model, state)?.message).toMatch(/servers 2 and 3 both lead epoch 1/);
  });

  it('EpochMonotonicity catches an epoch going down across a step', () => {
    const s = new Scenario().elect(3, [1, 2, 3]).settle();
    const after = withServer(s.state, 2, { currentEpoch: 0 });
    const v = ACTION_PROPERTIES[0].check(s.model, s.state, after);
    expect(v?.invariant).toBe('EpochMonotonicity');
    expect(ACTION_PROPERTIES[0].check(s.model, s.state, s.state)).toBeNull();
    const ahead = withServer(s.state, 2, { currentEpoch: 3 });
    expect(ACTION_PROPERTIES[0].check(s.model, s.state, ahead)?.invariant).toBe('EpochMonotonicity');
  });
});
