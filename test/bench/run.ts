/**
 * `npm run bench`: the checker's speed and memory on the standard model, as figures and ratios
 * against peers measured in the same run (1 vs 2 workers; XState's transition() vs the compiled
 * step table). Nothing here asserts a time: it prints. On a shared machine the wall-clock figures
 * depend on the load (printed); the CPU seconds say what the checker itself costs.
 *
 * Environment: BENCH_CONFIG (JSON bounds over the standard model), BENCH_ROUNDS (default 2).
 */
import { initialTransition, transition } from 'xstate';
import { createModel } from '../../src/model/Model.js';
import { STANDARD_MODEL } from '../../src/model/ModelConfig.js';
import { explore, type ExploreResult } from '../../src/checker/explore.js';
import { availableParallelism, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { exploreParallel } from '../../src/runtime/parallel/exploreParallel.js';
import { simulate } from '../../src/sim/simulate.js';
import type { ServerEvent } from '../../src/protocol/ServerEvent.js';
import type { ServerContext } from '../../src/protocol/ServerContext.js';

const config = { ...STANDARD_MODEL, ...(process.env.BENCH_CONFIG ? JSON.parse(process.env.BENCH_CONFIG) : {}) };
const line = (s: string) => process.stdout.write(s + '\n');

line(`zabstate bench — model ${JSON.stringify(config)}`);
line(`machine: ${process.version}, ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1e6;
};
/** CPU seconds of this thread alone (Linux), null elsewhere: the process's also count V8's helper threads. */
const threadCpu = (): number | null => {
  try {
    const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
};

// 1 and 2: exhaustive BFS on one thread and on two worker threads sharing one fingerprint table,
// alternated (1, 2, 1, 2) so that both see the same load on a shared machine; the best of each is compared.
interface Run {
  readonly result: ExploreResult;
  readonly seconds: number;
  readonly cpu: number;
  /** One worker: the exploring thread's own CPU seconds, where the platform tells. */
  readonly threadCpu?: number | null;
  /** How much the process's peak resident set grew, in bytes a distinct state (meaningful for the first run only). */
  readonly peakPerState?: number;
}
const runOne = (): Run => {
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  const cpu = process.cpuUsage();
  const thread = threadCpu();
  const t = performance.now();
  const result = explore(createModel(config));
  const seconds = (performance.now() - t) / 1000;
  const threadAfter = threadCpu();
  return {
    result,
    seconds,
    cpu: cpuSeconds(cpu),
    threadCpu: thread === null || threadAfter === null ? null : threadAfter - thread,
    peakPerState: (process.resourceUsage().maxRSS * 1024 - peakBefore) / result.distinctStates,
  };
};
const runTwo = async (): Promise<Run> => {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const result = await exploreParallel(config, { workers: 2, tableLog2: 28 });
  return { result, seconds: (performance.now() - t) / 1000, cpu: cpuSeconds(cpu) };
};
const ones: Run[] = [];
const twos: Run[] = [];
for (let round = 0; round < rounds; round++) {
  ones.push(runOne());
  line(`bfs, 1 worker : ${rate(ones.at(-1) as Run)} (load ${load()})`);
  twos.push(await runTwo());
  line(`bfs, 2 workers: ${rate(twos.at(-1) as Run)} (load ${load()})`);
}
function rate(r: Run): string {
  const thread = r.threadCpu === undefined || r.threadCpu === null ? '' : `, exploring thread ${r.threadCpu.toFixed(1)} s`;
  const workers = r.result.workerCpuSeconds === undefined ? '' : `; workers busy ${r.result.workerSeconds?.map((s) => s.toFixed(1)).join(' + ')} s, on CPU ${r.result.workerCpuSeconds.map((s) => s.toFixed(1)).join(' + ')} s`;
  return `${r.result.distinctStates} distinct, ${r.result.generatedStates} generated, ${r.seconds.toFixed(2)} s, ${Math.round(r.result.distinctStates / r.seconds)} distinct states/s (CPU: process ${r.cpu.toFixed(1)} s${thread}${workers})`;
}
const best = (runs: Run[]) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
const one = best(ones);
const two = best(twos);
const rate1 = one.result.distinctStates / one.seconds;
const rate2 = two.result.distinctStates / two.seconds;
line(`best of ${rounds}: 1 worker ${Math.round(rate1)} distinct states/s (${Math.round(one.result.distinctStates / one.cpu)} per CPU second); 2 workers ${Math.round(rate2)} distinct states/s — ${(rate2 / rate1).toFixed(2)}x one worker`);
const workerCpu = two.result.workerCpuSeconds;
if (workerCpu !== undefined && one.threadCpu !== undefined && one.threadCpu !== null) {
  // What the load hides: with a core each, the run takes about as long as its busiest worker's CPU time.
  line(`  exploring threads' CPU: 1 worker ${one.threadCpu.toFixed(1)} s; 2 workers ${workerCpu.map((c) => c.toFixed(1)).join(' + ')} s (${(workerCpu.reduce((a, b) => a + b, 0) / one.threadCpu).toFixed(2)}x the work); with a free core each, about ${(one.threadCpu / Math.max(...workerCpu)).toFixed(2)}x one worker`);
}
line(`  memory, 1 worker: seen set + parent links ${(one.result.fingerprintBytes / one.result.distinctStates).toFixed(1)} bytes/state (parent links ${(one.result.parentBytes / one.result.distinctStates).toFixed(1)}); the first run grew the process's peak resident set by ${(ones[0].peakPerState ?? 0).toFixed(1)} bytes/state, queue, interned values and code included`);
line(`  memory, 2 workers: shared table + parent links ${(two.result.fingerprintBytes / two.result.distinctStates).toFixed(1)} bytes/state (parent links ${(two.result.parentBytes / two.result.distinctStates).toFixed(1)})`);
for (const r of [...ones, ...twos]) if (r.result.distinctStates !== one.result.distinctStates || r.result.generatedStates !== one.result.generatedStates) line(`  MISMATCH: a run found ${r.result.distinctStates} distinct / ${r.result.generatedStates} generated`);

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
const stepRounds = 20;
let t = performance.now();
for (let r = 0; r < stepRounds; r++) for (let k = 0; k < samples.length; k++) transition(machine, snapshots[k], samples[k].event);
const xstateNs = ((performance.now() - t) * 1e6) / (stepRounds * samples.length);
t = performance.now();
for (let r = 0; r < stepRounds; r++) for (const s of samples) model.compiled.step(s.state, s.context, s.event);
const tableNs = ((performance.now() - t) * 1e6) / (stepRounds * samples.length);
line(`one server step over ${samples.length} recorded steps: XState transition() ${Math.round(xstateNs)} ns, compiled table ${Math.round(tableNs)} ns — ${(xstateNs / tableNs).toFixed(1)}x`);
line(`the explorer, which takes each distinct (server, event) step once through the compiled table and then looks it up: ${Math.round((one.cpu * 1e9) / one.result.generatedStates)} ns CPU per generated cluster state, all costs included`);
line(`targets: 200,000 distinct states/s on one core (measured ${Math.round(rate1)}: ${(rate1 / 200000).toFixed(2)} of it), 1.8x with two workers (measured ${(rate2 / rate1).toFixed(2)}x), under 32 bytes/state (measured ${(one.result.fingerprintBytes / one.result.distinctStates).toFixed(1)} and ${(two.result.fingerprintBytes / two.result.distinctStates).toFixed(1)})`);
line(`load average at the end: ${load()}`);
