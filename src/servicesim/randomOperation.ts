import { Ids } from '../service/Acl.js';
import { CreateMode } from '../service/CreateMode.js';
import { OpCode } from '../service/OpCode.js';
import type { MultiOp, ReadRequestBody, WriteRequestBody } from '../service/Request.js';
import type { ZooKeeperInput } from '../history/ClientHistory.js';
import type { Random } from '../sim/Random.js';

/** What a simulated client asks for, by the names the summary counts. */
export type OperationKind =
  | 'create'
  | 'createEphemeral'
  | 'createSequential'
  | 'createEphemeralSequential'
  | 'delete'
  | 'setData'
  | 'getData'
  | 'exists'
  | 'getChildren'
  | 'multi'
  | 'sync'
  | 'createSession'
  | 'closeSession';

export const OPERATION_KINDS: readonly OperationKind[] = [
  'create', 'createEphemeral', 'createSequential', 'createEphemeralSequential', 'delete', 'setData',
  'getData', 'exists', 'getChildren', 'multi', 'sync', 'createSession', 'closeSession',
];

/** A client operation before it is sent: the service request and, when the checker models it, its history input. */
export interface PlannedOperation {
  readonly kind: OperationKind;
  readonly role: 'write' | 'read' | 'sync';
  readonly body: WriteRequestBody | ReadRequestBody;
  /** Null for operations the history checker does not model (ephemeral, sequential, multi, children, sessions). */
  readonly historyInput: ZooKeeperInput | null;
}

/**
 * The paths the history checker models: persistent nodes with data versions. Operations the checker
 * does not model use other paths only (ephemerals /e*, sequentials /s-*, /es-*, multi under /m), so
 * a modeled path never changes in a way the checker cannot see.
 */
export const MODELED_PATHS: readonly string[] = ['/x', '/y', '/x/1', '/x/2'];
const EPHEMERAL_PATHS = ['/e1', '/e2', '/e3'];
const MULTI_PATHS = ['/m', '/m/1', '/m/2'];
const CHILDREN_PATHS = ['/', '/x', '/m'];

const encoder = new TextEncoder();

/** Data that names its write, so a read shows which write it saw. */
function dataOf(tag: string): { text: string; bytes: Uint8Array } {
  return { text: tag, bytes: encoder.encode(tag) };
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[random.below(items.length)];
}

/** A version that is -1 (any) half the time, else a small guess that may be wrong. */
function versionGuess(random: Random): number {
  return random.below(2) === 0 ? -1 : random.below(3);
}

function createOp(path: string, data: Uint8Array, flags: number): MultiOp {
  return { type: OpCode.create, path, data, acl: Ids.OPEN_ACL_UNSAFE, flags };
}

/** One random data operation; `tag` makes written data unique in the run. */
export function randomOperation(random: Random, tag: string): PlannedOperation {
  const roll = random.below(100);
  const path = pick(random, MODELED_PATHS);
  const data = dataOf(tag);
  if (roll < 14) return { kind: 'create', role: 'write', body: createOp(path, data.bytes, CreateMode.PERSISTENT), historyInput: { kind: 'create', path, data: data.text } };
  if (roll < 24) {
    const version = versionGuess(random);
    return { kind: 'delete', role: 'write', body: { type: OpCode.delete, path, version }, historyInput: { kind: 'delete', path, version } };
  }
  if (roll < 40) {
    const version = versionGuess(random);
    return { kind: 'setData', role: 'write', body: { type: OpCode.setData, path, data: data.bytes, version }, historyInput: { kind: 'setData', path, data: data.text, version } };
  }
  if (roll < 54) return { kind: 'getData', role: 'read', body: { type: OpCode.getData, path, watch: false }, historyInput: { kind: 'getData', path } };
  if (roll < 62) return { kind: 'exists', role: 'read', body: { type: OpCode.exists, path, watch: false }, historyInput: { kind: 'exists', path } };
  if (roll < 68) return { kind: 'sync', role: 'sync', body: { type: OpCode.sync, path }, historyInput: { kind: 'sync', path } };
  if (roll < 74) return { kind: 'getChildren', role: 'read', body: { type: OpCode.getChildren, path: pick(random, CHILDREN_PATHS), watch: false }, historyInput: null };
  if (roll < 80) return { kind: 'createEphemeral', role: 'write', body: createOp(pick(random, EPHEMERAL_PATHS), data.bytes, CreateMode.EPHEMERAL), historyInput: null };
  if (roll < 85) return { kind: 'createSequential', role: 'write', body: createOp('/s-', data.bytes, CreateMode.PERSISTENT_SEQUENTIAL), historyInput: null };
  if (roll < 90) return { kind: 'createEphemeralSequential', role: 'write', body: createOp('/es-', data.bytes, CreateMode.EPHEMERAL_SEQUENTIAL), historyInput: null };
  return { kind: 'multi', role: 'write', body: { type: OpCode.multi, ops: randomMultiOps(random, data.bytes) }, historyInput: null };
}

/** Two or three ops on /m and its children: some succeed together, some fail together. */
function randomMultiOps(random: Random, data: Uint8Array): MultiOp[] {
  const count = 2 + random.below(2);
  const ops: MultiOp[] = [];
  for (let k = 0; k < count; k++) {
    const path = pick(random, MULTI_PATHS);
    const roll = random.below(4);
    if (roll === 0) ops.push(createOp(path, data, CreateMode.PERSISTENT));
    else if (roll === 1) ops.push({ type: OpCode.delete, path, version: -1 });
    else if (roll === 2) ops.push({ type: OpCode.setData, path, data, version: -1 });
    else ops.push({ type: OpCode.check, path, version: versionGuess(random) });
  }
  return ops;
}

export function createSessionOperation(timeOut: number): PlannedOperation {
  return { kind: 'createSession', role: 'write', body: { type: OpCode.createSession, timeOut }, historyInput: null };
}

export function closeSessionOperation(): PlannedOperation {
  return { kind: 'closeSession', role: 'write', body: { type: OpCode.closeSession }, historyInput: null };
}
