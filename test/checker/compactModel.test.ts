import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createModel } from '../../src/model/Model.js';
import { STANDARD_MODEL, type ModelConfig } from '../../src/model/ModelConfig.js';
import { ActionList, CompactModel } from '../../src/checker/CompactModel.js';
import { Fingerprinter } from '../../src/checker/Fingerprinter.js';
import type { ServerImplementations } from '../../src/protocol/serverMachine.js';
import leaderNeverGivesUp from '../support/leaderNeverGivesUp.js';
import { runs, testSeed } from '../support/seed.js';

/** Bounds that between them take every kind of action: oracle and FLE, observers, every fault. */
const CONFIGS: Record<string, ModelConfig> = {
  standard: STANDARD_MODEL,
  observerFaults: { ...STANDARD_MODEL, observers: 1, maxCrashes: 2, maxPartitions: 2, maxTxns: 3, maxEpoch: 3 },
  fleFaults: { ...STANDARD_MODEL, election: 'FLE', observers: 1, maxCrashes: 2, maxPartitions: 2, maxRounds: 3, maxEpoch: 3 },
  fleCrashes: { ...STANDARD_MODEL, election: 'FLE', maxCrashes: 3, maxPartitions: 1, maxRounds: 3, maxEpoch: 3 },
  fiveVoters: { ...STANDARD_MODEL, servers: 5, maxCrashes: 2 },
  single: { ...STANDARD_MODEL, servers: 1, observers: 1 },
};

const FAULTS = new Set(['Crash', 'Disconnect', 'LeaderTimeout', 'LeaderInitTimeout']);

/**
 * The action a walk takes: an even choice picks among the protocol's own steps (so that walks get
 * to broadcast and commit), an odd one among all, faults included.
 */
function pickAction(names: readonly string[], choice: number): number {
  const progress = names.flatMap((name, k) => (FAULTS.has(name) ? [] : [k]));
  if (choice % 2 === 0 && progress.length > 0) return progress[(choice >> 1) % progress.length];
  return (choice >> 1) % names.length;
}

/**
 * Walk `model` and the compact model side by side from the initial state, taking the action
 * `choices` pick; at every state both must list the same actions in the same order, and every
 * successor must be the same state with the same bounds verdict.
 */
function walkTogether(config: ModelConfig, choices: readonly number[], impl?: ServerImplementations): void {
  const model = createModel(config, impl);
  const cm = new CompactModel(model);
  const fingerprinter = new Fingerprinter(model.compiled.states);
  const list = new ActionList();
  const after = new Int32Array(cm.width);
  let state = model.init();
  let v = cm.init();
  expect(cm.materialize(v)).toEqual(state);
  for (const choice of choices) {
    const actions = model.actions(state);
    cm.actions(v, list);
    expect(Array.from(list.codes.subarray(0, list.length), (c) => cm.action(c))).toEqual(actions);
    if (actions.length === 0) return;
    const pick = pickAction(actions.map((a) => a.name), choice);
    let picked = state;
    for (let a = 0; a < actions.length; a++) {
      const next = model.next(state, actions[a]);
      cm.next(v, list.codes[a], after);
      const compact = cm.materialize(after);
      expect(fingerprinter.format(compact), `${actions[a].name} after ${choices.join(',')}`).toBe(fingerprinter.format(next));
      expect(cm.withinBounds(after)).toBe(model.withinBounds(next));
      if (a === pick) {
        expect(compact).toEqual(next);
        picked = next;
      }
    }
    state = picked;
    cm.next(v, list.codes[pick], after);
    v = after.slice();
  }
}

describe('the compact model the explorer steps', () => {
  for (const [name, config] of Object.entries(CONFIGS)) {
    it(`lists and takes the same actions as Model on random walks (${name})`, () => {
      const seed = testSeed();
      fc.assert(
        fc.property(fc.array(fc.noBias(fc.nat()), { minLength: 30, maxLength: 80 }), (choices) => walkTogether(config, choices)),
        { seed, numRuns: runs(30, 300) },
      );
    });
  }

  it('steps a variant (replaced guard) as Model does', () => {
    const seed = testSeed();
    fc.assert(
      fc.property(fc.array(fc.noBias(fc.nat()), { minLength: 30, maxLength: 80 }), (choices) => walkTogether(STANDARD_MODEL, choices, leaderNeverGivesUp)),
      { seed, numRuns: runs(20, 200) },
    );
  });

  it('gives equal states one fingerprint and different states different ones', () => {
    const model = createModel(STANDARD_MODEL);
    const cm = new CompactModel(model);
    const list = new ActionList();
    const fp = { hi: 0, lo: 0 };
    const init = cm.init();
    cm.fingerprint(init, fp);
    const again = cm.fingerprint(cm.intern(model.init()), { hi: 0, lo: 0 });
    expect(again).toEqual(fp);
    cm.actions(init, list);
    const prints = new Set<string>();
    const after = new Int32Array(cm.width);
    for (let a = 0; a < list.length; a++) {
      cm.next(init, list.codes[a], after);
      const p = cm.fingerprint(after, { hi: 0, lo: 0 });
      prints.add(`${p.hi}:${p.lo}`);
    }
    // The initial state's successors are pairwise different states (different leaders and quorums).
    expect(prints.size).toBe(list.length);
    expect(prints.has(`${fp.hi}:${fp.lo}`)).toBe(false);
  });

  it('fingerprints a state the same whatever order its parts were first met in (as workers meet them)', () => {
    const seed = testSeed();
    const model = createModel(CONFIGS.observerFaults);
    fc.assert(
      fc.property(fc.array(fc.noBias(fc.nat()), { minLength: 30, maxLength: 80 }), (choices) => {
        const walker = new CompactModel(model);
        const list = new ActionList();
        const after = new Int32Array(walker.width);
        const states: Int32Array[] = [walker.init()];
        for (const choice of choices) {
          const v = states[states.length - 1];
          walker.actions(v, list);
          if (list.length === 0) break;
          walker.next(v, list.codes[pickAction(Array.from(list.codes.subarray(0, list.length), (c) => walker.action(c).name), choice)], after);
          states.push(after.slice());
        }
        // A second model meets the same states last first, so its parts get other ids.
        const other = new CompactModel(model);
        for (const v of states.slice().reverse()) {
          const here = walker.fingerprint(v, { hi: 0, lo: 0 });
          const there = other.fingerprint(other.intern(walker.materialize(v)), { hi: 0, lo: 0 });
          expect(there).toEqual(here);
        }
      }),
      { seed, numRuns: runs(30, 300) },
    );
  });

  it('refuses a server variable the state encoding does not know', () => {
    const model = createModel(STANDARD_MODEL);
    const cm = new CompactModel(model);
    const s = model.init();
    const servers = s.servers.slice();
    servers[1] = { ...servers[1], extra: 1 } as typeof servers[1];
    expect(() => cm.intern({ ...s, servers })).toThrow(/do not match the state encoding/);
  });
});
