import zookeeper from 'node-zookeeper-client';
import type { ClientOperation, Outcome, ZooKeeperInput, ZooKeeperResult, Zxid } from '../../src/history/index.js';
import type { Random } from '../../src/sim/Random.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type ZkClient = any;

/** One operation as the run saw it; becomes a ClientOperation once its outcome is known. */
interface Recorded {
  readonly id: number;
  readonly session: string;
  readonly server: number | '?';
  readonly input: ZooKeeperInput;
  readonly call: number;
  return: number | null;
  outcome: Outcome;
  /** A read's answer: the node's mzxid (a later state of the node never has a smaller one). */
  mzxid?: bigint;
}

/**
 * Every client operation of a run, in the history checker's terms. Times are one logical clock for
 * the whole process: an invocation is stamped just before the request goes to the client library,
 * a completion in the library's callback, so `A.return < B.call` holds exactly when this process saw
 * A's answer before it asked for B.
 */
export class HistoryRecorder {
  private clock = 0;
  private nextId = 0;
  private readonly recorded: Recorded[] = [];

  invoke(session: string, server: number | '?', input: ZooKeeperInput): Recorded {
    const op: Recorded = { id: this.nextId++, session, server, input, call: ++this.clock, return: null, outcome: { status: 'pending' } };
    this.recorded.push(op);
    return op;
  }

  complete(op: Recorded, outcome: Exclude<Outcome, { status: 'pending' }>, mzxid?: bigint): void {
    if (op.outcome.status !== 'pending') return;
    op.return = ++this.clock;
    op.outcome = outcome;
    if (mzxid !== undefined) op.mzxid = mzxid;
  }

  get size(): number {
    return this.recorded.length;
  }

  /**
   * What the history checker is not asked about reads (checking every read for ordered sequential
   * consistency is too costly for a history this long), checked directly: each value read was
   * written by a write that was called before the read returned and did not fail, and a session
   * never sees a node go back (the mzxids it reads of one path never decrease). Sentences, one per
   * violation (at most `limit`).
   */
  readViolations(limit = 10): string[] {
    const writers = new Map<string, Recorded>();
    for (const op of this.recorded) if (op.input.kind === 'create' || op.input.kind === 'setData') writers.set(op.input.data, op);
    const violations: string[] = [];
    const seen = new Map<string, { mzxid: bigint; id: number }>();
    for (const op of [...this.recorded].sort((left, right) => (left.return ?? Infinity) - (right.return ?? Infinity))) {
      if (op.outcome.status !== 'ok' || op.return === null || (op.input.kind !== 'getData' && op.input.kind !== 'exists')) continue;
      const result = op.outcome.result;
      if (result.code === 'OK' && result.data !== undefined) {
        const writer = writers.get(result.data);
        if (writer === undefined) violations.push(`read #${op.id} of ${op.input.path} returned ${JSON.stringify(result.data)}, which no write wrote`);
        else if (writer.call > op.return) violations.push(`read #${op.id} returned the value of write #${writer.id}, called after the read returned`);
        else if (writer.outcome.status === 'ok' && writer.outcome.result.code !== 'OK') violations.push(`read #${op.id} returned the value of write #${writer.id}, which failed with ${writer.outcome.result.code}`);
        else if (writer.input.path !== op.input.path) violations.push(`read #${op.id} of ${op.input.path} returned the value written to ${writer.input.path} by #${writer.id}`);
      }
      if (op.mzxid !== undefined) {
        const key = `${op.session} ${op.input.path}`;
        const before = seen.get(key);
        if (before !== undefined && op.mzxid < before.mzxid) {
          violations.push(`session ${op.session} read ${op.input.path} at mzxid 0x${op.mzxid.toString(16)} (#${op.id}) after 0x${before.mzxid.toString(16)} (#${before.id}): it went back`);
        }
        if (before === undefined || op.mzxid > before.mzxid) seen.set(key, { mzxid: op.mzxid, id: op.id });
      }
      if (violations.length >= limit) break;
    }
    return violations;
  }

  /**
   * The history to check. A read whose answer never came says nothing and is left out. An operation
   * whose outcome is unknown (connection loss, timeout, expired session) is a client of its own, as
   * in src/servicesim: ZooKeeper does not order a request whose reply was lost against the session's
   * later requests (it may still sit at the leader and commit after them).
   */
  operations(): ClientOperation[] {
    const operations: ClientOperation[] = [];
    for (const op of this.recorded) {
      const answered = op.outcome.status === 'ok';
      if (!answered && (op.input.kind === 'getData' || op.input.kind === 'exists')) continue;
      operations.push({
        id: op.id, client: answered ? op.session : `${op.session}~${op.id}`, server: op.server, input: op.input,
        call: op.call, return: op.return, outcome: op.outcome,
      });
    }
    return operations;
  }
}

export interface LoadClientOptions {
  readonly connectString: string;
  readonly keys: readonly string[];
  readonly sessionTimeoutMs: number;
  /** The run gives up waiting for an answer after this long and records the outcome as unknown. */
  readonly operationTimeoutMs: number;
  readonly thinkTimeMsMax: number;
  /** Which server a client port belongs to (for the history's `server` field). */
  readonly serverOfPort: (port: number) => number | null;
}

const MODELED_ERRORS: Readonly<Record<number, ZooKeeperResult['code']>> = {
  [-101]: 'NoNode', [-103]: 'BadVersion', [-110]: 'NodeExists', [-111]: 'NotEmpty',
};

function zxidOf(long: Buffer | undefined): Zxid | undefined {
  if (!Buffer.isBuffer(long) || long.length !== 8) return undefined;
  return { epoch: long.readUInt32BE(0), counter: long.readUInt32BE(4) };
}

function longOf(long: Buffer | undefined): bigint | undefined {
  return Buffer.isBuffer(long) && long.length === 8 ? long.readBigInt64BE(0) : undefined;
}

/**
 * A closed-loop client of node-zookeeper-client: one operation at a time on a few keys, each write
 * with a value no other write uses. When its session expires it opens a new one (a new client in
 * the history). The library must not retry (retries: 0): a retried create would answer NodeExists
 * for its own first attempt.
 */
export class LoadClient {
  private client: ZkClient | null = null;
  private expired = false;
  private sessions = 0;
  private session = '';
  private readonly versions = new Map<string, number>();
  operationCount = 0;

  constructor(
    readonly name: string,
    private readonly options: LoadClientOptions,
    private readonly random: Random,
    private readonly recorder: HistoryRecorder,
  ) {}

  async run(stopped: () => boolean): Promise<void> {
    while (!stopped()) {
      if (this.client === null || this.expired) this.openSession();
      await this.operate();
      const think = this.random.below(this.options.thinkTimeMsMax + 1);
      if (think > 0) await new Promise((resolve) => setTimeout(resolve, think));
    }
    this.client?.close();
    this.client = null;
  }

  private openSession(): void {
    this.client?.close();
    this.sessions += 1;
    this.session = `${this.name}.${this.sessions}`;
    this.expired = false;
    const client = zookeeper.createClient(this.options.connectString, { sessionTimeout: this.options.sessionTimeoutMs, spinDelay: 100, retries: 0 });
    client.on('state', (state: { code: number }) => {
      if (state.code === zookeeper.State.EXPIRED.code && this.client === client) this.expired = true;
    });
    client.connect();
    this.client = client;
  }

  private currentServer(): number | '?' {
    const port = this.client?.connectionManager?.socket?.remotePort;
    return typeof port === 'number' ? this.options.serverOfPort(port) ?? '?' : '?';
  }

  private nextInput(): ZooKeeperInput {
    const random = this.random;
    const path = this.options.keys[random.below(this.options.keys.length)];
    const roll = random.below(100);
    const versionRoll = random.below(2);
    const data = `${this.name}:${this.recorder.size}`;
    const known = this.versions.get(path) ?? 0;
    if (roll < 25) return { kind: 'getData', path };
    if (roll < 35) return { kind: 'exists', path };
    if (roll < 62) return { kind: 'setData', path, data, version: versionRoll === 0 ? -1 : known };
    if (roll < 82) return { kind: 'create', path, data };
    return { kind: 'delete', path, version: versionRoll === 0 ? -1 : known };
  }

  private operate(): Promise<void> {
    const input = this.nextInput();
    const op = this.recorder.invoke(this.session, this.currentServer(), input);
    this.operationCount += 1;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.recorder.complete(op, { status: 'unknown', reason: `no answer in ${this.options.operationTimeoutMs} ms` });
        resolve();
      }, this.options.operationTimeoutMs);
      const finish = (error: { code?: number; name?: string } | null, result: ZooKeeperResult | null, zxid?: Zxid, mzxid?: bigint): void => {
        clearTimeout(timer);
        if (error !== null) {
          const code = typeof error.code === 'number' ? MODELED_ERRORS[error.code] : undefined;
          this.recorder.complete(op, code === undefined
            ? { status: 'unknown', reason: error.name ?? String(error) }
            : { status: 'ok', result: { code } });
        } else if (result !== null) {
          if (result.code === 'OK' && result.version !== undefined) this.versions.set(input.path, result.version);
          this.recorder.complete(op, zxid === undefined ? { status: 'ok', result } : { status: 'ok', result, zxid }, mzxid);
        }
        resolve();
      };
      this.send(input, finish);
    });
  }

  private send(input: ZooKeeperInput, finish: (error: { code?: number } | null, result: ZooKeeperResult | null, zxid?: Zxid, mzxid?: bigint) => void): void {
    const client = this.client;
    switch (input.kind) {
      case 'getData':
        client.getData(input.path, (error: any, data: Buffer, stat: any) =>
          finish(error, error ? null : { code: 'OK', data: data === undefined || data === null ? '' : data.toString(), version: stat.version }, undefined, error ? undefined : longOf(stat.mzxid)));
        return;
      case 'exists':
        client.exists(input.path, (error: any, stat: any) =>
          finish(error, error ? null : stat === null ? { code: 'NoNode' } : { code: 'OK', version: stat.version }, undefined, error || stat === null ? undefined : longOf(stat.mzxid)));
        return;
      case 'setData':
        client.setData(input.path, Buffer.from(input.data), input.version, (error: any, stat: any) =>
          finish(error, error ? null : { code: 'OK', version: stat.version }, error ? undefined : zxidOf(stat.mzxid)));
        return;
      case 'create':
        client.create(input.path, Buffer.from(input.data), zookeeper.CreateMode.PERSISTENT, (error: any) => finish(error, error ? null : { code: 'OK' }));
        return;
      case 'delete':
        client.remove(input.path, input.version, (error: any) => finish(error, error ? null : { code: 'OK' }));
        return;
      case 'sync':
        throw new Error('LoadClient: node-zookeeper-client has no sync');
    }
  }
}
