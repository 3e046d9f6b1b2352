import type { ClusterState, ModelAction } from '../model/ClusterState.js';
import type { Model } from '../model/Model.js';
import { FingerprintSet } from './FingerprintSet.js';
import type { Fingerprint } from './fingerprint.js';
import { Fingerprinter } from './Fingerprinter.js';
import { checkActionProperties, checkInvariants, INVARIANTS, sameInvariantInputs, type Invariant, type Violation } from './invariants.js';
import { REACHABILITY } from './reachability.js';

export type Strategy = 'bfs' | 'dfs';

export interface ExploreOptions {
  readonly strategy?: Strategy;
  /** Stop expanding past this depth (0: unbounded). */
  readonly maxDepth?: number;
  readonly invariants?: readonly Invariant[];
  /** Called about once a second with progress figures. */
  readonly onProgress?: (p: Progress) => void;
  /** Wall clock in ms, injected so the core stays free of clocks. */
  readonly now?: () => number;
}

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

export interface ExploreResult {
  readonly verdict: 'pass' | 'violation';
  readonly distinctStates: number;
  readonly generatedStates: number;
  readonly depth: number;
  readonly seconds: number;
  readonly fingerprintBytes: number;
  readonly violation?: Violation;
  readonly trace?: readonly TraceStep[];
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

/** Re-execute the path to state `id` from the initial state: the counterexample trace. */
export function rebuildTrace(model: Model, parents: { parent: Int32Array; action: Uint16Array }, id: number): TraceStep[] {
  const indexes: number[] = [];
  for (let k = id; k > 0; k = parents.parent[k]) indexes.push(parents.action[k]);
  indexes.reverse();
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
  const seen = new FingerprintSet(16);
  const parents = new Parents();
  const fp: Fingerprint = { hi: 0, lo: 0 };
  const reached: Record<string, boolean> = Object.fromEntries(REACHABILITY.map((r) => [r.name, false]));
  let unreached = REACHABILITY.slice();

  const initial = model.init();
  fingerprinter.fingerprint(initial, fp);
  seen.insert(fp.hi, fp.lo, 0);
  parents.set(0, -1, 0, 0);
  let distinct = 1;
  let generated = 1;
  let maxSeenDepth = 0;
  const frontier: ClusterState[] = [initial];
  const frontierIds: number[] = [0];
  let head = 0;
  let lastProgress = started;

  const result = (violation?: Violation, at?: number): ExploreResult => ({
    verdict: violation === undefined ? 'pass' : 'violation',
    distinctStates: distinct,
    generatedStates: generated,
    depth: maxSeenDepth,
    seconds: (now() - started) / 1000,
    fingerprintBytes: seen.bytes + parents.bytes,
    violation,
    trace: at === undefined ? undefined : rebuildTrace(model, parents, at),
    reached,
  });

  const initialViolation = checkInvariants(model, initial, invariants);
  if (initialViolation !== null) return result(initialViolation, 0);

  while (strategy === 'bfs' ? head < frontier.length : frontier.length > 0) {
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
      const nextId = distinct;
      if (seen.insert(fp.hi, fp.lo, nextId) !== -1) {
        if (actionViolation !== null) {
          parents.set(nextId, id, a, depth + 1);
          return result(actionViolation, nextId);
        }
        continue;
      }
      distinct++;
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
