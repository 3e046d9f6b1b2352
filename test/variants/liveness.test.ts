import { describe, expect, it } from 'vitest';
import { createModel } from '../../src/model/Model.js';
import { STANDARD_MODEL } from '../../src/model/ModelConfig.js';
import { checkLiveness, livenessActions, livenessConfig, replayLasso } from '../../src/checker/liveness.js';
import { corpusVariant } from '../../src/variants/corpus/index.js';
import { implementationsOf, variantConfig } from '../../src/variants/Variant.js';

const FLE = { ...STANDARD_MODEL, election: 'FLE' as const, maxEpoch: 2, maxTxns: 1, maxCrashes: 2, maxPartitions: 0, maxRounds: 3 };

describe('bounded liveness', () => {
  it('the fair scheduler never takes a fault, a restart or a client request', () => {
    const model = createModel(FLE);
    let s = model.init();
    for (let k = 0; k < 30; k++) {
      const actions = livenessActions(model, s);
      for (const a of actions) expect(['Crash', 'Restart', 'LeaderProcessRequest']).not.toContain(a.name);
      if (actions.length === 0) break;
      s = model.next(s, actions[0]);
    }
  });

  // Once a finding: a follower whose acceptedEpoch already equals the new epoch acks it with
  // currentEpoch -1, which the leader does not count, and the leader waited in DISCOVERY forever.
  // ZooKeeper's leader gives up after initLimit: LeaderInitTimeout, fired here only when nothing
  // else can happen, makes every fair schedule reach BROADCAST again.
  for (const [mode, config] of [['FLE', FLE], ['oracle', { ...STANDARD_MODEL, maxTxns: 1 }]] as const) {
    it(`a leader stuck in DISCOVERY gives up after initLimit and the election reaches BROADCAST (${mode} election)`, () => {
      const r = checkLiveness(config, { seed: 7, walks: 300, walkSteps: 100, faultWeight: 0.15 });
      expect(r.violation?.kind ?? 'none').not.toBe('deadlock');
      expect(r.verdict).toBe('pass');
    });
  }

  it('catches ZOOKEEPER-1419 with a lasso that replays: fault-free, closed, never in BROADCAST', () => {
    const variant = corpusVariant('ZOOKEEPER-1419')!;
    const config = variantConfig(variant);
    const r = checkLiveness(config, { seed: 1, walks: 4000, walkSteps: 160, faultWeight: 0.15, implementations: implementationsOf(variant) });
    expect(r.verdict).toBe('violation');
    expect(r.violation?.kind).toBe('lasso');
    const steps = [...r.prefix!, ...r.loop!].map((s) => s.action);
    const model = createModel(livenessConfig(config), implementationsOf(variant));
    expect(replayLasso(model, steps, r.prefix!.length)).toEqual({ closes: true, neverBroadcast: true, faultFree: true, divergence: null });
    // The same lasso against the unchanged protocol is no lasso.
    const plain = createModel(livenessConfig(config));
    const again = replayLasso(plain, steps, r.prefix!.length);
    expect(again.divergence !== null || !again.closes).toBe(true);
  });
});
