import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel } from '../../src/model/Model.js';
import { STANDARD_MODEL, type ModelConfig } from '../../src/model/ModelConfig.js';
import { explore } from '../../src/checker/explore.js';
import { randomCheck } from '../../src/checker/randomCheck.js';
import { serverActions } from '../../src/protocol/serverActions.js';
import { serverGuards } from '../../src/protocol/serverGuards.js';
import type { ServerImplementations } from '../../src/protocol/serverMachine.js';
import { makeTrace, validateTrace } from '../../src/trace/Trace.js';
import { replay } from '../../src/trace/replay.js';
import { run } from '../../src/cli/main.js';
import { testSeed } from '../support/seed.js';

const TINY: ModelConfig = { ...STANDARD_MODEL, maxEpoch: 1, maxTxns: 1, maxCrashes: 0, maxPartitions: 0 };
const SMALL: ModelConfig = { ...STANDARD_MODEL, maxEpoch: 2, maxTxns: 1, maxCrashes: 1, maxPartitions: 0 };

/** A planted bug: a leader never gives up to a more up-to-date follower. */
const leaderNeverGivesUp: ServerImplementations = { guards: { ...serverGuards, isLearnerAhead: () => false }, actions: serverActions };

describe('the standard model', () => {
  // The figure in spec/README.md: a change here is a change in the protocol, on purpose or not.
  it('passes exhaustively with exactly 2,812,399 distinct states, reaching every sometimes-property', () => {
    const r = explore(createModel(STANDARD_MODEL));
    expect(r.verdict).toBe('pass');
    expect(r.distinctStates).toBe(2812399);
    expect(Object.entries(r.reached).filter(([name, hit]) => !hit && name !== 'ObserverDeliversTxn')).toEqual([]);
  }, 300_000);
});

describe('exhaustive exploration', () => {
  // The counts pin the protocol: a change here is a change in the protocol, on purpose or not.
  it('explores the tiny oracle model: 1,327 distinct states, every invariant holds', () => {
    const r = explore(createModel(TINY));
    expect(r.verdict).toBe('pass');
    expect(r.distinctStates).toBe(1327);
  });

  it('explores a model with a crash: 52,906 distinct states; TRUNC and a second epoch are reached', () => {
    const r = explore(createModel(SMALL));
    expect(r.verdict).toBe('pass');
    expect(r.distinctStates).toBe(52906);
    expect(r.reached.SyncTRUNC).toBe(true);
    expect(r.reached.SecondEpochAfterCrash).toBe(true);
  });

  it('explores the tiny FLE model: 68,480 distinct states', () => {
    const r = explore(createModel({ ...TINY, election: 'FLE', maxRounds: 1 }));
    expect(r.verdict).toBe('pass');
    expect(r.distinctStates).toBe(68480);
  });

  it('DFS reaches the same states as BFS', () => {
    expect(explore(createModel(TINY), { strategy: 'dfs' }).distinctStates).toBe(1327);
  });

  it('finds a planted bug with a shortest trace that replays to the same violation', () => {
    const model = createModel(SMALL, leaderNeverGivesUp);
    const r = explore(model);
    expect(r.verdict).toBe('violation');
    const trace = makeTrace(SMALL, r.trace ?? [], r.violation!, { strategy: 'bfs' });
    const again = replay(model, validateTrace(JSON.parse(JSON.stringify(trace))));
    expect(again.divergence).toBeNull();
    expect(again.violation?.invariant).toBe(r.violation?.invariant);
    // Shortest: DFS finds a trace no shorter than BFS's.
    const d = explore(createModel(SMALL, leaderNeverGivesUp), { strategy: 'dfs' });
    expect(d.trace!.length).toBeGreaterThanOrEqual(r.trace!.length);
  });

  it('a trace replayed against the correct protocol names the step where it diverges', () => {
    const r = explore(createModel(SMALL, leaderNeverGivesUp));
    const trace = makeTrace(SMALL, r.trace ?? [], r.violation!, { strategy: 'bfs' });
    const result = replay(createModel(SMALL), trace);
    expect(result.divergence).not.toBeNull();
    expect(result.divergence!.index).toBeLessThanOrEqual(trace.steps.length);
  });
});

describe('randomized exploration', () => {
  it('passes on the correct protocol', () => {
    const seed = testSeed();
    const r = randomCheck(STANDARD_MODEL, { seed, runs: 200, maxSteps: 100 });
    expect(r.verdict, `seed ${seed}`).toBe('pass');
  });

  it('finds the planted bug, shrinks it, and the trace replays to the same invariant', () => {
    const seed = testSeed();
    const r = randomCheck(STANDARD_MODEL, { seed, runs: 2000, maxSteps: 100, faultWeight: 0.05, implementations: leaderNeverGivesUp });
    expect(r.verdict, `seed ${seed}`).toBe('violation');
    const model = createModel(r.config, leaderNeverGivesUp);
    const again = replay(model, makeTrace(r.config, r.trace!, r.violation!, { strategy: 'random', seed }));
    expect(again.divergence).toBeNull();
    expect(again.violation?.invariant).toBe(r.violation?.invariant);
    // Shrinking leaves a short schedule: a BFS counterexample on these bounds is about this long.
    expect(r.trace!.length).toBeLessThan(60);
  });

  it('swarm mode draws other bounds per run and still passes on the correct protocol', () => {
    const seed = testSeed();
    expect(randomCheck(STANDARD_MODEL, { seed, runs: 100, maxSteps: 80, swarm: true }).verdict, `seed ${seed}`).toBe('pass');
  });
});

describe('zabstate check (CLI)', () => {
  const runCli = async (args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(args, (l) => out.push(l), (l) => err.push(l), false);
    return { code, out, err };
  };

  it('exits 0 with a JSON summary when everything holds', async () => {
    const r = await runCli(['check', '--workers', '1', '--max-epoch', '1', '--max-txns', '1', '--max-crashes', '0', '--max-partitions', '0', '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out[0]);
    expect(summary).toMatchObject({ verdict: 'pass', distinctStates: 1327, workers: 1 });
    for (const key of ['generatedStates', 'depth', 'seconds', 'statesPerSecond']) expect(typeof summary[key]).toBe('number');
  });

  it('reads the TLA+ model config itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zabstate-cfg-'));
    const cfg = join(dir, 'M.cfg');
    writeFileSync(cfg, 'CONSTANTS\n  Server = {1, 2, 3}\n  MaxEpoch = 1\n  MaxTxns = 1\n  MaxCrashes = 0\n  MaxPartitions = 0\nINIT Init\nNEXT Next\n');
    const r = await runCli(['check', '--config', cfg, '--json']);
    expect(JSON.parse(r.out[0]).distinctStates).toBe(1327);
  });

  it('exits 2 with one line naming the problem on bad usage or a bad config', async () => {
    for (const args of [['check', '--strategy', 'bogus'], ['check', '--servers', 'x'], ['check', '--servers', '9'], ['check', '--config', '/nonexistent.cfg'], ['check', '--nope'], ['frobnicate'], ['ensemble', '--max-client-cnxns', '-1'], ['ensemble', '--max-client-cnxns', 'x']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/^zabstate: /);
    }
  });

  it('shows the usage and exits 0 for help, --help, and any command with --help or -h', async () => {
    for (const args of [['help'], ['--help'], ['ensemble', '--help'], ['serve', '-h'], ['check', '--max-epoch', '2', '--help']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.out.join('\n')).toMatch(/^usage: zabstate <command>/);
      expect(r.err).toEqual([]);
    }
  });

  it('replay exits 1 and names the diverging step when a trace no longer matches the charts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zabstate-traces-'));
    const model = createModel(SMALL, leaderNeverGivesUp);
    const r = explore(model);
    const trace = makeTrace(SMALL, r.trace ?? [], r.violation!, { strategy: 'bfs' });
    writeFileSync(join(dir, 't.json'), JSON.stringify(trace));
    // Replayed against the correct charts, the trace diverges: exit 1 and a named step.
    const rep = await runCli(['replay', join(dir, 't.json')]);
    expect(rep.code).toBe(1);
    expect(rep.out.at(-1)).toMatch(/^DIVERGED at step \d+/);
    expect(readdirSync(dir)).toEqual(['t.json']);
    expect(readFileSync(join(dir, 't.json'), 'utf8')).toContain('"format":"zabstate-trace"');
  });
});
