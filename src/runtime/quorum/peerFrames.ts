import type { Message } from '../../protocol/Message.js';
import type { Txn, WriteRequest } from '../../service/index.js';
import { decodeBinaryFrame, encodeBinaryMessage, encodeBinaryRequest } from './binaryPeerFrames.js';

/** A txn's real content, travelling beside the chart's `{zxid, value}` (value = the zxid as a number). */
export interface TxnPayload {
  readonly zxid: bigint;
  /** The leader's clock at proposal (ctime/mtime of what the txn creates). */
  readonly time: number;
  readonly txn: Txn;
  /** The server whose client asked for the txn, and its request number there (absent after recovery). */
  readonly origin?: number;
  readonly requestId?: number;
}

/** A leader's tree, encoded as a snapshot file (Snapshot.ts, with the history it covers), sent with a sync message. */
export interface SnapshotTransfer {
  readonly zxid: bigint;
  readonly bytes: Uint8Array;
}

/**
 * What travels between two servers. `message` frames carry the chart's messages (the only frames
 * the chart sees); the others are the runtime's own traffic, which ZooKeeper also has outside ZAB:
 * PING (liveness and session touches), REQUEST (a learner forwards a client write), REFUSED (the
 * leader's answer to a write it would not propose), SYNC/SYNCED (a client's sync through a learner).
 */
export type PeerFrame =
  | { readonly t: 'hello'; readonly sid: number }
  | { readonly t: 'message'; readonly msg: Message; readonly payloads?: readonly TxnPayload[]; readonly snapshot?: SnapshotTransfer }
  | { readonly t: 'ping'; readonly sessions?: readonly bigint[] }
  | { readonly t: 'request'; readonly id: number; readonly request: WriteRequest }
  | { readonly t: 'refused'; readonly id: number; readonly code: number }
  | { readonly t: 'sync'; readonly id: number }
  | { readonly t: 'synced'; readonly id: number; readonly zxid: bigint };

export const FRAME_HEADER_BYTES = 4;
/** A SNAP carries the whole history, so peer frames may be far larger than a client's jute.maxbuffer. */
export const PEER_FRAME_BYTES_MAX_DEFAULT = 512 * 1024 * 1024;

/**
 * Length (u32 BE) then the body. The frames of every write (PROPOSAL, INFORM, ACK, COMMIT and
 * forwarded requests) are binary (binaryPeerFrames.ts: a kind byte, then jute records); the rest,
 * and any frame the binary form cannot carry exactly, are tagged JSON (taggedJson.ts: bigints and
 * byte arrays survive the trip), whose first byte is always `{`.
 */
export function encodePeerFrame(frame: PeerFrame): Buffer {
  const binary = frame.t === 'message' ? (frame.snapshot === undefined && isObject(frame.msg) ? encodeBinaryMessage(frame.msg, frame.payloads) : null)
    : frame.t === 'request' ? encodeBinaryRequest(frame.id, frame.request)
    : null;
  return binary ?? encodeTextFrame(frame);
}

/**
 * The tags are put in and taken out by a walk around the native JSON.stringify and JSON.parse:
 * a replacer or reviver function costs two to three times as much.
 */
function encodeTextFrame(frame: PeerFrame): Buffer {
  const text = frame.t === 'message' && frame.payloads !== undefined && frame.snapshot === undefined
    ? messageText(frame.msg, frame.payloads)
    : JSON.stringify(tagged(frame));
  const length = Buffer.byteLength(text, 'utf8');
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  out.writeUInt32BE(length, 0);
  out.write(text, FRAME_HEADER_BYTES, 'utf8');
  return out;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

/**
 * A leader sends each proposal's payload to every learner (and may send it again in a DIFF): the
 * payload, immutable, is turned into text once. The text is what JSON.stringify would write for the
 * frame `{ t, msg, payloads }` (in that key order, as QuorumPeer builds it).
 */
function messageText(msg: Message, payloads: readonly TxnPayload[]): string {
  const parts = payloads.map((payload) => {
    let text = payloadTexts.get(payload);
    if (text === undefined) {
      text = JSON.stringify(tagged(payload));
      payloadTexts.set(payload, text);
    }
    return text;
  });
  return `{"t":"message","msg":${JSON.stringify(tagged(msg))},"payloads":[${parts.join(',')}]}`;
}

const payloadTexts = new WeakMap<TxnPayload, string>();

/** A copy of `value` in which bigints and byte arrays are tagged objects; undefined fields are left out, as JSON does. */
function tagged(value: unknown): unknown {
  if (typeof value === 'bigint') return { $n: value.toString() };
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return { $b: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map(tagged);
  if (value instanceof Set || value instanceof Map) throw new TypeError('encodePeerFrame: convert Sets and Maps to arrays first');
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined && typeof item !== 'function') out[key] = tagged(item);
  }
  return out;
}

/** Replaces the tagged objects of freshly parsed JSON, in place. */
function untagged(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) value[index] = untagged(value[index]);
    return value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && typeof record.$n === 'string') return BigInt(record.$n);
  if (keys.length === 1 && typeof record.$b === 'string') return new Uint8Array(Buffer.from(record.$b, 'base64'));
  for (const key of keys) record[key] = untagged(record[key]);
  return record;
}

const FRAME_TYPES = new Set(['hello', 'message', 'ping', 'request', 'refused', 'sync', 'synced']);

const TEXT_START = 0x7b; // '{'

/** Throws an Error naming what is wrong with a body that is not a frame (the connection is then closed). */
export function decodePeerFrame(body: Buffer): PeerFrame {
  if (body.length > 0 && body[0] !== TEXT_START) return decodeBinaryFrame(body);
  const value = untagged(JSON.parse(body.toString('utf8'))) as { t?: unknown } | null;
  if (value === null || typeof value !== 'object' || typeof value.t !== 'string' || !FRAME_TYPES.has(value.t)) {
    throw new Error(`not a peer frame: ${body.subarray(0, 40).toString('utf8')}`);
  }
  return value as PeerFrame;
}

const EMPTY = Buffer.alloc(0);

/** Splits a byte stream into frame bodies; throws on a length over the limit (the connection is then closed). */
export class FrameSplitter {
  private buffered: Buffer = EMPTY;

  constructor(private readonly frameBytesMax: number) {}

  /** Bytes received after the last whole frame. */
  get remainder(): Buffer {
    return this.buffered;
  }

  push(chunk: Buffer): Buffer[] {
    // One view per frame, not two: a leader's socket reads carry dozens of frames each.
    const buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const bodies: Buffer[] = [];
    let offset = 0;
    try {
      while (buffered.length - offset >= FRAME_HEADER_BYTES) {
        const length = buffered.readUInt32BE(offset);
        if (length > this.frameBytesMax) throw new Error(`peer frame of ${length} bytes exceeds ${this.frameBytesMax}`);
        if (buffered.length - offset < FRAME_HEADER_BYTES + length) break;
        bodies.push(buffered.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + length));
        offset += FRAME_HEADER_BYTES + length;
      }
    } finally {
      this.buffered = offset === buffered.length ? EMPTY : buffered.subarray(offset);
    }
    return bodies;
  }
}
