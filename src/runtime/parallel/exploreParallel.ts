import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { createModel, type Model } from '../../model/Model.js';
import type { ModelConfig } from '../../model/ModelConfig.js';
import { rebuildTrace, type ExploreResult, type Progress } from '../../checker/explore.js';
import { ActionList, CompactModel } from '../../checker/CompactModel.js';
import { checkActionProperties, checkInvariants, type Violation } from '../../checker/invariants.js';
import { REACHABILITY } from '../../checker/reachability.js';
import { defaultImplementations, type ServerImplementations } from '../../protocol/serverMachine.js';
import { SharedSeenSet } from './SharedSeenSet.js';
import { WorkPool } from './WorkPool.js';
import type { WorkerInput } from './exploreWorker.js';

export interface ParallelOptions {
  readonly workers: number;
  /** log2 of the most slots the shared table may grow to (8 bytes each); 2^24 slots hold 12 million states. */
  readonly tableLog2?: number;
  /** A module whose default export is the ServerImplementations to check (a variant), or null. */
  readonly implementationsModule?: string | null;
  readonly implementations?: ServerImplementations;
  /** Called about once a second while the workers run. */
  readonly onProgress?: (p: Progress) => void;
}

interface WorkerOutput {
  distinctStates: number;
  generatedStates: number;
  depth: number;
  violation: Violation | null;
  path: number[] | null;
  reached: Record<string, boolean>;
  parentBytes: number;
  busySeconds: number;
  cpuSeconds: number | null;
}

/**
 * Expand breadth-first from the initial state until the frontier gives every worker plenty of
 * roots; the states met on the way are in `seen` and checked. Returns the unexpanded frontier.
 */
function prefix(model: Model, seen: SharedSeenSet, wanted: number) {
  const cm = new CompactModel(model);
  const reached: Record<string, boolean> = Object.fromEntries(REACHABILITY.map((r) => [r.name, r.holds(model, model.init())]));
  const fp = { hi: 0, lo: 0 };
  let frontier: { state: Int32Array; path: number[] }[] = [{ state: cm.init(), path: [] }];
  cm.fingerprint(frontier[0].state, fp);
  seen.add(fp.hi, fp.lo);
  let generated = 1;
  const initialViolation = checkInvariants(model, model.init());
  if (initialViolation !== null) return { frontier, generated, reached, violation: { violation: initialViolation, path: [] as number[] } };
  let depth = 0;
  const actions = new ActionList();
  while (frontier.length > 0 && frontier.length < wanted) {
    const next: typeof frontier = [];
    for (const { state, path } of frontier) {
      cm.actions(state, actions);
      for (let a = 0; a < actions.length; a++) {
        const after = new Int32Array(cm.width);
        cm.next(state, actions.codes[a], after);
        if (!cm.withinBounds(after)) continue;
        generated++;
        const object = cm.materialize(after);
        const stepViolation = checkActionProperties(model, cm.materialize(state), object);
        cm.fingerprint(after, fp);
        const fresh = seen.add(fp.hi, fp.lo);
        const violation = stepViolation ?? (fresh ? checkInvariants(model, object) : null);
        if (violation !== null) return { frontier, generated, reached, violation: { violation, path: [...path, a] } };
        if (!fresh) continue;
        for (const r of REACHABILITY) if (!reached[r.name] && r.holds(model, object)) reached[r.name] = true;
        next.push({ state: after, path: [...path, a] });
      }
    }
    frontier = next;
    if (next.length > 0) depth++;
  }
  return { frontier, generated, reached, depth, violation: null };
}

/** Start a worker: the built JS directly, or (running from the TypeScript sources, as tests do) through tsx. */
function startWorker(workerData: WorkerInput): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./exploreWorker.js', import.meta.url), { workerData });
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs');
  const target = new URL('./exploreWorker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(pathToFileURL(tsx).href)}).then(({ register }) => { register(); return import(${JSON.stringify(target)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * Exhaustive exploration on several threads sharing one fingerprint set. Every distinct state is
 * expanded once, by whichever worker claims it first, so the counts equal the single-threaded
 * ones; a counterexample is found but, unlike single-threaded BFS, not guaranteed shortest.
 */
export async function exploreParallel(config: ModelConfig, options: ParallelOptions): Promise<ExploreResult> {
  const started = performance.now();
  const model = createModel(config, options.implementations ?? defaultImplementations);
  const maxLog2 = options.tableLog2 ?? 24;
  const buffers = SharedSeenSet.allocate(Math.min(16, maxLog2), maxLog2);
  const seen = new SharedSeenSet(buffers);
  const start = prefix(model, seen, 64 * options.workers);
  // The workers join the set as they start; this thread adds no more.
  seen.leave();
  const finish = (parts: WorkerOutput[], violation: { violation: Violation; path: number[] } | null): ExploreResult => {
    const reached = Object.fromEntries(REACHABILITY.map((r) => [r.name, start.reached[r.name] || parts.some((p) => p.reached[r.name])]));
    return {
      verdict: violation === null ? 'pass' : 'violation',
      distinctStates: seen.size,
      generatedStates: start.generated + parts.reduce((n, p) => n + p.generatedStates, 0),
      depth: Math.max(start.depth ?? 0, ...parts.map((p) => p.depth)),
      seconds: (performance.now() - started) / 1000,
      fingerprintBytes: seen.bytes + parts.reduce((n, p) => n + p.parentBytes, 0),
      parentBytes: parts.reduce((n, p) => n + p.parentBytes, 0),
      workerSeconds: parts.map((p) => p.busySeconds),
      workerCpuSeconds: parts.every((p) => p.cpuSeconds !== null) ? parts.map((p) => p.cpuSeconds as number) : undefined,
      violation: violation?.violation,
      trace: violation === null ? undefined : rebuildTrace(model, violation.path),
      path: violation?.path,
      reached,
    };
  };
  if (start.violation !== null) return finish([], start.violation);
  const stats = new SharedArrayBuffer(8 * 3 * options.workers);
  const input: Omit<WorkerInput, 'index'> = {
    stats,
    config,
    implementationsModule: options.implementationsModule ?? null,
    seen: buffers,
    pool: WorkPool.allocate(options.workers, start.frontier.map((f) => f.path)),
  };
  const view = new Float64Array(stats);
  const ticker = options.onProgress === undefined ? null : setInterval(() => {
    let generated = start.generated;
    let queue = 0;
    let depth = 0;
    for (let w = 0; w < options.workers; w++) {
      generated += view[w * 3];
      queue += view[w * 3 + 1];
      depth = Math.max(depth, view[w * 3 + 2]);
    }
    options.onProgress?.({ generated, distinct: seen.size, queue, depth, seconds: (performance.now() - started) / 1000 });
  }, 1000);
  const workers: Worker[] = [];
  const parts = await Promise.all(
    Array.from({ length: options.workers }, (_, index) =>
      new Promise<WorkerOutput>((resolve, reject) => {
        const worker = startWorker({ ...input, index });
        workers.push(worker);
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`explore worker exited with ${code}`))));
      }),
    ),
  ).catch(async (error: unknown) => {
    // The others may be parked on the shared table waiting for the failed one: stop them all.
    if (ticker !== null) clearInterval(ticker);
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw error;
  });
  if (ticker !== null) clearInterval(ticker);
  const found = parts.find((p) => p.violation !== null);
  return finish(parts, found === undefined ? null : { violation: found.violation as Violation, path: found.path as number[] });
}
