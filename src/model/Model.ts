import type { Effect, ServerContext } from '../protocol/ServerContext.js';
import { initialServerContext, withChanges } from '../protocol/ServerContext.js';
import type { ServerEvent, MessageEventType } from '../protocol/ServerEvent.js';
import { HANDLERS_OF_MESSAGE } from '../protocol/ServerEvent.js';
import type { Message } from '../protocol/Message.js';
import type { Txn } from '../protocol/Txn.js';
import { txnEquals } from '../protocol/Txn.js';
import { compileServerMachine, type CompiledServerMachine, type StateId } from '../protocol/compileServerMachine.js';
import { createServerMachine, defaultImplementations, type ServerImplementations, type ServerMachine } from '../protocol/serverMachine.js';
import { bit, isQuorum } from '../protocol/quorum.js';
import type { ClusterState, ModelAction } from './ClusterState.js';
import { validateModelConfig, type ModelConfig } from './ModelConfig.js';

const EMPTY: readonly never[] = Object.freeze([]);
/** Actions that feed their server an event with no parameters. */
export const PLAIN_EVENTS: ReadonlySet<string> = new Set<string>([
  'Restart', 'FLEDecide', 'FLEFollowEstablished', 'LeaderTimeout', 'LeaderInitTimeout',
  'FollowerPersistSyncedTxns', 'FollowerPersistCurrentEpoch', 'FollowerAckNEWLEADER',
]);

/** Internal steps of one server, in the order `actions` lists them. */
export const STEP_EVENTS = ['FLEDecide', 'FLEFollowEstablished', 'FollowerPersistSyncedTxns', 'FollowerPersistCurrentEpoch', 'FollowerAckNEWLEADER'] as const;

/** The ensemble as a Stateright-style model: `init`, `actions(state)`, `next(state, action)`. */
export interface Model {
  readonly config: ModelConfig;
  readonly machine: ServerMachine;
  readonly compiled: CompiledServerMachine;
  /** Sids 1..n; voters first, then observers. */
  readonly sids: readonly number[];
  readonly voters: number;
  /** ElectLeader's quorums (bitmasks of voters), in the order `actions` tries them. */
  readonly quorums: readonly number[];
  /**
   * The spec's Init: every server LOOKING with an empty log and epochs 0; under FLE each voter has
   * started round 1 voting for itself, its notifications in flight.
   */
  init(): ClusterState;
  /** The enabled actions in a deterministic order (bounds on counters applied; `withinBounds` does the rest). */
  actions(state: ClusterState): ModelAction[];
  /** The successor; throws if the action is not enabled (a replayed trace that diverged). */
  next(state: ClusterState, action: ModelAction): ClusterState;
  /** The state constraint of the TLA+ model: every bound respected. */
  withinBounds(state: ClusterState): boolean;
  /** The event the action feeds to its acting server `action.i` (others may get events too). */
  eventFor(state: ClusterState, action: ModelAction): ServerEvent;
}

/** A mutable copy of a state that one step edits in place and then freezes by convention. */
interface Draft {
  states: StateId[];
  servers: ServerContext[];
  channels: (readonly Message[])[];
  proposed: readonly Txn[];
  committedLog: readonly Txn[];
  established: number[] | readonly number[];
  nRequests: number;
  nCrashes: number;
  nPartitions: number;
}

/** The model of an ensemble with these bounds, stepping the chart made from `impl` (a variant, or the protocol as specified). */
export function createModel(config: ModelConfig, impl: ServerImplementations = defaultImplementations): Model {
  validateModelConfig(config);
  const n = config.servers + config.observers;
  const width = n + 1;
  const sids = Array.from({ length: n }, (_, k) => k + 1);
  let voters = 0;
  for (let s = 1; s <= config.servers; s++) voters |= bit(s);
  const machine = createServerMachine(impl);
  const compiled = compileServerMachine(machine, impl);

  // Every quorum of voters, as bitmasks in ascending order: ElectLeader's choices.
  const quorums: number[] = [];
  for (let mask = 2; mask < 1 << (config.servers + 1); mask += 2) if (isQuorum(mask, voters)) quorums.push(mask);

  const fle = config.election === 'FLE';
  const base = (): ClusterState => ({
    states: [compiled.initialState, ...sids.map(() => compiled.initialState)],
    servers: [
      initialServerContext(0, voters, n, config.commitLogCount, fle),
      ...sids.map((s) => initialServerContext(s, voters, n, config.commitLogCount, fle)),
    ],
    channels: Array.from({ length: width * width }, () => EMPTY),
    proposed: EMPTY,
    committedLog: EMPTY,
    established: new Array<number>(config.maxEpoch + 2).fill(0),
    nRequests: 0,
    nCrashes: 0,
    nPartitions: 0,
  });

  /** Every server starts LOOKING; under FLE each voter has cast its first vote (round 1) to all. */
  const init = (): ClusterState => {
    const d = draftOf(base());
    for (const sid of sids) {
      const started = impl.actions.startElection(d.servers[sid], { type: 'Restart' });
      d.servers[sid] = withChanges(started, { outbox: EMPTY });
      for (const effect of started.outbox) perform(d, sid, effect);
    }
    return freeze(d);
  };

  const draftOf = (s: ClusterState): Draft => ({
    states: s.states.slice(),
    servers: s.servers.slice(),
    channels: s.channels.slice(),
    proposed: s.proposed,
    committedLog: s.committedLog,
    established: s.established,
    nRequests: s.nRequests,
    nCrashes: s.nCrashes,
    nPartitions: s.nPartitions,
  });

  const clearChannels = (d: Draft, a: number, b: number): void => {
    d.channels[a * width + b] = EMPTY;
    d.channels[b * width + a] = EMPTY;
  };

  const perform = (d: Draft, sid: number, effect: Effect): void => {
    switch (effect.kind) {
      case 'send': {
        if (d.states[effect.to] === 'DOWN') {
          // Nobody listens on a crashed server: a vote is lost; a learner's connection attempt fails.
          if (effect.msg.type !== 'NOTIFICATION') apply(d, sid, { type: 'Disconnect', peer: effect.to });
          return;
        }
        const k = sid * width + effect.to;
        d.channels[k] = [...d.channels[k], effect.msg];
        return;
      }
      case 'disconnect':
        clearChannels(d, sid, effect.peer);
        apply(d, effect.peer, { type: 'Disconnect', peer: sid });
        return;
      case 'propose':
        d.proposed = [...d.proposed, effect.txn];
        return;
      case 'commit': {
        const fresh = effect.txns.filter((t) => !d.committedLog.some((c) => txnEquals(c, t)));
        if (fresh.length > 0) d.committedLog = [...d.committedLog, ...fresh];
        return;
      }
      case 'establish': {
        const established = d.established.slice();
        established[effect.epoch] = (established[effect.epoch] ?? 0) | bit(sid);
        d.established = established;
        return;
      }
    }
  };

  /** Feed one event to one server's chart and perform what it emits. False if it was ignored. */
  const apply = (d: Draft, sid: number, event: ServerEvent): boolean => {
    const result = compiled.step(d.states[sid], d.servers[sid], event);
    if (result === null) return false;
    const effects = result.context.outbox;
    d.states[sid] = result.state;
    d.servers[sid] = effects.length === 0 ? result.context : withChanges(result.context, { outbox: EMPTY });
    for (const effect of effects) perform(d, sid, effect);
    return true;
  };

  const freeze = (d: Draft): ClusterState => d;

  const isUp = (s: ClusterState, sid: number) => s.states[sid] !== 'DOWN';
  const isLooking = (s: ClusterState, sid: number) => s.states[sid] === 'LOOKING';
  const isLeading = (s: ClusterState, sid: number) => s.states[sid].startsWith('LEADING');

  /** The event that delivers the head of from→to: the first of its handlers the receiver's chart takes. */
  const messageEvent = (s: ClusterState, to: number, from: number): ServerEvent | null => {
    const head = s.channels[from * width + to][0];
    if (head === undefined) return null;
    const handlers = HANDLERS_OF_MESSAGE[head.type];
    for (const type of handlers) {
      const event: ServerEvent = { type, from, msg: head };
      if (compiled.select(s.states[to], s.servers[to], event) !== null) return event;
    }
    return { type: handlers[0] as MessageEventType, from, msg: head };
  };

  const enabled = (s: ClusterState, sid: number, event: ServerEvent): boolean =>
    compiled.select(s.states[sid], s.servers[sid], event) !== null;

  const actions = (s: ClusterState): ModelAction[] => {
    const out: ModelAction[] = [];
    if (!fle) {
      for (const i of sids) {
        if (!isLooking(s, i) || !(voters & bit(i))) continue;
        for (const q of quorums) {
          if (!(q & bit(i))) continue;
          let allLooking = true;
          for (const j of sids) if (q & bit(j) && !isLooking(s, j)) allLooking = false;
          if (allLooking) out.push({ name: 'ElectLeader', i, q });
        }
      }
    }
    // Under FLE voters find their leader by election; observers, which do not vote, join directly.
    for (const j of sids) {
      if (!isLooking(s, j) || (fle && voters & bit(j))) continue;
      for (const i of sids) if (i !== j && isLeading(s, i)) out.push({ name: 'JoinLeader', i: j, j: i });
    }
    for (const i of sids) {
      for (const j of sids) {
        if (i === j) continue;
        const event = messageEvent(s, i, j);
        if (event !== null && enabled(s, i, event)) out.push({ name: event.type, i, j });
      }
    }
    for (const i of sids) for (const step of STEP_EVENTS) if (enabled(s, i, { type: step })) out.push({ name: step, i });
    if (s.nRequests < config.maxTxns) {
      for (const i of sids) if (enabled(s, i, { type: 'LeaderProcessRequest', value: 0 })) out.push({ name: 'LeaderProcessRequest', i });
    }
    for (const i of sids) if (enabled(s, i, { type: 'LeaderTimeout' })) out.push({ name: 'LeaderTimeout', i });
    // initLimit expiring is a connection fault: it spends the same budget as a partition.
    if (s.nPartitions < config.maxPartitions) {
      for (const i of sids) if (enabled(s, i, { type: 'LeaderInitTimeout' })) out.push({ name: 'LeaderInitTimeout', i });
    }
    if (s.nCrashes < config.maxCrashes) for (const i of sids) if (isUp(s, i)) out.push({ name: 'Crash', i });
    for (const i of sids) if (!isUp(s, i)) out.push({ name: 'Restart', i });
    if (s.nPartitions < config.maxPartitions) {
      for (const i of sids) {
        for (const j of sids) {
          if (j <= i || !isUp(s, i) || !isUp(s, j)) continue;
          const connected =
            s.servers[i].leader === j || s.servers[j].leader === i ||
            s.channels[i * width + j].length > 0 || s.channels[j * width + i].length > 0;
          if (connected) out.push({ name: 'Disconnect', i, j });
        }
      }
    }
    return out;
  };

  const fail = (action: ModelAction, why: string): never => {
    throw new Error(`${action.name}(${action.i}${action.j === undefined ? '' : `, ${action.j}`}) is not enabled: ${why}`);
  };

  const next = (s: ClusterState, action: ModelAction): ClusterState => {
    const d = draftOf(s);
    const { i } = action;
    if (!(i >= 1 && i <= n)) fail(action, `no server ${i}`);
    switch (action.name) {
      case 'ElectLeader': {
        const q = action.q ?? fail(action, 'no quorum');
        if (!apply(d, i, { type: 'ElectLeader', leader: i, quorum: q })) fail(action, 'leader not LOOKING');
        for (const j of sids) {
          if (j !== i && q & bit(j) && !apply(d, j, { type: 'ElectLeader', leader: i, quorum: q })) fail(action, `${j} not LOOKING`);
        }
        break;
      }
      case 'JoinLeader': {
        const leader = action.j ?? fail(action, 'no leader');
        const event: ServerEvent = { type: 'JoinLeader', leader, learner: i };
        if (!isLooking(s, i) || !apply(d, leader, event)) fail(action, `${leader} is not leading`);
        if (!apply(d, i, event)) fail(action, `${i} cannot join`);
        break;
      }
      case 'LeaderProcessRequest':
        if (!apply(d, i, { type: 'LeaderProcessRequest', value: s.nRequests + 1 })) fail(action, 'not a leader in BROADCAST');
        d.nRequests = s.nRequests + 1;
        break;
      case 'Crash':
        if (!apply(d, i, { type: 'Crash' })) fail(action, 'already down');
        for (const j of sids) clearChannels(d, i, j);
        d.nCrashes = s.nCrashes + 1;
        break;
      case 'Disconnect': {
        const j = action.j ?? fail(action, 'no peer');
        clearChannels(d, i, j);
        apply(d, i, { type: 'Disconnect', peer: j });
        apply(d, j, { type: 'Disconnect', peer: i });
        d.nPartitions = s.nPartitions + 1;
        break;
      }
      default: {
        if (PLAIN_EVENTS.has(action.name)) {
          if (!apply(d, i, { type: action.name } as ServerEvent)) fail(action, `guard false in ${s.states[i]}`);
          if (action.name === 'LeaderInitTimeout') d.nPartitions = s.nPartitions + 1;
          break;
        }
        const j = action.j ?? fail(action, 'no sender');
        const event = messageEvent(s, i, j);
        if (event === null || event.type !== action.name) fail(action, `head of ${j}→${i} is ${s.channels[j * width + i][0]?.type ?? 'empty'}`);
        d.channels[j * width + i] = d.channels[j * width + i].slice(1);
        if (!apply(d, i, event as ServerEvent)) fail(action, `guard false in ${s.states[i]}`);
      }
    }
    return freeze(d);
  };

  const withinBounds = (s: ClusterState): boolean => {
    if (s.nRequests > config.maxTxns || s.nCrashes > config.maxCrashes || s.nPartitions > config.maxPartitions) return false;
    for (const sid of sids) {
      const c = s.servers[sid];
      if (c.acceptedEpoch > config.maxEpoch || c.round > config.maxRounds) return false;
    }
    return true;
  };

  const eventFor = (s: ClusterState, action: ModelAction): ServerEvent => {
    switch (action.name) {
      case 'ElectLeader':
        return { type: 'ElectLeader', leader: action.i, quorum: action.q ?? 0 };
      case 'JoinLeader':
        return { type: 'JoinLeader', leader: action.j ?? 0, learner: action.i };
      case 'LeaderProcessRequest':
        return { type: 'LeaderProcessRequest', value: s.nRequests + 1 };
      case 'Disconnect':
        return { type: 'Disconnect', peer: action.j ?? 0 };
      default: {
        if (action.name === 'Crash' || PLAIN_EVENTS.has(action.name)) return { type: action.name } as ServerEvent;
        const event = messageEvent(s, action.i, action.j ?? 0);
        if (event === null) throw new Error(`${action.name}: no message from ${action.j} to ${action.i}`);
        return event;
      }
    }
  };

  return { config, machine, compiled, sids, voters, quorums, init, actions, next, withinBounds, eventFor };
}

/** The successors of a state within the bounds, with the actions that reach them. */
export function successors(model: Model, state: ClusterState): { action: ModelAction; state: ClusterState }[] {
  const out: { action: ModelAction; state: ClusterState }[] = [];
  for (const action of model.actions(state)) {
    const next = model.next(state, action);
    if (model.withinBounds(next)) out.push({ action, state: next });
  }
  return out;
}
