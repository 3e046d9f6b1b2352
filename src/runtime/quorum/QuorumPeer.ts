import type { Effect, ServerContext } from '../../protocol/ServerContext.js';
import { initialServerContext, NEW_LEADER_STEPS, NO_VOTE, withChanges } from '../../protocol/ServerContext.js';
import type { ServerEvent } from '../../protocol/ServerEvent.js';
import { HANDLERS_OF_MESSAGE } from '../../protocol/ServerEvent.js';
import type { Message, Vote } from '../../protocol/Message.js';
import type { Txn as ChartTxn } from '../../protocol/Txn.js';
import { compileServerMachine, type StateId } from '../../protocol/compileServerMachine.js';
import { createServerMachine, defaultImplementations } from '../../protocol/serverMachine.js';
import { bit, has, isQuorum, members } from '../../protocol/quorum.js';
import { zxidToBigInt, type Zxid } from '../../protocol/zxid.js';
import { CONSECUTIVE_TXNS, indexOfZxid, txnAt, type History } from '../../protocol/History.js';
import { REPEATS, RunList } from '../../protocol/RunList.js';
import { DataTree } from '../../service/index.js';
import type { Logger, LogFields } from '../Logger.js';
import { DataStore, SNAPSHOT_EVERY_TXNS_DEFAULT, SNAPSHOT_RETAIN_COUNT_DEFAULT } from '../storage/DataStore.js';
import { historyRunsOfLog, zxidsOfRuns, type HistoryRun } from '../storage/historyRuns.js';
import { decodeSnapshot, encodeSnapshot } from '../storage/Snapshot.js';
import { EffectLanes } from './EffectLanes.js';
import { ZooKeeperServer, type SessionTimeoutLimits } from '../ZooKeeperServer.js';
import type { PeerFrame, SnapshotTransfer, TxnPayload } from './peerFrames.js';
import { PeerTransport } from './PeerTransport.js';
import { QuorumCommitter, type QuorumCommitterHost } from './QuorumCommitter.js';

const compiled = compileServerMachine(createServerMachine(defaultImplementations), defaultImplementations);

/** One server of the ensemble as zoo.cfg lists it. */
export interface QuorumMember {
  readonly id: number;
  readonly host: string;
  readonly quorumPort: number;
  readonly role: 'participant' | 'observer';
}

export interface QuorumPeerOptions {
  /** This server's myid. */
  readonly serverId: number;
  readonly members: readonly QuorumMember[];
  readonly dataDir: string;
  readonly dataLogDir?: string;
  readonly tickTimeMs: number;
  readonly initLimit: number;
  readonly syncLimit: number;
  readonly limits: SessionTimeoutLimits;
  readonly logger: Logger;
  /** Txns a leader keeps for DIFF before it sends SNAP (ZooKeeper's commitLogCount, 500). */
  readonly commitLogCount?: number;
  /**
   * About this many committed txns between two snapshots of the tree (ZooKeeper's snapCount: each
   * server waits between half and all of it, so that servers do not snapshot at the same moment).
   */
  readonly snapshotEveryTxns?: number;
  /** Snapshots kept; the log is purged up to the oldest one kept (ZooKeeper's autopurge.snapRetainCount). */
  readonly snapshotRetainCount?: number;
  /** Log segment size (TxnLog); small in tests, so that purging has segments to delete. */
  readonly segmentBytesMax?: number;
  /** FLE's finalizeWait: how long a decided vote waits for a better notification (ZooKeeper: 200ms). */
  readonly finalizeWaitMs?: number;
  /** Log one line per chart step (the spec's action names); off for benchmarks. */
  readonly traceSteps?: boolean;
  /** Called once if the log or an epoch file fails: the process must stop, as ZooKeeper's does. */
  readonly onFatal?: (error: Error) => void;
  /** Called when the server starts or stops serving clients (BROADCAST entered or left). */
  readonly onServingChange?: (role: 'leader' | 'learner' | null) => void;
}

const COMMIT_LOG_COUNT_DEFAULT = 500;
const RESOLVED: Promise<void> = Promise.resolve();
const FLE_FOLLOW_ESTABLISHED: ServerEvent = Object.freeze({ type: 'FLEFollowEstablished' });
/** The outbox emptied after a step (never changed in place: emit makes a new one). */
const NO_EFFECTS: Partial<ServerContext> = Object.freeze({ outbox: Object.freeze([]) });
/** The effect lane of this server's own deliveries (peers' lanes are their sids, from 1). */
const LOCAL_LANE = 0;

function splitZxid(zxid: bigint): Zxid {
  return { epoch: Number(zxid >> 32n), counter: Number(zxid & 0xffff_ffffn) };
}

function hex(zxid: bigint | number): string {
  return `0x${zxid.toString(16)}`;
}

/** A snapshot a leader attached to a sync message, checked on arrival. */
interface ReceivedSnapshot {
  readonly from: number;
  readonly zxid: bigint;
  readonly bytes: Uint8Array;
  readonly tree: DataTree;
  readonly history: readonly HistoryRun[];
}

function sameRuns(left: readonly HistoryRun[], right: readonly HistoryRun[]): boolean {
  return left.length === right.length && left.every((run, index) => run.every((part, at) => part === right[index][at]));
}

/** The chart's txn for a logged zxid: its value is the zxid itself, unique in the whole run. */
function chartTxn(zxid: bigint): ChartTxn {
  return { zxid: splitZxid(zxid), value: Number(zxid) };
}

/** Whether `history` is `prefix` followed by more txns (or is `prefix`). */
function isExtensionOf(history: History, prefix: History): boolean {
  if (history === prefix) return true;
  if (history.length < prefix.length) return false;
  return prefix.length === 0 || txnAt(history, prefix.length - 1).value === txnAt(prefix, prefix.length - 1).value;
}

function topOf(state: StateId): string {
  const dot = state.indexOf('.');
  return dot < 0 ? state : state.slice(0, dot);
}

/**
 * One ZooKeeper server of an ensemble: the chart (compiled step function) fed with real events —
 * peer messages, ticks, client writes — and its effects performed in the order the spec requires.
 * Every step's persistence (log appends, truncation, epoch files) starts at once on a durability
 * chain; everything the step emits (sends, disconnects, deliveries to the tree) runs only after
 * that chain has made it durable, in step order (etcd raft's "persist before send").
 *
 * Snapshots: the tree only ever holds committed txns (a restart starts from the newest snapshot
 * and applies the log's txns as the chart delivers them), so a snapshot of it never holds a txn a
 * later leader could truncate. A snapshot records the zxids of the history it covers, so the chart
 * keeps its whole history (zxids only, in a RunList: a run per epoch) while the log before the snapshot goes; the
 * txns' contents (payloads) are kept in memory for the last commitLogCount txns and those not yet
 * applied, as ZooKeeper's committedLog. A leader asked to sync a learner with txns whose payloads it no longer has attaches its tree
 * instead (ZooKeeper's SNAP): the learner installs it, durably, before it logs what follows.
 */
export class QuorumPeer implements QuorumCommitterHost {
  readonly sid: number;
  readonly serverId: number;
  readonly server: ZooKeeperServer;
  readonly committer: QuorumCommitter;
  private state: StateId = 'DOWN';
  private context: ServerContext;
  private transport: PeerTransport | null = null;
  private readonly sidOfId = new Map<number, number>();
  private readonly idOfSid: number[] = [0];
  private readonly voters: number;
  private readonly payloads = new Map<number, TxnPayload>();
  private readonly inbound = new Map<number, Message[]>();
  /** The keys of `inbound`, for the pump's loop (iterating the Map allocates an entry per peer). */
  private readonly inboundPeers: number[] = [];
  private readonly generation: number[];
  private readonly lastHeard: number[];
  /** Persistence: `gate` is the last truncate/epoch write (appends wait for it); `durable` covers everything requested. */
  private gate: Promise<void> = RESOLVED;
  /** The gate has resolved: an append can go to the log at once, without a hop through it. */
  private gateOpen = true;
  private durable: Promise<void> = RESOLVED;
  /**
   * Effects, each after the durability its step required, in step order per lane: one lane per
   * peer (what goes to it, FIFO as the chart's channels) and lane 0 for this server's own
   * deliveries. Lanes do not wait for each other: a delivery waiting on an fsync holds up no
   * PROPOSAL to a follower, and a follower's ACK waiting on its log holds up no COMMIT it applies.
   */
  private readonly lanes: EffectLanes;
  /** Log appends not yet known to be durable, by txn value (the log makes them durable in zxid order). */
  private readonly appendsInFlight = new Map<number, Promise<void>>();
  private tick = 0;
  private roleStartTick = 0;
  private serving: 'leader' | 'learner' | null = null;
  private servingGeneration = 0;
  private pumping = false;
  private pumpAgain = false;
  private decideTimer: NodeJS.Timeout | null = null;
  private newLeaderStepScheduled = false;
  private tickTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private failure: Error | null = null;
  private readonly observerView = new Map<number, { vote: Vote; state: string }>();
  private receivedSnapshot: ReceivedSnapshot | null = null;
  private appliedSinceSnapshot = 0;
  private snapshotThreshold: number;
  private snapshotInFlight = false;

  private constructor(
    private readonly options: QuorumPeerOptions,
    private readonly store: DataStore,
    tree: DataTree,
    lastZxid: bigint,
    history: Iterable<ChartTxn>,
    epochs: { currentEpoch: number; acceptedEpoch: number },
  ) {
    const sorted = [...options.members].sort((a, b) => a.id - b.id);
    if (sorted.length > 30) throw new RangeError('QuorumPeer: at most 30 servers (the chart keeps sets as 32-bit masks)');
    let voters = 0;
    sorted.forEach((member, index) => {
      this.sidOfId.set(member.id, index + 1);
      this.idOfSid.push(member.id);
      if (member.role === 'participant') voters |= bit(index + 1);
    });
    const sid = this.sidOfId.get(options.serverId);
    if (sid === undefined) throw new Error(`QuorumPeer: myid ${options.serverId} is not among the servers`);
    this.sid = sid;
    this.serverId = options.serverId;
    this.voters = voters;
    this.generation = new Array<number>(sorted.length + 1).fill(0);
    this.lanes = new EffectLanes(sorted.length + 1, (error) => this.fail(error), () => this.stopped);
    this.lastHeard = new Array<number>(sorted.length + 1).fill(0);
    for (const member of sorted) if (member.id !== options.serverId) this.inbound.set(this.sidOfId.get(member.id) as number, []);
    this.inboundPeers.push(...this.inbound.keys());
    const initial = initialServerContext(sid, voters, sorted.length, options.commitLogCount ?? COMMIT_LOG_COUNT_DEFAULT, true);
    // In runs: a running server's log grows without bound and is appended to on every write.
    this.context = withChanges(initial, { ...epochs, history: RunList.of(history, CONSECUTIVE_TXNS), acks: RunList.of<number>([], REPEATS) });
    this.server = new ZooKeeperServer(tree, lastZxid, options.limits, options.logger);
    this.snapshotThreshold = this.nextSnapshotThreshold();
    this.committer = new QuorumCommitter(this, options.logger);
    this.server.attachCommitter(this.committer);
  }

  /**
   * Recovers the data directory (the newest valid snapshot, and the log after it), connects to the
   * peers, and restarts the chart (DOWN → Restart → LOOKING).
   */
  static async start(options: QuorumPeerOptions): Promise<QuorumPeer> {
    const { store, tree, report, entries } = await DataStore.open({
      dataDir: options.dataDir, dataLogDir: options.dataLogDir, logger: options.logger, applyLog: false, segmentBytesMax: options.segmentBytesMax,
      snapshotEveryTxns: Number.MAX_SAFE_INTEGER, snapshotRetainCount: options.snapshotRetainCount ?? SNAPSHOT_RETAIN_COUNT_DEFAULT,
    });
    if (report.snapshot !== null && report.snapshotHistory === null) {
      await store.close();
      throw new Error(`${options.dataDir}: snapshot ${report.snapshot.name} does not record the history it covers (a standalone server's?); a quorum server cannot start from it`);
    }
    const snapshotZxid = report.snapshot?.zxid ?? 0n;
    // Made one txn at a time into the peer's RunList: a recovered history of millions is a few runs, never an array.
    const history = (function* recovered(): Generator<ChartTxn> {
      for (const { epoch, counter } of zxidsOfRuns(report.snapshotHistory ?? [])) yield chartTxn((BigInt(epoch) << 32n) | BigInt(counter));
      for (const entry of entries) yield chartTxn(entry.zxid);
    })();
    const epochs = { currentEpoch: report.currentEpoch ?? 0, acceptedEpoch: report.acceptedEpoch ?? 0 };
    const peer = new QuorumPeer(options, store, tree, snapshotZxid, history, epochs);
    for (const entry of entries) peer.payloads.set(Number(entry.zxid), { zxid: entry.zxid, time: entry.time, txn: entry.txn });
    const addresses = options.members.map((member) => ({ sid: peer.sidOfId.get(member.id) as number, host: member.host, port: member.quorumPort }));
    peer.transport = await PeerTransport.start(
      { self: peer.sid, peers: addresses, logger: options.logger, connectWaitMs: Math.max(2 * options.tickTimeMs, 500), backoffMsMax: Math.min(options.tickTimeMs, 1000) },
      {
        onFrame: (from, frame) => peer.onFrame(from, frame),
        onConnectionLost: (from) => peer.onPeerGone(from, false),
        onSendFailed: (from) => peer.onPeerGone(from, true),
      },
    );
    options.logger.event('QuorumPeerStarted', {
      myid: options.serverId, sid: peer.sid, lastZxid: report.lastZxid, txns: peer.context.history.length, snapshot: report.snapshot?.name ?? 'none',
      loggedTxns: entries.length, ...epochs,
    });
    peer.step({ type: 'Restart' });
    peer.pump();
    peer.tickTimer = setInterval(() => peer.onTick(), options.tickTimeMs);
    return peer;
  }

  /** The chart's state path ('LOOKING', 'LEADING.BROADCAST', ...). */
  get chartState(): StateId {
    return this.state;
  }

  get chartContext(): ServerContext {
    return this.context;
  }

  /** The myid of the leader this server follows or is (null while looking). */
  get leaderId(): number | null {
    const top = topOf(this.state);
    if (top === 'LEADING') return this.serverId;
    if ((top === 'FOLLOWING' || top === 'OBSERVING') && this.context.leader !== 0) return this.idOfSid[this.context.leader];
    return null;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  // ----- QuorumCommitterHost -----

  servingRole(): 'leader' | 'learner' | null {
    return this.serving;
  }

  nextZxid(): bigint {
    const epoch = this.context.currentEpoch;
    const last = this.context.history.at(-1);
    const counter = last !== undefined && last.zxid.epoch === epoch ? last.zxid.counter + 1 : 1;
    return (BigInt(epoch) << 32n) | BigInt(counter);
  }

  proposeAsLeader(payload: TxnPayload): void {
    this.payloads.set(Number(payload.zxid), payload);
    if (!this.step({ type: 'LeaderProcessRequest', value: Number(payload.zxid) })) {
      throw new Error(`LeaderProcessRequest not enabled in ${this.state}`);
    }
    const last = txnAt(this.context.history, this.context.history.length - 1);
    if (last.value !== Number(payload.zxid)) throw new Error(`LeaderProcessRequest: chart gave zxid ${last.value}, runtime predicted ${payload.zxid}`);
  }

  sendToLeader(frame: PeerFrame): boolean {
    const leader = this.context.leader;
    if (leader === 0 || this.transport === null || !this.transport.isConnected(leader)) return false;
    return this.transport.send(leader, frame, 'runtime');
  }

  sendInOrder(peer: number, frame: PeerFrame): void {
    const generation = this.generation[peer];
    this.lanes.add(peer, this.durable, () => {
      if (this.generation[peer] === generation) this.transport?.send(peer, frame, 'runtime');
    });
  }

  appliedZxid(): bigint {
    return this.server.lastProcessedZxid;
  }

  tree(): DataTree {
    return this.server.tree;
  }

  /** Stops timers and connections, waits for what is being made durable, closes the log. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    if (this.decideTimer !== null) clearTimeout(this.decideTimer);
    this.setServing(null);
    await this.committer.close();
    await this.transport?.stop();
    await this.lanes.whenIdle();
    await this.durable.catch(() => undefined);
    await this.store.close().catch(() => undefined);
    this.options.logger.event('QuorumPeerStopped', { myid: this.serverId, lastZxid: this.server.lastProcessedZxid });
  }

  // ----- The chart -----

  private enabled(event: ServerEvent): boolean {
    return compiled.select(this.state, this.context, event) !== null;
  }

  /** Feeds one event to the chart and performs what it emits. False when no transition is enabled. */
  private step(event: ServerEvent): boolean {
    if (this.stopped) return false;
    const before = this.context;
    const stateBefore = this.state;
    const result = compiled.step(this.state, before, event);
    if (result === null) return false;
    const effects = result.context.outbox;
    this.state = result.state;
    this.context = effects.length === 0 ? result.context : withChanges(result.context, NO_EFFECTS);
    if (this.options.traceSteps !== false) this.trace(event, stateBefore);
    const durableBefore = this.durable;
    const gateBefore = this.gate;
    let persisted: boolean;
    try {
      persisted = this.persist(before, this.context) !== durableBefore;
    } catch (error) {
      // What the step asks of the disk cannot be done (say, a sync without the txns it needs): the
      // server stops, as ZooKeeper's does, rather than go on with a log it cannot vouch for.
      this.fail(error as Error);
      return true;
    }
    // A step that wrote something waits for all that was asked of the log so far. In BROADCAST a step
    // that wrote nothing (an ACK that commits, a COMMIT) waits only for its committed prefix: not for
    // the proposals logged since, which would tie every commit to the latest fsync.
    const broadcasting = stateBefore.endsWith('.BROADCAST') && this.state.endsWith('.BROADCAST');
    const durable = persisted || !broadcasting ? this.durable : this.durableThrough(this.context.lastCommitted);
    // A leader sends its PROPOSAL while it logs it, and before earlier proposals are durable
    // (ZooKeeper too): its own ack is counted at once by the chart, but COMMITs and deliveries
    // still wait until its log holds the txns they cover.
    const proposing = event.type === 'LeaderProcessRequest' && broadcasting;
    for (const effect of effects) {
      const isProposal = effect.kind === 'send' && effect.msg.type === 'PROPOSAL';
      this.perform(effect, proposing && isProposal ? gateBefore : durable);
    }
    // A step that only appends to the log delivers nothing: queueing a delivery for it would hold
    // the COMMITs behind it until its fsync.
    if (before.lastCommitted !== this.context.lastCommitted || !isExtensionOf(this.context.history, before.history)) {
      const history = this.context.history;
      const committed = this.context.lastCommitted;
      // A learner's COMMIT names txns a quorum has logged (the leader among them): it applies them
      // without waiting for its own fsync, as ZooKeeper's followers do. A leader's commit counted its
      // own ack, so its deliveries wait for its log like its COMMITs.
      const learning = topOf(this.state) !== 'LEADING';
      this.lanes.add(LOCAL_LANE, learning && broadcasting && !persisted ? this.gate : durable, () => this.deliver(history, committed));
    }
    if (topOf(stateBefore) !== topOf(this.state)) this.roleStartTick = this.tick;
    if (topOf(this.state) !== 'LOOKING') this.observerView.clear();
    this.noteServing(stateBefore);
    return true;
  }

  private trace(event: ServerEvent, stateBefore: StateId): void {
    const fields: Record<string, string | number | bigint> = { sid: this.sid };
    if ('from' in event) fields.from = event.from;
    if (event.type === 'Disconnect') fields.peer = event.peer;
    if ('msg' in event) {
      const msg = event.msg;
      if (msg.type === 'PROPOSAL' || msg.type === 'INFORM') fields.zxid = zxidToBigInt(msg.txn.zxid);
      if (msg.type === 'ACK' || msg.type === 'COMMIT') fields.zxid = zxidToBigInt(msg.zxid);
      if (msg.type === 'NOTIFICATION') Object.assign(fields, { leader: msg.vote.leader, round: msg.round, peerState: msg.state });
      if (msg.type === 'DIFF' || msg.type === 'TRUNC' || msg.type === 'SNAP') fields.txns = msg.txns.length;
      if (msg.type === 'NEWEPOCH' || msg.type === 'NEWLEADER') fields.epoch = msg.epoch;
    }
    if (event.type === 'LeaderProcessRequest') fields.zxid = BigInt(event.value);
    if (stateBefore !== this.state) fields.state = this.state;
    this.options.logger.event(event.type, fields as LogFields);
  }

  /** Starts the step's persistence on the chain; resolves when it (and all before it) is durable. */
  private persist(before: ServerContext, after: ServerContext): Promise<void> {
    if (after.acceptedEpoch !== before.acceptedEpoch) this.barrier(() => this.store.writeEpoch('acceptedEpoch', after.acceptedEpoch));
    if (after.history !== before.history) this.persistHistory(before.history, after.history);
    if (after.currentEpoch !== before.currentEpoch) this.barrier(() => this.store.writeEpoch('currentEpoch', after.currentEpoch));
    return this.durable;
  }

  private persistHistory(before: History, after: History): void {
    let common: number;
    if (after.length >= before.length && (before.length === 0 || txnAt(after, before.length - 1).value === txnAt(before, before.length - 1).value)) {
      common = before.length;
    } else {
      common = 0;
      while (common < before.length && common < after.length && txnAt(before, common).value === txnAt(after, common).value) common++;
    }
    let appendFrom = common;
    let firstMissing = common;
    while (firstMissing < after.length && this.payloads.has(txnAt(after, firstMissing).value)) firstMissing++;
    if (firstMissing < after.length) {
      // The leader sent a snapshot for the txns it had no payloads of: it replaces the log.
      appendFrom = this.installReceivedSnapshot(after, firstMissing) + 1;
    } else if (common < before.length) {
      const toZxid = common === 0 ? 0n : BigInt(txnAt(after, common - 1).value);
      this.barrier(() => this.store.truncate(toZxid));
    }
    for (let index = appendFrom; index < after.length; index++) {
      const payload = this.payloadOf(txnAt(after, index));
      const entry = { zxid: payload.zxid, time: payload.time, txn: payload.txn };
      const appended = this.gateOpen ? this.store.append(entry) : this.gate.then(() => this.store.append(entry));
      const value = txnAt(after, index).value;
      this.appendsInFlight.set(value, appended);
      appended.then(() => {
        if (this.appendsInFlight.get(value) === appended) this.appendsInFlight.delete(value);
      }, () => undefined);
      // The log makes appends durable in order, after the gate they waited for, and a failure is
      // final: this append's promise covers everything asked of the disk before it.
      this.durable = appended;
    }
  }

  /**
   * Resolves once the first `length` txns of the history are durable, and every truncation or epoch
   * write asked for so far: an append in flight covers the ones before it.
   */
  private durableThrough(length: number): Promise<void> {
    const last = length === 0 ? undefined : txnAt(this.context.history, length - 1);
    const inFlight = last === undefined ? undefined : this.appendsInFlight.get(last.value);
    if (inFlight === undefined) return this.gate;
    // An open gate has resolved: the append alone is waited for (one promise fewer per commit).
    return this.gateOpen ? inFlight : Promise.all([this.gate, inFlight]).then(() => undefined);
  }

  /**
   * Installs the snapshot the leader attached to its sync message: it must cover every txn of the
   * new history from `firstMissing` on that has no payload, and record exactly the new history up
   * to its zxid. Its zxid is above everything this server's log and tree hold of the new history
   * (the leader had every txn above its snapshot), so the log can start over after it. Returns the
   * snapshot's index in the history.
   */
  private installReceivedSnapshot(after: History, firstMissing: number): number {
    const received = this.receivedSnapshot;
    if (received === null) throw new Error(`server ${this.sid}: no payload for txn ${hex(txnAt(after, firstMissing).value)}, and no snapshot from the leader covers it`);
    const index = indexOfZxid(after, splitZxid(received.zxid));
    if (index < firstMissing) {
      throw new Error(`server ${this.sid}: the leader's snapshot at ${hex(received.zxid)} does not cover txn ${hex(txnAt(after, firstMissing).value)}, whose payload is missing`);
    }
    if (!sameRuns(received.history, historyRunsOfLog(after, index + 1))) {
      throw new Error(`server ${this.sid}: the leader's snapshot at ${hex(received.zxid)} records another history than the one it synced`);
    }
    this.receivedSnapshot = null;
    this.barrier(() => this.store.installSnapshot(received.zxid, received.bytes));
    // On the lane of the deliveries, so that those of this step and later ones apply to the installed tree.
    this.lanes.add(LOCAL_LANE, this.durable, () => {
      const applied = this.server.lastProcessedZxid;
      if (applied > received.zxid) throw new Error(`server ${this.sid}: installing a snapshot at ${hex(received.zxid)} would undo applied txns up to ${hex(applied)}`);
      this.server.resetTree(received.tree, received.zxid);
      this.appliedSinceSnapshot = 0;
      this.options.logger.event('TreeInstalled', { sid: this.sid, zxid: received.zxid, from: received.from, nodes: received.tree.nodeCount });
      this.trimPayloads(received.zxid);
    });
    return index;
  }

  private barrier(operation: () => Promise<unknown>): void {
    const done = this.durable.then(operation).then(() => undefined);
    this.gate = done;
    this.durable = done;
    this.gateOpen = false;
    // A failed barrier leaves the gate closed: every later append waits on it and fails with it.
    done.then(() => {
      if (this.gate === done) this.gateOpen = true;
    }, () => undefined);
  }

  private payloadOf(txn: ChartTxn): TxnPayload {
    const payload = this.payloads.get(txn.value);
    if (payload === undefined) throw new Error(`server ${this.sid}: no payload for txn ${txn.value.toString(16)}`);
    return payload;
  }

  private perform(effect: Effect, durable: Promise<void>): void {
    switch (effect.kind) {
      case 'send': {
        const { to, msg } = effect;
        const frame = this.messageFrame(msg);
        const generation = this.generation[to];
        this.lanes.add(to, durable, () => {
          if (this.generation[to] === generation) this.transport?.send(to, frame, msg.type === 'NOTIFICATION' ? 'vote' : 'message');
        });
        return;
      }
      case 'disconnect':
        // The model empties both channels at once: what we queued to the peer and what it sent us are gone.
        this.cutChannel(effect.peer, 'disconnect');
        return;
      case 'establish':
        this.options.logger.event('LeaderEstablished', { sid: this.sid, epoch: effect.epoch });
        return;
      case 'propose':
      case 'commit':
        return;
    }
  }

  private messageFrame(msg: Message): PeerFrame {
    switch (msg.type) {
      case 'PROPOSAL':
      case 'INFORM':
        return { t: 'message', msg, payloads: [this.payloadOf(msg.txn)] };
      case 'DIFF':
      case 'TRUNC':
      case 'SNAP':
        return this.syncFrame(msg);
      default:
        return { t: 'message', msg };
    }
  }

  /**
   * A sync message with the payloads of its txns; when some are gone (covered by a snapshot and
   * purged), with this server's tree instead, at its applied zxid, and the payloads after it.
   */
  private syncFrame(msg: Extract<Message, { type: 'DIFF' | 'TRUNC' | 'SNAP' }>): PeerFrame {
    const payloads: TxnPayload[] = [];
    let newestMissing = -1;
    for (const txn of msg.txns) {
      const payload = this.payloads.get(txn.value);
      if (payload === undefined) newestMissing = txn.value;
      else payloads.push(payload);
    }
    if (newestMissing < 0) return { t: 'message', msg, payloads };
    const applied = this.server.lastProcessedZxid;
    const appliedIndex = indexOfZxid(this.context.history, splitZxid(applied));
    if (newestMissing > Number(applied) || appliedIndex < 0) {
      throw new Error(`server ${this.sid}: no payload for txn ${hex(newestMissing)}, and the tree (at ${hex(applied)}) does not cover it`);
    }
    const history = historyRunsOfLog(this.context.history, appliedIndex + 1);
    const encoded = encodeSnapshot(applied, this.server.tree, history);
    // A plain Uint8Array: a Buffer would reach the frame encoder as Buffer.toJSON's array of numbers.
    const snapshot: SnapshotTransfer = { zxid: applied, bytes: new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength) };
    this.options.logger.event('SnapshotAttached', { sid: this.sid, message: msg.type, zxid: applied, bytes: snapshot.bytes.length });
    return { t: 'message', msg, payloads: payloads.filter((payload) => payload.zxid > applied), snapshot };
  }

  private cutChannel(peer: number, reason: string): void {
    this.generation[peer] += 1;
    this.inbound.get(peer)?.splice(0);
    this.transport?.close(peer, reason);
  }

  /**
   * Applies the committed prefix to the tree. The tree holds committed txns only, so the txn it was
   * last applied must be in every later history (ZAB's CommittedNotLost); if not, the server stops.
   */
  private deliver(history: History, committed: number): void {
    let start = 0;
    const applied = this.server.lastProcessedZxid;
    if (applied !== 0n) {
      const index = indexOfZxid(history, splitZxid(applied));
      if (index < 0) throw new Error(`server ${this.sid}: the tree holds txn ${hex(applied)}, which the history no longer does: a committed txn was truncated`);
      start = index + 1;
    }
    for (let index = start; index < committed; index++) {
      const payload = this.payloadOf(txnAt(history, index));
      this.server.apply({ zxid: payload.zxid, time: payload.time, txn: payload.txn }, this.committer.takePrepared(payload.zxid));
      this.committer.delivered(payload);
      this.appliedSinceSnapshot += 1;
    }
    if (start < committed) this.trimAppliedPayloads();
    if (start < committed && this.appliedSinceSnapshot >= this.snapshotThreshold && !this.snapshotInFlight) this.takeSnapshot(history, committed - 1);
  }

  /** Snapshots the tree (the state after history[index], all committed) in the background; then purges and trims. */
  private takeSnapshot(history: History, index: number): void {
    const zxid = this.server.lastProcessedZxid;
    if (BigInt(txnAt(history, index).value) !== zxid) throw new Error(`server ${this.sid}: snapshot of a tree at ${hex(zxid)} labelled ${hex(txnAt(history, index).value)}`);
    const runs = historyRunsOfLog(history, index + 1);
    this.snapshotInFlight = true;
    this.appliedSinceSnapshot = 0;
    this.snapshotThreshold = this.nextSnapshotThreshold();
    // A learner applies a COMMIT before its own log holds the txn: the snapshot waits for the log,
    // so that the log never lacks txns below a snapshot it continues from.
    const tree = this.server.tree;
    this.durable.then(() => this.store.snapshot(zxid, tree, runs)).then(
      (name) => {
        this.snapshotInFlight = false;
        if (name !== null && !this.stopped) this.trimPayloads(zxid);
      },
      (error: Error) => {
        this.snapshotInFlight = false;
        this.options.logger.event('SnapshotFailed', { sid: this.sid, zxid, reason: error.message });
      },
    );
  }

  private nextSnapshotThreshold(): number {
    const every = Math.max(1, this.options.snapshotEveryTxns ?? SNAPSHOT_EVERY_TXNS_DEFAULT);
    return Math.ceil(every / 2) + Math.floor(Math.random() * Math.ceil(every / 2));
  }

  /**
   * Drops the payloads a snapshot at `zxid` covers, but those of the last commitLogCount txns,
   * which a leader sends in a DIFF; what it no longer has it covers with its tree (syncFrame).
   */
  private trimPayloads(zxid: bigint): void {
    const bound = this.trimBound(zxid);
    for (const key of this.payloads.keys()) if (key <= bound) this.payloads.delete(key);
  }

  /**
   * After deliveries: drops the payloads of applied txns older than the last commitLogCount, as
   * ZooKeeper keeps only its committedLog in memory; the log on disk still has them, and a sync that
   * would need one is covered by the tree (syncFrame), exactly when the chart chooses SNAP. Payloads
   * arrive in zxid order, so this stops at the first it keeps; one out of order waits for the full
   * sweep after the next snapshot (trimPayloads).
   */
  private trimAppliedPayloads(): void {
    const bound = this.trimBound(this.server.lastProcessedZxid);
    for (const key of this.payloads.keys()) {
      if (key > bound) return;
      this.payloads.delete(key);
    }
  }

  /** The greatest txn value whose payload may go: applied (or snapshotted) up to `zxid`, and older than the last commitLogCount txns. */
  private trimBound(zxid: bigint): number {
    const history = this.context.history;
    const keepFrom = history.length - 1 - this.context.commitLogCount;
    return Math.min(Number(zxid), keepFrom < 0 ? -1 : txnAt(history, keepFrom).value);
  }

  // ----- Serving clients -----

  private noteServing(stateBefore: StateId): void {
    const wasServing = stateBefore.endsWith('.BROADCAST');
    const isServing = this.state.endsWith('.BROADCAST');
    if (wasServing && (!isServing || topOf(stateBefore) !== topOf(this.state))) this.setServing(null);
    if (isServing && !wasServing) {
      const generation = this.servingGeneration;
      const role = topOf(this.state) === 'LEADING' ? 'leader' : 'learner';
      // After the deliveries of the establishing step, so that the leader's tree holds its whole history.
      this.lanes.add(LOCAL_LANE, this.durable, () => {
        if (generation === this.servingGeneration && this.state.endsWith('.BROADCAST')) this.setServing(role);
      });
    }
  }

  private setServing(role: 'leader' | 'learner' | null): void {
    if (this.serving === role) return;
    this.servingGeneration += 1;
    this.serving = role;
    if (role === null) this.committer.stopServing();
    if (role === 'leader') this.committer.startLeading(this.server.tree);
    this.options.logger.event('ServingChanged', { sid: this.sid, role: role ?? 'none', state: this.state, lastZxid: this.server.lastProcessedZxid });
    this.options.onServingChange?.(role);
  }

  // ----- Events from the network and the clock -----

  private onFrame(from: number, frame: PeerFrame): void {
    if (this.stopped) return;
    this.lastHeard[from] = this.tick;
    switch (frame.t) {
      case 'message':
        if (frame.msg.type === 'DIFF' || frame.msg.type === 'TRUNC' || frame.msg.type === 'SNAP') {
          if (!this.receiveSnapshot(from, frame.snapshot)) return;
        }
        for (const payload of frame.payloads ?? []) this.payloads.set(Number(payload.zxid), payload);
        if (frame.msg.type === 'NOTIFICATION' && !has(this.voters, this.sid)) {
          this.observeNotification(from, frame.msg);
          return;
        }
        this.inbound.get(from)?.push(frame.msg);
        this.pump();
        return;
      case 'ping':
      case 'request':
      case 'sync':
        if (this.serving === 'leader') this.committer.receiveFromLearner(from, frame);
        else if (frame.t === 'request') this.transport?.send(from, { t: 'refused', id: frame.id, code: -4 }, 'runtime');
        return;
      case 'refused':
      case 'synced':
        this.committer.receiveFromLeader(frame);
        return;
      case 'hello':
        return;
    }
  }

  /**
   * A sync message starts a sync: it replaces any snapshot an earlier one brought. A snapshot that
   * does not decode breaks the connection (the chart's Disconnect), as a malformed frame would.
   */
  private receiveSnapshot(from: number, transfer: SnapshotTransfer | undefined): boolean {
    this.receivedSnapshot = null;
    if (transfer === undefined) return true;
    if (!(transfer.bytes instanceof Uint8Array) || typeof transfer.zxid !== 'bigint') {
      this.options.logger.event('SnapshotRejected', { sid: this.sid, from, reason: 'malformed snapshot transfer' });
      this.onPeerGone(from, true);
      return false;
    }
    const decoded = decodeSnapshot(Buffer.from(transfer.bytes.buffer, transfer.bytes.byteOffset, transfer.bytes.byteLength));
    const invalid = 'invalid' in decoded ? decoded.invalid : decoded.zxid !== transfer.zxid ? 'zxid differs from the frame\'s' : decoded.history === null ? 'no history' : null;
    if (invalid !== null || 'invalid' in decoded || decoded.history === null) {
      this.options.logger.event('SnapshotRejected', { sid: this.sid, from, reason: invalid ?? 'invalid' });
      this.onPeerGone(from, true);
      return false;
    }
    this.receivedSnapshot = { from, zxid: decoded.zxid, bytes: transfer.bytes, tree: decoded.tree, history: decoded.history };
    return true;
  }

  /** The connection to `peer` broke, or a send to it found no connection: the chart's Disconnect. */
  private onPeerGone(peer: number, sendFailed: boolean): void {
    if (this.stopped) return;
    this.generation[peer] += 1;
    this.inbound.get(peer)?.splice(0);
    if (sendFailed) this.transport?.close(peer, 'send failed');
    this.step({ type: 'Disconnect', peer });
    this.pump();
  }

  /** Delivers enabled channel heads and internal steps until nothing is enabled. Not reentrant. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        let progressed = true;
        while (progressed && !this.stopped) {
          progressed = false;
          if (has(this.voters, this.sid) && this.enabled(FLE_FOLLOW_ESTABLISHED)) progressed = this.step(FLE_FOLLOW_ESTABLISHED);
          for (const peer of this.inboundPeers) {
            const queue = this.inbound.get(peer) as Message[];
            const head = queue[0];
            if (head === undefined) continue;
            const event = this.messageEvent(peer, head);
            if (event === null) continue;
            queue.shift();
            this.step(event);
            progressed = true;
          }
        }
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
    this.scheduleInternalSteps();
  }

  /** The first handler of the message the chart takes in its state (the model's messageEvent); null: it waits. */
  private messageEvent(from: number, msg: Message): ServerEvent | null {
    for (const type of HANDLERS_OF_MESSAGE[msg.type]) {
      const event: ServerEvent = { type, from, msg };
      if (compiled.select(this.state, this.context, event) !== null) return event;
    }
    return null;
  }

  /** FLEDecide after finalizeWait; each NEWLEADER step once the previous one is durable. */
  private scheduleInternalSteps(): void {
    if (this.stopped) return;
    if (this.decideTimer === null && this.enabled({ type: 'FLEDecide' })) {
      // A follower's CEPOCH that reaches its leader before the leader decided is refused and costs a
      // round (ZooKeeper's learner retries connecting instead); so a follower waits twice as long.
      const finalizeWaitMs = this.options.finalizeWaitMs ?? Math.min(200, this.options.tickTimeMs);
      const followerWaits = this.context.vote.leader !== this.sid;
      this.decideTimer = setTimeout(() => {
        this.decideTimer = null;
        if (this.step({ type: 'FLEDecide' })) this.pump();
      }, followerWaits ? 2 * finalizeWaitMs : finalizeWaitMs);
    }
    if (this.newLeaderStepScheduled) return;
    for (const type of NEW_LEADER_STEPS) {
      if (!this.enabled({ type })) continue;
      this.newLeaderStepScheduled = true;
      this.durable.then(() => {
        this.newLeaderStepScheduled = false;
        if (this.step({ type })) this.pump();
      }, (error: Error) => this.fail(error));
      return;
    }
  }

  private onTick(): void {
    if (this.stopped) return;
    this.tick += 1;
    const top = topOf(this.state);
    const inBroadcast = this.state.endsWith('.BROADCAST');
    if (top === 'LEADING') this.leaderTick(inBroadcast);
    else if (top === 'FOLLOWING' || top === 'OBSERVING') this.learnerTick(inBroadcast);
    else if (top === 'LOOKING') this.lookingTick();
    this.committer.tick();
    this.pump();
  }

  /** Ping every learner; drop those silent for syncLimit ticks; give up leading when the chart allows. */
  private leaderTick(inBroadcast: boolean): void {
    const initExpired = this.tick - this.roleStartTick > this.options.initLimit;
    for (const learner of members(this.context.learners)) {
      this.transport?.send(learner, { t: 'ping' }, 'runtime');
      const silent = this.tick - Math.max(this.lastHeard[learner], this.roleStartTick);
      if (silent > this.options.syncLimit || (!inBroadcast && initExpired)) {
        this.options.logger.event('LearnerTimedOut', { sid: this.sid, learner, silentTicks: silent, established: inBroadcast });
        this.cutChannel(learner, 'learner timed out');
        this.step({ type: 'Disconnect', peer: learner });
      }
    }
    if ((inBroadcast || initExpired) && this.enabled({ type: 'LeaderTimeout' })) this.step({ type: 'LeaderTimeout' });
  }

  /** Give up a leader silent for syncLimit ticks (initLimit while syncing); else ping it with our sessions' touches. */
  private learnerTick(inBroadcast: boolean): void {
    const leader = this.context.leader;
    if (leader === 0) return;
    const silent = this.tick - Math.max(this.lastHeard[leader], this.roleStartTick);
    if (silent > (inBroadcast ? this.options.syncLimit : this.options.initLimit)) {
      this.options.logger.event('LeaderTimedOut', { sid: this.sid, leader, silentTicks: silent });
      this.step({ type: 'Disconnect', peer: leader });
      return;
    }
    this.transport?.send(leader, { t: 'ping', sessions: this.committer.takeTouchedSessions() }, 'runtime');
  }

  /**
   * ZooKeeper re-sends its vote when no notification arrives for a while (the chart has no such
   * action; a duplicate notification changes nothing in it). An observer, which does not vote,
   * asks the voters who leads instead.
   */
  private lookingTick(): void {
    if (this.tick % 2 !== 0) return;
    const isVoter = has(this.voters, this.sid);
    const msg: Message = isVoter
      ? { type: 'NOTIFICATION', vote: this.context.vote, round: this.context.round, state: 'LOOKING' }
      : { type: 'NOTIFICATION', vote: NO_VOTE, round: 0, state: 'LOOKING' };
    for (const peer of members(this.voters)) if (peer !== this.sid) this.transport?.send(peer, { t: 'message', msg }, 'vote');
  }

  /** An observer's view of the voters' replies; it joins a leader a quorum of them follow (the chart's JoinLeader). */
  private observeNotification(from: number, msg: Extract<Message, { type: 'NOTIFICATION' }>): void {
    if (topOf(this.state) !== 'LOOKING') return;
    this.observerView.set(from, { vote: msg.vote, state: msg.state });
    for (const [leader, view] of this.observerView) {
      if (view.state !== 'LEADING' || view.vote.leader !== leader) continue;
      let agreeing = 0;
      for (const [sid, other] of this.observerView) if (other.state !== 'LOOKING' && other.vote.leader === leader) agreeing |= bit(sid);
      if (!isQuorum(agreeing, this.voters)) continue;
      if (this.step({ type: 'JoinLeader', leader, learner: this.sid })) this.pump();
      return;
    }
  }

  private fail(error: Error): void {
    if (this.failure !== null || this.stopped) return;
    this.failure = error;
    this.options.logger.event('QuorumPeerFailed', { sid: this.sid, reason: error.message });
    void this.stop();
    this.options.onFatal?.(error);
  }
}
