import type { ClusterState, ModelAction } from '../model/ClusterState.js';
import { createModel, type Model } from '../model/Model.js';
import type { ModelConfig } from '../model/ModelConfig.js';
import { defaultImplementations, type ServerImplementations } from '../protocol/serverMachine.js';
import { isQuorum, bit, has } from '../protocol/quorum.js';
import { Random } from '../sim/Random.js';
import { Fingerprinter } from './Fingerprinter.js';
import type { TraceStep } from './explore.js';

/** The liveness property: once faults stop, some leader reaches BROADCAST. */
export const LIVENESS_PROPERTY = 'EventuallyBroadcast';

/**
 * The fault phase's actions that the liveness phase never takes. Crash and Disconnect are the
 * faults (but see `isTimeout`). Restart is left out too: a server that is down stays down, and the
 * property is asked only of states where a quorum of voters is up. LeaderProcessRequest is left
 * out: client requests do not help an election, and their bound would only cut paths.
 */
export const LIVENESS_EXCLUDED: ReadonlySet<string> = new Set(['Crash', 'Disconnect', 'Restart', 'LeaderProcessRequest']);

/**
 * The protocol's own timeouts, which the liveness phase keeps: a leader without a quorum gives up
 * (LeaderTimeout), a leader not established in time gives up (LeaderInitTimeout, initLimit), and a learner whose chosen leader is not leading gives up: ZooKeeper's learner
 * retries its connection for a while, so its refusal (RefuseCEPOCH) waits, and a learner stuck on
 * a peer that is not leading drops the connection (the model has no action of its own for that,
 * so the Disconnect of that pair stands for it).
 */
function isTimeout(s: ClusterState, a: ModelAction): boolean {
  if (a.name === 'LeaderTimeout' || a.name === 'LeaderInitTimeout' || a.name === 'RefuseCEPOCH') return true;
  if (a.name !== 'Disconnect' || a.j === undefined) return false;
  const waits = (learner: number, leader: number) => s.servers[learner].leader === leader && !s.states[leader].startsWith('LEADING');
  return waits(a.i, a.j) || waits(a.j, a.i);
}

export interface LivenessOptions {
  /** Seed of the random walks that pick the states the faults stop in. */
  readonly seed: number;
  /** Random walks of the fault phase. */
  readonly walks: number;
  /** Steps per walk at most; every state on a walk is a start of the liveness phase. */
  readonly walkSteps: number;
  /** Weight of Crash and Disconnect against 1 for other actions during the walks. */
  readonly faultWeight?: number;
  /** Round-robin orders tried from each start (each a fair scheduler of its own). */
  readonly orders?: number;
  /** Steps the liveness phase may take: a leader must be in BROADCAST within them. */
  readonly maxSteps?: number;
  /** How far above the model's MaxEpoch and MaxRounds the liveness phase may go. */
  readonly extraEpochs?: number;
  readonly extraRounds?: number;
  readonly implementations?: ServerImplementations;
  /** Stop after this many ms of wall clock (0: no limit). */
  readonly timeLimitMs?: number;
  readonly now?: () => number;
}

export interface LivenessViolation {
  readonly property: typeof LIVENESS_PROPERTY;
  /** A fair cycle that never reaches BROADCAST, or a state where nothing can happen. */
  readonly kind: 'lasso' | 'deadlock';
  readonly message: string;
}

export interface LivenessResult {
  readonly verdict: 'pass' | 'violation';
  /** Distinct states the faults stopped in (a quorum of voters up). */
  readonly startsChecked: number;
  /** Fault-free steps taken by all the fair runs. */
  readonly statesExplored: number;
  /** Starts where some fair run hit maxSteps or the relaxed bounds: neither pass nor fail. */
  readonly inconclusive: number;
  /**
   * Starts where some fair run stalled: nothing could happen while a voter was LOOKING, because a
   * notification was lost in a crash and the model has no re-send (ZooKeeper re-sends after
   * notTimeout). Neither pass nor fail; a gap of the model, counted apart.
   */
  readonly stalled: number;
  /** The most fault-free steps any fair run took to bring a leader to BROADCAST. */
  readonly stepsToBroadcastMax: number;
  readonly seconds: number;
  readonly violation?: LivenessViolation;
  /** From the initial state to the loop's first state (faults included), then the fault-free steps. */
  readonly prefix?: readonly TraceStep[];
  /** The loop: from its first state back to it. Empty for a deadlock. */
  readonly loop?: readonly TraceStep[];
}

const actionKey = (a: ModelAction) => `${a.name}/${a.i}/${a.j ?? 0}/${a.q ?? 0}`;

function isGoal(model: Model, s: ClusterState): boolean {
  return model.sids.some((i) => s.states[i] === 'LEADING.BROADCAST');
}

/** Server i has a notification pending: FLEDecide waits for it (finalizeWait). */
function hasNotification(model: Model, s: ClusterState, i: number): boolean {
  const width = model.sids.length + 1;
  for (const j of model.sids) if (s.channels[j * width + i].some((m) => m.type === 'NOTIFICATION')) return true;
  return false;
}

/**
 * The actions the fair scheduler may take in `s`. Timeouts are long next to message delays, so
 * a timeout (`isTimeout`) fires only when nothing else can happen; FLEDecide waits, as
 * ZooKeeper's finalizeWait does, until the deciding server has no notification pending.
 */
export function livenessActions(model: Model, s: ClusterState): ModelAction[] {
  const all = model.actions(s);
  const allowed = all.filter((a) => !LIVENESS_EXCLUDED.has(a.name) && !isTimeout(s, a) && !(a.name === 'FLEDecide' && hasNotification(model, s, a.i)));
  if (allowed.length > 0) return allowed;
  return all.filter((a) => isTimeout(s, a));
}

/**
 * A quorum of voters is up and no server that is up waits on one that is down: the property is
 * only asked of such states. (A learner whose leader crashed before it led is never told: Crash
 * disconnects only the learners a leader knew. In ZooKeeper its connection attempt would fail.)
 */
function quorumUpAndConnected(model: Model, s: ClusterState): boolean {
  let up = 0;
  for (const i of model.sids) if (s.states[i] !== 'DOWN') up |= bit(i);
  for (const i of model.sids) {
    const leader = s.servers[i].leader;
    if (s.states[i] !== 'DOWN' && leader !== 0 && s.states[leader] === 'DOWN') return false;
  }
  return isQuorum(up, model.voters);
}

/** What one fair run from a start came to. */
interface RunOutcome {
  readonly verdict: 'pass' | 'violation' | 'inconclusive';
  readonly steps: number;
  /** Nothing can happen but a voter is LOOKING: the election stalled for want of a re-send. */
  readonly stalled?: boolean;
  /** Only the relaxed bounds (MaxEpoch, MaxRounds) stopped the run. */
  readonly bound?: boolean;
  readonly violation?: LivenessViolation;
  /** The fault-free steps up to the loop's first state, then the loop back to it. */
  readonly toLoop?: { action: ModelAction; state: ClusterState }[];
  readonly loop?: { action: ModelAction; state: ClusterState }[];
}

/** A fixed pseudo-random rank of an action, one ordering per `salt`: the round-robin order. */
function rankOf(action: ModelAction, salt: number): number {
  const key = actionKey(action);
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let k = 0; k < key.length; k++) h = Math.imul(h ^ key.charCodeAt(k), 0x01000193) >>> 0;
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) >>> 0;
}

/**
 * One fair run from `start`: a round-robin scheduler over a fixed order of all actions (`salt`
 * picks the order) takes, each step, the first allowed action after the last one taken, wrapping
 * around. An action that stays enabled is taken within one turn of the order, so the run is weakly
 * fair; and since the scheduler's only memory is its position, a repeated (state, position) is a
 * fair cycle: the run loops forever.
 */
function fairRun(model: Model, start: ClusterState, fingerprinter: Fingerprinter, salt: number, maxSteps: number): RunOutcome {
  const seen = new Map<string, number>();
  const steps: { action: ModelAction; state: ClusterState }[] = [];
  let state = start;
  let position = -1;
  for (let k = 0; k <= maxSteps; k++) {
    if (isGoal(model, state)) return { verdict: 'pass', steps: k };
    const key = `${fingerprinter.format(state)}@${position}`;
    const first = seen.get(key);
    if (first !== undefined) {
      return {
        verdict: 'violation',
        steps: k,
        violation: { property: LIVENESS_PROPERTY, kind: 'lasso', message: `no leader reaches BROADCAST: a fair cycle of ${k - first} fault-free steps repeats forever` },
        toLoop: steps.slice(0, first),
        loop: steps.slice(first),
      };
    }
    seen.set(key, k);
    if (k === maxSteps) break;
    let best: { action: ModelAction; next: ClusterState; rank: number } | null = null;
    let wrap: { action: ModelAction; next: ClusterState; rank: number } | null = null;
    let cut = false;
    for (const action of livenessActions(model, state)) {
      const next = model.next(state, action);
      if (!model.withinBounds(next)) {
        cut = true;
        continue;
      }
      const rank = rankOf(action, salt);
      if (rank > position && (best === null || rank < best.rank)) best = { action, next, rank };
      if (wrap === null || rank < wrap.rank) wrap = { action, next, rank };
    }
    const chosen = best ?? wrap;
    if (chosen === null) {
      if (cut) return { verdict: 'inconclusive', steps: k, bound: true };
      // ZooKeeper's LOOKING server re-sends its vote after notTimeout; the model has no such step.
      if (model.sids.some((i) => state.states[i] === 'LOOKING' && has(model.voters, i))) return { verdict: 'inconclusive', steps: k, stalled: true };
      return {
        verdict: 'violation',
        steps: k,
        violation: { property: LIVENESS_PROPERTY, kind: 'deadlock', message: `no leader reaches BROADCAST: after ${k} fault-free steps nothing can happen` },
        toLoop: steps,
        loop: [],
      };
    }
    steps.push({ action: chosen.action, state: chosen.next });
    state = chosen.next;
    position = chosen.rank;
  }
  return { verdict: 'inconclusive', steps: maxSteps };
}

/**
 * The bounds of the liveness phase: MaxEpoch and MaxRounds raised (an election after the faults
 * may need a new epoch and rounds), and the Disconnect that stands for a learner's timeout not
 * counted against MaxPartitions.
 */
export function livenessConfig(config: ModelConfig, extraEpochs = 2, extraRounds = 3): ModelConfig {
  return { ...config, maxEpoch: config.maxEpoch + extraEpochs, maxRounds: config.maxRounds + extraRounds, maxPartitions: 1000 };
}

/** Pick one successor: faults weigh `faultWeight`, every other action 1. */
function pickStep(model: Model, s: ClusterState, random: Random, faultWeight: number): { action: ModelAction; state: ClusterState } | null {
  const options: { action: ModelAction; state: ClusterState }[] = [];
  for (const action of model.actions(s)) {
    const next = model.next(s, action);
    if (model.withinBounds(next)) options.push({ action, state: next });
  }
  if (options.length === 0) return null;
  const weight = (a: ModelAction) => (a.name === 'Crash' || a.name === 'Disconnect' ? faultWeight : 1);
  let left = random.float() * options.reduce((sum, o) => sum + weight(o.action), 0);
  for (const o of options) {
    left -= weight(o.action);
    if (left < 0) return o;
  }
  return options[options.length - 1];
}

/**
 * Bounded liveness. Seeded random walks through the model (faults included) pick the states where
 * faults stop; from each (with a quorum of voters up) fair runs under `orders` round-robin
 * schedulers (see `fairRun` and `livenessActions`) must bring some leader to BROADCAST within
 * maxSteps. A run that repeats a (state, scheduler position) never will: it is reported as a
 * lasso, the walk to the loop's start, then the loop.
 */
export function checkLiveness(config: ModelConfig, options: LivenessOptions): LivenessResult {
  const impl = options.implementations ?? defaultImplementations;
  const now = options.now ?? (() => 0);
  const started = now();
  const faultModel = createModel(config, impl);
  const liveModel = createModel(livenessConfig(config, options.extraEpochs, options.extraRounds), impl);
  const fingerprinter = new Fingerprinter(faultModel.compiled.states);
  const random = new Random(options.seed);
  const orders = options.orders ?? 4;
  const maxSteps = options.maxSteps ?? 200;
  const checked = new Set<string>();
  let explored = 0;
  let inconclusive = 0;
  let stalled = 0;
  let stepsMax = 0;
  const result = (extra: Partial<LivenessResult> = {}): LivenessResult => ({
    verdict: extra.violation === undefined ? 'pass' : 'violation',
    startsChecked: checked.size,
    statesExplored: explored,
    inconclusive,
    stalled,
    stepsToBroadcastMax: stepsMax,
    seconds: (now() - started) / 1000,
    ...extra,
  });
  for (let walk = 0; walk < options.walks; walk++) {
    if (options.timeLimitMs !== undefined && options.timeLimitMs > 0 && now() - started > options.timeLimitMs) break;
    let state = faultModel.init();
    const path: { action: ModelAction; state: ClusterState }[] = [];
    for (let step = 0; step <= options.walkSteps; step++) {
      const key = fingerprinter.format(state);
      if (!checked.has(key) && quorumUpAndConnected(faultModel, state)) {
        checked.add(key);
        let passed = 0;
        let stall = false;
        for (let order = 0; order < orders; order++) {
          const run = fairRun(liveModel, state, fingerprinter, order + 1, maxSteps);
          explored += run.steps;
          if (run.verdict === 'violation') {
            const prefix: TraceStep[] = [...path, ...(run.toLoop ?? [])].map((p) => ({ action: p.action, fingerprint: fingerprinter.format(p.state) }));
            const loop = (run.loop ?? []).map((p) => ({ action: p.action, fingerprint: fingerprinter.format(p.state) }));
            return result({ violation: run.violation, prefix, loop });
          }
          if (run.stalled === true) stall = true;
          if (run.verdict === 'pass') {
            passed++;
            stepsMax = Math.max(stepsMax, run.steps);
          }
        }
        if (stall) stalled++;
        else if (passed < orders) inconclusive++;
      }
      if (step === options.walkSteps) break;
      const chosen = pickStep(faultModel, state, random, options.faultWeight ?? 1);
      if (chosen === null) break;
      path.push(chosen);
      state = chosen.state;
    }
  }
  return result();
}

/** What replaying a lasso found. */
export interface LassoReplay {
  /** The loop closes: its last state is its first. */
  readonly closes: boolean;
  /** No server is a leader in BROADCAST anywhere on the loop. */
  readonly neverBroadcast: boolean;
  /** Every loop step is one the liveness phase may take (no fault). */
  readonly faultFree: boolean;
  /** The first step that is not enabled, if any. */
  readonly divergence: { readonly index: number; readonly reason: string } | null;
}

/** Re-execute a lasso (`loopStart` steps of prefix, then the loop) and check it still is one. */
export function replayLasso(model: Model, steps: readonly ModelAction[], loopStart: number): LassoReplay {
  const fingerprinter = new Fingerprinter(model.compiled.states);
  let state = model.init();
  let loopFirst = loopStart === 0 ? fingerprinter.format(state) : '';
  let neverBroadcast = true;
  let faultFree = true;
  for (let k = 0; k < steps.length; k++) {
    if (k >= loopStart) {
      if (isGoal(model, state)) neverBroadcast = false;
      if (!livenessActions(model, state).some((a) => actionKey(a) === actionKey(steps[k]))) faultFree = false;
    }
    try {
      state = model.next(state, steps[k]);
    } catch (e) {
      return { closes: false, neverBroadcast, faultFree, divergence: { index: k + 1, reason: (e as Error).message } };
    }
    if (k + 1 === loopStart) loopFirst = fingerprinter.format(state);
  }
  return { closes: steps.length > loopStart && fingerprinter.format(state) === loopFirst, neverBroadcast, faultFree, divergence: null };
}
