import { Code, OpCode, prepRequest, SessionTracker } from '../../service/index.js';
import type { DataTree, WriteRequest } from '../../service/index.js';
import { CommitRefused, type Committer, type PreparedTxn } from '../Committer.js';
import type { Logger } from '../Logger.js';
import type { PeerFrame, TxnPayload } from './peerFrames.js';

/** What the committer needs from the server that owns the chart. */
export interface QuorumCommitterHost {
  /** This server's chart sid (requests are tagged with it). */
  readonly sid: number;
  /** The myid of zoo.cfg: the high byte of the session ids a leader allocates. */
  readonly serverId: number;
  /** 'leader' or 'learner' while in BROADCAST, else null. */
  servingRole(): 'leader' | 'learner' | null;
  /** Leader: the zxid its next LeaderProcessRequest gets. */
  nextZxid(): bigint;
  /** Leader: take LeaderProcessRequest for this txn. */
  proposeAsLeader(payload: TxnPayload): void;
  /** Learner: send a frame to the leader now; false when there is no connection. */
  sendToLeader(frame: PeerFrame): boolean;
  /** Leader: send a frame to a learner after everything the chart already emitted to it. */
  sendInOrder(peer: number, frame: PeerFrame): void;
  appliedZxid(): bigint;
  tree(): DataTree;
}

interface PendingRequest {
  readonly resolve: (payload: TxnPayload) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The quorum's write path behind the Committer interface. On the leader a write is prepped against
 * the speculative tree (ZooKeeper's outstandingChanges) and becomes LeaderProcessRequest; a learner
 * forwards it to the leader. Either way the write completes when this server applies its txn (the
 * QuorumPeer calls `delivered` after applying). Sessions are tracked by the leader; learners report
 * the sessions their clients touched in their pings, as ZooKeeper's learners do.
 */
export class QuorumCommitter implements Committer {
  private readonly pending = new Map<number, PendingRequest>();
  private nextRequestId = 1;
  private tracker: SessionTracker | null = null;
  private pendingTree: DataTree | null = null;
  /** The leader's proposals not yet applied here, by zxid, with what prepping them applied. */
  private readonly prepared = new Map<bigint, PreparedTxn>();
  private lastProposedZxid = 0n;
  private now = 0;
  private closing = false;
  private readonly appliedWaiters: { zxid: bigint; resolve: () => void }[] = [];
  private readonly touched = new Set<bigint>();

  constructor(private readonly host: QuorumCommitterHost, private readonly logger: Logger) {}

  get sessionCount(): number {
    return this.tracker?.sessions.size ?? this.host.tree().sessions.size;
  }

  createSession(timeoutTicks: number): Promise<bigint> {
    const request: WriteRequest = { type: OpCode.createSession, timeOut: timeoutTicks, sessionId: 0n, cxid: 0, authInfo: [] };
    return this.submit(request).then((payload) => payload.txn.sessionId);
  }

  propose(request: WriteRequest): Promise<bigint> {
    return this.submit(request).then((payload) => payload.zxid);
  }

  touchSession(sessionId: bigint): boolean {
    const role = this.host.servingRole();
    if (role === 'leader' && this.tracker !== null) {
      const touched = this.tracker.touchSession(sessionId, this.now);
      if (touched === Code.SessionExpired) return false;
      this.tracker = touched;
      return true;
    }
    if (role !== 'learner' || !this.host.tree().sessions.has(sessionId)) return false;
    this.touched.add(sessionId);
    return true;
  }

  sync(): Promise<void> {
    const role = this.host.servingRole();
    if (role === 'leader') return this.whenApplied(this.lastProposedZxid);
    if (role !== 'learner') return Promise.resolve();
    const id = this.nextRequestId++;
    return new Promise<void>((resolve) => {
      this.pending.set(id, { resolve: (payload) => void this.whenApplied(payload.zxid).then(resolve), reject: () => resolve() });
      if (!this.host.sendToLeader({ t: 'sync', id })) this.settle(id, null);
    });
  }

  tick(): void {
    this.now += 1;
    if (this.closing || this.tracker === null) return;
    for (const sessionId of this.tracker.expiredSessions(this.now)) {
      this.logger.event('SessionExpired', { session: sessionId, tick: this.now });
      const code = this.leaderSubmit({ type: OpCode.closeSession, sessionId, cxid: 0, authInfo: [] }, 0, 0);
      if (code !== null) this.logger.event('SessionExpiryFailed', { session: sessionId, err: code });
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.stopServing();
  }

  // ----- Called by the QuorumPeer -----

  /** The server became an established leader with this (fully applied) tree. */
  startLeading(tree: DataTree): void {
    this.tracker = SessionTracker.fromTree(tree, this.host.serverId, this.now);
    this.pendingTree = tree;
    this.lastProposedZxid = this.host.appliedZxid();
  }

  /** The server left BROADCAST: writes in flight fail with ConnectionLoss (their clients are disconnected too). */
  stopServing(): void {
    this.tracker = null;
    this.pendingTree = null;
    this.prepared.clear();
    this.touched.clear();
    for (const id of [...this.pending.keys()]) this.settle(id, null);
    for (const waiter of this.appliedWaiters.splice(0)) waiter.resolve();
  }

  /** Leader: what prepping the txn with this zxid applied, once (the QuorumPeer passes it to apply). */
  takePrepared(zxid: bigint): PreparedTxn | undefined {
    const prepared = this.prepared.get(zxid);
    if (prepared !== undefined) this.prepared.delete(zxid);
    return prepared;
  }

  /** A txn was applied to this server's tree. */
  delivered(payload: TxnPayload): void {
    if (this.tracker !== null && payload.txn.type === OpCode.closeSession) this.tracker = this.tracker.removeSession(payload.txn.sessionId);
    if (payload.origin === this.host.sid && payload.requestId !== undefined) {
      const request = this.pending.get(payload.requestId);
      this.pending.delete(payload.requestId);
      request?.resolve(payload);
    }
    for (let index = this.appliedWaiters.length - 1; index >= 0; index--) {
      if (this.appliedWaiters[index].zxid <= payload.zxid) this.appliedWaiters.splice(index, 1)[0].resolve();
    }
  }

  /** Leader: a learner forwarded a request, a sync, or its sessions' touches. */
  receiveFromLearner(from: number, frame: PeerFrame): void {
    switch (frame.t) {
      case 'request': {
        const code = this.leaderSubmit(frame.request, from, frame.id);
        if (code !== null) this.host.sendInOrder(from, { t: 'refused', id: frame.id, code });
        return;
      }
      case 'sync':
        this.host.sendInOrder(from, { t: 'synced', id: frame.id, zxid: this.lastProposedZxid });
        return;
      case 'ping':
        if (this.tracker === null) return;
        for (const sessionId of frame.sessions ?? []) {
          const touched: SessionTracker | typeof Code.SessionExpired = this.tracker.touchSession(sessionId, this.now);
          if (touched !== Code.SessionExpired) this.tracker = touched;
        }
        return;
      default:
        return;
    }
  }

  /** Learner: the leader refused a forwarded request, or answered a sync. */
  receiveFromLeader(frame: PeerFrame): void {
    if (frame.t === 'refused') this.settle(frame.id, frame.code);
    if (frame.t === 'synced') {
      const request = this.pending.get(frame.id);
      this.pending.delete(frame.id);
      request?.resolve({ zxid: frame.zxid, time: 0, txn: { type: OpCode.check, path: '/', version: -1, sessionId: 0n, cxid: 0 } });
    }
  }

  /** Learner: the sessions its clients touched since the last ping. */
  takeTouchedSessions(): bigint[] {
    const sessions = [...this.touched];
    this.touched.clear();
    return sessions;
  }

  private submit(request: WriteRequest): Promise<TxnPayload> {
    if (this.closing) return Promise.reject(new CommitRefused(Code.ConnectionLoss, 'the server is shutting down'));
    const id = this.nextRequestId++;
    const promise = new Promise<TxnPayload>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    const role = this.host.servingRole();
    if (role === 'leader') {
      const code = this.leaderSubmit(request, this.host.sid, id);
      if (code !== null) this.settle(id, code);
    } else if (role !== 'learner' || !this.host.sendToLeader({ t: 'request', id, request })) {
      this.settle(id, null);
    }
    return promise;
  }

  /** ZooKeeper's PrepRequestProcessor on the leader; a refusal code, or null once proposed. */
  private leaderSubmit(request: WriteRequest, origin: number, requestId: number): number | null {
    if (this.tracker === null || this.pendingTree === null) return Code.ConnectionLoss;
    let prepared = request;
    if (request.type === OpCode.createSession && request.sessionId === 0n) {
      const created = this.tracker.createSession(request.timeOut, this.now);
      this.tracker = created.tracker;
      prepared = { ...request, sessionId: created.sessionId };
    }
    const zxid = this.host.nextZxid();
    const time = Date.now();
    const prepped = prepRequest(this.pendingTree, this.tracker, prepared, zxid, time);
    if (prepped.kind === 'refused') return prepped.err;
    this.prepared.set(zxid, { zxid, time, txn: prepped.txn, base: this.pendingTree, applied: prepped.applied });
    this.pendingTree = prepped.tree;
    this.tracker = prepped.tracker;
    this.lastProposedZxid = zxid;
    this.host.proposeAsLeader({ zxid, time, txn: prepped.txn, origin, requestId });
    return null;
  }

  private whenApplied(zxid: bigint): Promise<void> {
    if (zxid <= this.host.appliedZxid()) return Promise.resolve();
    return new Promise((resolve) => this.appliedWaiters.push({ zxid, resolve }));
  }

  /** Fails a request: with the leader's code, or null for ConnectionLoss (no leader, or it went away). */
  private settle(id: number, code: number | null): void {
    const request = this.pending.get(id);
    if (request === undefined) return;
    this.pending.delete(id);
    const reason = code === null ? 'no leader to commit through' : `refused by the leader (${code})`;
    request.reject(new CommitRefused(code ?? Code.ConnectionLoss, reason));
  }
}
