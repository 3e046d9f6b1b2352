/**
 * The client-history format: what the simulator records about each client operation. A history is
 * a list of invocation and completion events (the form a simulator naturally emits, in the order it
 * emits them), and `operationsFromEvents` folds it into one `ClientOperation` per invocation, the
 * form the checks read.
 *
 * Times are logical integers supplied by the simulator. An operation A precedes B in real time if
 * and only if `A.return < B.call` (equal times are concurrent). A client's issue order is the order
 * of its invocations: by call time, then by operation id.
 */

export type ClientId = string | number;
export type ServerId = string | number;

/**
 * A zxid as (epoch, counter), the same shape as the protocol's `Zxid` (src/protocol/zxid.ts), so the
 * simulator can record protocol zxids as they are; kept local so the checker depends on no other layer.
 */
export interface Zxid {
  readonly epoch: number;
  readonly counter: number;
}

/** Lexicographic order on (epoch, counter): negative, zero or positive. */
export function compareZxid(left: Zxid, right: Zxid): number {
  return left.epoch !== right.epoch ? left.epoch - right.epoch : left.counter - right.counter;
}

/** ZooKeeper's hexadecimal form: 0x<epoch><counter as 8 hex digits>. */
export function formatZxid(zxid: Zxid): string {
  return `0x${zxid.epoch.toString(16)}${zxid.counter.toString(16).padStart(8, '0')}`;
}

export type ZooKeeperErrorName = 'NoNode' | 'NodeExists' | 'NotEmpty' | 'BadVersion';

/** ZooKeeper's numeric codes for the errors the model produces. */
export const ZOOKEEPER_ERROR_CODES: Readonly<Record<ZooKeeperErrorName, number>> = {
  NoNode: -101,
  BadVersion: -103,
  NodeExists: -110,
  NotEmpty: -111,
};

/** A client request. Versions are ZooKeeper's: -1 matches any version. Data is a string. */
export type ZooKeeperInput =
  | { readonly kind: 'create'; readonly path: string; readonly data: string }
  | { readonly kind: 'delete'; readonly path: string; readonly version: number }
  | { readonly kind: 'setData'; readonly path: string; readonly data: string; readonly version: number }
  | { readonly kind: 'getData'; readonly path: string }
  | { readonly kind: 'exists'; readonly path: string }
  | { readonly kind: 'sync'; readonly path: string };

export type ZooKeeperOperationKind = ZooKeeperInput['kind'];

/**
 * A reply. On success: create, delete and sync carry nothing; setData the new version; exists the
 * version; getData the data and version. A field left out was not recorded and is not checked.
 */
export type ZooKeeperResult =
  | { readonly code: 'OK'; readonly data?: string; readonly version?: number }
  | { readonly code: ZooKeeperErrorName };

export type Outcome =
  /** The client got a reply. `zxid` is the reply header's zxid: the txn's zxid for a write, the
   * serving replica's last applied zxid for a read. */
  | { readonly status: 'ok'; readonly result: ZooKeeperResult; readonly zxid?: Zxid }
  /** The client gave up (timeout, connection loss): the operation may or may not take effect. */
  | { readonly status: 'unknown'; readonly reason: string }
  /** No completion event at all by the end of the history. */
  | { readonly status: 'pending' };

export interface InvokeEvent {
  readonly type: 'invoke';
  readonly operationId: number;
  readonly time: number;
  readonly client: ClientId;
  readonly server: ServerId;
  readonly input: ZooKeeperInput;
}

export interface CompleteEvent {
  readonly type: 'complete';
  readonly operationId: number;
  readonly time: number;
  readonly outcome: Exclude<Outcome, { status: 'pending' }>;
}

export type HistoryEvent = InvokeEvent | CompleteEvent;

/** One client operation: its invocation and, when there was one, its completion. */
export interface ClientOperation {
  readonly id: number;
  readonly client: ClientId;
  readonly server: ServerId;
  readonly input: ZooKeeperInput;
  readonly call: number;
  /** Time of the completion event (a reply or the client giving up); null when there was none. */
  readonly return: number | null;
  readonly outcome: Outcome;
}

const WRITE_KINDS: ReadonlySet<ZooKeeperOperationKind> = new Set(['create', 'delete', 'setData']);
const READ_KINDS: ReadonlySet<ZooKeeperOperationKind> = new Set(['getData', 'exists']);

export function isWrite(input: ZooKeeperInput): boolean {
  return WRITE_KINDS.has(input.kind);
}

export function isRead(input: ZooKeeperInput): boolean {
  return READ_KINDS.has(input.kind);
}

/** Whether the client learned the outcome. */
export function isAcknowledged(op: ClientOperation): op is ClientOperation & { outcome: { status: 'ok' } } {
  return op.outcome.status === 'ok';
}

/** Fold events into operations, in order of operation id. Throws on a malformed event list. */
export function operationsFromEvents(events: readonly HistoryEvent[]): ClientOperation[] {
  const invocations = new Map<number, InvokeEvent>();
  const completions = new Map<number, CompleteEvent>();
  for (const event of events) {
    assertTime(event.time, event.operationId);
    if (event.type === 'invoke') {
      if (invocations.has(event.operationId)) throw new Error(`history: operation ${event.operationId} invoked twice`);
      invocations.set(event.operationId, event);
      continue;
    }
    const invocation = invocations.get(event.operationId);
    if (invocation === undefined) throw new Error(`history: operation ${event.operationId} completed before it was invoked`);
    if (completions.has(event.operationId)) throw new Error(`history: operation ${event.operationId} completed twice`);
    if (event.time < invocation.time) {
      throw new Error(`history: operation ${event.operationId} completes at ${event.time}, before its call at ${invocation.time}`);
    }
    completions.set(event.operationId, event);
  }
  return [...invocations.values()]
    .sort((left, right) => left.operationId - right.operationId)
    .map((invocation) => {
      const completion = completions.get(invocation.operationId);
      return {
        id: invocation.operationId,
        client: invocation.client,
        server: invocation.server,
        input: invocation.input,
        call: invocation.time,
        return: completion?.time ?? null,
        outcome: completion?.outcome ?? { status: 'pending' },
      };
    });
}

/** The inverse of `operationsFromEvents`: events sorted by time (invocations first at equal times). */
export function eventsFromOperations(operations: readonly ClientOperation[]): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  for (const op of operations) {
    events.push({ type: 'invoke', operationId: op.id, time: op.call, client: op.client, server: op.server, input: op.input });
    if (op.return !== null && op.outcome.status !== 'pending') {
      events.push({ type: 'complete', operationId: op.id, time: op.return, outcome: op.outcome });
    }
  }
  return events.sort((left, right) => {
    if (left.time !== right.time) return left.time - right.time;
    if (left.type !== right.type) return left.type === 'invoke' ? -1 : 1;
    return left.operationId - right.operationId;
  });
}

/** A client's operations in issue order (call time, then id). */
export function operationsByClient(operations: readonly ClientOperation[]): Map<ClientId, ClientOperation[]> {
  const byClient = new Map<ClientId, ClientOperation[]>();
  for (const op of operations) {
    const list = byClient.get(op.client) ?? [];
    list.push(op);
    byClient.set(op.client, list);
  }
  for (const list of byClient.values()) list.sort(compareIssueOrder);
  return byClient;
}

export function compareIssueOrder(left: ClientOperation, right: ClientOperation): number {
  return left.call !== right.call ? left.call - right.call : left.id - right.id;
}

function assertTime(time: number, operationId: number): void {
  if (!Number.isInteger(time)) throw new Error(`history: operation ${operationId} has a non-integer time ${time}`);
}
