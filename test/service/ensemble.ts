/**
 * A one-leader test harness for the service: the leader preps each write against its speculative
 * tree, then the txn is committed and applied to every replica in order (with the proposal's zxid
 * and time), and this server's watches fire. Time is a tick counter the tests move by hand.
 */
import type { ACL, Id } from '../../src/service/Acl.js';
import { Ids } from '../../src/service/Acl.js';
import { DataTree } from '../../src/service/DataTree.js';
import { OpCode } from '../../src/service/OpCode.js';
import type { ProcessTxnResult } from '../../src/service/ProcessTxnResult.js';
import type { MultiOp, ReadRequestBody, WriteRequestBody } from '../../src/service/Request.js';
import { SessionTracker } from '../../src/service/SessionTracker.js';
import type { Txn } from '../../src/service/Txn.js';
import { WatchManager } from '../../src/service/WatchManager.js';
import type { WatchEvent } from '../../src/service/WatchManager.js';
import { applyTxn } from '../../src/service/applyTxn.js';
import { prepRequest } from '../../src/service/prepRequest.js';
import { processRead } from '../../src/service/processRead.js';
import type { ReadResponse } from '../../src/service/processRead.js';

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (data: Uint8Array | undefined): string => new TextDecoder().decode(data);

export interface WriteOutcome {
  readonly err: number;
  readonly result?: ProcessTxnResult;
  readonly events: readonly WatchEvent[];
  readonly txn?: Txn;
}

export class Ensemble {
  replicas: DataTree[];
  speculative: DataTree;
  tracker = SessionTracker.initial(1);
  watches = WatchManager.empty();
  now = 0;
  private counter = 0;
  private cxid = 0;
  readonly log: Array<{ txn: Txn; zxid: bigint; time: number }> = [];

  constructor(replicaCount = 3) {
    this.replicas = Array.from({ length: replicaCount }, () => DataTree.empty());
    this.speculative = this.replicas[0];
  }

  get tree(): DataTree {
    return this.replicas[0];
  }

  /** Opens a session through the log and returns its id. */
  openSession(timeOut = 10): bigint {
    const { tracker, sessionId } = this.tracker.createSession(timeOut, this.now);
    this.tracker = tracker;
    const outcome = this.write(sessionId, { type: OpCode.createSession, timeOut });
    if (outcome.err !== 0) throw new Error(`openSession failed with ${outcome.err}`);
    return sessionId;
  }

  /** Preps, proposes and commits at once. */
  write(sessionId: bigint, body: WriteRequestBody, authInfo: readonly Id[] = []): WriteOutcome {
    const txn = this.prep(sessionId, body, authInfo);
    if (typeof txn === 'number') return { err: txn, events: [] };
    return this.commit(txn);
  }

  /** Preps only: the txn becomes outstanding on the leader. */
  prep(sessionId: bigint, body: WriteRequestBody, authInfo: readonly Id[] = []): Txn | number {
    const zxid = this.nextZxid();
    const prepared = prepRequest(this.speculative, this.tracker, { ...body, sessionId, cxid: ++this.cxid, authInfo }, zxid, this.now);
    if (prepared.kind === 'refused') {
      this.counter--;
      return prepared.err;
    }
    this.speculative = prepared.tree;
    this.tracker = prepared.tracker;
    this.log.push({ txn: prepared.txn, zxid, time: this.now });
    return prepared.txn;
  }

  /** Applies the next outstanding txn on every replica; returns replica 0's answer. */
  commit(txn: Txn): WriteOutcome {
    const entry = this.log.find((logged) => logged.txn === txn);
    if (entry === undefined) throw new Error('commit: txn was not prepped');
    const applied = this.replicas.map((replica) => applyTxn(replica, txn, entry.zxid, entry.time));
    this.replicas = applied.map((one) => one.tree);
    if (txn.type === OpCode.closeSession) {
      this.tracker = this.tracker.removeSession(txn.sessionId);
      this.watches = this.watches.removeWatcher(txn.sessionId);
    }
    const fired = this.watches.trigger(applied[0].triggers);
    this.watches = fired.manager;
    return { err: applied[0].result.err, result: applied[0].result, events: fired.events, txn };
  }

  read(sessionId: bigint, body: ReadRequestBody, authInfo: readonly Id[] = []): ReadResponse {
    const served = processRead(this.tree, this.watches, { ...body, sessionId, cxid: ++this.cxid, authInfo });
    this.watches = served.watches;
    return served.response;
  }

  private nextZxid(): bigint {
    this.counter++;
    return (1n << 32n) + BigInt(this.counter);
  }
}

/** The zxid of the n-th proposal of epoch 1 in an Ensemble. */
export const zxid = (n: number): bigint => (1n << 32n) + BigInt(n);

export function create(path: string, data = '', flags = 0, acl: readonly ACL[] = Ids.OPEN_ACL_UNSAFE): MultiOp {
  return { type: OpCode.create, path, data: bytes(data), acl, flags };
}

export function create2(path: string, data = '', flags = 0, acl: readonly ACL[] = Ids.OPEN_ACL_UNSAFE): MultiOp {
  return { type: OpCode.create2, path, data: bytes(data), acl, flags };
}

export const del = (path: string, version = -1): MultiOp => ({ type: OpCode.delete, path, version });
export const setData = (path: string, data: string, version = -1): MultiOp => ({ type: OpCode.setData, path, data: bytes(data), version });
export const check = (path: string, version: number): MultiOp => ({ type: OpCode.check, path, version });
