import type { ClusterState, ModelAction } from '../model/ClusterState.js';
import { createModel, type Model } from '../model/Model.js';
import type { HistoryEvent, ZooKeeperResult } from '../history/ClientHistory.js';
import { Code, codeName } from '../service/Code.js';
import { DataTree } from '../service/DataTree.js';
import { OpCode } from '../service/OpCode.js';
import type { ProcessTxnResult } from '../service/ProcessTxnResult.js';
import type { ReadRequestBody, WriteRequestBody } from '../service/Request.js';
import { SessionTracker } from '../service/SessionTracker.js';
import { WatchManager } from '../service/WatchManager.js';
import { applyTxn } from '../service/applyTxn.js';
import { prepRequest } from '../service/prepRequest.js';
import { processRead } from '../service/processRead.js';
import { txnEquals, type Txn as ProtocolTxn } from '../protocol/Txn.js';
import { compareZxid, ZXID_ZERO, zxidEquals, zxidToBigInt, type Zxid } from '../protocol/zxid.js';
import { Random } from '../sim/Random.js';
import type { ServiceSimOptions } from './ServiceSimOptions.js';
import { closeSessionOperation, createSessionOperation, randomOperation, type PlannedOperation } from './randomOperation.js';
import type { ClientState, Completion, LeaderState, OperationRecord, QueuedRequest, ReplicaState, TxnEntry } from './ServiceRecords.js';
import { asArray } from '../protocol/Seq.js';
import type { Txn } from '../protocol/Txn.js';
import { lastZxidOf } from '../protocol/History.js';

const FAULTS = new Set(['Crash', 'Disconnect', 'LeaderTimeout']);
const SERVING_STATES = new Set(['LEADING.BROADCAST', 'FOLLOWING.BROADCAST', 'OBSERVING.BROADCAST']);
const decoder = new TextDecoder();

/** A step the simulator may take: its weight, and a run that answers false if it turned out not allowed. */
interface Choice {
  readonly weight: number;
  readonly run: () => boolean;
}

/** Counters for the summary. */
export interface ServiceCounters {
  restarts: number;
  refusedRequests: number;
  expiriesProposed: number;
  sessionsCreated: number;
  sessionsClosed: number;
  sessionsExpiredSeen: number;
  connects: number;
  connectionLosses: number;
  ticks: number;
  protocolSteps: number;
}

/**
 * The service on the protocol model: the model's actions decide ordering, commits, crashes, restarts
 * and disconnects; a data tree per server follows that server's delivered log; each leader preps
 * requests against its tree plus outstanding proposals; simulated clients connect, pipeline requests
 * and lose connections. Deterministic: the options (seed included) decide everything.
 */
export class ServiceSimulator {
  readonly model: Model;
  readonly random: Random;
  state: ClusterState;
  now = 0;
  /** The logical clock of the client history: one tick per recorded event. */
  time = 0;
  readonly txns = new Map<number, TxnEntry>();
  readonly replicas: ReplicaState[] = [];
  readonly leaders = new Map<number, LeaderState>();
  readonly clients: ClientState[] = [];
  readonly operations: OperationRecord[] = [];
  readonly events: HistoryEvent[] = [];
  /** Every txn value some server delivered at some point. */
  readonly deliveredValues = new Set<number>();
  /** The longest prefix any server has delivered so far (a crash does not shorten it). */
  longestDelivered: readonly ProtocolTxn[] = [];
  /** Positions where two servers delivered different txns, one of them while serving clients. */
  readonly prefixDisagreements: string[] = [];
  /** Txn values some server delivered while serving clients. */
  readonly servingDelivered = new Set<number>();
  /** What the run showed about the protocol model that no client could observe. */
  readonly modelFindings: string[] = [];
  readonly digests: { server: number; zxid: Zxid; digest: bigint }[] = [];
  private readonly digestKeys = new Set<string>();
  /** The txn value the test-only replica bug dropped, once it has. */
  skippedValue: number | null = null;
  readonly counters: ServiceCounters = {
    restarts: 0, refusedRequests: 0, expiriesProposed: 0, sessionsCreated: 0, sessionsClosed: 0,
    sessionsExpiredSeen: 0, connects: 0, connectionLosses: 0, ticks: 0, protocolSteps: 0,
  };

  constructor(readonly options: ServiceSimOptions) {
    this.model = createModel(options.model);
    this.random = new Random(options.seed);
    this.state = this.model.init();
    for (let s = 0; s <= this.model.sids.length; s++) this.replicas.push({ historyRef: [], applied: [], tree: DataTree.empty() });
    for (let c = 1; c <= options.clients; c++) {
      this.clients.push({ id: c, server: 0, incarnation: '', session: null, closing: false, lastZxid: ZXID_ZERO, inFlight: [], cxid: 0 });
    }
  }

  /** One step of the safety phase (faults and client operations). False when nothing can happen. */
  safetyStep(): boolean {
    const choices = [...this.protocolChoices(false), ...this.clientChoices(), { weight: 0.3, run: () => this.tick() }];
    return this.takeOne(choices);
  }

  /** One step of the liveness phase: protocol steps and queued requests only, faults healed. */
  drainStep(): boolean {
    return this.takeOne(this.protocolChoices(true));
  }

  private takeOne(choices: Choice[]): boolean {
    const open = choices.slice();
    while (open.length > 0) {
      let total = 0;
      for (const c of open) total += c.weight;
      let pick = this.random.float() * total;
      let index = open.length - 1;
      for (let k = 0; k < open.length; k++) {
        pick -= open[k].weight;
        if (pick < 0) {
          index = k;
          break;
        }
      }
      if (open[index].run()) return true;
      open.splice(index, 1);
    }
    return false;
  }

  private protocolChoices(healed: boolean): Choice[] {
    const out: Choice[] = [];
    for (const action of this.model.actions(this.state)) {
      if (action.name === 'LeaderProcessRequest') {
        const leader = this.leaders.get(action.i);
        if (leader !== undefined && leader.queue.length > 0) out.push({ weight: 1.5, run: () => this.leaderProcessRequest(action.i) });
        continue;
      }
      if (healed && (action.name === 'Crash' || action.name === 'Disconnect')) continue;
      const weight = FAULTS.has(action.name) && !healed ? this.options.faultWeight : 1;
      out.push({ weight, run: () => this.protocolStep(action) });
    }
    return out;
  }

  private protocolStep(action: ModelAction): boolean {
    const next = this.model.next(this.state, action);
    if (!this.model.withinBounds(next)) return false;
    if (action.name === 'Restart') this.counters.restarts++;
    this.afterProtocolStep(next);
    return true;
  }

  /** Everything that follows from a new cluster state, in the order a server would do it. */
  private afterProtocolStep(next: ClusterState): void {
    this.state = next;
    this.counters.protocolSteps++;
    this.updateLeaders();
    for (const client of this.clients) {
      if (client.server !== 0 && this.incarnation(client.server) !== client.incarnation) this.connectionLoss(client, 'ConnectionLoss');
    }
    for (const sid of this.model.sids) this.syncReplica(sid);
    for (const client of this.clients) this.drainClient(client);
  }

  // --- servers ---------------------------------------------------------------------------------

  /** Who a server serves clients as; null when it serves none (not in BROADCAST). */
  incarnation(sid: number): string | null {
    const role = this.state.states[sid];
    if (!SERVING_STATES.has(role)) return null;
    const context = this.state.servers[sid];
    return `${role}/${context.leader}/${context.currentEpoch}`;
  }

  /** The live leader a serving server forwards to, or 0 when its leader is gone. */
  leaderOf(sid: number): number {
    if (this.incarnation(sid) === null) return 0;
    const context = this.state.servers[sid];
    const leader = this.state.states[sid] === 'LEADING.BROADCAST' ? sid : context.leader;
    const state = this.leaders.get(leader);
    return state !== undefined && state.epoch === context.currentEpoch ? leader : 0;
  }

  /**
   * The zxid of the last txn applied to the server's tree. While a step delivers several txns this
   * runs behind the model's lastCommitted, which is the point: replies carry what the tree reflects.
   */
  lastDeliveredZxid(sid: number): Zxid {
    const applied = this.replicas[sid].applied;
    return applied.length === 0 ? ZXID_ZERO : applied[applied.length - 1].zxid;
  }

  /** A server entering BROADCAST as leader starts its service side from its whole log. */
  private updateLeaders(): void {
    for (const sid of this.model.sids) {
      const leading = this.state.states[sid] === 'LEADING.BROADCAST';
      const epoch = this.state.servers[sid].currentEpoch;
      const known = this.leaders.get(sid);
      if (!leading) {
        this.leaders.delete(sid);
        continue;
      }
      if (known !== undefined && known.epoch === epoch) continue;
      let tree = DataTree.empty();
      for (const txn of this.state.servers[sid].history) {
        const entry = this.entryOf(txn);
        tree = applyTxn(tree, entry.txn, entry.zxidBig, entry.time).tree;
      }
      this.leaders.set(sid, { epoch, speculative: tree, tracker: SessionTracker.fromTree(tree, sid, this.now), queue: [], expiring: new Set() });
    }
  }

  private entryOf(txn: ProtocolTxn): TxnEntry {
    const entry = this.txns.get(txn.value);
    if (entry === undefined) throw new Error(`servicesim: txn value ${txn.value} has no service txn`);
    if (!zxidEquals(entry.zxid, txn.zxid)) throw new Error(`servicesim: txn value ${txn.value} logged at a zxid other than its proposal's`);
    return entry;
  }

  /**
   * LeaderProcessRequest bound to the head of the leader's queue: the request is checked against the
   * session tracker, proposed through the model, and prepped with the zxid the model gave it.
   */
  private leaderProcessRequest(sid: number): boolean {
    const leader = this.leaders.get(sid);
    const request = leader?.queue.shift();
    if (leader === undefined || request === undefined) return false;
    let sessionId = request.sessionId;
    const body = request.kind === 'expire' ? ({ type: OpCode.closeSession } as const) : request.body;
    if (request.kind === 'expire') {
      leader.expiring.delete(sessionId);
      if (leader.tracker.checkSession(sessionId) !== Code.Ok) return true;
    } else if (body.type === OpCode.createSession) {
      const created = leader.tracker.createSession(body.timeOut, this.now);
      leader.tracker = created.tracker;
      sessionId = created.sessionId;
    } else if (leader.tracker.checkSession(sessionId) !== Code.Ok || leader.expiring.has(sessionId)) {
      this.counters.refusedRequests++;
      this.setReady(request, { status: 'refused', err: Code.SessionExpired });
      return true;
    } else if (body.type !== OpCode.closeSession) {
      const touched = leader.tracker.touchSession(sessionId, this.now);
      if (touched instanceof SessionTracker) leader.tracker = touched;
    }
    const next = this.model.next(this.state, { name: 'LeaderProcessRequest', i: sid });
    if (!this.model.withinBounds(next)) throw new Error('servicesim: LeaderProcessRequest left the bounds; raise maxTxns');
    const proposal = next.servers[sid].history.at(-1) as Txn;
    if (proposal.value !== next.nRequests) throw new Error(`servicesim: the proposal carries ${proposal.value}, expected ${next.nRequests}`);
    const zxidBig = zxidToBigInt(proposal.zxid);
    const cxid = request.kind === 'client' ? this.operations[request.operation].id : 0;
    const prepped = prepRequest(leader.speculative, leader.tracker, { ...body, sessionId, cxid, authInfo: [] }, zxidBig, this.now);
    if (prepped.kind !== 'txn') throw new Error(`servicesim: prepRequest refused a checked request with ${codeName(prepped.err)}`);
    leader.speculative = prepped.tree;
    leader.tracker = prepped.tracker;
    if (request.kind === 'expire') this.counters.expiriesProposed++;
    const origin = request.kind === 'client' ? { client: request.client, operation: request.operation } : null;
    if (request.kind === 'client') this.operations[request.operation].proposedValue = proposal.value;
    this.txns.set(proposal.value, { value: proposal.value, txn: prepped.txn, zxid: proposal.zxid, zxidBig, time: this.now, origin });
    this.afterProtocolStep(next);
    return true;
  }

  private setReady(request: QueuedRequest, completion: Completion): void {
    if (request.kind !== 'client') return;
    const op = this.operations[request.operation];
    if (op.completion === null && op.ready === null) op.ready = completion;
  }

  /** Applies what a server newly delivered; rebuilds its tree when its log was cut or replaced. */
  private syncReplica(sid: number): void {
    const replica = this.replicas[sid];
    const context = this.state.servers[sid];
    const history = asArray(context.history);
    if (history !== replica.historyRef) {
      const keeps = replica.applied.length <= history.length && replica.applied.every((txn, k) => txnEquals(txn, history[k]));
      if (!keeps) this.resetReplica(replica);
      replica.historyRef = history;
    }
    if (context.lastCommitted < replica.applied.length) this.resetReplica(replica);
    let diverged = false;
    for (let k = replica.applied.length; k < context.lastCommitted; k++) {
      const other = this.longestDelivered[k];
      if (other !== undefined && !txnEquals(other, history[k])) {
        diverged = true;
        this.recordDisagreement(sid, k, history[k], other);
      }
      if (this.incarnation(sid) !== null) this.servingDelivered.add(history[k].value);
      this.applyDelivered(sid, history[k]);
      for (const client of this.clients) if (client.server === sid) this.drainClient(client);
    }
    if (diverged || replica.applied.length > this.longestDelivered.length) this.longestDelivered = replica.applied.slice();
  }

  /**
   * Two servers delivered different txns at one position. If the replaced txn was delivered only by
   * servers still synchronizing (no client could read it), that is a finding about the protocol
   * model; if a serving server delivered it, clients may have seen a txn that was then discarded.
   */
  private recordDisagreement(sid: number, index: number, txn: ProtocolTxn, other: ProtocolTxn): void {
    const text = `server ${sid} delivered <${txn.zxid.epoch},${txn.zxid.counter}>=${txn.value} at position ${index + 1}, where another server had delivered <${other.zxid.epoch},${other.zxid.counter}>=${other.value}`;
    if (this.servingDelivered.has(other.value)) {
      if (this.prefixDisagreements.length < 10) this.prefixDisagreements.push(text);
    } else if (this.modelFindings.length < 10) {
      this.modelFindings.push(`${text} while synchronizing (a learner delivered a txn synced by a leader that was never established, and a later leader truncated it)`);
    }
  }

  private resetReplica(replica: ReplicaState): void {
    replica.tree = DataTree.empty();
    replica.applied = [];
  }

  private applyDelivered(sid: number, txn: ProtocolTxn): void {
    const replica = this.replicas[sid];
    const entry = this.entryOf(txn);
    const applied = applyTxn(replica.tree, entry.txn, entry.zxidBig, entry.time);
    if (!this.skipsForTest(sid, entry)) replica.tree = applied.tree;
    replica.applied.push(txn);
    this.deliveredValues.add(txn.value);
    const key = `${sid}/${entry.value}/${replica.tree.digest}`;
    if (!this.digestKeys.has(key)) {
      this.digestKeys.add(key);
      this.digests.push({ server: sid, zxid: entry.zxid, digest: replica.tree.digest });
    }
    this.answerWrite(sid, entry, applied.result);
    if (entry.txn.type === OpCode.closeSession) this.sessionClosedAt(sid, entry);
  }

  /** The test-only replica bug: one server drops the first setData it applies, on every rebuild too. */
  private skipsForTest(sid: number, entry: TxnEntry): boolean {
    if (this.options.testHooks?.skipFirstSetDataOn !== sid) return false;
    if (this.skippedValue === null && entry.txn.type === OpCode.setData) this.skippedValue = entry.value;
    return this.skippedValue === entry.value;
  }

  // --- clients ---------------------------------------------------------------------------------

  /** The write's reply, when its client waits for it on this server. */
  private answerWrite(sid: number, entry: TxnEntry, result: ProcessTxnResult): void {
    if (entry.origin === null) return;
    const client = this.clients[entry.origin.client - 1];
    const op = this.operations[entry.origin.operation];
    if (client.server !== sid || op.completion !== null || op.ready !== null) return;
    let historyResult: ZooKeeperResult | null = null;
    if (op.historyInput !== null) historyResult = modeledResult(result.err, op.historyInput.kind === 'setData' ? result.stat?.version : undefined);
    op.ready = { status: 'ok', err: result.err, zxid: entry.zxid, historyResult, sessionId: entry.txn.sessionId, path: result.path };
  }

  /** A session ended in the log: its clients on this server hear of it (expiry) or get their reply (close). */
  private sessionClosedAt(sid: number, entry: TxnEntry): void {
    for (const client of this.clients) {
      if (client.server !== sid || client.session !== entry.txn.sessionId) continue;
      this.drainClient(client);
      if (client.session !== entry.txn.sessionId) continue;
      this.counters.sessionsExpiredSeen++;
      client.session = null;
      client.closing = false;
      for (const id of client.inFlight) this.complete(client, this.operations[id], { status: 'unknown', reason: 'SessionExpired' });
      client.inFlight = [];
    }
  }

  private clientChoices(): Choice[] {
    const out: Choice[] = [];
    for (const client of this.clients) {
      if (client.server === 0) {
        out.push({ weight: 0.4, run: () => this.connect(client) });
        continue;
      }
      out.push({ weight: 0.02, run: () => (this.connectionLoss(client, 'ConnectionLoss'), true) });
      if (client.closing) continue;
      if (client.session === null) {
        if (client.inFlight.length === 0) out.push({ weight: 0.6, run: () => this.issue(client, createSessionOperation(this.options.sessionTimeoutTicks)) });
        continue;
      }
      if (client.inFlight.length < this.options.pipelineMax) {
        out.push({ weight: 1, run: () => this.issue(client, randomOperation(this.random, `c${client.id}-${this.operations.length}`)) });
      }
      out.push({ weight: 0.02, run: () => ((client.closing = true), this.issue(client, closeSessionOperation())) });
    }
    return out;
  }

  /** A client connects to a serving server at least as recent as what it has seen, and revalidates its session. */
  private connect(client: ClientState): boolean {
    const candidates = this.model.sids.filter((sid) => this.leaderOf(sid) !== 0 && compareZxid(this.lastDeliveredZxid(sid), client.lastZxid) >= 0);
    if (candidates.length === 0) return false;
    const sid = candidates[this.random.below(candidates.length)];
    const leader = this.leaders.get(this.leaderOf(sid))!;
    if (client.session !== null) {
      const touched = leader.expiring.has(client.session) ? Code.SessionExpired : leader.tracker.touchSession(client.session, this.now);
      if (touched instanceof SessionTracker) leader.tracker = touched;
      else {
        client.session = null;
        this.counters.sessionsExpiredSeen++;
      }
    }
    client.server = sid;
    client.incarnation = this.incarnation(sid)!;
    client.closing = false;
    this.counters.connects++;
    return true;
  }

  private connectionLoss(client: ClientState, reason: string): void {
    for (const id of client.inFlight) this.complete(client, this.operations[id], { status: 'unknown', reason });
    client.inFlight = [];
    client.server = 0;
    client.incarnation = '';
    this.counters.connectionLosses++;
  }

  private issue(client: ClientState, planned: PlannedOperation): boolean {
    const id = this.operations.length;
    const sid = client.server;
    const op: OperationRecord = {
      id, client: client.id, server: sid, kind: planned.kind, role: planned.role, body: planned.body,
      historyInput: planned.historyInput, call: ++this.time, syncTarget: null, proposedValue: null, ready: null, completion: null, returnTime: null,
    };
    this.operations.push(op);
    client.inFlight.push(id);
    client.cxid++;

    const leaderSid = this.leaderOf(sid);
    const leader = this.leaders.get(leaderSid);
    if (planned.role === 'write' && leader !== undefined && leaderSid !== 0) {
      const body = planned.body as WriteRequestBody;
      leader.queue.push({ kind: 'client', client: client.id, operation: id, sessionId: client.session ?? 0n, body });
    }
    if (planned.role === 'sync' && leader !== undefined && leaderSid !== 0) {
      op.syncTarget = lastZxidOf(this.state.servers[leaderSid].history);
    }
    this.drainClient(client);
    return true;
  }

  /** Replies leave in issue order: complete the head while it has its answer (reads are served now). */
  private drainClient(client: ClientState): void {
    while (client.inFlight.length > 0 && client.server !== 0) {
      const op = this.operations[client.inFlight[0]];
      if (op.ready === null && op.role === 'read') op.ready = this.serveRead(client, op);
      if (op.ready === null && op.role === 'sync' && op.syncTarget !== null && compareZxid(this.lastDeliveredZxid(client.server), op.syncTarget) >= 0) {
        op.ready = { status: 'ok', err: Code.Ok, zxid: this.lastDeliveredZxid(client.server), historyResult: { code: 'OK' } };
      }
      if (op.ready === null) return;
      client.inFlight.shift();
      this.complete(client, op, op.ready);
    }
  }

  private serveRead(client: ClientState, op: OperationRecord): Completion {
    const sid = client.server;
    const request = { ...(op.body as ReadRequestBody), sessionId: client.session ?? 0n, cxid: op.id, authInfo: [] };
    const { response } = processRead(this.replicas[sid].tree, WatchManager.empty(), request);
    let historyResult: ZooKeeperResult | null = null;
    if (op.historyInput !== null) {
      historyResult = modeledResult(response.err, response.stat?.version);
      if (historyResult.code === 'OK' && op.historyInput.kind === 'getData') historyResult = { ...historyResult, data: decoder.decode(response.data) };
    }
    return { status: 'ok', err: response.err, zxid: this.lastDeliveredZxid(sid), historyResult };
  }

  private complete(client: ClientState, op: OperationRecord, completion: Completion): void {
    op.completion = completion;
    op.ready = completion;
    op.returnTime = ++this.time;
    if (completion.status === 'ok' && compareZxid(completion.zxid, client.lastZxid) > 0) client.lastZxid = completion.zxid;
    if (completion.status === 'ok' && completion.err === Code.Ok && op.kind === 'createSession') {
      client.session = completion.sessionId ?? null;
      this.counters.sessionsCreated++;
    }
    if (op.kind === 'closeSession') {
      client.closing = false;
      if (completion.status === 'ok' && completion.err === Code.Ok) {
        client.session = null;
        this.counters.sessionsClosed++;
      }
    }
    if (op.historyInput === null) return;
    // ZooKeeper does not order a request whose reply was lost against the client's later requests:
    // it may sit at the leader, be prepped and commit after a read the client issued on its new
    // connection. Such an operation is recorded as a client of its own, so only real time orders it.
    const historyClient = completion.status === 'unknown' ? `${client.id}~${op.id}` : client.id;
    this.events.push({ type: 'invoke', operationId: op.id, time: op.call, client: historyClient, server: op.server, input: op.historyInput });
    if (completion.status === 'ok') {
      if (completion.historyResult === null) throw new Error(`servicesim: modeled operation ${op.id} has no history result`);
      this.events.push({ type: 'complete', operationId: op.id, time: op.returnTime, outcome: { status: 'ok', result: completion.historyResult, zxid: { ...completion.zxid } } });
    } else {
      const reason = completion.status === 'refused' ? codeName(completion.err) : completion.reason;
      this.events.push({ type: 'complete', operationId: op.id, time: op.returnTime, outcome: { status: 'unknown', reason } });
    }
  }

  /**
   * The history to check: the recorded events, the modeled operations still in flight at the end as
   * pending, less the writes that provably took no effect (no reply, and never proposed, or proposed
   * but neither delivered by any server nor in `finalValues`). A pending operation may always be
   * dropped from a linearization, so leaving these out changes no verdict; it only spares the search.
   */
  historyEvents(finalValues: ReadonlySet<number>): HistoryEvent[] {
    const ineffective = new Set<number>();
    for (const op of this.operations) {
      if (op.historyInput === null || op.role !== 'write' || op.completion?.status === 'ok') continue;
      const value = op.proposedValue;
      if (value === null || (!finalValues.has(value) && !this.deliveredValues.has(value))) ineffective.add(op.id);
    }
    const pending: HistoryEvent[] = this.operations
      .filter((op) => op.historyInput !== null && op.completion === null)
      .map((op) => ({ type: 'invoke', operationId: op.id, time: op.call, client: `${op.client}~${op.id}`, server: op.server, input: op.historyInput! }));
    return [...this.events, ...pending].filter((event) => !ineffective.has(event.operationId));
  }

  /** Time passes: connected clients ping their leader; leaders propose closeSession for sessions not heard from. */
  private tick(): boolean {
    this.now++;
    this.counters.ticks++;
    for (const client of this.clients) {
      const leaderSid = client.server === 0 ? 0 : this.leaderOf(client.server);
      const leader = this.leaders.get(leaderSid);
      if (leaderSid === 0 || leader === undefined || client.session === null || leader.expiring.has(client.session)) continue;
      const touched = leader.tracker.touchSession(client.session, this.now);
      if (touched instanceof SessionTracker) leader.tracker = touched;
    }
    for (const sid of this.model.sids) {
      const leader = this.leaders.get(sid);
      if (leader === undefined) continue;
      for (const sessionId of leader.tracker.expiredSessions(this.now)) {
        if (leader.expiring.has(sessionId)) continue;
        leader.expiring.add(sessionId);
        leader.queue.push({ kind: 'expire', sessionId });
      }
    }
    return true;
  }
}

/** A reply in the history checker's terms: only the four errors its model knows can occur on modeled paths. */
function modeledResult(err: number, version: number | undefined): ZooKeeperResult {
  if (err === Code.Ok) return version === undefined ? { code: 'OK' } : { code: 'OK', version };
  const name = codeName(err);
  if (name === 'NoNode' || name === 'NodeExists' || name === 'NotEmpty' || name === 'BadVersion') return { code: name };
  throw new Error(`servicesim: a modeled operation got ${name}, which the history model does not know`);
}
