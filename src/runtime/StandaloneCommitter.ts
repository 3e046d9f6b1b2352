import { Code, OpCode, prepRequest, SessionTracker } from '../service/index.js';
import type { DataTree, WriteRequest } from '../service/index.js';
import { CommitRefused, type CommittedTxn, type Committer, type PreparedTxn } from './Committer.js';
import type { Logger } from './Logger.js';
import type { DataStore } from './storage/DataStore.js';

export interface StandaloneCommitterOptions {
  readonly store: DataStore;
  /** The committed tree at start (after recovery). */
  readonly tree: DataTree;
  /** This server's epoch: zxids are (epoch << 32) + counter. */
  readonly epoch: number;
  /** The high byte of the session ids this server allocates. */
  readonly serverId: number;
  /** Receives every committed txn in zxid order, before the proposal resolves, with what prepping it applied. */
  readonly apply: (committed: CommittedTxn, prepared: PreparedTxn) => void;
  readonly logger: Logger;
  /** Called once if the log fails: the server must stop, as ZooKeeper exits on a failed log write. */
  readonly onFatal: (error: Error) => void;
  readonly clock?: () => number;
}

/**
 * A one-server ensemble's leader: preps each write against the speculative tree (committed state
 * plus every outstanding proposal), appends it to the log, and once the log's group fsync covers it
 * applies it and resolves the proposal. Session expiry runs on ticks here, as on ZooKeeper's leader.
 */
export class StandaloneCommitter implements Committer {
  private pendingTree: DataTree;
  private tracker: SessionTracker;
  private nextCounter = 1;
  private now = 0;
  private lastProposal: Promise<unknown> = Promise.resolve();
  private failure: Error | null = null;
  private closing = false;
  private readonly clock: () => number;

  constructor(private readonly options: StandaloneCommitterOptions) {
    if (!Number.isInteger(options.epoch) || options.epoch < 1 || options.epoch > 0xffff_ffff) {
      throw new RangeError(`StandaloneCommitter: epoch must be in 1..2^32-1, got ${options.epoch}`);
    }
    this.pendingTree = options.tree;
    this.tracker = SessionTracker.fromTree(options.tree, options.serverId, 0);
    this.clock = options.clock ?? Date.now;
  }

  get epoch(): number {
    return this.options.epoch;
  }

  /** How many sessions the tracker holds (for mntr). */
  get sessionCount(): number {
    return this.tracker.sessions.size;
  }

  createSession(timeoutTicks: number): Promise<bigint> {
    const created = this.tracker.createSession(timeoutTicks, this.now);
    this.tracker = created.tracker;
    const request: WriteRequest = { type: OpCode.createSession, timeOut: timeoutTicks, sessionId: created.sessionId, cxid: 0, authInfo: [] };
    return this.propose(request).then(() => created.sessionId);
  }

  propose(request: WriteRequest): Promise<bigint> {
    if (this.failure !== null) return Promise.reject(new CommitRefused(Code.ConnectionLoss, `the log failed: ${this.failure.message}`));
    if (this.closing) return Promise.reject(new CommitRefused(Code.ConnectionLoss, 'the server is shutting down'));
    if (this.nextCounter > 0xffff_ffff) return Promise.reject(new CommitRefused(Code.ConnectionLoss, 'zxid counter exhausted in this epoch'));
    const zxid = (BigInt(this.options.epoch) << 32n) + BigInt(this.nextCounter);
    const time = this.clock();
    const prepped = prepRequest(this.pendingTree, this.tracker, request, zxid, time);
    if (prepped.kind === 'refused') {
      return Promise.reject(new CommitRefused(prepped.err, `request of session 0x${request.sessionId.toString(16)} refused`));
    }
    this.nextCounter += 1;
    const committed: CommittedTxn = { zxid, time, txn: prepped.txn };
    const prepared: PreparedTxn = { zxid, time, txn: prepped.txn, base: this.pendingTree, applied: prepped.applied };
    this.pendingTree = prepped.tree;
    this.tracker = prepped.tracker;
    const applied = this.options.store.append(committed).then(
      () => {
        if (committed.txn.type === OpCode.closeSession) this.tracker = this.tracker.removeSession(committed.txn.sessionId);
        this.options.apply(committed, prepared);
        return zxid;
      },
      (error: Error) => {
        this.fail(error);
        throw new CommitRefused(Code.ConnectionLoss, `the log failed: ${error.message}`);
      },
    );
    this.lastProposal = applied.catch(() => undefined);
    return applied;
  }

  touchSession(sessionId: bigint): boolean {
    const touched = this.tracker.touchSession(sessionId, this.now);
    if (touched === Code.SessionExpired) return false;
    this.tracker = touched;
    return true;
  }

  sync(): Promise<void> {
    return this.lastProposal.then(() => undefined);
  }

  tick(): void {
    this.now += 1;
    if (this.closing || this.failure !== null) return;
    for (const sessionId of this.tracker.expiredSessions(this.now)) {
      this.options.logger.event('SessionExpired', { session: sessionId, tick: this.now });
      this.propose({ type: OpCode.closeSession, sessionId, cxid: 0, authInfo: [] }).catch((error: Error) =>
        this.options.logger.event('SessionExpiryFailed', { session: sessionId, reason: error.message }));
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.lastProposal;
  }

  private fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.options.logger.event('LogFailed', { reason: error.message });
    this.options.onFatal(error);
  }
}
