/** fast-check arbitraries for every wire record and every client request. */
import fc from 'fast-check';
import { OpCode } from '../../src/service/OpCode.js';
import type { MultiOp, MultiResult } from '../../src/wire/multi.js';
import type { ACL, ConnectRequest, ConnectResponse, CreateRequest, Id, Stat, WatcherEvent } from '../../src/wire/records.js';
import type { ClientRequest, OperationRequest, RequestOp } from '../../src/wire/requests.js';

export const int32 = fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff });
export const int64 = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
export const bytes = fc.uint8Array({ maxLength: 40 });
export const nullableBytes = fc.option(bytes, { nil: null });
/** Well-formed Unicode (no lone surrogates), so UTF-8 round trips exactly. */
export const text = fc.string({ unit: 'binary', maxLength: 12 });
export const path = fc.oneof(fc.constant('/'), fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}`));
export const paths = fc.array(path, { maxLength: 4 });

export const id: fc.Arbitrary<Id> = fc.record({ scheme: text, id: text });
export const acl: fc.Arbitrary<ACL> = fc.record({ perms: int32, id });
export const aclList = fc.array(acl, { maxLength: 3 });
export const stat: fc.Arbitrary<Stat> = fc.record({
  czxid: int64,
  mzxid: int64,
  ctime: int64,
  mtime: int64,
  version: int32,
  cversion: int32,
  aversion: int32,
  ephemeralOwner: int64,
  dataLength: int32,
  numChildren: int32,
  pzxid: int64,
});
export const connectRequest: fc.Arbitrary<ConnectRequest> = fc.record({
  protocolVersion: int32,
  lastZxidSeen: int64,
  timeOut: int32,
  sessionId: int64,
  passwd: nullableBytes,
  readOnly: fc.option(fc.boolean(), { nil: null }),
});
export const connectResponse: fc.Arbitrary<ConnectResponse> = fc.record({
  protocolVersion: int32,
  timeOut: int32,
  sessionId: int64,
  passwd: nullableBytes,
  readOnly: fc.option(fc.boolean(), { nil: null }),
});
export const createRequest: fc.Arbitrary<CreateRequest> = fc.record({ path, data: nullableBytes, acl: aclList, flags: int32 });
export const pathVersion = fc.record({ path, version: int32 });
export const pathWatch = fc.record({ path, watch: fc.boolean() });
export const watcherEvent: fc.Arbitrary<WatcherEvent> = fc.record({ type: int32, state: int32, path });
export const setWatches = fc.record({ relativeZxid: int64, dataWatches: paths, existWatches: paths, childWatches: paths });
export const setWatches2 = fc.record({
  relativeZxid: int64,
  dataWatches: paths,
  existWatches: paths,
  childWatches: paths,
  persistentWatches: paths,
  persistentRecursiveWatches: paths,
});

const writeMultiOp: fc.Arbitrary<MultiOp> = fc.oneof(
  fc.record({ op: fc.constantFrom('create' as const, 'create2' as const, 'createContainer' as const), request: createRequest }),
  fc.record({ op: fc.constant('createTTL' as const), request: fc.record({ path, data: nullableBytes, acl: aclList, flags: int32, ttl: int64 }) }),
  fc.record({ op: fc.constantFrom('delete' as const, 'check' as const), request: pathVersion }),
  fc.record({ op: fc.constant('setData' as const), request: fc.record({ path, data: nullableBytes, version: int32 }) }),
);
const readMultiOp: fc.Arbitrary<MultiOp> = fc.record({ op: fc.constantFrom('getChildren' as const, 'getData' as const), request: pathWatch });
export const multiRequest = fc.oneof(
  fc.array(writeMultiOp, { maxLength: 4 }).map((ops) => ({ ops })),
  fc.array(readMultiOp, { maxLength: 4 }).map((ops) => ({ ops })),
);
export const multiResult: fc.Arbitrary<MultiResult> = fc.oneof(
  fc.record({ op: fc.constant('create' as const), response: fc.record({ path }) }),
  fc.record({ op: fc.constant('create2' as const), response: fc.record({ path, stat }) }),
  fc.record({ op: fc.constantFrom('delete' as const, 'check' as const) }),
  fc.record({ op: fc.constant('setData' as const), response: fc.record({ stat }) }),
  fc.record({ op: fc.constant('getChildren' as const), response: fc.record({ children: paths }) }),
  fc.record({ op: fc.constant('getData' as const), response: fc.record({ data: nullableBytes, stat }) }),
  fc.record({ op: fc.constant('error' as const), err: int32 }),
);
export const multiResponse = fc.array(multiResult, { maxLength: 4 }).map((results) => ({ results }));

/** A request body arbitrary per op: the test below checks the table covers every RequestOp. */
export const requestBodyArbitraries: { [K in RequestOp]: fc.Arbitrary<Extract<OperationRequest, { op: K }>['body']> } = {
  create: createRequest,
  create2: createRequest,
  createContainer: createRequest,
  createTTL: fc.record({ path, data: nullableBytes, acl: aclList, flags: int32, ttl: int64 }),
  delete: pathVersion,
  exists: pathWatch,
  getData: pathWatch,
  setData: fc.record({ path, data: nullableBytes, version: int32 }),
  getACL: fc.record({ path }),
  setACL: fc.record({ path, acl: aclList, version: int32 }),
  getChildren: pathWatch,
  getChildren2: pathWatch,
  sync: fc.record({ path }),
  check: pathVersion,
  multi: multiRequest,
  multiRead: multiRequest,
  ping: fc.constant(null),
  closeSession: fc.constant(null),
  auth: fc.record({ type: int32, scheme: text, auth: nullableBytes }),
  setWatches,
  setWatches2,
  addWatch: fc.record({ path, mode: int32 }),
};

export const operationRequest: fc.Arbitrary<OperationRequest> = fc.oneof(
  ...(Object.keys(requestBodyArbitraries) as RequestOp[]).map((op) =>
    fc.record({ xid: int32, body: requestBodyArbitraries[op] as fc.Arbitrary<unknown> }).map(
      ({ xid, body }) => ({ kind: 'operation', op, header: { xid, type: OpCode[op] }, body }) as OperationRequest,
    ),
  ),
);

export const clientRequest: fc.Arbitrary<ClientRequest> = fc.oneof(
  connectRequest.map((request): ClientRequest => ({ kind: 'connect', request })),
  operationRequest,
);
