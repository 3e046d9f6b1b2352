import { parentPort, workerData } from 'node:worker_threads';
import { createModel } from '../../model/Model.js';
import type { ModelConfig } from '../../model/ModelConfig.js';
import { explore } from '../../checker/explore.js';
import { SharedSeenSet, type SharedSeenSetBuffers } from './SharedSeenSet.js';
import type { ServerImplementations } from '../../protocol/serverMachine.js';
import { defaultImplementations } from '../../protocol/serverMachine.js';

/** What a worker is given: the model, the shared set, and the roots to take turns on. */
export interface WorkerInput {
  readonly config: ModelConfig;
  /** A module whose default export is a ServerImplementations (variants), or null. */
  readonly implementationsModule: string | null;
  readonly seen: SharedSeenSetBuffers;
  /** Int32 [0]: next root to take; [1]: 1 once any worker found a violation. */
  readonly control: SharedArrayBuffer;
  readonly rootPaths: readonly (readonly number[])[];
  /** Float64 per worker: [generated, queue, depth], for the progress line. */
  readonly stats: SharedArrayBuffer;
  readonly index: number;
}

const input = workerData as WorkerInput;
const implementations: ServerImplementations =
  input.implementationsModule === null ? defaultImplementations : ((await import(input.implementationsModule)).default as ServerImplementations);
const model = createModel(input.config, implementations);
const control = new Int32Array(input.control);
const stats = new Float64Array(input.stats);
const seen = new SharedSeenSet(input.seen);
seen.join();
const started = performance.now();
const result = explore(model, {
  seen,
  roots: { count: input.rootPaths.length, nextRoot: () => Atomics.add(control, 0, 1), path: (k) => input.rootPaths[k] },
  shouldStop: () => Atomics.load(control, 1) === 1,
  now: () => performance.now(),
  onProgress: (p) => {
    stats[input.index * 3] = p.generated;
    stats[input.index * 3 + 1] = p.queue;
    stats[input.index * 3 + 2] = p.depth;
  },
});
seen.leave();
if (result.violation !== undefined) Atomics.store(control, 1, 1);
parentPort?.postMessage({
  distinctStates: result.distinctStates,
  generatedStates: result.generatedStates,
  depth: result.depth,
  violation: result.violation ?? null,
  path: result.path ?? null,
  reached: result.reached,
  parentBytes: result.parentBytes,
  busySeconds: (performance.now() - started) / 1000,
});
