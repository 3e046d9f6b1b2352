/**
 * Server → client messages. The encoders return whole frames (length prefix included), ready to
 * write to the socket. The decoders are what a client does with them (used by tests and by
 * simulated clients); like decodeClientRequest they return error values and never throw.
 */
import { Code } from '../service/Code.js';
import { OpCode } from '../service/OpCode.js';
import { JUTE_MAX_BUFFER_DEFAULT, SpecialXid } from './constants.js';
import { encodeFrame } from './frame.js';
import { JuteDecodeError, JuteReader, type JuteDecodeErrorKind } from './juteReader.js';
import { MultiResponseCodec, type MultiResponse } from './multi.js';
import {
  ConnectResponseCodec,
  Create2ResponseCodec,
  CreateResponseCodec,
  ExistsResponseCodec,
  GetACLResponseCodec,
  GetChildren2ResponseCodec,
  GetChildrenResponseCodec,
  GetDataResponseCodec,
  ReplyHeaderCodec,
  SetACLResponseCodec,
  SetDataResponseCodec,
  SyncResponseCodec,
  WatcherEventCodec,
  type ConnectResponse,
  type Create2Response,
  type CreateResponse,
  type ExistsResponse,
  type GetACLResponse,
  type GetChildren2Response,
  type GetChildrenResponse,
  type GetDataResponse,
  type RecordCodec,
  type ReplyHeader,
  type SetACLResponse,
  type SetDataResponse,
  type SyncResponse,
  type WatcherEvent,
} from './records.js';
import type { RequestOp } from './requests.js';

/** The body ZooKeeper's FinalRequestProcessor writes after a ReplyHeader with err 0 (null: none). */
export interface ResponseBodyByOp {
  create: CreateResponse;
  create2: Create2Response;
  createContainer: Create2Response;
  createTTL: Create2Response;
  delete: null;
  exists: ExistsResponse;
  getData: GetDataResponse;
  setData: SetDataResponse;
  getACL: GetACLResponse;
  setACL: SetACLResponse;
  getChildren: GetChildrenResponse;
  getChildren2: GetChildren2Response;
  sync: SyncResponse;
  /** ZooKeeper answers a top-level check with a SetDataResponse. */
  check: SetDataResponse;
  /** A failed multi still has err 0 in its ReplyHeader; the failure is in the results. */
  multi: MultiResponse;
  multiRead: MultiResponse;
  ping: null;
  closeSession: null;
  auth: null;
  setWatches: null;
  setWatches2: null;
  addWatch: null;
}

const EmptyBody: RecordCodec<null> = { name: 'Empty', minByteCount: 0, read: () => null, write: () => undefined };

const responseBodyCodecs: { [K in RequestOp]: RecordCodec<ResponseBodyByOp[K]> } = {
  create: CreateResponseCodec,
  create2: Create2ResponseCodec,
  createContainer: Create2ResponseCodec,
  createTTL: Create2ResponseCodec,
  delete: EmptyBody,
  exists: ExistsResponseCodec,
  getData: GetDataResponseCodec,
  setData: SetDataResponseCodec,
  getACL: GetACLResponseCodec,
  setACL: SetACLResponseCodec,
  getChildren: GetChildrenResponseCodec,
  getChildren2: GetChildren2ResponseCodec,
  sync: SyncResponseCodec,
  check: SetDataResponseCodec,
  multi: MultiResponseCodec,
  multiRead: MultiResponseCodec,
  ping: EmptyBody,
  closeSession: EmptyBody,
  auth: EmptyBody,
  setWatches: EmptyBody,
  setWatches2: EmptyBody,
  addWatch: EmptyBody,
};

/** The ConnectResponse frame (no ReplyHeader precedes it). */
export function encodeConnectResponse(response: ConnectResponse): Uint8Array {
  return encodeFrame((writer) => ConnectResponseCodec.write(writer, response));
}

/**
 * A reply frame: ReplyHeader, then the op's body only when err is 0 (ZooKeeper sends a bare header
 * for an error, and clients read a body only when err is 0).
 */
export function encodeReply<K extends RequestOp>(op: K, header: ReplyHeader, body: ResponseBodyByOp[K] | null): Uint8Array {
  const codec = responseBodyCodecs[op] as RecordCodec<ResponseBodyByOp[K]>;
  const hasBody = codec !== EmptyBody;
  if (header.err !== Code.Ok && body !== null) {
    throw new RangeError(`encodeReply(${op}): a reply with err ${header.err} carries no body`);
  }
  if (header.err === Code.Ok && hasBody && body === null) {
    throw new RangeError(`encodeReply(${op}): a successful reply needs its ${codec.name}`);
  }
  return encodeFrame((writer) => {
    ReplyHeaderCodec.write(writer, header);
    if (header.err === Code.Ok && hasBody) codec.write(writer, body as ResponseBodyByOp[K]);
  });
}

/** A bare ReplyHeader frame: errors, and the bodiless replies (delete, closeSession, setWatches...). */
export function encodeHeaderOnlyReply(header: ReplyHeader): Uint8Array {
  return encodeFrame((writer) => ReplyHeaderCodec.write(writer, header));
}

export function encodePingReply(lastProcessedZxid: bigint): Uint8Array {
  return encodeHeaderOnlyReply({ xid: SpecialXid.ping, zxid: lastProcessedZxid, err: Code.Ok });
}

/** err: ok (0) or authFailed (-115); ZooKeeper writes zxid 0 in auth replies. */
export function encodeAuthReply(err: number): Uint8Array {
  return encodeHeaderOnlyReply({ xid: SpecialXid.auth, zxid: 0n, err });
}

/**
 * A watch notification: ReplyHeader(xid -1, zxid, err 0) + WatcherEvent. ZooKeeper 3.5–3.8 write
 * zxid -1 here; later releases may write the triggering zxid.
 */
export function encodeNotification(event: WatcherEvent, zxid: bigint = -1n): Uint8Array {
  return encodeFrame((writer) => {
    ReplyHeaderCodec.write(writer, { xid: SpecialXid.notification, zxid, err: Code.Ok });
    WatcherEventCodec.write(writer, event);
  });
}

export interface ReplyDecodeError {
  kind: JuteDecodeErrorKind;
  field: string;
  offset: number;
  message: string;
}

export type DecodeResult<T> = { ok: true; value: T; trailingByteCount: number } | { ok: false; error: ReplyDecodeError };

export interface DecodeReplyOptions {
  maxBufferBytes?: number;
}

function decodeWith<T>(payload: Uint8Array, options: DecodeReplyOptions, read: (reader: JuteReader) => T): DecodeResult<T> {
  const reader = new JuteReader(payload, { maxBufferBytes: options.maxBufferBytes ?? JUTE_MAX_BUFFER_DEFAULT });
  try {
    const value = read(reader);
    return { ok: true, value, trailingByteCount: reader.remainingByteCount };
  } catch (error) {
    if (!(error instanceof JuteDecodeError)) throw error;
    return { ok: false, error: { kind: error.kind, field: error.field, offset: error.offset, message: error.message } };
  }
}

export function decodeConnectResponse(payload: Uint8Array, options: DecodeReplyOptions = {}): DecodeResult<ConnectResponse> {
  return decodeWith(payload, options, (reader) => ConnectResponseCodec.read(reader, 'ConnectResponse'));
}

export type ServerMessage =
  | { kind: 'notification'; header: ReplyHeader; event: WatcherEvent }
  | { kind: 'reply'; header: ReplyHeader };

/** Reads a ReplyHeader and, for xid -1, the WatcherEvent; a client then matches xid to its op. */
export function decodeServerMessageHeader(payload: Uint8Array, options: DecodeReplyOptions = {}): DecodeResult<ServerMessage> {
  return decodeWith(payload, options, (reader): ServerMessage => {
    const header = ReplyHeaderCodec.read(reader, 'ReplyHeader');
    if (header.xid !== SpecialXid.notification) return { kind: 'reply', header };
    return { kind: 'notification', header, event: WatcherEventCodec.read(reader, 'WatcherEvent') };
  });
}

/** Decodes a reply to a request of the given op, as the client that sent it would. */
export function decodeReply<K extends RequestOp>(
  op: K,
  payload: Uint8Array,
  options: DecodeReplyOptions = {},
): DecodeResult<{ header: ReplyHeader; body: ResponseBodyByOp[K] | null }> {
  const codec = responseBodyCodecs[op] as RecordCodec<ResponseBodyByOp[K]>;
  return decodeWith(payload, options, (reader) => {
    const header = ReplyHeaderCodec.read(reader, 'ReplyHeader');
    if (header.err !== Code.Ok || codec === EmptyBody) return { header, body: null };
    return { header, body: codec.read(reader, codec.name) };
  });
}

/** The opcode for an op name (re-exported for callers that hold a RequestOp). */
export function opCodeOf(op: RequestOp): number {
  return OpCode[op];
}
