import type { ClusterState, ModelAction } from '../model/ClusterState.js';
import type { Model } from '../model/Model.js';
import { FingerprintSet } from './FingerprintSet.js';
import type { Fingerprint } from './fingerprint.js';
import { Fingerprinter } from './Fingerprinter.js';
import { ACTION_PROPERTIES, checkActionProperties, checkInvariants, INVARIANTS, type Invariant, type Violation } from './invariants.js';
import { ActionList, CompactModel } from './CompactModel.js';
import { REACHABILITY } from './reachability.js';

/** Breadth-first (shortest counterexamples) or depth-first (less queue memory). */
export type Strategy = 'bfs' | 'dfs';

/** The most queued states a worker hands to an idle one at a time. */
const SHARE_MAX = 2048;

/** How to explore: strategy, depth bound, invariants, progress, and for worker threads a shared seen set and roots. */
export interface ExploreOptions {
  readonly strategy?: Strategy;
  /** Stop expanding past this depth (0: unbounded). */
  readonly maxDepth?: number;
  readonly invariants?: readonly Invariant[];
  /** Called about once a second with progress figures. */
  readonly onProgress?: (p: Progress) => void;
  /** Wall clock in ms, injected so the core stays free of clocks. */
  readonly now?: () => number;
  /** The set of seen fingerprints; a shared one lets several workers split one exploration. */
  readonly seen?: SeenSet;
  /**
   * Where to start (default: the initial state alone), for worker threads that split one
   * exploration. Roots are states already in `seen`, given as the action indexes that reach them
   * from the initial state, and taken one at a time when the queue runs dry.
   */
  readonly roots?: Roots;
  /** Polled now and then: true when another worker found a violation. */
  readonly shouldStop?: () => boolean;
}

/** Where a worker's exploration starts, and how it hands work to a worker that has none. */
export interface Roots {
  /** The next root's path, or null when there is none (the exploration is over, or stopped). */
  next(): readonly number[] | null;
  /** A worker waiting for work, reserved to be given some, or -1 when none waits. */
  reserveTaker(): number;
  /** Hand the reserved `taker` these states (paths from the initial state; maybe none) from this worker's queue. */
  give(taker: number, paths: readonly (readonly number[])[]): void;
  /** What one hand-over may hold: the paths' lengths, plus one a path. */
  readonly shareWords: number;
}

/** A set of 64-bit fingerprints: `add` is true when the fingerprint was not there yet. */
export interface SeenSet {
  /** Insert the fingerprint (hi, lo); true when it was new, so the caller explores that state. */
  add(hi: number, lo: number): boolean;
  readonly bytes: number;
}

/** The single-threaded seen set. */
class LocalSeenSet implements SeenSet {
  private readonly set = new FingerprintSet(16);
  add(hi: number, lo: number): boolean {
    return this.set.add(hi, lo);
  }
  get bytes(): number {
    return this.set.bytes;
  }
}

/** Figures for the progress line. */
export interface Progress {
  readonly generated: number;
  readonly distinct: number;
  readonly queue: number;
  readonly depth: number;
  readonly seconds: number;
}

/** One step of a counterexample: the action and the fingerprint of the state it reaches. */
export interface TraceStep {
  readonly action: ModelAction;
  readonly fingerprint: string;
}

/** What an exploration found: the verdict, the figures, and a counterexample with its trace. */
export interface ExploreResult {
  readonly verdict: 'pass' | 'violation';
  readonly distinctStates: number;
  readonly generatedStates: number;
  readonly depth: number;
  readonly seconds: number;
  /** Bytes of the seen set and the parent links: what is kept per distinct state. */
  readonly fingerprintBytes: number;
  /** Of those, the parent links' (the rest is the seen set). */
  readonly parentBytes: number;
  /** With worker threads: how long each explored, in seconds (the rest of `seconds` it waited). */
  readonly workerSeconds?: readonly number[];
  /** With worker threads, where the platform tells: the CPU seconds each got (less than `workerSeconds` when cores are shared). */
  readonly workerCpuSeconds?: readonly number[];
  readonly violation?: Violation;
  readonly trace?: readonly TraceStep[];
  /** The violation's path as action indexes from the initial state (what `trace` was rebuilt from). */
  readonly path?: readonly number[];
  /** Reachability properties and whether some explored state satisfied them. */
  readonly reached: Readonly<Record<string, boolean>>;
}

/**
 * For every distinct state, how it was first reached: its parent's local id and the index of the
 * action taken, 6 bytes a state, in fixed-size chunks so that no growth copies or over-allocates.
 */
class Parents {
  private static readonly CHUNK_LOG2 = 16;
  private readonly parents: Int32Array[] = [];
  private readonly actions: Uint16Array[] = [];
  set(id: number, parent: number, action: number): void {
    const c = id >>> Parents.CHUNK_LOG2;
    while (c >= this.parents.length) {
      this.parents.push(new Int32Array(1 << Parents.CHUNK_LOG2));
      this.actions.push(new Uint16Array(1 << Parents.CHUNK_LOG2));
    }
    const k = id & ((1 << Parents.CHUNK_LOG2) - 1);
    this.parents[c][k] = parent;
    this.actions[c][k] = action;
  }
  parent(id: number): number {
    return this.parents[id >>> Parents.CHUNK_LOG2][id & ((1 << Parents.CHUNK_LOG2) - 1)];
  }
  action(id: number): number {
    return this.actions[id >>> Parents.CHUNK_LOG2][id & ((1 << Parents.CHUNK_LOG2) - 1)];
  }
  get bytes(): number {
    return this.parents.length * (1 << Parents.CHUNK_LOG2) * 6;
  }
}

/**
 * The states waiting to be expanded, as records of (state vector, local id, depth) in fixed-size
 * chunks of one Int32Array each: no object a state, so the queue costs the garbage collector
 * nothing. First in, first out for BFS; last in, first out for DFS.
 */
class StateQueue {
  private static readonly CHUNK_RECORDS = 4096;
  private readonly chunks: Int32Array[] = [];
  private readonly spare: Int32Array[] = [];
  /** Records dropped with the chunks before chunks[0]. */
  private dropped = 0;
  private head = 0;
  private tail = 0;
  /** Id and depth of the record last taken. */
  id = 0;
  depth = 0;
  constructor(private readonly width: number) {}

  get size(): number {
    return this.tail - this.head;
  }

  push(v: Int32Array, id: number, depth: number): void {
    const at = this.tail - this.dropped;
    const c = Math.floor(at / StateQueue.CHUNK_RECORDS);
    if (c === this.chunks.length) this.chunks.push(this.spare.pop() ?? new Int32Array(StateQueue.CHUNK_RECORDS * (this.width + 2)));
    const chunk = this.chunks[c];
    const o = (at - c * StateQueue.CHUNK_RECORDS) * (this.width + 2);
    chunk.set(v, o);
    chunk[o + this.width] = id;
    chunk[o + this.width + 1] = depth;
    this.tail++;
  }

  /** Take the oldest record into `out`. */
  shift(out: Int32Array): void {
    this.read(this.head - this.dropped, out);
    this.head++;
    if (this.head - this.dropped === StateQueue.CHUNK_RECORDS) {
      this.spare.push(this.chunks.shift() as Int32Array);
      this.dropped += StateQueue.CHUNK_RECORDS;
    }
  }

  /** Take the newest record into `out`. */
  pop(out: Int32Array): void {
    this.tail--;
    const at = this.tail - this.dropped;
    this.read(at, out);
    if (at % StateQueue.CHUNK_RECORDS === 0 && this.chunks.length > 1) this.spare.push(this.chunks.pop() as Int32Array);
  }

  private read(at: number, out: Int32Array): void {
    const c = Math.floor(at / StateQueue.CHUNK_RECORDS);
    const chunk = this.chunks[c];
    const o = (at - c * StateQueue.CHUNK_RECORDS) * (this.width + 2);
    out.set(chunk.subarray(o, o + this.width));
    this.id = chunk[o + this.width];
    this.depth = chunk[o + this.width + 1];
  }
}

/**
 * Verdicts of the built-in invariants by their inputs (CompactModel.invariantInputs): most new
 * states differ from a state already checked only in what the invariants do not read. An
 * open-addressing set of passing input tuples, bounded: forgetting costs a re-check, never a
 * wrong verdict.
 */
class InvariantCache {
  private static readonly LIMIT = 1 << 20;
  private readonly width: number;
  /** The inputs of the state last asked about. */
  private readonly inputs: Int32Array;
  private tuples: Int32Array;
  /** Slot → 1 + index of a tuple, 0 when empty. */
  private slots: Int32Array;
  private size = 0;
  private slot = 0;

  constructor(private readonly cm: CompactModel) {
    this.width = cm.n + 3;
    this.inputs = new Int32Array(this.width);
    this.tuples = new Int32Array(1024 * this.width);
    this.slots = new Int32Array(2048);
  }

  /** True when states with `v`'s invariant inputs are known to pass. */
  known(v: Int32Array): boolean {
    this.cm.invariantInputs(v, this.inputs);
    return this.find();
  }

  /** Whether `inputs` is in the set; if not, `slot` is where it goes. */
  private find(): boolean {
    let h = 0x2545f491;
    for (let k = 0; k < this.width; k++) h = Math.imul(h ^ this.inputs[k], 0x9e3779b1) ^ (h >>> 15);
    const mask = this.slots.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const at = this.slots[slot];
      if (at === 0) {
        this.slot = slot;
        return false;
      }
      const o = (at - 1) * this.width;
      let equal = true;
      for (let k = 0; k < this.width && equal; k++) equal = this.tuples[o + k] === this.inputs[k];
      if (equal) return true;
    }
  }

  /** Remember that the inputs last asked about (and not known) pass. */
  pass(): void {
    if (this.size >= InvariantCache.LIMIT) {
      this.slots.fill(0);
      this.size = 0;
      this.find();
    }
    if ((this.size + 1) * this.width > this.tuples.length) {
      const grown = new Int32Array(this.tuples.length * 2);
      grown.set(this.tuples);
      this.tuples = grown;
    }
    this.tuples.set(this.inputs, this.size * this.width);
    this.size++;
    this.slots[this.slot] = this.size;
    if (this.size * 2 > this.slots.length) this.rehash();
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    const mask = this.slots.length - 1;
    for (let t = 0; t < this.size; t++) {
      let h = 0x2545f491;
      for (let k = 0; k < this.width; k++) h = Math.imul(h ^ this.tuples[t * this.width + k], 0x9e3779b1) ^ (h >>> 15);
      let slot = h & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = t + 1;
    }
  }
}

/** A state reached by following action indexes from the initial state. */
export function stateAt(model: Model, path: readonly number[]): ClusterState {
  let state = model.init();
  for (const index of path) state = model.next(state, model.actions(state)[index]);
  return state;
}

/** Re-execute a path of action indexes from the initial state: the counterexample trace. */
export function rebuildTrace(model: Model, indexes: readonly number[]): TraceStep[] {
  const fingerprinter = new Fingerprinter(model.compiled.states);
  let state = model.init();
  const steps: TraceStep[] = [];
  for (const index of indexes) {
    const action = model.actions(state)[index];
    state = model.next(state, action);
    steps.push({ action, fingerprint: fingerprinter.format(state) });
  }
  return steps;
}

/**
 * Exhaustive exploration over the model's bounds. BFS finds a shortest counterexample; DFS uses
 * less queue memory. Only 64-bit fingerprints of the canonical encoding are kept for seen states;
 * states wait in the queue as vectors of the compact model (src/checker/CompactModel.ts).
 */
export function explore(model: Model, options: ExploreOptions = {}): ExploreResult {
  const strategy = options.strategy ?? 'bfs';
  const maxDepth = options.maxDepth ?? 0;
  const invariants = options.invariants ?? INVARIANTS;
  const now = options.now ?? (() => 0);
  const started = now();
  const cm = new CompactModel(model);
  // The built-in invariants read only a few variables: a verdict is reused for equal inputs.
  const cache = options.invariants === undefined ? new InvariantCache(cm) : null;
  // EpochMonotonicity reads one server at a time: only the servers a step changed are asked.
  const perServer = ACTION_PROPERTIES.every((p) => p.holdsForServer !== undefined) ? ACTION_PROPERTIES : null;
  const seen = options.seen ?? new LocalSeenSet();
  const parents = new Parents();
  const fp: Fingerprint = { hi: 0, lo: 0 };
  const reached: Record<string, boolean> = Object.fromEntries(REACHABILITY.map((r) => [r.name, false]));
  let unreached = REACHABILITY.filter((r) => (r.applies?.(model.config) ?? true) && r.holdsForMessage === undefined);
  // Properties of messages in flight: each channel value is asked once, in the first explored state that has it.
  let unreachedInFlight = REACHABILITY.flatMap((r) => (r.applies?.(model.config) ?? true) && r.holdsForMessage !== undefined ? [{ name: r.name, holds: r.holdsForMessage }] : []);
  let channelAsked = new Uint8Array(1024);

  // Local ids: roots and the states this search claimed, with their parents for the trace.
  const rootPaths: (readonly number[])[] = [];
  let localCount = 0;
  let distinct = 0;
  let generated = 0;
  let maxSeenDepth = 0;
  const queue = new StateQueue(cm.width);
  const current = new Int32Array(cm.width);
  const next = new Int32Array(cm.width);
  const actions = new ActionList();
  let lastProgress = started;
  let expanded = 0;
  /** Local id of each root → index into rootPaths. */
  const rootIds = new Map<number, number>();

  /** Queue the next root, if any; false when none is left. */
  const takeRoot = (): boolean => {
    let root: Int32Array;
    if (options.roots === undefined) {
      if (localCount > 0) return false;
      root = cm.init();
      cm.fingerprint(root, fp);
      seen.add(fp.hi, fp.lo);
      distinct++;
      generated++;
      rootPaths.push([]);
    } else {
      const path = options.roots.next();
      if (path === null) return false;
      rootPaths.push(path);
      root = cm.init();
      for (const index of path) {
        cm.actions(root, actions);
        cm.next(root, actions.codes[index], next);
        root.set(next);
      }
    }
    parents.set(localCount, -1, 0);
    rootIds.set(localCount, rootPaths.length - 1);
    queue.push(root, localCount, rootPaths[rootPaths.length - 1].length);
    localCount++;
    return true;
  };

  /** If a worker waits for work, give it half the queue (at most SHARE_MAX states), newest first. */
  const share = (roots: Roots): void => {
    const taker = roots.reserveTaker();
    if (taker < 0) return;
    const paths: number[][] = [];
    const count = Math.min(SHARE_MAX, queue.size >> 1);
    let words = 0;
    for (let k = 0; k < count; k++) {
      queue.pop(current);
      const path = fullPath(queue.id);
      if (words + path.length + 1 > roots.shareWords) {
        queue.push(current, queue.id, queue.depth);
        break;
      }
      words += path.length + 1;
      paths.push(path);
    }
    roots.give(taker, paths);
  };

  /** Full path from the initial state to local state `id`: its root's path, then the local steps. */
  const fullPath = (id: number): number[] => {
    const local: number[] = [];
    let k = id;
    for (; parents.parent(k) >= 0; k = parents.parent(k)) local.push(parents.action(k));
    return [...rootPaths[rootIds.get(k) ?? -1], ...local.reverse()];
  };

  const result = (violation?: Violation, at?: number): ExploreResult => ({
    verdict: violation === undefined ? 'pass' : 'violation',
    distinctStates: distinct,
    generatedStates: generated,
    depth: maxSeenDepth,
    seconds: (now() - started) / 1000,
    fingerprintBytes: seen.bytes + parents.bytes,
    parentBytes: parents.bytes,
    violation,
    trace: at === undefined ? undefined : rebuildTrace(model, fullPath(at)),
    path: at === undefined ? undefined : fullPath(at),
    reached,
  });

  /** Violation of a step property from `before` to `after`, looking only at the servers that changed. */
  const stepViolation = (before: Int32Array, after: Int32Array): Violation | null => {
    if (perServer !== null) {
      let holds = true;
      for (let sid = 1; sid <= cm.n && holds; sid++) {
        if (before[sid - 1] === after[sid - 1]) continue;
        const b = cm.serverContext(before, sid);
        const a = cm.serverContext(after, sid);
        for (const p of perServer) if (!(p.holdsForServer as NonNullable<typeof p.holdsForServer>)(b, a)) holds = false;
      }
      if (holds) return null;
    }
    return checkActionProperties(model, cm.materialize(before), cm.materialize(after));
  };

  /** Violation of an invariant in the new state `v`. */
  const stateViolation = (v: Int32Array): Violation | null => {
    if (cache === null) return checkInvariants(model, cm.materialize(v), invariants);
    if (cache.known(v)) return null;
    const found = checkInvariants(model, cm.materialize(v), invariants);
    if (found === null) cache.pass();
    return found;
  };

  if (options.roots === undefined) {
    takeRoot();
    const initialViolation = stateViolation(cm.init());
    if (initialViolation !== null) return result(initialViolation, 0);
  }

  for (;;) {
    if (queue.size === 0 && (options.roots === undefined || !takeRoot())) break;
    if (strategy === 'bfs') queue.shift(current);
    else queue.pop(current);
    const id = queue.id;
    const depth = queue.depth;
    if (maxDepth > 0 && depth >= maxDepth) continue;
    cm.actions(current, actions);
    const count = actions.length;
    const codes = actions.codes;
    for (let a = 0; a < count; a++) {
      cm.next(current, codes[a], next);
      if (!cm.withinBounds(next)) continue;
      generated++;
      const actionViolation = stepViolation(current, next);
      cm.fingerprint(next, fp);
      const nextId = localCount;
      if (!seen.add(fp.hi, fp.lo)) {
        if (actionViolation !== null) {
          parents.set(nextId, id, a);
          return result(actionViolation, nextId);
        }
        continue;
      }
      distinct++;
      localCount++;
      parents.set(nextId, id, a);
      if (depth + 1 > maxSeenDepth) maxSeenDepth = depth + 1;
      const violation = actionViolation ?? stateViolation(next);
      if (violation !== null) return result(violation, nextId);
      if (unreached.length > 0) {
        const state = cm.materialize(next);
        let hit = false;
        for (const r of unreached) if (r.holds(model, state)) hit = reached[r.name] = true;
        if (hit) unreached = unreached.filter((r) => !reached[r.name]);
      }
      if (unreachedInFlight.length > 0) {
        let hit = false;
        for (const slot of cm.channelSlotList) {
          const channel = next[slot];
          if (channel >= channelAsked.length) {
            const grown = new Uint8Array(Math.max(channel + 1, channelAsked.length * 2));
            grown.set(channelAsked);
            channelAsked = grown;
          }
          if (channelAsked[channel] === 1) continue;
          channelAsked[channel] = 1;
          for (const m of cm.channelMessages(channel)) for (const r of unreachedInFlight) if (r.holds(m)) hit = reached[r.name] = true;
        }
        if (hit) unreachedInFlight = unreachedInFlight.filter((r) => !reached[r.name]);
      }
      queue.push(next, nextId, depth + 1);
    }
    if ((++expanded & 0xff) !== 0) continue;
    if (options.shouldStop?.() === true) break;
    if (options.roots !== undefined && queue.size >= 2) share(options.roots);
    if (options.onProgress !== undefined) {
      const t = now();
      if (t - lastProgress >= 1000) {
        lastProgress = t;
        options.onProgress({ generated, distinct, queue: queue.size, depth: maxSeenDepth, seconds: (t - started) / 1000 });
      }
    }
  }
  return result();
}
