import type { ClusterState, ModelAction } from '../model/ClusterState.js';
import type { Model } from '../model/Model.js';
import { FingerprintSet } from './FingerprintSet.js';
import type { Fingerprint } from './fingerprint.js';
import { Fingerprinter } from './Fingerprinter.js';
import { checkActionProperties, checkInvariants, INVARIANTS, sameInvariantInputs, type Invariant, type Violation } from './invariants.js';
import { REACHABILITY } from './reachability.js';

/** Breadth-first (shortest counterexamples) or depth-first (less queue memory). */
export type Strategy = 'bfs' | 'dfs';

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
   * Where to start, each with the action indexes that reach it from the initial state (already
   * in `seen`). Default: the initial state alone. Roots are taken one at a time from `nextRoot`.
   */
  readonly roots?: {
    /** How many roots there are, numbered 0..count-1. */
    count: number;
    /** The next root not yet taken by any worker; a number outside 0..count-1 when none is left. */
    nextRoot: () => number;
    /** The action indexes that reach `root` from the initial state, for the counterexample's trace. */
    path: (root: number) => readonly number[];
  };
  /** Polled now and then: true when another worker found a violation. */
  readonly shouldStop?: () => boolean;
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
  readonly fingerprintBytes: number;
  readonly violation?: Violation;
  readonly trace?: readonly TraceStep[];
  /** The violation's path as action indexes from the initial state (what `trace` was rebuilt from). */
  readonly path?: readonly number[];
  /** Reachability properties and whether some explored state satisfied them. */
  readonly reached: Readonly<Record<string, boolean>>;
}

/** Growable typed arrays that remember, for every distinct state, how it was first reached. */
class Parents {
  parent = new Int32Array(1 << 16);
  action = new Uint16Array(1 << 16);
  depth = new Uint16Array(1 << 16);
  set(id: number, parent: number, action: number, depth: number): void {
    if (id >= this.parent.length) {
      const grow = <T extends Int32Array | Uint16Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.parent = grow(this.parent, (n) => new Int32Array(n));
      this.action = grow(this.action, (n) => new Uint16Array(n));
      this.depth = grow(this.depth, (n) => new Uint16Array(n));
    }
    this.parent[id] = parent;
    this.action[id] = action;
    this.depth[id] = depth;
  }
  get bytes(): number {
    return this.parent.byteLength + this.action.byteLength + this.depth.byteLength;
  }
}

/** The action indexes from local state `id` back to its root, root first. */
function localPath(parents: { parent: Int32Array; action: Uint16Array }, id: number): number[] {
  const indexes: number[] = [];
  for (let k = id; parents.parent[k] >= 0; k = parents.parent[k]) indexes.push(parents.action[k]);
  return indexes.reverse();
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
 * less queue memory. Only 64-bit fingerprints of the canonical encoding are kept for seen states.
 */
export function explore(model: Model, options: ExploreOptions = {}): ExploreResult {
  const strategy = options.strategy ?? 'bfs';
  const maxDepth = options.maxDepth ?? 0;
  const invariants = options.invariants ?? INVARIANTS;
  const now = options.now ?? (() => 0);
  const started = now();
  const fingerprinter = new Fingerprinter(model.compiled.states);
  // The built-in invariants read only a few fields: a step that leaves those alone cannot break them.
  const skipUnchanged = options.invariants === undefined;
  const seen = options.seen ?? new LocalSeenSet();
  const parents = new Parents();
  const fp: Fingerprint = { hi: 0, lo: 0 };
  const reached: Record<string, boolean> = Object.fromEntries(REACHABILITY.map((r) => [r.name, false]));
  let unreached = REACHABILITY.slice();

  // Local ids: roots and the states this search claimed, with their parents for the trace.
  const rootPaths: (readonly number[])[] = [];
  let localCount = 0;
  let distinct = 0;
  let generated = 0;
  let maxSeenDepth = 0;
  const frontier: ClusterState[] = [];
  const frontierIds: number[] = [];
  let head = 0;
  let lastProgress = started;
  /** Local id of each root → index into rootPaths. */
  const rootIds = new Map<number, number>();

  /** Queue the next root, if any; false when none is left. */
  const takeRoot = (): boolean => {
    if (options.roots === undefined) {
      if (localCount > 0) return false;
      const initial = model.init();
      fingerprinter.fingerprint(initial, fp);
      seen.add(fp.hi, fp.lo);
      distinct++;
      generated++;
      rootPaths.push([]);
    } else {
      const root = options.roots.nextRoot();
      if (root < 0 || root >= options.roots.count) return false;
      rootPaths.push(options.roots.path(root));
    }
    const path = rootPaths[rootPaths.length - 1];
    parents.set(localCount, -1, 0, path.length);
    rootIds.set(localCount, rootPaths.length - 1);
    frontier.push(stateAt(model, path));
    frontierIds.push(localCount);
    localCount++;
    return true;
  };

  /** Full path from the initial state to local state `id`: its root's path, then the local steps. */
  const fullPath = (id: number): number[] => {
    let k = id;
    while (parents.parent[k] >= 0) k = parents.parent[k];
    return [...rootPaths[rootIds.get(k) ?? -1], ...localPath(parents, id)];
  };

  const result = (violation?: Violation, at?: number): ExploreResult => ({
    verdict: violation === undefined ? 'pass' : 'violation',
    distinctStates: distinct,
    generatedStates: generated,
    depth: maxSeenDepth,
    seconds: (now() - started) / 1000,
    fingerprintBytes: seen.bytes + parents.bytes,
    violation,
    trace: at === undefined ? undefined : rebuildTrace(model, fullPath(at)),
    path: at === undefined ? undefined : fullPath(at),
    reached,
  });

  if (options.roots === undefined) {
    takeRoot();
    const initialViolation = checkInvariants(model, frontier[0], invariants);
    if (initialViolation !== null) return result(initialViolation, 0);
  }

  for (;;) {
    if (strategy === 'bfs' ? head >= frontier.length : frontier.length === 0) {
      if (options.roots === undefined || !takeRoot()) break;
    }
    let state: ClusterState;
    let id: number;
    if (strategy === 'bfs') {
      state = frontier[head];
      id = frontierIds[head];
      head++;
      if (head > 65536 && head * 2 > frontier.length) {
        frontier.splice(0, head);
        frontierIds.splice(0, head);
        head = 0;
      }
    } else {
      state = frontier.pop() as ClusterState;
      id = frontierIds.pop() as number;
    }
    const depth = parents.depth[id];
    if (maxDepth > 0 && depth >= maxDepth) continue;
    const actions = model.actions(state);
    for (let a = 0; a < actions.length; a++) {
      const next = model.next(state, actions[a]);
      if (!model.withinBounds(next)) continue;
      generated++;
      const actionViolation = checkActionProperties(model, state, next);
      fingerprinter.fingerprint(next, fp);
      const nextId = localCount;
      if (!seen.add(fp.hi, fp.lo)) {
        if (actionViolation !== null) {
          parents.set(nextId, id, a, depth + 1);
          return result(actionViolation, nextId);
        }
        continue;
      }
      distinct++;
      localCount++;
      parents.set(nextId, id, a, depth + 1);
      if (depth + 1 > maxSeenDepth) maxSeenDepth = depth + 1;
      const violation = actionViolation ?? (skipUnchanged && sameInvariantInputs(state, next) ? null : checkInvariants(model, next, invariants));
      if (violation !== null) return result(violation, nextId);
      if (unreached.length > 0) {
        const before = unreached.length;
        for (const r of unreached) if (r.holds(model, next)) reached[r.name] = true;
        if (unreached.some((r) => reached[r.name])) unreached = unreached.filter((r) => !reached[r.name]);
        void before;
      }
      frontier.push(next);
      frontierIds.push(nextId);
    }
    if ((generated & 0x3ff) === 0 && options.shouldStop?.() === true) break;
    if (options.onProgress !== undefined && (generated & 0x3ff) === 0) {
      const t = now();
      if (t - lastProgress >= 1000) {
        lastProgress = t;
        options.onProgress({ generated, distinct, queue: frontier.length - head, depth: maxSeenDepth, seconds: (t - started) / 1000 });
      }
    }
  }
  return result();
}
