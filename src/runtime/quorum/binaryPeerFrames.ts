/**
 * The binary form of the frames every write sends between servers: PROPOSAL, INFORM, ACK and
 * COMMIT `message` frames (with their TxnPayloads) and `request` frames (a learner forwarding a
 * client's write). Text costs the leader a tagged copy, JSON.stringify and base64 for each of them,
 * several times per write; these frames are the jute records ZooKeeper itself would send (a txn as
 * its TxnHeader and txn record, a request as its RequestHeader and request record).
 *
 * A body starts with its kind byte. JSON text always starts with `{` (0x7B), so the kinds here
 * never collide with the text form, which every other frame still uses (peerFrames.ts).
 *
 * The encoders return null for a frame the binary form cannot carry exactly (a field of the wrong
 * type, a number out of its range, an extra field on a payload, txn or request): the caller sends it
 * as text instead, so a frame decodes to what was encoded. The chart's messages are the exception:
 * their fields are checked but not counted, so a field the Message type does not declare is not sent. The decoders read with FrameReader: every length is checked
 * against the bytes left before anything is allocated, and any malformed body throws an Error.
 */
import type { Message } from '../../protocol/Message.js';
import type { Zxid } from '../../protocol/zxid.js';
import { OpCode } from '../../service/OpCode.js';
import type { ACL, Id, MultiOp, SubTxn, Txn, WriteRequest } from '../../service/index.js';
import { FrameReader } from './FrameReader.js';
import { FrameWriter } from './FrameWriter.js';
import type { PeerFrame, TxnPayload } from './peerFrames.js';

/** Kind bytes of binary bodies; a text body starts with `{`. */
export const BinaryFrameKind = { message: 0x01, request: 0x02 } as const;

const HEADER_BYTES = 4;
/** Message codes of the binary `message` body: only the messages of the broadcast phase. */
const MessageCode = { PROPOSAL: 0, INFORM: 1, ACK: 2, COMMIT: 3 } as const;
/** kind, message code, epoch (u32), counter (u32); a txn's value (f64) follows for PROPOSAL and INFORM. */
const ZXID_MESSAGE_BYTES = 1 + 1 + 4 + 4;
const TXN_MESSAGE_BYTES = ZXID_MESSAGE_BYTES + 8;
const COUNT_BYTES = 4;
/** zxid, time, two presence flags, sessionId, cxid, type: the fewest bytes a payload takes. */
const PAYLOAD_BYTES_MIN = 8 + 8 + 1 + 1 + 8 + 4 + 4;

/** Thrown inside the encoders when a value does not fit the binary form; never escapes them. */
class Unfit extends Error {}

// ----- Encoding -----

/**
 * A PROPOSAL, INFORM, ACK or COMMIT frame with its length header, or null when the frame must
 * travel as text. Each payload is encoded once (the leader sends it to every learner).
 */
export function encodeBinaryMessage(msg: Message, payloads: readonly TxnPayload[] | undefined): Buffer | null {
  let zxid: Zxid;
  let value = 0;
  let code: number;
  switch (msg.type) {
    // The chart's messages are its own closed types: their fields are checked, not counted (a count
    // costs an Object.keys per frame, the largest part of encoding one).
    case 'PROPOSAL':
    case 'INFORM':
      if (!isRecord(msg.txn) || typeof msg.txn.value !== 'number') return null;
      code = MessageCode[msg.type];
      zxid = msg.txn.zxid;
      value = msg.txn.value;
      break;
    case 'ACK':
    case 'COMMIT':
      code = MessageCode[msg.type];
      zxid = msg.zxid;
      break;
    default:
      return null;
  }
  if (!isRecord(zxid) || !isU32(zxid.epoch) || !isU32(zxid.counter)) return null;
  const fixedBytes = code <= MessageCode.INFORM ? TXN_MESSAGE_BYTES : ZXID_MESSAGE_BYTES;
  let parts: Uint8Array[] | undefined;
  let length = fixedBytes + COUNT_BYTES;
  if (payloads !== undefined) {
    if (!Array.isArray(payloads)) return null;
    parts = [];
    for (const payload of payloads) {
      const bytes = payloadBytes(payload);
      if (bytes === null) return null;
      parts.push(bytes);
      length += bytes.byteLength;
    }
  }
  const out = Buffer.allocUnsafe(HEADER_BYTES + length);
  out.writeUInt32BE(length, 0);
  out[4] = BinaryFrameKind.message;
  out[5] = code;
  out.writeUInt32BE(zxid.epoch, 6);
  out.writeUInt32BE(zxid.counter, 10);
  if (code <= MessageCode.INFORM) out.writeDoubleBE(value, 14);
  let offset = HEADER_BYTES + fixedBytes;
  out.writeInt32BE(parts === undefined ? -1 : parts.length, offset);
  offset += COUNT_BYTES;
  for (const part of parts ?? []) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** A `request` frame with its length header, or null when it must travel as text. */
export function encodeBinaryRequest(id: number, request: WriteRequest): Buffer | null {
  try {
    const writer = scratch.reset();
    writer.writeInt(0).writeByte(BinaryFrameKind.request).writeIntegral(id);
    writeRequest(writer, request);
    return writer.patchInt(0, writer.byteLength - HEADER_BYTES).take();
  } catch {
    return null;
  }
}

const scratch = new FrameWriter();

/**
 * A txn alone (TxnHeader then its record), as the log keeps it: a copy, or null when the txn has a
 * shape the binary form does not hold (the caller writes tagged JSON instead).
 */
export function encodeBinaryTxn(txn: Txn): Buffer | null {
  try {
    const writer = scratch.reset();
    writeTxn(writer, txn);
    return writer.take();
  } catch {
    return null;
  }
}

/** The txn encodeBinaryTxn wrote at `start` of `bytes`, which it must fill exactly; throws an Error naming what is wrong. */
export function decodeBinaryTxn(bytes: Buffer, start: number): Txn {
  const reader = new FrameReader(bytes, start);
  const txn = readTxn(reader);
  reader.expectEnd();
  return txn;
}

/**
 * A payload is immutable once proposed, and the leader sends it to every learner within a few
 * frames: the bytes of the last RECENT_PAYLOADS payloads (null: it does not fit) are kept. A miss
 * only costs encoding again. Not a WeakMap beside each payload: the leader keeps payloads until a
 * snapshot covers them, and their bytes, cut from Node's shared 8 KiB pool, would keep whole pool
 * slabs alive that long.
 */
const RECENT_PAYLOADS = 16;
const recentPayloads: (TxnPayload | undefined)[] = new Array<TxnPayload | undefined>(RECENT_PAYLOADS).fill(undefined);
const recentBytes: (Uint8Array | null)[] = new Array<Uint8Array | null>(RECENT_PAYLOADS).fill(null);
let newestRecent = 0;

function payloadBytes(payload: TxnPayload): Uint8Array | null {
  if (!isRecord(payload)) return null;
  for (let back = 0; back < RECENT_PAYLOADS; back++) {
    const slot = (newestRecent - back + RECENT_PAYLOADS) % RECENT_PAYLOADS;
    if (recentPayloads[slot] === payload) return recentBytes[slot];
  }
  let bytes: Uint8Array | null;
  try {
    const writer = scratch.reset();
    writePayload(writer, payload);
    bytes = writer.take();
  } catch {
    bytes = null;
  }
  newestRecent = (newestRecent + 1) % RECENT_PAYLOADS;
  recentPayloads[newestRecent] = payload;
  recentBytes[newestRecent] = bytes;
  return bytes;
}

function writePayload(writer: FrameWriter, payload: TxnPayload): void {
  const hasOrigin = payload.origin !== undefined;
  const hasRequestId = payload.requestId !== undefined;
  expectFields(payload, 3 + (hasOrigin ? 1 : 0) + (hasRequestId ? 1 : 0));
  writer.writeLong(payload.zxid).writeIntegral(payload.time);
  writer.writeBool(hasOrigin).writeBool(hasRequestId);
  if (hasOrigin) writer.writeIntegral(payload.origin);
  if (hasRequestId) writer.writeIntegral(payload.requestId);
  writeTxn(writer, payload.txn);
}

/** TxnHeader (sessionId, cxid, type) then the txn record, as ZooKeeper logs a txn. */
function writeTxn(writer: FrameWriter, txn: Txn): void {
  if (!isRecord(txn)) throw new Unfit();
  writer.writeLong(txn.sessionId).writeInt(txn.cxid);
  switch (txn.type) {
    case OpCode.multi:
      expectFields(txn, 4);
      writer.writeInt(txn.type);
      writer.writeVector(txn.txns, writeSubTxn);
      return;
    case OpCode.setACL:
      expectFields(txn, 6);
      writer.writeInt(txn.type);
      writer.writeUstring(txn.path);
      writeAcl(writer, txn.acl);
      writer.writeInt(txn.version);
      return;
    case OpCode.createSession:
      expectFields(txn, 4);
      writer.writeInt(txn.type).writeInt(txn.timeOut);
      return;
    case OpCode.closeSession:
      expectFields(txn, 4);
      writer.writeInt(txn.type);
      writer.writeVector(txn.paths2Delete, (w, path: string) => void w.writeUstring(path));
      return;
    default:
      writeSubTxnBody(writer, txn, 2);
  }
}

function writeSubTxn(writer: FrameWriter, txn: SubTxn): void {
  if (!isRecord(txn)) throw new Unfit();
  writeSubTxnBody(writer, txn, 0);
}

/** A txn that may sit in a multi; `headerFields` counts the TxnHeader fields beside it (0 in a multi). */
function writeSubTxnBody(writer: FrameWriter, txn: SubTxn, headerFields: number): void {
  switch (txn.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      expectFields(txn, headerFields + 6);
      writer.writeInt(txn.type).writeUstring(txn.path);
      writer.writeBuffer(txn.data);
      writeAcl(writer, txn.acl);
      writer.writeBool(txn.ephemeral).writeInt(txn.parentCVersion);
      return;
    case OpCode.delete:
      expectFields(txn, headerFields + 2);
      writer.writeInt(txn.type).writeUstring(txn.path);
      return;
    case OpCode.setData:
      expectFields(txn, headerFields + 4);
      writer.writeInt(txn.type).writeUstring(txn.path);
      writer.writeBuffer(txn.data).writeInt(txn.version);
      return;
    case OpCode.check:
      expectFields(txn, headerFields + 3);
      writer.writeInt(txn.type).writeUstring(txn.path).writeInt(txn.version);
      return;
    case OpCode.error:
      expectFields(txn, headerFields + 2);
      writer.writeInt(txn.type).writeInt(txn.err);
      return;
    default:
      throw new Unfit();
  }
}

/** RequestHeader (sessionId, cxid, authInfo, type) then the request record. */
function writeRequest(writer: FrameWriter, request: WriteRequest): void {
  if (!isRecord(request)) throw new Unfit();
  writer.writeLong(request.sessionId).writeInt(request.cxid);
  writer.writeVector(request.authInfo, writeId);
  switch (request.type) {
    case OpCode.multi:
      expectFields(request, 5);
      writer.writeInt(request.type);
      writer.writeVector(request.ops, writeMultiOp);
      return;
    case OpCode.setACL:
      expectFields(request, 7);
      writer.writeInt(request.type).writeUstring(request.path);
      writeAcl(writer, request.acl);
      writer.writeInt(request.version);
      return;
    case OpCode.createSession:
      expectFields(request, 5);
      writer.writeInt(request.type).writeInt(request.timeOut);
      return;
    case OpCode.closeSession:
      expectFields(request, 4);
      writer.writeInt(request.type);
      return;
    default:
      writeMultiOpBody(writer, request, 3);
  }
}

function writeMultiOp(writer: FrameWriter, op: MultiOp): void {
  if (!isRecord(op)) throw new Unfit();
  writeMultiOpBody(writer, op, 0);
}

function writeMultiOpBody(writer: FrameWriter, op: MultiOp, headerFields: number): void {
  switch (op.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      expectFields(op, headerFields + 5);
      writer.writeInt(op.type).writeUstring(op.path);
      writer.writeBuffer(op.data);
      writeAcl(writer, op.acl);
      writer.writeInt(op.flags);
      return;
    case OpCode.delete:
    case OpCode.check:
      expectFields(op, headerFields + 3);
      writer.writeInt(op.type).writeUstring(op.path).writeInt(op.version);
      return;
    case OpCode.setData:
      expectFields(op, headerFields + 4);
      writer.writeInt(op.type).writeUstring(op.path);
      writer.writeBuffer(op.data).writeInt(op.version);
      return;
    default:
      throw new Unfit();
  }
}

function writeAcl(writer: FrameWriter, acl: readonly ACL[]): void {
  writer.writeVector(acl, (w, entry: ACL) => {
    if (!isRecord(entry) || fieldCount(entry) !== 2) throw new Unfit();
    w.writeInt(entry.perms);
    writeId(w, entry.id);
  });
}

function writeId(writer: FrameWriter, id: Id): void {
  if (!isRecord(id) || fieldCount(id) !== 2) throw new Unfit();
  writer.writeUstring(id.scheme).writeUstring(id.id);
}

function isRecord(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** Defined own fields: JSON leaves undefined ones out, and so does the binary form. */
function fieldCount(value: object): number {
  const keys = Object.keys(value);
  let count = keys.length;
  for (const key of keys) if ((value as Record<string, unknown>)[key] === undefined) count--;
  return count;
}

function expectFields(value: object, count: number): void {
  if (fieldCount(value) !== count) throw new Unfit();
}

function isU32(value: unknown): value is number {
  return typeof value === 'number' && value >>> 0 === value;
}

// ----- Decoding -----

/** Decodes a binary body (its first byte is a BinaryFrameKind); throws an Error naming what is wrong. */
export function decodeBinaryFrame(body: Buffer): PeerFrame {
  try {
    switch (body[0]) {
      case BinaryFrameKind.message:
        return decodeMessage(body);
      case BinaryFrameKind.request:
        return decodeRequest(body);
      default:
        throw new Error(`kind byte 0x${body[0].toString(16)} is neither binary nor text`);
    }
  } catch (error) {
    throw new Error(`not a peer frame: ${(error as Error).message}`);
  }
}

function decodeMessage(body: Buffer): PeerFrame {
  if (body.length < 2) throw new Error('no message code');
  const code = body[1];
  if (code > MessageCode.COMMIT) throw new Error(`message code ${code}`);
  const fixedBytes = code <= MessageCode.INFORM ? TXN_MESSAGE_BYTES : ZXID_MESSAGE_BYTES;
  if (body.length < fixedBytes + COUNT_BYTES) throw new Error(`${body.length} bytes, a message needs ${fixedBytes + COUNT_BYTES}`);
  const zxid = { epoch: body.readUInt32BE(2), counter: body.readUInt32BE(6) };
  const msg: Message =
    code === MessageCode.PROPOSAL ? { type: 'PROPOSAL', txn: { zxid, value: body.readDoubleBE(10) } }
    : code === MessageCode.INFORM ? { type: 'INFORM', txn: { zxid, value: body.readDoubleBE(10) } }
    : code === MessageCode.ACK ? { type: 'ACK', zxid }
    : { type: 'COMMIT', zxid };
  const count = body.readInt32BE(fixedBytes);
  const reader = new FrameReader(body, fixedBytes + COUNT_BYTES);
  if (count === -1) {
    reader.expectEnd();
    return { t: 'message', msg };
  }
  if (count < -1 || count * PAYLOAD_BYTES_MIN > reader.remainingByteCount) {
    throw new Error(`payload count ${count} with ${reader.remainingByteCount} bytes left`);
  }
  const payloads: TxnPayload[] = [];
  for (let index = 0; index < count; index++) payloads.push(readPayload(reader));
  reader.expectEnd();
  return { t: 'message', msg, payloads };
}

function decodeRequest(body: Buffer): PeerFrame {
  const reader = new FrameReader(body, 1);
  const id = reader.readIntegral('request.id');
  const request = readRequest(reader);
  reader.expectEnd();
  return { t: 'request', id, request };
}

function readPayload(reader: FrameReader): TxnPayload {
  const zxid = reader.readLong('payload.zxid');
  const time = reader.readIntegral('payload.time');
  const hasOrigin = reader.readBool('payload.origin?');
  const hasRequestId = reader.readBool('payload.requestId?');
  const origin = hasOrigin ? reader.readIntegral('payload.origin') : undefined;
  const requestId = hasRequestId ? reader.readIntegral('payload.requestId') : undefined;
  const txn = readTxn(reader);
  if (origin === undefined && requestId === undefined) return { zxid, time, txn };
  if (requestId === undefined) return { zxid, time, txn, origin };
  if (origin === undefined) return { zxid, time, txn, requestId };
  return { zxid, time, txn, origin, requestId };
}

/** Bytes of the smallest element of each vector: a type, a count, a length, an ACL (perms, two lengths). */
const TYPE_BYTES = 4;
const LENGTH_BYTES = 4;
const ACL_BYTES_MIN = 4 + 2 * LENGTH_BYTES;

function readTxn(reader: FrameReader): Txn {
  const sessionId = reader.readLong('txn.sessionId');
  const cxid = reader.readInt('txn.cxid');
  const type = reader.readInt('txn.type');
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return {
        sessionId, cxid, type, path: reader.readUstring('txn.path'), data: reader.readBuffer('txn.data'), acl: readAcl(reader, 'txn.acl'),
        ephemeral: reader.readBool('txn.ephemeral'), parentCVersion: reader.readInt('txn.parentCVersion'),
      };
    case OpCode.delete:
      return { sessionId, cxid, type, path: reader.readUstring('txn.path') };
    case OpCode.setData:
      return { sessionId, cxid, type, path: reader.readUstring('txn.path'), data: reader.readBuffer('txn.data'), version: reader.readInt('txn.version') };
    case OpCode.check:
      return { sessionId, cxid, type, path: reader.readUstring('txn.path'), version: reader.readInt('txn.version') };
    case OpCode.error:
      return { sessionId, cxid, type, err: reader.readInt('txn.err') };
    case OpCode.setACL:
      return { sessionId, cxid, type, path: reader.readUstring('txn.path'), acl: readAcl(reader, 'txn.acl'), version: reader.readInt('txn.version') };
    case OpCode.multi: {
      const txns: SubTxn[] = [];
      for (let left = reader.readCount('txn.txns', TYPE_BYTES); left > 0; left--) txns.push(readSubTxn(reader));
      return { sessionId, cxid, type, txns };
    }
    case OpCode.createSession:
      return { sessionId, cxid, type, timeOut: reader.readInt('txn.timeOut') };
    case OpCode.closeSession: {
      const paths2Delete: string[] = [];
      for (let left = reader.readCount('txn.paths2Delete', LENGTH_BYTES); left > 0; left--) paths2Delete.push(reader.readUstring('txn.paths2Delete[]'));
      return { sessionId, cxid, type, paths2Delete };
    }
    default:
      throw new Error(`txn.type: ${type} is not a txn type`);
  }
}

function readSubTxn(reader: FrameReader): SubTxn {
  const type = reader.readInt('txn.txns[].type');
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return {
        type, path: reader.readUstring('txn.txns[].path'), data: reader.readBuffer('txn.txns[].data'), acl: readAcl(reader, 'txn.txns[].acl'),
        ephemeral: reader.readBool('txn.txns[].ephemeral'), parentCVersion: reader.readInt('txn.txns[].parentCVersion'),
      };
    case OpCode.delete:
      return { type, path: reader.readUstring('txn.txns[].path') };
    case OpCode.setData:
      return { type, path: reader.readUstring('txn.txns[].path'), data: reader.readBuffer('txn.txns[].data'), version: reader.readInt('txn.txns[].version') };
    case OpCode.check:
      return { type, path: reader.readUstring('txn.txns[].path'), version: reader.readInt('txn.txns[].version') };
    case OpCode.error:
      return { type, err: reader.readInt('txn.txns[].err') };
    default:
      throw new Error(`txn.txns[].type: ${type} is not a txn type a multi may hold`);
  }
}

function readRequest(reader: FrameReader): WriteRequest {
  const sessionId = reader.readLong('request.sessionId');
  const cxid = reader.readInt('request.cxid');
  const authInfo: Id[] = [];
  for (let left = reader.readCount('request.authInfo', 2 * LENGTH_BYTES); left > 0; left--) authInfo.push(readId(reader, 'request.authInfo[]'));
  const type = reader.readInt('request.type');
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return {
        sessionId, cxid, authInfo, type, path: reader.readUstring('request.path'), data: reader.readBuffer('request.data'),
        acl: readAcl(reader, 'request.acl'), flags: reader.readInt('request.flags'),
      };
    case OpCode.delete:
    case OpCode.check:
      return { sessionId, cxid, authInfo, type, path: reader.readUstring('request.path'), version: reader.readInt('request.version') };
    case OpCode.setData:
      return {
        sessionId, cxid, authInfo, type, path: reader.readUstring('request.path'), data: reader.readBuffer('request.data'),
        version: reader.readInt('request.version'),
      };
    case OpCode.setACL:
      return { sessionId, cxid, authInfo, type, path: reader.readUstring('request.path'), acl: readAcl(reader, 'request.acl'), version: reader.readInt('request.version') };
    case OpCode.multi: {
      const ops: MultiOp[] = [];
      for (let left = reader.readCount('request.ops', TYPE_BYTES); left > 0; left--) ops.push(readMultiOp(reader));
      return { sessionId, cxid, authInfo, type, ops };
    }
    case OpCode.createSession:
      return { sessionId, cxid, authInfo, type, timeOut: reader.readInt('request.timeOut') };
    case OpCode.closeSession:
      return { sessionId, cxid, authInfo, type };
    default:
      throw new Error(`request.type: ${type} is not a write request type`);
  }
}

function readMultiOp(reader: FrameReader): MultiOp {
  const type = reader.readInt('request.ops[].type');
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return {
        type, path: reader.readUstring('request.ops[].path'), data: reader.readBuffer('request.ops[].data'), acl: readAcl(reader, 'request.ops[].acl'),
        flags: reader.readInt('request.ops[].flags'),
      };
    case OpCode.delete:
    case OpCode.check:
      return { type, path: reader.readUstring('request.ops[].path'), version: reader.readInt('request.ops[].version') };
    case OpCode.setData:
      return { type, path: reader.readUstring('request.ops[].path'), data: reader.readBuffer('request.ops[].data'), version: reader.readInt('request.ops[].version') };
    default:
      throw new Error(`request.ops[].type: ${type} is not a write request type a multi may hold`);
  }
}

function readAcl(reader: FrameReader, field: string): ACL[] {
  const acl: ACL[] = [];
  for (let left = reader.readCount(field, ACL_BYTES_MIN); left > 0; left--) acl.push({ perms: reader.readInt(field), id: readId(reader, field) });
  return acl;
}

function readId(reader: FrameReader, field: string): Id {
  return { scheme: reader.readUstring(field), id: reader.readUstring(field) };
}
