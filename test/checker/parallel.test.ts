import { describe, expect, it } from 'vitest';
import { exploreParallel } from '../../src/runtime/parallel/exploreParallel.js';
import { STANDARD_MODEL } from '../../src/model/ModelConfig.js';
import { createModel } from '../../src/model/Model.js';
import { explore } from '../../src/checker/explore.js';
import { replay } from '../../src/trace/replay.js';
import { makeTrace } from '../../src/trace/Trace.js';
import leaderNeverGivesUp from '../support/leaderNeverGivesUp.js';

const SMALL = { ...STANDARD_MODEL, maxEpoch: 2, maxTxns: 1, maxCrashes: 1, maxPartitions: 0 };

describe('exploration on two worker threads', () => {
  it('reaches exactly the states single-threaded BFS reaches, expanding each once', async () => {
    const one = explore(createModel(SMALL));
    const r = await exploreParallel(SMALL, { workers: 2, tableLog2: 18 });
    expect(r.verdict).toBe('pass');
    expect(r.distinctStates).toBe(52906);
    expect(r.generatedStates).toBe(one.generatedStates);
    expect(r.reached.SyncTRUNC).toBe(true);
    // The shared table grew from 2^16 slots with the count, as the single-threaded one does.
    expect(r.fingerprintBytes - r.parentBytes).toBe(8 * 2 ** 17);
  });

  it('three workers reach the same counts', async () => {
    const r = await exploreParallel(SMALL, { workers: 3 });
    expect(r.distinctStates).toBe(52906);
    expect(r.generatedStates).toBe(explore(createModel(SMALL)).generatedStates);
    expect(r.workerSeconds).toHaveLength(3);
  });

  it('finds a planted bug loaded in every worker, with a trace that replays to it', async () => {
    const module = new URL('../support/leaderNeverGivesUp.ts', import.meta.url).href;
    const r = await exploreParallel(SMALL, { workers: 2, tableLog2: 18, implementations: leaderNeverGivesUp, implementationsModule: module });
    expect(r.verdict).toBe('violation');
    const again = replay(createModel(SMALL, leaderNeverGivesUp), makeTrace(SMALL, r.trace ?? [], r.violation!, { strategy: 'bfs' }));
    expect(again.divergence).toBeNull();
    expect(again.violation?.invariant).toBe(r.violation?.invariant);
  });
});

describe('zabstate check on two workers', () => {
  it('reports the same count as one worker, and says how many workers ran', async () => {
    const { run } = await import('../../src/cli/main.js');
    const out: string[] = [];
    const code = await run(['check', '--workers', '2', '--table-log2', '16', '--max-epoch', '1', '--max-txns', '1', '--max-crashes', '0', '--max-partitions', '0', '--json'], (l) => out.push(l), () => {}, false);
    expect(code).toBe(0);
    expect(JSON.parse(out[0])).toMatchObject({ verdict: 'pass', distinctStates: 1327, workers: 2 });
  });

  it('stops every worker and exits 2 with one line when the model outgrows --table-log2', async () => {
    const { run } = await import('../../src/cli/main.js');
    const errors: string[] = [];
    const code = await run(['check', '--workers', '2', '--table-log2', '12', '--config', 'spec/MCZab_crash.cfg'], () => {}, (l) => errors.push(l), false);
    expect(code).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^zabstate: the shared seen-set is full \(\d+ states in 4096 slots\): raise its maximum \(--table-log2\)$/);
  });
});
