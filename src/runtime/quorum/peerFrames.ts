import type { Message } from '../../protocol/Message.js';
import type { Txn, WriteRequest } from '../../service/index.js';
import { fromTaggedJson, toTaggedJson } from '../storage/taggedJson.js';

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

/**
 * What travels between two servers. `message` frames carry the chart's messages (the only frames
 * the chart sees); the others are the runtime's own traffic, which ZooKeeper also has outside ZAB:
 * PING (liveness and session touches), REQUEST (a learner forwards a client write), REFUSED (the
 * leader's answer to a write it would not propose), SYNC/SYNCED (a client's sync through a learner).
 */
export type PeerFrame =
  | { readonly t: 'hello'; readonly sid: number }
  | { readonly t: 'message'; readonly msg: Message; readonly payloads?: readonly TxnPayload[] }
  | { readonly t: 'ping'; readonly sessions?: readonly bigint[] }
  | { readonly t: 'request'; readonly id: number; readonly request: WriteRequest }
  | { readonly t: 'refused'; readonly id: number; readonly code: number }
  | { readonly t: 'sync'; readonly id: number }
  | { readonly t: 'synced'; readonly id: number; readonly zxid: bigint };

export const FRAME_HEADER_BYTES = 4;
/** A SNAP carries the whole history, so peer frames may be far larger than a client's jute.maxbuffer. */
export const PEER_FRAME_BYTES_MAX_DEFAULT = 512 * 1024 * 1024;

/** Length (u32 BE) then the frame as tagged JSON (bigints and byte arrays survive the trip). */
export function encodePeerFrame(frame: PeerFrame): Buffer {
  const body = Buffer.from(toTaggedJson(frame), 'utf8');
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, FRAME_HEADER_BYTES);
  return out;
}

const FRAME_TYPES = new Set(['hello', 'message', 'ping', 'request', 'refused', 'sync', 'synced']);

export function decodePeerFrame(body: Buffer): PeerFrame {
  const value = fromTaggedJson(body.toString('utf8')) as { t?: unknown } | null;
  if (value === null || typeof value !== 'object' || typeof value.t !== 'string' || !FRAME_TYPES.has(value.t)) {
    throw new Error(`not a peer frame: ${body.subarray(0, 40).toString('utf8')}`);
  }
  return value as PeerFrame;
}

/** Splits a byte stream into frame bodies; throws on a length over the limit (the connection is then closed). */
export class FrameSplitter {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly frameBytesMax: number) {}

  /** Bytes received after the last whole frame. */
  get remainder(): Buffer {
    return this.buffered;
  }

  push(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const bodies: Buffer[] = [];
    while (this.buffered.length >= FRAME_HEADER_BYTES) {
      const length = this.buffered.readUInt32BE(0);
      if (length > this.frameBytesMax) throw new Error(`peer frame of ${length} bytes exceeds ${this.frameBytesMax}`);
      if (this.buffered.length < FRAME_HEADER_BYTES + length) break;
      bodies.push(this.buffered.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length));
      this.buffered = this.buffered.subarray(FRAME_HEADER_BYTES + length);
    }
    return bodies;
  }
}
