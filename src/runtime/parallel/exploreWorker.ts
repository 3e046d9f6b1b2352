import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createModel } from '../../model/Model.js';
import type { ModelConfig } from '../../model/ModelConfig.js';
import { explore } from '../../checker/explore.js';
import { SharedSeenSet, type SharedSeenSetBuffers } from './SharedSeenSet.js';
import { WorkPool, type WorkPoolBuffers } from './WorkPool.js';
import type { ServerImplementations } from '../../protocol/serverMachine.js';
import { defaultImplementations } from '../../protocol/serverMachine.js';

/** What a worker is given: the model, the shared set, and the roots to take turns on. */
export interface WorkerInput {
  readonly config: ModelConfig;
  /** A module whose default export is a ServerImplementations (variants), or null. */
  readonly implementationsModule: string | null;
  readonly seen: SharedSeenSetBuffers;
  readonly pool: WorkPoolBuffers;
  /** Float64 per worker: [generated, queue, depth], for the progress line. */
  readonly stats: SharedArrayBuffer;
  readonly index: number;
}

/**
 * CPU seconds this thread has run, where Linux tells (/proc/thread-self/stat), else null: with
 * busy seconds it shows how much of a core a worker got on a shared machine.
 */
function threadCpuSeconds(): number | null {
  try {
    const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    // utime and stime, the 14th and 15th fields of stat(5), in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

const input = workerData as WorkerInput;
const implementations: ServerImplementations =
  input.implementationsModule === null ? defaultImplementations : ((await import(input.implementationsModule)).default as ServerImplementations);
const model = createModel(input.config, implementations);
const stats = new Float64Array(input.stats);
const seen = new SharedSeenSet(input.seen);
// Joined while this worker has work: a resize of the shared set waits for joined workers only.
let joined = true;
seen.join();
const leave = () => {
  if (joined) seen.leave();
  joined = false;
};
const pool = new WorkPool(input.pool, input.index, leave, () => {
  seen.join();
  joined = true;
});
const started = performance.now();
const cpuStarted = threadCpuSeconds();
const result = explore(model, {
  seen,
  roots: pool,
  shouldStop: () => pool.stopped,
  now: () => performance.now(),
  onProgress: (p) => {
    stats[input.index * 3] = p.generated;
    stats[input.index * 3 + 1] = p.queue;
    stats[input.index * 3 + 2] = p.depth;
  },
});
leave();
if (result.violation !== undefined) pool.stop();
parentPort?.postMessage({
  distinctStates: result.distinctStates,
  generatedStates: result.generatedStates,
  depth: result.depth,
  violation: result.violation ?? null,
  path: result.path ?? null,
  reached: result.reached,
  parentBytes: result.parentBytes,
  busySeconds: (performance.now() - started) / 1000,
  cpuSeconds: cpuStarted === null ? null : (threadCpuSeconds() ?? cpuStarted) - cpuStarted,
});
