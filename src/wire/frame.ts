/**
 * Framing: every message on a ZooKeeper client connection is a 4-byte big-endian length followed by
 * that many bytes. The first 4 bytes of a connection may instead be a four-letter word.
 */
import { JUTE_MAX_BUFFER_DEFAULT } from './constants.js';
import { detectFourLetterWord, type FourLetterWordDetection } from './fourLetterWords.js';
import { JuteWriter } from './juteWriter.js';

/**
 * Writes a frame: reserves the length, lets writeBody fill the payload, then patches the length.
 * One scratch writer serves every frame (writeBody never encodes another frame), and the frame is
 * copied out of Node's small-buffer pool: a reply costs no ArrayBuffer of its own.
 */
export function encodeFrame(writeBody: (writer: JuteWriter) => void): Uint8Array {
  const writer = scratch.reset();
  writer.writeInt(0);
  writeBody(writer);
  writer.patchInt(0, writer.byteLength - 4);
  return writer.toPooledBytes();
}

const scratch = new JuteWriter();

export interface FrameError {
  kind: 'negativeLength' | 'lengthOverMax';
  length: number;
  maxBufferBytes: number;
  message: string;
}

export type FrameDecoderEvent =
  | { kind: 'frame'; payload: Uint8Array }
  | { kind: 'fourLetterWord'; detection: FourLetterWordDetection }
  | { kind: 'error'; error: FrameError };

export interface FrameDecoderOptions {
  /** jute.maxbuffer: a length above it is rejected before its body is buffered. */
  maxBufferBytes?: number;
  /** Read the first 4 bytes of the connection as a possible four-letter word (ZooKeeper does). */
  detectFourLetterWords?: boolean;
  /** Called with a frame's length after it passed the checks, before its payload is allocated. */
  onAllocate?: (byteLength: number) => void;
}

/**
 * A streaming frame decoder: push chunks split anywhere, receive complete frames in order.
 *
 * After an 'error' or a 'fourLetterWord' event the decoder is finished (ZooKeeper closes the
 * connection in both cases): later pushes return nothing and bufferedByteCount stays 0. Memory held
 * is at most 4 + maxBufferBytes plus one chunk, because a length is judged before its body is kept.
 */
export class FrameDecoder {
  private readonly maxBufferBytes: number;
  private readonly detectFourLetterWords: boolean;
  private readonly onAllocate: ((byteLength: number) => void) | undefined;
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private bodyLength: number | null = null;
  private firstHeaderSeen = false;
  private finishedBy: FrameDecoderEvent | null = null;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxBufferBytes = options.maxBufferBytes ?? JUTE_MAX_BUFFER_DEFAULT;
    if (!Number.isSafeInteger(this.maxBufferBytes) || this.maxBufferBytes < 0 || this.maxBufferBytes > 0x7fff_ffff) {
      throw new RangeError(`maxBufferBytes must be an integer in [0, 2^31), got ${this.maxBufferBytes}`);
    }
    this.detectFourLetterWords = options.detectFourLetterWords ?? true;
    this.onAllocate = options.onAllocate;
  }

  get bufferedByteCount(): number {
    return this.buffered;
  }

  /** The event that finished the decoder, or null while it still accepts bytes. */
  get finishedWith(): FrameDecoderEvent | null {
    return this.finishedBy;
  }

  push(chunk: Uint8Array): FrameDecoderEvent[] {
    if (this.finishedBy !== null) return [];
    if (chunk.byteLength > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.byteLength;
    }
    const events: FrameDecoderEvent[] = [];
    for (;;) {
      if (this.bodyLength === null) {
        if (this.buffered < 4) break;
        const header = this.take(4);
        const finished = this.acceptHeader(header);
        if (finished !== null) {
          events.push(finished);
          this.finish(finished);
          break;
        }
      }
      const length = this.bodyLength;
      if (length === null || this.buffered < length) break;
      this.onAllocate?.(length);
      events.push({ kind: 'frame', payload: this.take(length) });
      this.bodyLength = null;
    }
    return events;
  }

  /** Judges a 4-byte header; returns the finishing event, or null after setting bodyLength. */
  private acceptHeader(header: Uint8Array): FrameDecoderEvent | null {
    const isFirst = !this.firstHeaderSeen;
    this.firstHeaderSeen = true;
    if (isFirst && this.detectFourLetterWords) {
      const detection = detectFourLetterWord(header);
      if (detection !== null) return { kind: 'fourLetterWord', detection };
    }
    const length = new DataView(header.buffer, header.byteOffset, 4).getInt32(0, false);
    if (length < 0) {
      return { kind: 'error', error: frameError('negativeLength', length, this.maxBufferBytes) };
    }
    if (length > this.maxBufferBytes) {
      return { kind: 'error', error: frameError('lengthOverMax', length, this.maxBufferBytes) };
    }
    this.bodyLength = length;
    return null;
  }

  private finish(event: FrameDecoderEvent): void {
    this.finishedBy = event;
    this.chunks = [];
    this.buffered = 0;
    this.bodyLength = null;
  }

  /** Removes exactly byteCount bytes from the front of the buffered chunks (byteCount <= buffered). */
  private take(byteCount: number): Uint8Array {
    if (byteCount > this.buffered) throw new Error(`FrameDecoder.take(${byteCount}) with ${this.buffered} buffered`);
    const out = new Uint8Array(byteCount);
    let filled = 0;
    while (filled < byteCount) {
      const head = this.chunks[0];
      const wanted = byteCount - filled;
      if (head.byteLength <= wanted) {
        out.set(head, filled);
        filled += head.byteLength;
        this.chunks.shift();
      } else {
        out.set(head.subarray(0, wanted), filled);
        filled += wanted;
        this.chunks[0] = head.subarray(wanted);
      }
    }
    this.buffered -= byteCount;
    return out;
  }
}

function frameError(kind: FrameError['kind'], length: number, maxBufferBytes: number): FrameError {
  const reason = kind === 'negativeLength' ? 'is negative' : `exceeds jute.maxbuffer ${maxBufferBytes}`;
  return { kind, length, maxBufferBytes, message: `frame length ${length} ${reason}` };
}
