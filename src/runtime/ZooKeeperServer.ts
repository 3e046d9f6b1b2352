import { createHmac } from 'node:crypto';
import { applyTxn, Code, EventType, OpCode, processRead, WatchManager } from '../service/index.js';
import type { DataTree, ProcessTxnResult, ReadRequest, ReadResponse } from '../service/index.js';
import { toJavaLong } from './codec/javaLong.js';
import type { CommittedTxn, Committer, PreparedTxn } from './Committer.js';
import type { Logger } from './Logger.js';
import type { ServerConnection } from './ServerConnection.js';

export interface SessionTimeoutLimits {
  readonly tickTimeMs: number;
  readonly minSessionTimeoutMs: number;
  readonly maxSessionTimeoutMs: number;
}

/** Counters for srvr/stat/mntr. */
export interface ServerCounters {
  packetsReceived: number;
  packetsSent: number;
  latencyMinMs: number;
  latencyMaxMs: number;
  latencyTotalMs: number;
  latencyCount: number;
  outstanding: number;
}

interface PendingWrite {
  readonly type: number;
  readonly resolve: (result: ProcessTxnResult) => void;
}

/** The fixed key session passwords derive from, so that every server of an ensemble agrees (ZooKeeper's superSecret). */
const SESSION_SECRET_DEFAULT = 'zabstate-session-secret';

/**
 * One server's replica of the data tree and its client-facing state: the committed tree, the watches
 * of the sessions connected here, and the connections. It applies committed txns in zxid order,
 * fires watches, and hands each result to the connection whose request it was (matched by session
 * id and cxid, as ZooKeeper's CommitProcessor does). Reads are served from the local tree.
 */
export class ZooKeeperServer {
  private treeValue: DataTree;
  private watchesValue = WatchManager.empty();
  private lastZxid: bigint;
  private readonly sessionConnections = new Map<bigint, ServerConnection>();
  readonly connections = new Set<ServerConnection>();
  private readonly pendingWrites = new Map<string, PendingWrite[]>();
  private committerValue: Committer | null = null;
  readonly counters: ServerCounters = {
    packetsReceived: 0, packetsSent: 0, latencyMinMs: 0, latencyMaxMs: 0, latencyTotalMs: 0, latencyCount: 0, outstanding: 0,
  };

  constructor(
    tree: DataTree,
    lastZxid: bigint,
    readonly limits: SessionTimeoutLimits,
    readonly logger: Logger,
    /** Called after each applied txn (the data store counts them for snapshots). */
    private readonly onApplied: (zxid: bigint, tree: DataTree) => void = () => undefined,
    private readonly sessionSecret: string = SESSION_SECRET_DEFAULT,
  ) {
    this.treeValue = tree;
    this.lastZxid = lastZxid;
  }

  get tree(): DataTree {
    return this.treeValue;
  }

  get watches(): WatchManager {
    return this.watchesValue;
  }

  get lastProcessedZxid(): bigint {
    return this.lastZxid;
  }

  get committer(): Committer {
    if (this.committerValue === null) throw new Error('ZooKeeperServer: no committer attached');
    return this.committerValue;
  }

  attachCommitter(committer: Committer): void {
    if (this.committerValue !== null) throw new Error('ZooKeeperServer: a committer is already attached');
    this.committerValue = committer;
  }

  /**
   * Applies a committed txn: the tree, the watches it fires, the waiting request, a closed session's
   * connection. A leader passes what prepping the txn already applied: when it was applied to this
   * very tree (the identical object, so the same state), it is the result applying it again would give.
   */
  apply(committed: CommittedTxn, prepared?: PreparedTxn): void {
    if (committed.zxid <= this.lastZxid) throw new Error(`apply: zxid 0x${committed.zxid.toString(16)} is not above 0x${this.lastZxid.toString(16)}`);
    const reuse = prepared !== undefined && prepared.base === this.treeValue && prepared.txn === committed.txn
      && prepared.zxid === committed.zxid && prepared.time === committed.time;
    // No digest is kept txn by txn: a running server reads it only when it snapshots, which computes
    // it in the same pass over the nodes as the encoding (a leader's prepped trees have none either).
    const { tree, result, triggers } = reuse ? prepared.applied
      : applyTxn(this.treeValue, committed.txn, committed.zxid, committed.time, false);
    this.treeValue = tree;
    this.lastZxid = committed.zxid;
    this.onApplied(committed.zxid, tree);
    const fired = this.watchesValue.trigger(triggers);
    this.watchesValue = fired.manager;
    for (const event of fired.events) this.sessionConnections.get(event.watcher)?.sendNotification(event.type, event.path);
    const sessionId = committed.txn.sessionId;
    const pending = this.takePending(sessionId, committed.txn.cxid, committed.txn.type);
    if (committed.txn.type === OpCode.closeSession) this.endSession(sessionId, pending !== undefined);
    pending?.resolve(result);
  }

  /**
   * Replaces the tree (a learner installs the snapshot its leader sent, as ZooKeeper's learner
   * loads the one a SNAP carries). Watches go: no client is connected while it syncs.
   */
  resetTree(tree: DataTree, lastZxid: bigint): void {
    this.treeValue = tree;
    this.lastZxid = lastZxid;
    this.watchesValue = WatchManager.empty();
  }

  /** Registers the request a connection proposed, so that its commit finds it. */
  expectCommit(sessionId: bigint, cxid: number, type: number): Promise<ProcessTxnResult> {
    return new Promise((resolve) => {
      const key = `${sessionId}:${cxid}`;
      const queue = this.pendingWrites.get(key) ?? [];
      queue.push({ type, resolve });
      this.pendingWrites.set(key, queue);
    });
  }

  /** Drops an expectation whose proposal was refused. */
  forgetCommit(sessionId: bigint, cxid: number): void {
    const key = `${sessionId}:${cxid}`;
    const queue = this.pendingWrites.get(key);
    queue?.shift();
    if (queue !== undefined && queue.length === 0) this.pendingWrites.delete(key);
  }

  private takePending(sessionId: bigint, cxid: number, type: number): PendingWrite | undefined {
    const key = `${sessionId}:${cxid}`;
    const queue = this.pendingWrites.get(key);
    if (queue === undefined || queue.length === 0) return undefined;
    // An ErrorTxn answers whatever was asked; otherwise the types must agree (an expiry's closeSession has cxid 0 too).
    if (type !== OpCode.error && queue[0].type !== type) return undefined;
    const pending = queue.shift();
    if (queue.length === 0) this.pendingWrites.delete(key);
    return pending;
  }

  /** A closed or expired session: its watches go, and its connection closes (after the reply, if it asked). */
  private endSession(sessionId: bigint, askedByClient: boolean): void {
    this.watchesValue = this.watchesValue.removeWatcher(sessionId);
    const connection = this.sessionConnections.get(sessionId);
    if (connection === undefined) return;
    this.sessionConnections.delete(sessionId);
    if (!askedByClient) connection.close('session expired');
  }

  /** Serves a read from the local tree, leaving any watch it asks for. */
  read(request: ReadRequest): ReadResponse {
    const { response, watches } = processRead(this.treeValue, this.watchesValue, request);
    this.watchesValue = watches;
    return response;
  }

  /**
   * ZooKeeper's DataTree.setWatches: re-registers a reconnecting client's watches, and answers at
   * once (as events) every watch whose node changed after relativeZxid.
   */
  setWatches(sessionId: bigint, relativeZxid: bigint, dataWatches: readonly string[], existWatches: readonly string[],
    childWatches: readonly string[]): { type: number; path: string }[] {
    const events: { type: number; path: string }[] = [];
    for (const path of dataWatches) {
      const node = this.treeValue.getNode(path);
      if (node === undefined) events.push({ type: EventType.NodeDeleted, path });
      else if (node.stat.mzxid > relativeZxid) events.push({ type: EventType.NodeDataChanged, path });
      else this.watchesValue = this.watchesValue.addDataWatch(path, sessionId);
    }
    for (const path of existWatches) {
      if (this.treeValue.getNode(path) !== undefined) events.push({ type: EventType.NodeCreated, path });
      else this.watchesValue = this.watchesValue.addDataWatch(path, sessionId);
    }
    for (const path of childWatches) {
      const node = this.treeValue.getNode(path);
      if (node === undefined) events.push({ type: EventType.NodeDeleted, path });
      else if (node.stat.pzxid > relativeZxid) events.push({ type: EventType.NodeChildrenChanged, path });
      else this.watchesValue = this.watchesValue.addChildWatch(path, sessionId);
    }
    return events;
  }

  /** ZooKeeper's negotiation: the client's wish, clamped to [minSessionTimeout, maxSessionTimeout]. */
  negotiateTimeout(requestedMs: number): { timeoutMs: number; timeoutTicks: number } {
    const timeoutMs = Math.min(this.limits.maxSessionTimeoutMs, Math.max(this.limits.minSessionTimeoutMs, requestedMs));
    return { timeoutMs, timeoutTicks: Math.max(1, Math.ceil(timeoutMs / this.limits.tickTimeMs)) };
  }

  /** A session's password: 16 bytes every server derives alike from the session id. */
  sessionPassword(sessionId: bigint): Uint8Array {
    const id = Buffer.alloc(8);
    id.writeBigInt64BE(toJavaLong(sessionId));
    return new Uint8Array(createHmac('sha256', this.sessionSecret).update(id).digest().subarray(0, 16));
  }

  /** Binds a session to the connection; a previous connection of the session on this server is closed first. */
  attachSession(sessionId: bigint, connection: ServerConnection): void {
    const previous = this.sessionConnections.get(sessionId);
    if (previous !== undefined && previous !== connection) previous.close('session re-attached on another connection');
    this.sessionConnections.set(sessionId, connection);
  }

  /** A connection closed: forget it, and drop its session's watches here (the client re-sends them). */
  connectionClosed(connection: ServerConnection): void {
    this.connections.delete(connection);
    const sessionId = connection.sessionId;
    if (sessionId === null || this.sessionConnections.get(sessionId) !== connection) return;
    this.sessionConnections.delete(sessionId);
    this.watchesValue = this.watchesValue.removeWatcher(sessionId);
  }

  recordLatency(ms: number): void {
    const c = this.counters;
    c.latencyMinMs = c.latencyCount === 0 ? ms : Math.min(c.latencyMinMs, ms);
    c.latencyMaxMs = Math.max(c.latencyMaxMs, ms);
    c.latencyTotalMs += ms;
    c.latencyCount += 1;
  }

  /** ZooKeeper's refusal of a client that has seen a later zxid than this server has. */
  isBehind(lastZxidSeen: bigint): boolean {
    return lastZxidSeen > this.lastZxid;
  }

  static readonly codeSessionExpired = Code.SessionExpired;
}
