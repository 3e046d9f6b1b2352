/**
 * Client → server messages: decodeClientRequest turns one frame payload into a request or a decode
 * error value (it never throws); encodeClientRequest writes a frame as a client would.
 */
import { Code } from '../service/Code.js';
import { OpCode } from '../service/OpCode.js';
import { JUTE_MAX_BUFFER_DEFAULT } from './constants.js';
import { encodeFrame } from './frame.js';
import { JuteDecodeError, JuteReader, type JuteAllocation, type JuteDecodeErrorKind } from './juteReader.js';
import { MultiRequestCodec, type MultiRequest } from './multi.js';
import {
  AddWatchRequestCodec,
  AuthPacketCodec,
  CheckVersionRequestCodec,
  ConnectRequestCodec,
  CreateRequestCodec,
  CreateTTLRequestCodec,
  DeleteRequestCodec,
  ExistsRequestCodec,
  GetACLRequestCodec,
  GetChildren2RequestCodec,
  GetChildrenRequestCodec,
  GetDataRequestCodec,
  RequestHeaderCodec,
  SetACLRequestCodec,
  SetDataRequestCodec,
  SetWatches2Codec,
  SetWatchesCodec,
  SyncRequestCodec,
  type AddWatchRequest,
  type AuthPacket,
  type CheckVersionRequest,
  type ConnectRequest,
  type CreateRequest,
  type CreateTTLRequest,
  type DeleteRequest,
  type ExistsRequest,
  type GetACLRequest,
  type GetChildren2Request,
  type GetChildrenRequest,
  type GetDataRequest,
  type RecordCodec,
  type RequestHeader,
  type SetACLRequest,
  type SetDataRequest,
  type SetWatches,
  type SetWatches2,
  type SyncRequest,
} from './records.js';

/** The body each supported opcode carries after its RequestHeader (null: none). */
export interface RequestBodyByOp {
  create: CreateRequest;
  create2: CreateRequest;
  createContainer: CreateRequest;
  createTTL: CreateTTLRequest;
  delete: DeleteRequest;
  exists: ExistsRequest;
  getData: GetDataRequest;
  setData: SetDataRequest;
  getACL: GetACLRequest;
  setACL: SetACLRequest;
  getChildren: GetChildrenRequest;
  getChildren2: GetChildren2Request;
  sync: SyncRequest;
  check: CheckVersionRequest;
  multi: MultiRequest;
  multiRead: MultiRequest;
  ping: null;
  closeSession: null;
  auth: AuthPacket;
  setWatches: SetWatches;
  setWatches2: SetWatches2;
  addWatch: AddWatchRequest;
}
export type RequestOp = keyof RequestBodyByOp;

export type OperationRequest = {
  [K in RequestOp]: { kind: 'operation'; op: K; header: RequestHeader; body: RequestBodyByOp[K] };
}[RequestOp];

export type ClientRequest = { kind: 'connect'; request: ConnectRequest } | OperationRequest;

const EmptyBody: RecordCodec<null> = { name: 'Empty', minByteCount: 0, read: () => null, write: () => undefined };

const requestBodyCodecs: { [K in RequestOp]: RecordCodec<RequestBodyByOp[K]> } = {
  create: CreateRequestCodec,
  create2: CreateRequestCodec,
  createContainer: CreateRequestCodec,
  createTTL: CreateTTLRequestCodec,
  delete: DeleteRequestCodec,
  exists: ExistsRequestCodec,
  getData: GetDataRequestCodec,
  setData: SetDataRequestCodec,
  getACL: GetACLRequestCodec,
  setACL: SetACLRequestCodec,
  getChildren: GetChildrenRequestCodec,
  getChildren2: GetChildren2RequestCodec,
  sync: SyncRequestCodec,
  check: CheckVersionRequestCodec,
  multi: MultiRequestCodec,
  multiRead: MultiRequestCodec,
  ping: EmptyBody,
  closeSession: EmptyBody,
  auth: AuthPacketCodec,
  setWatches: SetWatchesCodec,
  setWatches2: SetWatches2Codec,
  addWatch: AddWatchRequestCodec,
};

export const REQUEST_OPS = Object.keys(requestBodyCodecs) as RequestOp[];
const requestOpByOpCode = new Map<number, RequestOp>(REQUEST_OPS.map((op) => [OpCode[op], op]));
const opCodeNameByNumber = new Map<number, string>(Object.entries(OpCode).map(([name, code]) => [code, name]));

/** The op name zabstate decodes for an opcode, or undefined for one it does not. */
export function requestOpForOpCode(opCode: number): RequestOp | undefined {
  return requestOpByOpCode.get(opCode);
}

export interface ClientRequestDecodeError {
  kind: JuteDecodeErrorKind | 'unknownOpcode' | 'trailingBytes';
  /** Dotted path of the field at fault, e.g. "CreateRequest.acl[0].id.scheme". */
  field: string;
  /** Byte offset in the frame payload where that field starts. */
  offset: number;
  message: string;
  /** Known once the RequestHeader decoded; null for a ConnectRequest or a short header. */
  xid: number | null;
  opCode: number | null;
  /**
   * What ZooKeeper does with this frame: reply to xid with a ReplyHeader carrying this err
   * (unimplemented -6 for an unknown opcode, marshallingError -5 for a bad body), or null: close the
   * connection (bad ConnectRequest, short RequestHeader, bad AuthPacket).
   */
  replyErr: number | null;
}

export type DecodeClientRequestResult =
  | { ok: true; request: ClientRequest; trailingByteCount: number }
  | { ok: false; error: ClientRequestDecodeError };

export interface DecodeClientRequestOptions {
  /** false for the first frame of a connection (a ConnectRequest), true afterwards. */
  connected: boolean;
  maxBufferBytes?: number;
  /**
   * ZooKeeper ignores bytes after a request's last field ('ignore', the default, still reports
   * their count); 'reject' makes them a 'trailingBytes' error.
   */
  trailingBytes?: 'ignore' | 'reject';
  onAllocate?: (allocation: JuteAllocation) => void;
}

export function decodeClientRequest(payload: Uint8Array, options: DecodeClientRequestOptions): DecodeClientRequestResult {
  const reader = new JuteReader(payload, {
    maxBufferBytes: options.maxBufferBytes ?? JUTE_MAX_BUFFER_DEFAULT,
    onAllocate: options.onAllocate,
  });
  const context: DecodeContext = { xid: null, opCode: null, replyErr: null };
  try {
    const request = options.connected ? readOperation(reader, context) : readConnect(reader);
    if (request.kind === 'error') return { ok: false, error: request.error };
    const trailingByteCount = reader.remainingByteCount;
    if (trailingByteCount > 0 && options.trailingBytes === 'reject') {
      const message = `${trailingByteCount} bytes after the last field of the request`;
      return { ok: false, error: { kind: 'trailingBytes', field: '(end)', offset: reader.position, message, ...context } };
    }
    return { ok: true, request: request.value, trailingByteCount };
  } catch (error) {
    if (!(error instanceof JuteDecodeError)) throw error;
    return {
      ok: false,
      error: { kind: error.kind, field: error.field, offset: error.offset, message: error.message, ...context },
    };
  }
}

interface DecodeContext {
  xid: number | null;
  opCode: number | null;
  replyErr: number | null;
}

type ReadOutcome = { kind: 'value'; value: ClientRequest } | { kind: 'error'; error: ClientRequestDecodeError };

function readConnect(reader: JuteReader): ReadOutcome {
  return { kind: 'value', value: { kind: 'connect', request: ConnectRequestCodec.read(reader, 'ConnectRequest') } };
}

/** Fills context as soon as the header is known, so a body error can still name the xid. */
function readOperation(reader: JuteReader, context: DecodeContext): ReadOutcome {
  const header = RequestHeaderCodec.read(reader, 'RequestHeader');
  context.xid = header.xid;
  context.opCode = header.type;
  const op = requestOpByOpCode.get(header.type);
  if (op === undefined) {
    const known = opCodeNameByNumber.get(header.type);
    const message = `opcode ${header.type}${known === undefined ? '' : ` (${known})`} is not implemented`;
    const error: ClientRequestDecodeError = {
      kind: 'unknownOpcode',
      field: 'RequestHeader.type',
      offset: 4,
      message,
      xid: header.xid,
      opCode: header.type,
      replyErr: Code.Unimplemented,
    };
    return { kind: 'error', error };
  }
  // ZooKeeper reads an AuthPacket inline and drops the connection when it is malformed; every
  // other body is read later by the request processors, which answer marshallingError.
  context.replyErr = op === 'auth' ? null : Code.MarshallingError;
  const codec = requestBodyCodecs[op] as RecordCodec<RequestBodyByOp[typeof op]>;
  const body = codec.read(reader, codec.name);
  return { kind: 'value', value: { kind: 'operation', op, header, body } as OperationRequest };
}

/** A whole frame (length prefix included) for a client request. */
export function encodeClientRequest(request: ClientRequest): Uint8Array {
  if (request.kind === 'connect') {
    return encodeFrame((writer) => ConnectRequestCodec.write(writer, request.request));
  }
  if (OpCode[request.op] !== request.header.type) {
    throw new RangeError(`request op ${request.op} does not match header type ${request.header.type}`);
  }
  const codec = requestBodyCodecs[request.op] as RecordCodec<unknown>;
  return encodeFrame((writer) => {
    RequestHeaderCodec.write(writer, request.header);
    codec.write(writer, request.body);
  });
}
