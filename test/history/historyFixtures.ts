import fc from 'fast-check';
import {
  applyZooKeeper,
  EMPTY_TREE,
  isWrite,
  type ClientId,
  type ClientOperation,
  type ServerId,
  type ZooKeeperInput,
  type ZooKeeperResult,
  type ZooKeeperTree,
  type Zxid,
} from '../../src/history/index.js';

// Readable constructors for hand-built stories.
export const create = (path: string, data = ''): ZooKeeperInput => ({ kind: 'create', path, data });
export const remove = (path: string, version = -1): ZooKeeperInput => ({ kind: 'delete', path, version });
export const setData = (path: string, data: string, version = -1): ZooKeeperInput => ({ kind: 'setData', path, data, version });
export const getData = (path: string): ZooKeeperInput => ({ kind: 'getData', path });
export const exists = (path: string): ZooKeeperInput => ({ kind: 'exists', path });
export const sync = (path = '/'): ZooKeeperInput => ({ kind: 'sync', path });

export const OK: ZooKeeperResult = { code: 'OK' };
export const version = (value: number): ZooKeeperResult => ({ code: 'OK', version: value });
export const data = (value: string, dataVersion: number): ZooKeeperResult => ({ code: 'OK', data: value, version: dataVersion });
export const NO_NODE: ZooKeeperResult = { code: 'NoNode' };
export const NODE_EXISTS: ZooKeeperResult = { code: 'NodeExists' };

export const zxid = (epoch: number, counter: number): Zxid => ({ epoch, counter });

export interface OperationSpec {
  readonly client: ClientId;
  readonly server?: ServerId;
  readonly call: number;
  /** Omit for an operation that never completed. */
  readonly return?: number;
  readonly input: ZooKeeperInput;
  /** Omit, with a return time, for an operation the client gave up on (timeout). */
  readonly result?: ZooKeeperResult;
  readonly zxid?: Zxid;
}

/** Operations numbered in the order given. */
export function history(...specs: OperationSpec[]): ClientOperation[] {
  return specs.map((spec, id) => {
    const outcome: ClientOperation['outcome'] =
      spec.result !== undefined
        ? spec.zxid === undefined
          ? { status: 'ok', result: spec.result }
          : { status: 'ok', result: spec.result, zxid: spec.zxid }
        : spec.return !== undefined
          ? { status: 'unknown', reason: 'timeout' }
          : { status: 'pending' };
    return { id, client: spec.client, server: spec.server ?? 1, input: spec.input, call: spec.call, return: spec.return ?? null, outcome };
  });
}

/** The seed for randomized tests: ZABSTATE_SEED when set, else fast-check's own (printed on failure). */
export function seedFromEnvironment(): number | undefined {
  const text = process.env.ZABSTATE_SEED;
  if (text === undefined || text === '') return undefined;
  const seed = Number(text);
  if (!Number.isInteger(seed)) throw new Error(`ZABSTATE_SEED must be an integer, got ${text}`);
  return seed;
}

const PATHS = ['/a', '/b', '/a/c'] as const;
const VALUES = ['x', 'y', 'z'] as const;

interface PlannedOperation {
  readonly client: number;
  readonly kind: ZooKeeperInput['kind'];
  readonly path: string;
  readonly value: string;
  readonly expectedVersion: number;
  readonly widenBefore: number;
  readonly widenAfter: number;
  /** 0: acknowledged; 1: the client gave up (timeout); 2: never completed. */
  readonly fate: number;
  /** For an operation whose outcome the client never learned: did it take effect? */
  readonly tookEffect: boolean;
}

const plannedOperation = (clients: number): fc.Arbitrary<PlannedOperation> =>
  fc.record({
    client: fc.integer({ min: 0, max: clients - 1 }),
    kind: fc.constantFrom<ZooKeeperInput['kind']>('create', 'create', 'delete', 'setData', 'setData', 'getData', 'getData', 'exists', 'sync'),
    path: fc.constantFrom(...PATHS),
    value: fc.constantFrom(...VALUES),
    expectedVersion: fc.constantFrom(-1, -1, 0, 1, 2),
    widenBefore: fc.integer({ min: 0, max: 40 }),
    widenAfter: fc.integer({ min: 0, max: 40 }),
    fate: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constant(2) }),
    tookEffect: fc.boolean(),
  });

function inputOf(plan: PlannedOperation): ZooKeeperInput {
  switch (plan.kind) {
    case 'create': return create(plan.path, plan.value);
    case 'delete': return remove(plan.path, plan.expectedVersion);
    case 'setData': return setData(plan.path, plan.value, plan.expectedVersion);
    case 'getData': return getData(plan.path);
    case 'exists': return exists(plan.path);
    case 'sync': return sync(plan.path);
  }
}

/** A correct history by construction, with everything the checks can be given about its run. */
export interface GeneratedRun {
  readonly operations: ClientOperation[];
  readonly finalTree: ZooKeeperTree;
  readonly committedZxids: Zxid[];
}

/**
 * Run a random sequential schedule through the model (operation i takes effect at time 10 * (i + 1)),
 * then widen each operation's [call, return] around that point. Each client's calls and returns stay
 * in its issue order, so the history is linearizable, FIFO and sync-correct by construction.
 */
export function buildRun(plans: readonly PlannedOperation[]): GeneratedRun {
  let tree = EMPTY_TREE;
  let counter = 0;
  const committedZxids: Zxid[] = [];
  const lastCall = new Map<number, number>();
  const lastReturn = new Map<number, number>();
  const operations = plans.map((plan, id): ClientOperation => {
    const point = 10 * (id + 1);
    const input = inputOf(plan);
    const call = Math.max(point - plan.widenBefore, lastCall.get(plan.client) ?? 0);
    lastCall.set(plan.client, call);
    const client = `c${plan.client}`;
    const server = plan.client % 3;
    if (plan.fate !== 0) {
      if (plan.tookEffect) {
        tree = applyZooKeeper(tree, input).tree;
        if (isWrite(input)) committedZxids.push(zxid(1, (counter += 1)));
      }
      if (plan.fate === 2) return { id, client, server, input, call, return: null, outcome: { status: 'pending' } };
      return { id, client, server, input, call, return: point + plan.widenAfter, outcome: { status: 'unknown', reason: 'timeout' } };
    }
    const applied = applyZooKeeper(tree, input);
    tree = applied.tree;
    if (isWrite(input)) committedZxids.push(zxid(1, (counter += 1)));
    const returned = Math.max(point + plan.widenAfter, lastReturn.get(plan.client) ?? 0);
    lastReturn.set(plan.client, returned);
    return { id, client, server, input, call, return: returned, outcome: { status: 'ok', result: applied.result, zxid: zxid(1, counter) } };
  });
  return { operations, finalTree: tree, committedZxids };
}

export const generatedRun = (options: { clients: number; minLength: number; maxLength: number }): fc.Arbitrary<GeneratedRun> =>
  fc.array(plannedOperation(options.clients), { minLength: options.minLength, maxLength: options.maxLength }).map(buildRun);
