/**
 * `npm run bench`: the checker's speed and memory on the standard model, as figures and ratios
 * against peers measured in the same run (1 vs 2 workers; XState's transition() vs the compiled
 * step table). Nothing here asserts a time: it prints.
 */
import { initialTransition, transition } from 'xstate';
import { createModel } from '../../src/model/Model.js';
import { STANDARD_MODEL } from '../../src/model/ModelConfig.js';
import { explore } from '../../src/checker/explore.js';
import { exploreParallel } from '../../src/runtime/parallel/exploreParallel.js';
import { simulate } from '../../src/sim/simulate.js';
import type { ServerEvent } from '../../src/protocol/ServerEvent.js';
import type { ServerContext } from '../../src/protocol/ServerContext.js';

const config = { ...STANDARD_MODEL, ...(process.env.BENCH_CONFIG ? JSON.parse(process.env.BENCH_CONFIG) : {}) };
const line = (s: string) => process.stdout.write(s + '\n');

line(`zabstate bench — model ${JSON.stringify(config)}`);
line(`machine: ${process.version}, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);

// 1. Exhaustive BFS, one thread.
const heapBefore = process.memoryUsage().heapUsed;
const t1 = performance.now();
const one = explore(createModel(config));
const s1 = (performance.now() - t1) / 1000;
const heapAfter = process.memoryUsage().heapUsed;
const rate1 = one.distinctStates / s1;
line(`bfs, 1 worker : ${one.distinctStates} distinct, ${one.generatedStates} generated, ${s1.toFixed(2)} s, ${Math.round(rate1)} distinct states/s`);
line(`  memory: seen-set + parent links ${(one.fingerprintBytes / one.distinctStates).toFixed(1)} bytes/state; heap growth incl. queue ${((heapAfter - heapBefore) / one.distinctStates).toFixed(1)} bytes/state`);

// 2. The same on two worker threads sharing one fingerprint table.
const t2 = performance.now();
const two = await exploreParallel(config, { workers: 2 });
const s2 = (performance.now() - t2) / 1000;
const rate2 = two.distinctStates / s2;
line(`bfs, 2 workers: ${two.distinctStates} distinct, ${s2.toFixed(2)} s, ${Math.round(rate2)} distinct states/s — ${(rate2 / rate1).toFixed(2)}x one worker`);
line(`  memory: shared table + parent links ${(two.fingerprintBytes / two.distinctStates).toFixed(1)} bytes/state (table sized for 15M states)`);
if (two.distinctStates !== one.distinctStates) line(`  MISMATCH: 2 workers found ${two.distinctStates}, 1 worker ${one.distinctStates}`);

// 3. One server step: XState's pure transition() against the compiled table, on the same inputs.
const model = createModel({ ...config, maxEpoch: 8, maxTxns: 8, maxCrashes: 3, maxPartitions: 3 });
const samples: { state: string; context: ServerContext; event: ServerEvent }[] = [];
for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
  for (const step of simulate(model, seed, 300, { fault: 0.1 })) {
    const i = step.action.i;
    samples.push({ state: step.before.states[i], context: step.before.servers[i], event: model.eventFor(step.before, step.action) });
  }
}
const machine = model.machine;
const [start] = initialTransition(machine, { id: 1, voters: model.voters, serverCount: model.sids.length, commitLogCount: config.commitLogCount });
const snapshots = samples.map(({ state, context }) => {
  const [group, phase] = state.split('.');
  return machine.resolveState({ value: phase === undefined ? group : { [group]: phase }, context });
});
void start;
const rounds = 20;
let t = performance.now();
for (let r = 0; r < rounds; r++) for (let k = 0; k < samples.length; k++) transition(machine, snapshots[k], samples[k].event);
const xstateNs = ((performance.now() - t) * 1e6) / (rounds * samples.length);
t = performance.now();
for (let r = 0; r < rounds; r++) for (const s of samples) model.compiled.step(s.state, s.context, s.event);
const tableNs = ((performance.now() - t) * 1e6) / (rounds * samples.length);
line(`one server step over ${samples.length} recorded steps: XState transition() ${Math.round(xstateNs)} ns, compiled table ${Math.round(tableNs)} ns — ${(xstateNs / tableNs).toFixed(1)}x`);
line(`targets: 200,000 distinct states/s on one core (measured ${Math.round(rate1)}: ${(rate1 / 200000).toFixed(2)} of it), 1.8x with two workers (measured ${(rate2 / rate1).toFixed(2)}x), under 32 bytes/state`);
