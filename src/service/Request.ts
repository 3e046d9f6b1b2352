import type { ACL, Id } from './Acl.js';
import type { OpCode } from './OpCode.js';

/** What the server knows about every request: who sent it and with which identities. */
export interface RequestHeader {
  readonly sessionId: bigint;
  readonly cxid: number;
  /** The connection's identities: `ip:<address>` and any `digest`/`super` ids from addAuth. */
  readonly authInfo: readonly Id[];
}

export interface CreateRequest {
  readonly type: typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer;
  readonly path: string;
  readonly data: Uint8Array;
  readonly acl: readonly ACL[];
  /** A CreateMode flag. */
  readonly flags: number;
}

/** `version` is the expected version, or -1 for any. */
export interface DeleteRequest {
  readonly type: typeof OpCode.delete;
  readonly path: string;
  readonly version: number;
}

export interface SetDataRequest {
  readonly type: typeof OpCode.setData;
  readonly path: string;
  readonly data: Uint8Array;
  readonly version: number;
}

/** `version` is the expected aversion, or -1 for any. */
export interface SetACLRequest {
  readonly type: typeof OpCode.setACL;
  readonly path: string;
  readonly acl: readonly ACL[];
  readonly version: number;
}

export interface CheckVersionRequest {
  readonly type: typeof OpCode.check;
  readonly path: string;
  readonly version: number;
}

export type MultiOp = CreateRequest | DeleteRequest | SetDataRequest | CheckVersionRequest;

export interface MultiRequest {
  readonly type: typeof OpCode.multi;
  readonly ops: readonly MultiOp[];
}

/** The session id comes from SessionTracker.createSession, before the request is prepped. */
export interface CreateSessionRequest {
  readonly type: typeof OpCode.createSession;
  readonly timeOut: number;
}

export interface CloseSessionRequest {
  readonly type: typeof OpCode.closeSession;
}

export type WriteRequestBody =
  | MultiOp
  | SetACLRequest
  | MultiRequest
  | CreateSessionRequest
  | CloseSessionRequest;

export interface ExistsRequest {
  readonly type: typeof OpCode.exists;
  readonly path: string;
  readonly watch: boolean;
}

export interface GetDataRequest {
  readonly type: typeof OpCode.getData;
  readonly path: string;
  readonly watch: boolean;
}

export interface GetChildrenRequest {
  readonly type: typeof OpCode.getChildren | typeof OpCode.getChildren2;
  readonly path: string;
  readonly watch: boolean;
}

export interface GetACLRequest {
  readonly type: typeof OpCode.getACL;
  readonly path: string;
}

export interface SyncRequest {
  readonly type: typeof OpCode.sync;
  readonly path: string;
}

export type ReadRequestBody = ExistsRequest | GetDataRequest | GetChildrenRequest | GetACLRequest | SyncRequest;

export type WriteRequest = RequestHeader & WriteRequestBody;
export type ReadRequest = RequestHeader & ReadRequestBody;
