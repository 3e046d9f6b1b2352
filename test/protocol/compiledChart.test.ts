import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initialTransition, transition } from 'xstate';
import { createServerMachine, defaultImplementations } from '../../src/protocol/serverMachine.js';
import { compileServerMachine } from '../../src/protocol/compileServerMachine.js';
import type { ServerEvent } from '../../src/protocol/ServerEvent.js';
import { createModel } from '../../src/model/Model.js';
import { STANDARD_MODEL } from '../../src/model/ModelConfig.js';
import { simulate } from '../../src/sim/simulate.js';
import { testSeed, runs } from '../support/seed.js';

const machine = createServerMachine();
const compiled = compileServerMachine(machine, defaultImplementations);

function valueToPath(value: unknown): string {
  if (typeof value === 'string') return value;
  const [key, inner] = Object.entries(value as Record<string, unknown>)[0];
  return `${key}.${valueToPath(inner)}`;
}

const zxid = fc.record({ epoch: fc.integer({ min: 0, max: 3 }), counter: fc.integer({ min: 0, max: 3 }) });
const txn = fc.record({ zxid, value: fc.integer({ min: 1, max: 5 }) });
const txns = fc.array(txn, { maxLength: 3 });
const from = fc.integer({ min: 1, max: 3 });
const epoch = fc.integer({ min: 0, max: 3 });

/** Events of every type a server chart takes, with payloads of the right message type. */
const event: fc.Arbitrary<ServerEvent> = fc.oneof(
  fc.record({ type: fc.constant('ElectLeader' as const), leader: from, quorum: fc.constantFrom(6, 10, 12, 14) }),
  fc.record({ type: fc.constant('JoinLeader' as const), leader: from, learner: from }),
  fc.record({ type: fc.constant('LeaderProcessCEPOCH' as const), from, msg: fc.record({ type: fc.constant('CEPOCH' as const), acceptedEpoch: epoch }) }),
  fc.record({ type: fc.constant('FollowerProcessNEWEPOCH' as const), from, msg: fc.record({ type: fc.constant('NEWEPOCH' as const), epoch }) }),
  fc.record({ type: fc.constant('LeaderProcessACKEPOCH' as const), from, msg: fc.record({ type: fc.constant('ACKEPOCH' as const), currentEpoch: epoch, lastZxid: zxid }) }),
  fc.record({ type: fc.constant('FollowerProcessDIFF' as const), from, msg: fc.record({ type: fc.constant('DIFF' as const), txns, committedZxid: zxid }) }),
  fc.record({ type: fc.constant('FollowerProcessTRUNC' as const), from, msg: fc.record({ type: fc.constant('TRUNC' as const), truncZxid: zxid, txns, committedZxid: zxid }) }),
  fc.record({ type: fc.constant('FollowerProcessSNAP' as const), from, msg: fc.record({ type: fc.constant('SNAP' as const), txns, committedZxid: zxid }) }),
  fc.record({ type: fc.constant('FollowerProcessNEWLEADER' as const), from, msg: fc.record({ type: fc.constant('NEWLEADER' as const), epoch }) }),
  fc.record({ type: fc.constant('LeaderProcessACKLD' as const), from, msg: fc.record({ type: fc.constant('ACKLD' as const), epoch }) }),
  fc.record({ type: fc.constant('FollowerProcessUPTODATE' as const), from, msg: fc.constant({ type: 'UPTODATE' as const }) }),
  fc.record({ type: fc.constant('FollowerProcessPROPOSAL' as const), from, msg: fc.record({ type: fc.constant('PROPOSAL' as const), txn }) }),
  fc.record({ type: fc.constant('LeaderProcessACK' as const), from, msg: fc.record({ type: fc.constant('ACK' as const), zxid }) }),
  fc.record({ type: fc.constant('FollowerProcessCOMMIT' as const), from, msg: fc.record({ type: fc.constant('COMMIT' as const), zxid }) }),
  fc.record({ type: fc.constant('ObserverProcessINFORM' as const), from, msg: fc.record({ type: fc.constant('INFORM' as const), txn }) }),
  fc.constantFrom<ServerEvent>(
    { type: 'FollowerPersistSyncedTxns' }, { type: 'FollowerPersistCurrentEpoch' }, { type: 'FollowerAckNEWLEADER' },
    { type: 'LeaderTimeout' }, { type: 'Crash' }, { type: 'Restart' },
  ),
  fc.record({ type: fc.constant('LeaderProcessRequest' as const), value: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ type: fc.constant('Disconnect' as const), peer: from }),
);

describe('the compiled step function', () => {
  it('takes the same transition as XState on any event sequence (differential)', () => {
    const seed = testSeed();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.array(event, { maxLength: 40 }), (id, events) => {
        let [snapshot] = initialTransition(machine, { id, voters: 14, serverCount: 3, commitLogCount: 1 });
        let state = compiled.initialState;
        let context = snapshot.context;
        for (const e of events) {
          let viaXState: typeof snapshot;
          try {
            [viaXState] = transition(machine, snapshot, e);
          } catch {
            // A payload no real run produces (e.g. an ACK for an unknown zxid) may throw in an action; both sides must.
            expect(() => compiled.step(state, context, e)).toThrow();
            return;
          }
          const viaTable = compiled.step(state, context, e);
          if (viaTable === null) {
            expect(valueToPath(viaXState.value)).toBe(state);
            expect(viaXState.context).toEqual(context);
          } else {
            expect(valueToPath(viaXState.value)).toBe(viaTable.state);
            expect(viaXState.context).toEqual(viaTable.context);
            state = viaTable.state;
            context = viaTable.context;
          }
          snapshot = viaXState;
        }
      }),
      { seed, numRuns: runs(300, 5000), verbose: 1 },
    );
  });

  it('agrees with XState on every step of seeded simulated runs, from reachable states', () => {
    const model = createModel({ ...STANDARD_MODEL, maxEpoch: 6, maxTxns: 6, maxCrashes: 3, maxPartitions: 3, observers: 1 });
    let checked = 0;
    for (const seed of [1, 2, 3, 4, 5].map((k) => (k + testSeed()) >>> 0)) {
      for (const step of simulate(model, seed, 200, { fault: 0.1 })) {
        const i = step.action.i;
        const path = step.before.states[i];
        const [group, phase] = path.split('.');
        const snapshot = machine.resolveState({ value: phase === undefined ? group : { [group]: phase }, context: step.before.servers[i] });
        const event = model.eventFor(step.before, step.action);
        const [viaXState] = transition(machine, snapshot, event);
        const viaTable = compiled.step(path, step.before.servers[i], event);
        expect(viaTable, `${seed}: ${step.action.name} must be enabled`).not.toBeNull();
        expect(valueToPath(viaXState.value)).toBe(viaTable?.state);
        expect(viaXState.context).toEqual(viaTable?.context);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });
});

describe('bad input', () => {
  it('an unknown event is ignored by the chart and by the compiled table: state and variables untouched', () => {
    const [snapshot] = initialTransition(machine, { id: 1, voters: 14, serverCount: 3, commitLogCount: 1 });
    const bogus = { type: 'NoSuchAction' } as unknown as ServerEvent;
    const [after] = transition(machine, snapshot, bogus);
    expect(after.value).toBe('LOOKING');
    expect(after.context).toBe(snapshot.context);
    expect(compiled.step('LOOKING', snapshot.context, bogus)).toBeNull();
  });

  it('a message for the wrong phase is ignored: a LOOKING server does not take NEWLEADER', () => {
    const [snapshot] = initialTransition(machine, { id: 1, voters: 14, serverCount: 3, commitLogCount: 1 });
    const e: ServerEvent = { type: 'FollowerProcessNEWLEADER', from: 2, msg: { type: 'NEWLEADER', epoch: 1 } };
    const [after] = transition(machine, snapshot, e);
    expect(after.value).toBe('LOOKING');
    expect(after.context).toBe(snapshot.context);
    expect(compiled.step('LOOKING', snapshot.context, e)).toBeNull();
  });

  it('the model refuses an action that is not enabled and leaves the state as it was', () => {
    const model = createModel(STANDARD_MODEL);
    const s0 = model.init();
    const frozen = JSON.stringify(s0);
    expect(() => model.next(s0, { name: 'FollowerProcessNEWLEADER', i: 1, j: 2 })).toThrow(/not enabled: head of 2→1 is empty/);
    expect(() => model.next(s0, { name: 'LeaderProcessRequest', i: 1 })).toThrow(/not enabled/);
    expect(() => model.next(s0, { name: 'Restart', i: 9 })).toThrow(/no server 9/);
    expect(JSON.stringify(s0)).toBe(frozen);
  });

  it('a message whose payload does not match its action is an assertion failure, not silent corruption', () => {
    const e = { type: 'FollowerProcessNEWEPOCH', from: 2, msg: { type: 'ACK', zxid: { epoch: 1, counter: 1 } } } as unknown as ServerEvent;
    expect(() => compiled.step('FOLLOWING.DISCOVERY', { ...initial(), leader: 2 }, e)).toThrow(/expected a NEWEPOCH message/);
  });
});

function initial() {
  const [snapshot] = initialTransition(machine, { id: 1, voters: 14, serverCount: 3, commitLogCount: 1 });
  return snapshot.context;
}
