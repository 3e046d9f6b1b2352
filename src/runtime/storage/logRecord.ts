import type { Txn } from '../../service/index.js';
import { decodeBinaryTxn, encodeBinaryTxn } from '../codec/juteRecords.js';
import { crc32 } from './crc32.js';
import { fromTaggedJson, toTaggedJson } from './taggedJson.js';

/** One committed (or accepted) txn as the log keeps it: the zxid and time of its proposal, and the txn. */
export interface LogEntry {
  readonly zxid: bigint;
  /** Milliseconds since the epoch, as the leader stamped the proposal (ctime/mtime of what it creates). */
  readonly time: number;
  readonly txn: Txn;
}

/**
 * Segment files (`log.<16 hex digits of the first zxid>`):
 *   header, 24 bytes: magic "ZSTL", format version (u32 BE) = 3, first zxid (i64 BE), previous zxid
 *                     (i64 BE): the zxid of the txn just before the first record in the server's
 *                     history (0: none), so recovery can tell that a segment continues the one
 *                     before it, or the snapshot it starts from. Version 1 headers (16 bytes, no
 *                     previous zxid) are still read.
 *   records, each:    body length (u32 BE), CRC-32 of the body (u32 BE), body
 *   body:             zxid (i64 BE), time in ms (i64 BE), then the txn: the byte 1 followed by its
 *                     TxnHeader and record in jute's binary form (the peer frames' encoding,
 *                     binaryPeerFrames.ts), or, for a txn of a shape that form does not hold, tagged
 *                     JSON (UTF-8, see taggedJson.ts; it starts with "{"). Versions 1 and 2 hold only
 *                     JSON, and are still read.
 * A record is valid when its length fits in the file and within recordBytesMax, its CRC matches,
 * its txn decodes, and its zxid is above the previous record's.
 */
export const SEGMENT_MAGIC = 0x5a53544c; // "ZSTL"
export const SEGMENT_FORMAT_VERSION = 3;
/** The first byte of a txn in binary form: JSON text never starts with it. */
const BINARY_TXN = 1;
export const SEGMENT_HEADER_BYTES = 24;
const SEGMENT_HEADER_BYTES_V1 = 16;
export const RECORD_HEADER_BYTES = 8;
const BODY_FIXED_BYTES = 16;

export interface SegmentHeader {
  readonly firstZxid: bigint;
  /** Null for a version 1 segment, which does not record it. */
  readonly previousZxid: bigint | null;
  /** Where the first record starts. */
  readonly headerBytes: number;
}

export function encodeSegmentHeader(firstZxid: bigint, previousZxid: bigint): Buffer {
  if (previousZxid < 0n || previousZxid >= firstZxid) {
    throw new RangeError(`encodeSegmentHeader: previous zxid ${previousZxid} must be in [0, first zxid ${firstZxid})`);
  }
  const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
  header.writeUInt32BE(SEGMENT_MAGIC, 0);
  header.writeUInt32BE(SEGMENT_FORMAT_VERSION, 4);
  header.writeBigInt64BE(firstZxid, 8);
  header.writeBigInt64BE(previousZxid, 16);
  return header;
}

/** What a valid header says, or a reason it is not valid. */
export function decodeSegmentHeader(bytes: Buffer): SegmentHeader | { invalid: string } {
  if (bytes.length < SEGMENT_HEADER_BYTES_V1) return { invalid: `segment header torn (${bytes.length} of ${SEGMENT_HEADER_BYTES_V1} bytes)` };
  if (bytes.readUInt32BE(0) !== SEGMENT_MAGIC) return { invalid: 'bad segment magic' };
  const version = bytes.readUInt32BE(4);
  const firstZxid = bytes.readBigInt64BE(8);
  if (version === 1) return { firstZxid, previousZxid: null, headerBytes: SEGMENT_HEADER_BYTES_V1 };
  if (version !== 2 && version !== SEGMENT_FORMAT_VERSION) return { invalid: `unknown segment format version ${version}` };
  if (bytes.length < SEGMENT_HEADER_BYTES) return { invalid: `segment header torn (${bytes.length} of ${SEGMENT_HEADER_BYTES} bytes)` };
  const previousZxid = bytes.readBigInt64BE(16);
  if (previousZxid < 0n || previousZxid >= firstZxid) return { invalid: `segment header: previous zxid ${previousZxid} is not below the first ${firstZxid}` };
  return { firstZxid, previousZxid, headerBytes: SEGMENT_HEADER_BYTES };
}

export function encodeRecord(entry: LogEntry): Buffer {
  if (!Number.isSafeInteger(entry.time)) throw new RangeError(`encodeRecord: time must be an integer, got ${entry.time}`);
  const binary = encodeBinaryTxn(entry.txn);
  const txnBytes = binary ?? Buffer.from(toTaggedJson(entry.txn), 'utf8');
  const marker = binary === null ? 0 : 1;
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + BODY_FIXED_BYTES + marker + txnBytes.length);
  record.writeUInt32BE(BODY_FIXED_BYTES + marker + txnBytes.length, 0);
  record.writeBigInt64BE(entry.zxid, RECORD_HEADER_BYTES);
  record.writeBigInt64BE(BigInt(entry.time), RECORD_HEADER_BYTES + 8);
  if (marker === 1) record[RECORD_HEADER_BYTES + BODY_FIXED_BYTES] = BINARY_TXN;
  txnBytes.copy(record, RECORD_HEADER_BYTES + BODY_FIXED_BYTES + marker);
  record.writeUInt32BE(crc32(record.subarray(RECORD_HEADER_BYTES)), 4);
  return record;
}

export type RecordDecodeResult =
  | { kind: 'record'; entry: LogEntry; byteLength: number }
  /** Not a record: `reason` says why; everything from this offset on is the invalid tail. */
  | { kind: 'invalid'; reason: string }
  | { kind: 'end' };

/**
 * Decodes the record at `offset` of a segment's bytes. `decodeTxn` false skips decoding the txn (the CRC is
 * still checked), for records before a snapshot that replay will not need.
 */
export function decodeRecordAt(bytes: Buffer, offset: number, recordBytesMax: number, decodeTxn = true): RecordDecodeResult {
  if (offset === bytes.length) return { kind: 'end' };
  if (bytes.length - offset < RECORD_HEADER_BYTES) return { kind: 'invalid', reason: 'torn record header' };
  const bodyLength = bytes.readUInt32BE(offset);
  if (bodyLength < BODY_FIXED_BYTES || bodyLength > recordBytesMax) return { kind: 'invalid', reason: `bad record length ${bodyLength}` };
  const bodyStart = offset + RECORD_HEADER_BYTES;
  if (bytes.length - bodyStart < bodyLength) return { kind: 'invalid', reason: `torn record (${bytes.length - bodyStart} of ${bodyLength} body bytes)` };
  const body = bytes.subarray(bodyStart, bodyStart + bodyLength);
  if (crc32(body) !== bytes.readUInt32BE(offset + 4)) return { kind: 'invalid', reason: 'record CRC mismatch' };
  const zxid = body.readBigInt64BE(0);
  const time = Number(body.readBigInt64BE(8));
  const txn = decodeTxn ? parseTxn(body.subarray(BODY_FIXED_BYTES)) : PLACEHOLDER_TXN;
  if (txn === null) return { kind: 'invalid', reason: 'record body is not a txn' };
  return { kind: 'record', entry: { zxid, time, txn }, byteLength: RECORD_HEADER_BYTES + bodyLength };
}

const PLACEHOLDER_TXN: Txn = { sessionId: 0n, cxid: 0, type: -1, err: 0 } as Txn;

function parseTxn(bytes: Buffer): Txn | null {
  if (bytes.length > 0 && bytes[0] === BINARY_TXN) {
    try {
      return decodeBinaryTxn(bytes, 1);
    } catch {
      return null;
    }
  }
  return parseJsonTxn(bytes);
}

function parseJsonTxn(json: Buffer): Txn | null {
  try {
    const value = fromTaggedJson(json.toString('utf8')) as Partial<Txn> | null;
    if (value === null || typeof value !== 'object' || typeof value.type !== 'number') return null;
    if (typeof value.sessionId !== 'bigint' || typeof value.cxid !== 'number') return null;
    return value as Txn;
  } catch {
    return null;
  }
}
