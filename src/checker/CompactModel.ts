import type { ClusterState, ModelAction } from '../model/ClusterState.js';
import { PLAIN_EVENTS, STEP_EVENTS, type Model } from '../model/Model.js';
import type { Message } from '../protocol/Message.js';
import type { Effect, ServerContext } from '../protocol/ServerContext.js';
import { withChanges } from '../protocol/ServerContext.js';
import { HANDLERS_OF_MESSAGE, type MessageEventType, type ServerEvent } from '../protocol/ServerEvent.js';
import type { StateId } from '../protocol/compileServerMachine.js';
import { txnEquals, type Txn } from '../protocol/Txn.js';
import { bit } from '../protocol/quorum.js';
import { StateEncoder } from './encodeState.js';
import { finish, fingerprint, mix, type Fingerprint } from './fingerprint.js';
import { invariantStateClass } from './invariants.js';
import { asArray } from '../protocol/Seq.js';

/*
 * The explorer's representation of the model. A cluster state is a short vector of integers: one
 * id per server (its chart state and variables), per channel (its messages), per ghost variable,
 * and the three fault counters. Each id names an interned, immutable value: equal values get the
 * same id, so a server's step is computed once per (server value, event) through the compiled
 * chart and then looked up, and a state's 64-bit fingerprint combines per-part hashes computed
 * once per value. `Model` stays the reference semantics (it is what replay, simulation, liveness
 * and the service simulator step); this class must take exactly the same steps, in the same action
 * order, which test/checker/compactModel.test.ts holds by a differential test. The exhaustive
 * explorer and the random checker step this one.
 */

const EMPTY: readonly never[] = Object.freeze([]);

/** Effect kinds, as the engine stores a server's effects. */
const SEND = 0;
const DISCONNECT = 1;
const PROPOSE = 2;
const COMMIT = 3;
const ESTABLISH = 4;

/** The events whose enabledness depends on one server only, as bits of `ServerNode.enabled`. */
const ENUMERATED = [...STEP_EVENTS, 'LeaderProcessRequest', 'LeaderTimeout', 'LeaderInitTimeout'] as const;
const LPR_BIT = 1 << ENUMERATED.indexOf('LeaderProcessRequest');
const LEADER_TIMEOUT_BIT = 1 << ENUMERATED.indexOf('LeaderTimeout');
const INIT_TIMEOUT_BIT = 1 << ENUMERATED.indexOf('LeaderInitTimeout');

const MESSAGE_EVENTS: readonly MessageEventType[] = [...new Set(Object.values(HANDLERS_OF_MESSAGE).flat())];

/** Action names by kind number: an action is coded as kind | i << 6 | j << 10 | q << 14. */
const KINDS: readonly string[] = [
  'ElectLeader', 'JoinLeader', ...MESSAGE_EVENTS, ...STEP_EVENTS,
  'LeaderProcessRequest', 'LeaderTimeout', 'LeaderInitTimeout', 'Crash', 'Restart', 'Disconnect',
];
const KIND = new Map(KINDS.map((name, k) => [name, k]));
const kindOf = (name: string): number => KIND.get(name) ?? -1;
const ELECT = kindOf('ElectLeader');
const JOIN = kindOf('JoinLeader');
const LPR = kindOf('LeaderProcessRequest');
const LEADER_TIMEOUT = kindOf('LeaderTimeout');
const INIT_TIMEOUT = kindOf('LeaderInitTimeout');
const CRASH = kindOf('Crash');
const RESTART = kindOf('Restart');
const DISCONNECT_ACTION = kindOf('Disconnect');
const STEP_KINDS = STEP_EVENTS.map(kindOf);
const MESSAGE_KINDS = new Set(MESSAGE_EVENTS.map(kindOf));
/** The most servers an action code can name (4 bits a sid). */
const MAX_SERVERS = 15;

function code(kind: number, i: number, j = 0, q = 0): number {
  return kind | (i << 6) | (j << 10) | (q << 14);
}

/** One message value, with the events that may deliver it (per handler and sender), made on demand. */
class MessageNode {
  readonly notification: boolean;
  readonly handlers: readonly MessageEventType[];
  /** Event id per (handler index, sender), -1 until made. */
  readonly eventIds: Int32Array;
  constructor(
    readonly id: number,
    readonly message: Message,
    readonly hi: number,
    readonly lo: number,
  ) {
    this.notification = message.type === 'NOTIFICATION';
    this.handlers = HANDLERS_OF_MESSAGE[message.type];
    this.eventIds = new Int32Array(this.handlers.length * (MAX_SERVERS + 1)).fill(-1);
  }
}

/** One channel's contents, head first. */
class ChannelNode {
  /** Channel id after appending a message, by message id (an array: message ids are few and dense). */
  readonly pushes: (number | undefined)[] = [];
  /** Channel id without the head, -1 until computed. */
  tail = -1;
  constructor(
    readonly id: number,
    readonly messageIds: readonly number[],
    readonly messages: readonly Message[],
    readonly head: MessageNode | null,
    readonly hi: number,
    readonly lo: number,
  ) {}
}

/** A sequence of txns: a log, `proposed` or `committedLog`. */
class SeqNode {
  readonly pushes = new Map<number, number>();
  readonly commits = new Map<CompactEffect, number>();
  constructor(
    readonly id: number,
    readonly txnIds: readonly number[],
    readonly txns: readonly Txn[],
    readonly hi: number,
    readonly lo: number,
  ) {}
}

/** The ghost `established`: per epoch, the leaders established in it. */
class EstablishedNode {
  /** Id after establishing (epoch << 5 | sid). */
  readonly next = new Map<number, number>();
  constructor(
    readonly id: number,
    readonly masks: readonly number[],
    readonly hi: number,
    readonly lo: number,
  ) {}
}

/** What one server emits in a step, with its values interned. */
class CompactEffect {
  constructor(
    readonly kind: number,
    /** SEND: the receiver; DISCONNECT: the peer. */
    readonly peer: number,
    readonly message: MessageNode | null,
    /** PROPOSE: the txn's id. */
    readonly txn: number,
    /** COMMIT: the txns committed. */
    readonly txns: readonly Txn[],
    /** ESTABLISH: the epoch. */
    readonly epoch: number,
  ) {}
}

/** A server's step, computed once through the compiled chart: the server after it and what it emits. */
class Transition {
  readonly nodeId: number;
  constructor(
    readonly node: ServerNode,
    readonly effects: readonly CompactEffect[],
  ) {
    this.nodeId = node.id;
  }
}

/** One server's (chart state, variables), with what the explorer asks of it precomputed. */
class ServerNode {
  /** Event id → the step it takes (null: the chart ignores the event); arrays, as the ids are dense. */
  readonly steps: (Transition | null | undefined)[] = [];
  /** message id * 16 + sender → the id of the event that delivers it here, or -1 when none is enabled. */
  readonly deliveries: (number | undefined)[] = [];
  readonly up: boolean;
  readonly looking: boolean;
  readonly leading: boolean;
  constructor(
    readonly id: number,
    readonly sid: number,
    readonly state: StateId,
    readonly context: ServerContext,
    readonly hi: number,
    readonly lo: number,
    /** Bits of ENUMERATED: which of the one-server events are enabled. */
    readonly enabled: number,
    /** acceptedEpoch and round within the model's bounds. */
    readonly inBounds: boolean,
    /** Id of what the built-in invariants read of this server (see invariantStateClass). */
    readonly invariantKey: number,
  ) {
    this.up = state !== 'DOWN';
    this.looking = state === 'LOOKING';
    this.leading = state.startsWith('LEADING');
  }
}

/** A growable list of action codes, reused across states. */
export class ActionList {
  codes = new Int32Array(64);
  length = 0;
  push(c: number): void {
    if (this.length === this.codes.length) {
      const grown = new Int32Array(this.codes.length * 2);
      grown.set(this.codes);
      this.codes = grown;
    }
    this.codes[this.length++] = c;
  }
}

/** The model over interned values; states are Int32Array vectors of `width` words. */
export class CompactModel {
  readonly width: number;
  /** Servers (voters and observers). */
  readonly n: number;
  private readonly proposedSlot: number;
  private readonly committedSlot: number;
  private readonly establishedSlot: number;
  private readonly requestsSlot: number;
  private readonly crashesSlot: number;
  private readonly partitionsSlot: number;
  /** Vector slot of the channel from → to, at from * (n + 1) + to; -1 for no channel. */
  private readonly channelSlot: Int32Array;
  private readonly channelSlots: number[] = [];
  private readonly encoder: StateEncoder;
  private readonly hash: Fingerprint = { hi: 0, lo: 0 };
  private readonly fle: boolean;

  private readonly servers: ServerNode[] = [];
  private readonly serverIds = new Map<string, number>();
  private readonly messages: MessageNode[] = [];
  private readonly messageIds = new Map<string, number>();
  private readonly channels: ChannelNode[] = [];
  private readonly channelIds = new Map<string, number>();
  private readonly txns: Txn[] = [];
  private readonly txnIds = new Map<string, number>();
  private readonly seqs: SeqNode[] = [];
  private readonly seqIds = new Map<string, number>();
  private readonly established: EstablishedNode[] = [];
  private readonly establishedIds = new Map<string, number>();
  private readonly invariantKeys = new Map<string, number>();

  private readonly events: ServerEvent[] = [];
  private readonly eventKind: number[] = [];
  private readonly plainEventIds = new Map<string, number>();
  private readonly enumeratedEvents: ServerEvent[];
  private readonly requestEventIds: number[] = [];
  private readonly electEventIds = new Map<number, number>();
  private readonly joinEventIds = new Map<number, number>();
  private readonly disconnectEventIds: number[] = [];
  /** Slot 0 of the object form: the unused placeholder server. */
  private readonly placeholderState: StateId;
  private readonly placeholderContext: ServerContext;
  private readonly contextFields: number;
  private readonly initial: Int32Array;

  constructor(readonly model: Model) {
    const n = model.sids.length;
    if (n > MAX_SERVERS) throw new RangeError(`the explorer handles at most ${MAX_SERVERS} servers, got ${n}`);
    this.n = n;
    this.fle = model.config.election === 'FLE';
    this.encoder = new StateEncoder(model.compiled.states);
    const width = n + 1;
    this.channelSlot = new Int32Array(width * width).fill(-1);
    let slot = n;
    for (let from = 1; from <= n; from++) {
      for (let to = 1; to <= n; to++) {
        if (from === to) continue;
        this.channelSlot[from * width + to] = slot;
        this.channelSlots.push(slot);
        slot++;
      }
    }
    this.proposedSlot = slot++;
    this.committedSlot = slot++;
    this.establishedSlot = slot++;
    this.requestsSlot = slot++;
    this.crashesSlot = slot++;
    this.partitionsSlot = slot++;
    this.width = slot;
    for (const name of PLAIN_EVENTS) this.plainEventIds.set(name, this.eventId({ type: name } as ServerEvent, kindOf(name)));
    this.plainEventIds.set('Crash', this.eventId({ type: 'Crash' }, CRASH));
    this.enumeratedEvents = ENUMERATED.map((name) => (name === 'LeaderProcessRequest' ? { type: name, value: 0 } : ({ type: name } as ServerEvent)));
    this.internChannel([]);
    const init = model.init();
    this.placeholderState = init.states[0];
    this.placeholderContext = init.servers[0];
    this.contextFields = Object.keys(init.servers[1]).length;
    this.initial = this.intern(init);
  }

  /** The initial state. */
  init(): Int32Array {
    return this.initial.slice();
  }

  /** The vector of a state given as objects (an initial state, a root, a test's state). */
  intern(s: ClusterState): Int32Array {
    const v = new Int32Array(this.width);
    const width = this.n + 1;
    for (let sid = 1; sid <= this.n; sid++) v[sid - 1] = this.internServer(sid, s.states[sid], s.servers[sid]).id;
    for (let from = 0; from <= this.n; from++) {
      for (let to = 0; to <= this.n; to++) {
        const messages = s.channels[from * width + to];
        const slot = this.channelSlot[from * width + to];
        if (slot >= 0) v[slot] = this.internChannel(messages).id;
        else if (messages.length > 0) throw new Error(`messages from ${from} to ${to}: no such channel in the model`);
      }
    }
    v[this.proposedSlot] = this.internSeq(s.proposed).id;
    v[this.committedSlot] = this.internSeq(s.committedLog).id;
    v[this.establishedSlot] = this.internEstablished(s.established).id;
    v[this.requestsSlot] = s.nRequests;
    v[this.crashesSlot] = s.nCrashes;
    v[this.partitionsSlot] = s.nPartitions;
    return v;
  }

  /** The object form of a vector (what invariants, reachability properties and traces read). */
  materialize(v: Int32Array): ClusterState {
    const n = this.n;
    const width = n + 1;
    const states: StateId[] = new Array(width);
    const servers: ServerContext[] = new Array(width);
    states[0] = this.placeholderState;
    servers[0] = this.placeholderContext;
    for (let sid = 1; sid <= n; sid++) {
      const node = this.servers[v[sid - 1]];
      states[sid] = node.state;
      servers[sid] = node.context;
    }
    const channels: (readonly Message[])[] = new Array(width * width).fill(EMPTY);
    for (let from = 1; from <= n; from++) {
      for (let to = 1; to <= n; to++) if (from !== to) channels[from * width + to] = this.channels[v[this.channelSlot[from * width + to]]].messages;
    }
    return {
      states,
      servers,
      channels,
      proposed: this.seqs[v[this.proposedSlot]].txns,
      committedLog: this.seqs[v[this.committedSlot]].txns,
      established: this.established[v[this.establishedSlot]].masks,
      nRequests: v[this.requestsSlot],
      nCrashes: v[this.crashesSlot],
      nPartitions: v[this.partitionsSlot],
    };
  }

  /** The 64-bit fingerprint of a state: a hash of its parts' hashes, each a hash of the part's canonical encoding. */
  fingerprint(v: Int32Array, out: Fingerprint): Fingerprint {
    let a = 0x9747b28c;
    let b = 0x2545f491;
    for (let k = 0; k < this.n; k++) {
      const node = this.servers[v[k]];
      a = mix(a, node.hi);
      b = mix(b, node.lo);
    }
    for (const k of this.channelSlots) {
      const node = this.channels[v[k]];
      a = mix(a, node.hi);
      b = mix(b, node.lo);
    }
    const proposed = this.seqs[v[this.proposedSlot]];
    const committed = this.seqs[v[this.committedSlot]];
    const established = this.established[v[this.establishedSlot]];
    a = mix(mix(mix(a, proposed.hi), committed.hi), established.hi);
    b = mix(mix(mix(b, proposed.lo), committed.lo), established.lo);
    for (let k = this.requestsSlot; k < this.width; k++) {
      a = mix(a, v[k]);
      b = mix(b, v[k] ^ 0x5bd1e995);
    }
    out.hi = finish(a, this.width);
    out.lo = finish(b ^ a, this.width);
    return out;
  }

  /** The state constraint: every bound respected (as Model.withinBounds). */
  withinBounds(v: Int32Array): boolean {
    const c = this.model.config;
    if (v[this.requestsSlot] > c.maxTxns || v[this.crashesSlot] > c.maxCrashes || v[this.partitionsSlot] > c.maxPartitions) return false;
    for (let k = 0; k < this.n; k++) if (!this.servers[v[k]].inBounds) return false;
    return true;
  }

  /** The vector slots that hold channels. */
  get channelSlotList(): readonly number[] {
    return this.channelSlots;
  }

  /** The messages of the channel with id `id` (a word of a channel slot), head first. */
  channelMessages(id: number): readonly Message[] {
    return this.channels[id].messages;
  }

  /** Server `sid`'s variables in `v`. */
  serverContext(v: Int32Array, sid: number): ServerContext {
    return this.servers[v[sid - 1]].context;
  }

  /**
   * Writes into `out` (n + 3 words) the ids of what the built-in invariants read of `v`: per server
   * its invariantKey, then the ghosts. Equal words, equal inputs, equal verdicts.
   */
  invariantInputs(v: Int32Array, out: Int32Array): void {
    for (let k = 0; k < this.n; k++) out[k] = this.servers[v[k]].invariantKey;
    out[this.n] = v[this.proposedSlot];
    out[this.n + 1] = v[this.committedSlot];
    out[this.n + 2] = v[this.establishedSlot];
  }

  /** The action a code stands for, as Model.actions lists it. */
  action(c: number): ModelAction {
    const name = KINDS[c & 63];
    const i = (c >> 6) & 15;
    const j = (c >> 10) & 15;
    if (name === 'ElectLeader') return { name, i, q: c >>> 14 };
    if (name === 'JoinLeader' || name === 'Disconnect' || MESSAGE_KINDS.has(c & 63)) return { name, i, j };
    return { name, i };
  }

  /** The enabled actions of `v`, as codes, in Model.actions' order. */
  actions(v: Int32Array, out: ActionList): void {
    out.length = 0;
    const n = this.n;
    const { voters, quorums, config } = this.model;
    const s = this.servers;
    if (!this.fle) {
      for (let i = 1; i <= n; i++) {
        if (!s[v[i - 1]].looking || !(voters & bit(i))) continue;
        for (const q of quorums) {
          if (!(q & bit(i))) continue;
          let allLooking = true;
          for (let j = 1; j <= n; j++) if (q & bit(j) && !s[v[j - 1]].looking) allLooking = false;
          if (allLooking) out.push(code(ELECT, i, 0, q));
        }
      }
    }
    for (let j = 1; j <= n; j++) {
      if (!s[v[j - 1]].looking || (this.fle && voters & bit(j))) continue;
      for (let i = 1; i <= n; i++) if (i !== j && s[v[i - 1]].leading) out.push(code(JOIN, j, i));
    }
    const width = n + 1;
    for (let i = 1; i <= n; i++) {
      const node = s[v[i - 1]];
      for (let j = 1; j <= n; j++) {
        if (i === j) continue;
        const head = this.channels[v[this.channelSlot[j * width + i]]].head;
        if (head === null) continue;
        const event = this.delivery(node, head, j);
        if (event >= 0) out.push(code(this.eventKind[event], i, j));
      }
    }
    for (let i = 1; i <= n; i++) {
      const enabled = s[v[i - 1]].enabled;
      for (let k = 0; k < STEP_KINDS.length; k++) if (enabled & (1 << k)) out.push(code(STEP_KINDS[k], i));
    }
    if (v[this.requestsSlot] < config.maxTxns) for (let i = 1; i <= n; i++) if (s[v[i - 1]].enabled & LPR_BIT) out.push(code(LPR, i));
    for (let i = 1; i <= n; i++) if (s[v[i - 1]].enabled & LEADER_TIMEOUT_BIT) out.push(code(LEADER_TIMEOUT, i));
    if (v[this.partitionsSlot] < config.maxPartitions) for (let i = 1; i <= n; i++) if (s[v[i - 1]].enabled & INIT_TIMEOUT_BIT) out.push(code(INIT_TIMEOUT, i));
    if (v[this.crashesSlot] < config.maxCrashes) for (let i = 1; i <= n; i++) if (s[v[i - 1]].up) out.push(code(CRASH, i));
    for (let i = 1; i <= n; i++) if (!s[v[i - 1]].up) out.push(code(RESTART, i));
    if (v[this.partitionsSlot] < config.maxPartitions) {
      for (let i = 1; i <= n; i++) {
        const x = s[v[i - 1]];
        if (!x.up) continue;
        for (let j = i + 1; j <= n; j++) {
          const y = s[v[j - 1]];
          if (!y.up) continue;
          const connected = x.context.leader === j || y.context.leader === i ||
            v[this.channelSlot[i * width + j]] !== 0 || v[this.channelSlot[j * width + i]] !== 0;
          if (connected) out.push(code(DISCONNECT_ACTION, i, j));
        }
      }
    }
  }

  /** The successor of `v` by the action coded `c`, written into `out`; throws if it is not enabled. */
  next(v: Int32Array, c: number, out: Int32Array): void {
    out.set(v);
    const kind = c & 63;
    const i = (c >> 6) & 15;
    const j = (c >> 10) & 15;
    if (!(i >= 1 && i <= this.n)) this.fail(c, `no server ${i}`);
    switch (kind) {
      case ELECT: {
        const q = c >>> 14;
        const event = this.electEvent(i, q);
        if (!this.apply(out, i, event)) this.fail(c, 'leader not LOOKING');
        for (let k = 1; k <= this.n; k++) {
          if (k !== i && q & bit(k) && !this.apply(out, k, event)) this.fail(c, `${k} not LOOKING`);
        }
        return;
      }
      case JOIN: {
        const event = this.joinEvent(j, i);
        if (!this.servers[v[i - 1]].looking || !this.apply(out, j, event)) this.fail(c, `${j} is not leading`);
        if (!this.apply(out, i, event)) this.fail(c, `${i} cannot join`);
        return;
      }
      case LPR:
        if (!this.apply(out, i, this.requestEvent(v[this.requestsSlot] + 1))) this.fail(c, 'not a leader in BROADCAST');
        out[this.requestsSlot] = v[this.requestsSlot] + 1;
        return;
      case CRASH:
        if (!this.apply(out, i, this.plainEvent('Crash'))) this.fail(c, 'already down');
        for (let k = 1; k <= this.n; k++) if (k !== i) this.clearChannels(out, i, k);
        out[this.crashesSlot] = v[this.crashesSlot] + 1;
        return;
      case DISCONNECT_ACTION:
        this.clearChannels(out, i, j);
        this.apply(out, i, this.disconnectEvent(j));
        this.apply(out, j, this.disconnectEvent(i));
        out[this.partitionsSlot] = v[this.partitionsSlot] + 1;
        return;
      default: {
        const name = KINDS[kind];
        if (PLAIN_EVENTS.has(name)) {
          if (!this.apply(out, i, this.plainEvent(name))) this.fail(c, `guard false in ${this.servers[v[i - 1]].state}`);
          if (kind === INIT_TIMEOUT) out[this.partitionsSlot] = v[this.partitionsSlot] + 1;
          return;
        }
        const slot = this.channelSlot[j * (this.n + 1) + i];
        const channel = slot < 0 ? null : this.channels[v[slot]];
        if (channel === null || channel.head === null) return this.fail(c, `channel ${j}→${i} is empty`);
        const event = this.delivery(this.servers[v[i - 1]], channel.head, j);
        if (event < 0 || this.eventKind[event] !== kind) this.fail(c, `head of ${j}→${i} is ${channel.head.message.type}`);
        out[slot] = this.tail(channel);
        if (!this.apply(out, i, event)) this.fail(c, `guard false in ${this.servers[v[i - 1]].state}`);
      }
    }
  }

  private fail(c: number, why: string): never {
    const a = this.action(c);
    throw new Error(`${a.name}(${a.i}${a.j === undefined ? '' : `, ${a.j}`}) is not enabled: ${why}`);
  }

  // ----- Stepping: Model's apply and perform, over ids -----

  /** Feed one event to server `sid` of the draft `d` and perform what it emits. False if it was ignored. */
  private apply(d: Int32Array, sid: number, event: number): boolean {
    const node = this.servers[d[sid - 1]];
    let t = node.steps[event];
    if (t === undefined) t = this.step(node, event);
    if (t === null) return false;
    d[sid - 1] = t.nodeId;
    const effects = t.effects;
    for (let k = 0; k < effects.length; k++) this.perform(d, sid, effects[k]);
    return true;
  }

  private perform(d: Int32Array, sid: number, e: CompactEffect): void {
    switch (e.kind) {
      case SEND: {
        if (!this.servers[d[e.peer - 1]].up) {
          // Nobody listens on a crashed server: a vote is lost; a learner's connection attempt fails.
          if (!(e.message as MessageNode).notification) this.apply(d, sid, this.disconnectEvent(e.peer));
          return;
        }
        const slot = this.channelSlot[sid * (this.n + 1) + e.peer];
        d[slot] = this.push(this.channels[d[slot]], e.message as MessageNode);
        return;
      }
      case DISCONNECT:
        this.clearChannels(d, sid, e.peer);
        this.apply(d, e.peer, this.disconnectEvent(sid));
        return;
      case PROPOSE: {
        const seq = this.seqs[d[this.proposedSlot]];
        let id = seq.pushes.get(e.txn);
        if (id === undefined) {
          id = this.internSeqIds([...seq.txnIds, e.txn]).id;
          seq.pushes.set(e.txn, id);
        }
        d[this.proposedSlot] = id;
        return;
      }
      case COMMIT: {
        const seq = this.seqs[d[this.committedSlot]];
        let id = seq.commits.get(e);
        if (id === undefined) {
          const fresh = e.txns.filter((t) => !seq.txns.some((c) => txnEquals(c, t)));
          id = fresh.length === 0 ? seq.id : this.internSeq([...seq.txns, ...fresh]).id;
          seq.commits.set(e, id);
        }
        d[this.committedSlot] = id;
        return;
      }
      case ESTABLISH: {
        const node = this.established[d[this.establishedSlot]];
        const key = (e.epoch << 5) | sid;
        let id = node.next.get(key);
        if (id === undefined) {
          const masks = node.masks.slice();
          masks[e.epoch] = (masks[e.epoch] ?? 0) | bit(sid);
          id = this.internEstablished(masks).id;
          node.next.set(key, id);
        }
        d[this.establishedSlot] = id;
        return;
      }
    }
  }

  private clearChannels(d: Int32Array, a: number, b: number): void {
    const width = this.n + 1;
    const ab = this.channelSlot[a * width + b];
    const ba = this.channelSlot[b * width + a];
    if (ab < 0 || ba < 0) throw new Error(`no connection between ${a} and ${b} in the model`);
    d[ab] = 0;
    d[ba] = 0;
  }

  /** A server's step through the compiled chart, memoized on its node. */
  private step(node: ServerNode, eventId: number): Transition | null {
    const r = this.model.compiled.step(node.state, node.context, this.events[eventId]);
    let t: Transition | null = null;
    if (r !== null) {
      const effects = r.context.outbox;
      const context = effects.length === 0 ? r.context : withChanges(r.context, { outbox: EMPTY });
      t = new Transition(this.internServer(node.sid, r.state, context), effects.map((e) => this.compileEffect(node.sid, e)));
    }
    node.steps[eventId] = t;
    return t;
  }

  private compileEffect(sid: number, e: Effect): CompactEffect {
    switch (e.kind) {
      case 'send':
        if (!(e.to >= 1 && e.to <= this.n) || e.to === sid) throw new Error(`server ${sid} sends ${e.msg.type} to ${e.to}: no such channel in the model`);
        return new CompactEffect(SEND, e.to, this.internMessage(e.msg), -1, EMPTY, 0);
      case 'disconnect':
        if (!(e.peer >= 1 && e.peer <= this.n) || e.peer === sid) throw new Error(`server ${sid} disconnects from ${e.peer}: no such connection in the model`);
        return new CompactEffect(DISCONNECT, e.peer, null, -1, EMPTY, 0);
      case 'propose':
        return new CompactEffect(PROPOSE, 0, null, this.internTxn(e.txn), EMPTY, 0);
      case 'commit':
        return new CompactEffect(COMMIT, 0, null, -1, e.txns, 0);
      case 'establish':
        return new CompactEffect(ESTABLISH, 0, null, -1, EMPTY, e.epoch);
    }
  }

  /** The id of the event that delivers `head` from `from` to this server: the first handler its chart takes, or -1. */
  private delivery(node: ServerNode, head: MessageNode, from: number): number {
    const key = head.id * 16 + from;
    let event = node.deliveries[key];
    if (event === undefined) {
      event = -1;
      for (let h = 0; h < head.handlers.length; h++) {
        const id = this.messageEvent(head, h, from);
        if (this.model.compiled.select(node.state, node.context, this.events[id]) !== null) {
          event = id;
          break;
        }
      }
      node.deliveries[key] = event;
    }
    return event;
  }

  private push(channel: ChannelNode, message: MessageNode): number {
    let id = channel.pushes[message.id];
    if (id === undefined) {
      id = this.internChannelIds([...channel.messageIds, message.id]).id;
      channel.pushes[message.id] = id;
    }
    return id;
  }

  private tail(channel: ChannelNode): number {
    if (channel.tail < 0) channel.tail = this.internChannelIds(channel.messageIds.slice(1)).id;
    return channel.tail;
  }

  // ----- Events, made once each -----

  private eventId(event: ServerEvent, kind: number): number {
    this.events.push(event);
    this.eventKind.push(kind);
    return this.events.length - 1;
  }

  private plainEvent(name: string): number {
    const id = this.plainEventIds.get(name);
    if (id === undefined) throw new Error(`no event ${name}`);
    return id;
  }

  private messageEvent(head: MessageNode, handler: number, from: number): number {
    const k = handler * (MAX_SERVERS + 1) + from;
    let id = head.eventIds[k];
    if (id < 0) {
      const type = head.handlers[handler];
      id = this.eventId({ type, from, msg: head.message }, kindOf(type));
      head.eventIds[k] = id;
    }
    return id;
  }

  private requestEvent(value: number): number {
    let id = this.requestEventIds[value];
    if (id === undefined) {
      id = this.eventId({ type: 'LeaderProcessRequest', value }, LPR);
      this.requestEventIds[value] = id;
    }
    return id;
  }

  private electEvent(leader: number, quorum: number): number {
    const key = quorum * 16 + leader;
    let id = this.electEventIds.get(key);
    if (id === undefined) {
      id = this.eventId({ type: 'ElectLeader', leader, quorum }, ELECT);
      this.electEventIds.set(key, id);
    }
    return id;
  }

  private joinEvent(leader: number, learner: number): number {
    const key = leader * 16 + learner;
    let id = this.joinEventIds.get(key);
    if (id === undefined) {
      id = this.eventId({ type: 'JoinLeader', leader, learner }, JOIN);
      this.joinEventIds.set(key, id);
    }
    return id;
  }

  private disconnectEvent(peer: number): number {
    let id = this.disconnectEventIds[peer];
    if (id === undefined) {
      id = this.eventId({ type: 'Disconnect', peer }, DISCONNECT_ACTION);
      this.disconnectEventIds[peer] = id;
    }
    return id;
  }

  // ----- Interning: equal values, one id -----

  /** The encoder's words as a string key (two UTF-16 units a word). */
  private key(): string {
    const words = this.encoder.view();
    const units = new Uint16Array(words.buffer, words.byteOffset, words.length * 2);
    let out = '';
    for (let k = 0; k < units.length; k += 4096) out += String.fromCharCode.apply(null, units.subarray(k, k + 4096) as unknown as number[]);
    return out;
  }

  private internServer(sid: number, state: StateId, context: ServerContext): ServerNode {
    this.encoder.reset();
    this.encoder.push(sid);
    this.encoder.pushServer(state, context);
    // The encoding is the server's identity here: a variable it does not know would be lost.
    if (Object.keys(context).length !== this.contextFields || context.id !== sid || context.outbox.length > 0) {
      throw new Error(`server ${sid}'s variables do not match the state encoding (fields ${Object.keys(context).join(', ')})`);
    }
    const key = this.key();
    const found = this.serverIds.get(key);
    if (found !== undefined) return this.servers[found];
    const { hi, lo } = fingerprint(this.encoder.view(), this.hash);
    const c = this.model.config;
    let enabled = 0;
    for (let k = 0; k < ENUMERATED.length; k++) if (this.model.compiled.select(state, context, this.enumeratedEvents[k]) !== null) enabled |= 1 << k;
    // After the hash is read: interning the history reuses the encoder and the hash.
    const invariantKey = this.invariantKeyOf(state, context);
    const node = new ServerNode(this.servers.length, sid, state, context, hi, lo, enabled, context.acceptedEpoch <= c.maxEpoch && context.round <= c.maxRounds, invariantKey);
    this.servers.push(node);
    this.serverIds.set(key, node.id);
    return node;
  }

  private invariantKeyOf(state: StateId, context: ServerContext): number {
    const history = this.internSeq(asArray(context.history)).id;
    const key = `${invariantStateClass(state)},${context.currentEpoch},${context.lastCommitted},${history}`;
    let id = this.invariantKeys.get(key);
    if (id === undefined) {
      id = this.invariantKeys.size;
      this.invariantKeys.set(key, id);
    }
    return id;
  }

  private internMessage(m: Message): MessageNode {
    this.encoder.reset();
    this.encoder.pushMessage(m);
    const key = this.key();
    const found = this.messageIds.get(key);
    if (found !== undefined) return this.messages[found];
    const h = fingerprint(this.encoder.view(), this.hash);
    const node = new MessageNode(this.messages.length, m, h.hi, h.lo);
    this.messages.push(node);
    this.messageIds.set(key, node.id);
    return node;
  }

  private internChannel(messages: readonly Message[]): ChannelNode {
    return this.internChannelIds(messages.map((m) => this.internMessage(m).id));
  }

  private internChannelIds(ids: readonly number[]): ChannelNode {
    const key = ids.join(',');
    const found = this.channelIds.get(key);
    if (found !== undefined) return this.channels[found];
    const messages = ids.map((id) => this.messages[id].message);
    this.encoder.reset();
    this.encoder.push(messages.length);
    for (const m of messages) this.encoder.pushMessage(m);
    const h = fingerprint(this.encoder.view(), this.hash);
    const node = new ChannelNode(this.channels.length, ids, messages.length === 0 ? EMPTY : messages, ids.length === 0 ? null : this.messages[ids[0]], h.hi, h.lo);
    this.channels.push(node);
    this.channelIds.set(key, node.id);
    return node;
  }

  private internTxn(t: Txn): number {
    const key = `${t.zxid.epoch},${t.zxid.counter},${t.value}`;
    let id = this.txnIds.get(key);
    if (id === undefined) {
      id = this.txns.length;
      this.txns.push(t);
      this.txnIds.set(key, id);
    }
    return id;
  }

  private internSeq(txns: readonly Txn[]): SeqNode {
    return this.internSeqIds(txns.map((t) => this.internTxn(t)));
  }

  private internSeqIds(ids: readonly number[]): SeqNode {
    const key = ids.join(',');
    const found = this.seqIds.get(key);
    if (found !== undefined) return this.seqs[found];
    const txns = ids.map((id) => this.txns[id]);
    this.encoder.reset();
    this.encoder.pushTxns(txns);
    const h = fingerprint(this.encoder.view(), this.hash);
    const node = new SeqNode(this.seqs.length, ids, txns.length === 0 ? EMPTY : txns, h.hi, h.lo);
    this.seqs.push(node);
    this.seqIds.set(key, node.id);
    return node;
  }

  private internEstablished(masks: readonly number[]): EstablishedNode {
    const key = masks.join(',');
    const found = this.establishedIds.get(key);
    if (found !== undefined) return this.established[found];
    this.encoder.reset();
    this.encoder.push(masks.length);
    for (const m of masks) this.encoder.push(m);
    const h = fingerprint(this.encoder.view(), this.hash);
    const node = new EstablishedNode(this.established.length, masks, h.hi, h.lo);
    this.established.push(node);
    this.establishedIds.set(key, node.id);
    return node;
  }
}
