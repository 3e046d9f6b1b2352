import type { ClientOperation, Zxid } from './ClientHistory.js';
import type { Json } from './Json.js';
import type { CheckName, CheckVerdict, DigestRecord, HistoryCheckInput, HistoryReport } from './zooKeeperChecks.js';
import type { ZooKeeperTree } from './zooKeeperModel.js';

/**
 * A client history and what the checks said about it, as one self-contained plain object: write it
 * with `JSON.stringify`, read it back with `JSON.parse` and `historyFromTraceJson`, and run
 * `checkZooKeeperHistory` on the result to replay the verdict.
 */
export interface HistoryTrace {
  readonly kind: 'history';
  readonly version: 1;
  /** The first check that found a violation, or null when none did. */
  readonly failedCheck: CheckName | null;
  readonly result: CheckVerdict['result'];
  readonly verdicts: readonly CheckVerdict[];
  readonly operations: readonly Json[];
  readonly initialTree: Json;
  readonly finalTree: Json;
  readonly committedZxids: readonly Json[] | null;
  readonly digests: readonly Json[] | null;
}

function operationToJson(op: ClientOperation): Json {
  return {
    id: op.id,
    client: op.client,
    server: op.server,
    input: { ...op.input },
    call: op.call,
    return: op.return,
    outcome: JSON.parse(JSON.stringify(op.outcome)) as Json,
  };
}

/** Accepts a full report or a single verdict (for example, one failed check run on its own). */
export function toTraceJson(history: HistoryCheckInput, checked: HistoryReport | CheckVerdict): HistoryTrace {
  const verdicts = 'verdicts' in checked ? checked.verdicts : [checked];
  const failed = verdicts.find((verdict) => verdict.result === 'violation');
  const result = 'verdicts' in checked ? checked.result : checked.result;
  const trace: HistoryTrace = {
    kind: 'history',
    version: 1,
    failedCheck: failed?.check ?? null,
    result,
    verdicts: verdicts.map((verdict) => JSON.parse(JSON.stringify(verdict)) as CheckVerdict),
    operations: history.operations.map(operationToJson),
    initialTree: (history.initialTree ?? null) as Json,
    finalTree: (history.finalTree ?? null) as Json,
    committedZxids: history.committedZxids === undefined ? null : [...history.committedZxids].map((zxid) => ({ epoch: zxid.epoch, counter: zxid.counter })),
    digests: history.digests === undefined ? null : history.digests.map((record) => ({ server: record.server, zxid: { ...record.zxid }, digest: String(record.digest) })),
  };
  assertPlainJson(trace, 'trace');
  return trace;
}

/** Read a parsed trace back into checker input. Throws on anything that is not a version-1 history trace. */
export function historyFromTraceJson(value: unknown): HistoryCheckInput {
  if (typeof value !== 'object' || value === null) throw new Error('history trace: not an object');
  const trace = value as Partial<HistoryTrace>;
  if (trace.kind !== 'history') throw new Error(`history trace: kind is ${JSON.stringify(trace.kind)}, expected "history"`);
  if (trace.version !== 1) throw new Error(`history trace: version ${JSON.stringify(trace.version)} is not supported`);
  if (!Array.isArray(trace.operations)) throw new Error('history trace: operations missing');
  const operations = trace.operations.map((item, index) => {
    const op = item as unknown as ClientOperation;
    if (typeof op.id !== 'number' || typeof op.call !== 'number' || typeof op.input !== 'object' || typeof op.outcome !== 'object') {
      throw new Error(`history trace: operation at index ${index} is malformed`);
    }
    return op;
  });
  return {
    operations,
    initialTree: (trace.initialTree ?? undefined) as ZooKeeperTree | undefined,
    finalTree: (trace.finalTree ?? undefined) as ZooKeeperTree | undefined,
    committedZxids: (trace.committedZxids ?? undefined) as Zxid[] | undefined,
    digests: (trace.digests ?? undefined) as DigestRecord[] | undefined,
  };
}

/** Plain data only: no undefined inside arrays, no non-finite numbers, no class instances. */
function assertPlainJson(value: unknown, where: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`toTraceJson: ${where} is ${value}, which JSON cannot hold`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertPlainJson(item, `${where}[${index}]`));
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) assertPlainJson(item, `${where}.${key}`);
    }
    return;
  }
  throw new Error(`toTraceJson: ${where} is not plain JSON data (${typeof value})`);
}
