/**
 * The binary form of the frames every write sends between servers: PROPOSAL, INFORM, ACK and
 * COMMIT `message` frames (with their TxnPayloads) and `request` frames (a learner forwarding a
 * client's write). Text costs the leader a tagged copy, JSON.stringify and base64 for each of them,
 * several times per write; these frames are the jute records ZooKeeper itself would send (a txn as
 * its TxnHeader and txn record, a request as its RequestHeader and request record: juteRecords.ts).
 *
 * A body starts with its kind byte. JSON text always starts with `{` (0x7B), so the kinds here
 * never collide with the text form, which every other frame still uses (peerFrames.ts).
 *
 * The encoders return null for a frame the binary form cannot carry exactly (a field of the wrong
 * type, a number out of its range, an extra field on a payload, txn or request): the caller sends it
 * as text instead, so a frame decodes to what was encoded. The chart's messages are the exception:
 * their fields are checked but not counted, so a field the Message type does not declare is not
 * sent. The decoders read with FrameReader: every length is checked against the bytes left before
 * anything is allocated, and any malformed body throws an Error.
 */
import type { Message } from '../../protocol/Message.js';
import type { Zxid } from '../../protocol/zxid.js';
import type { WriteRequest } from '../../service/index.js';
import { FrameReader } from '../codec/FrameReader.js';
import { FrameWriter } from '../codec/FrameWriter.js';
import { encodeBinaryTxn, expectFields, isRecord, readRequest, readTxnKeepingBytes, writeRequest } from '../codec/juteRecords.js';
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
  // The txn's bytes as the log encoded them: it is logged before it is sent.
  const txn = encodeBinaryTxn(payload.txn);
  if (txn === null) throw new RangeError('payload txn has no binary form');
  writer.writeRaw(txn);
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
  const txn = readTxnKeepingBytes(reader);
  if (origin === undefined && requestId === undefined) return { zxid, time, txn };
  if (requestId === undefined) return { zxid, time, txn, origin };
  if (origin === undefined) return { zxid, time, txn, requestId };
  return { zxid, time, txn, origin, requestId };
}
