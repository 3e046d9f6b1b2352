import { JUTE_MAX_BUFFER_DEFAULT } from './constants.js';

/** Why a jute read failed. Every kind names a property of the bytes, never of the reader. */
export type JuteDecodeErrorKind =
  | 'truncated' // a fixed-size field or a length-prefixed body runs past the end of the frame
  | 'badLength' // a length or count below -1
  | 'lengthOverMax' // a length or count above jute.maxbuffer
  | 'nullField' // -1 (null) where the record needs a value (a path, a vector of paths, an ACL list)
  | 'invalidMultiOp' // a multi header with an opcode that cannot appear inside a multi
  | 'mixedMultiOps'; // a multi mixing read ops (getData, getChildren) and write ops

/**
 * Thrown by JuteReader inside the codec and caught at the codec's boundary (decodeClientRequest,
 * decodeReply): callers of the public decoders see it as a value, never as an exception.
 */
export class JuteDecodeError extends Error {
  constructor(
    readonly kind: JuteDecodeErrorKind,
    /** The dotted field path being read, e.g. "CreateRequest.acl[1].id.scheme". */
    readonly field: string,
    /** Byte offset within the frame payload where the failing field starts. */
    readonly offset: number,
    message: string,
  ) {
    super(message);
    this.name = 'JuteDecodeError';
  }
}

/** What a reader is about to allocate because of a length field (for tests and for accounting). */
export interface JuteAllocation {
  field: string;
  /** 'bytes' for buffers and strings (byteLength bytes); 'vector' for element counts. */
  unit: 'bytes' | 'vector';
  length: number;
  /** Bytes left in the frame after the length field itself. */
  remainingByteCount: number;
}

export interface JuteReaderOptions {
  /** jute.maxbuffer; any length or count above it is rejected before allocation. */
  maxBufferBytes?: number;
  /** Called after a length field passed every check and before anything is allocated for it. */
  onAllocate?: (allocation: JuteAllocation) => void;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * A bounds-checked jute (BinaryInputArchive) reader over one frame payload. All multi-byte values
 * are big-endian; every jute `long` is returned as a signed 64-bit bigint.
 *
 * Invariant: 0 <= offset <= bytes.byteLength. A length field is checked against both the bytes left
 * and maxBufferBytes before anything is allocated, so a hostile length costs nothing.
 */
export class JuteReader {
  private offset = 0;
  private readonly view: DataView;
  readonly maxBufferBytes: number;
  private readonly onAllocate: ((allocation: JuteAllocation) => void) | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    options: JuteReaderOptions = {},
  ) {
    this.maxBufferBytes = options.maxBufferBytes ?? JUTE_MAX_BUFFER_DEFAULT;
    if (!Number.isSafeInteger(this.maxBufferBytes) || this.maxBufferBytes < 0) {
      throw new RangeError(`maxBufferBytes must be a non-negative safe integer, got ${this.maxBufferBytes}`);
    }
    this.onAllocate = options.onAllocate;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get position(): number {
    return this.offset;
  }

  get remainingByteCount(): number {
    return this.bytes.byteLength - this.offset;
  }

  readInt(field: string): number {
    this.require(4, field);
    const value = this.view.getInt32(this.offset, false);
    this.offset += 4;
    return value;
  }

  readLong(field: string): bigint {
    this.require(8, field);
    const value = this.view.getBigInt64(this.offset, false);
    this.offset += 8;
    return value;
  }

  /** Java's DataInput.readBoolean: any non-zero byte is true. */
  readBool(field: string): boolean {
    this.require(1, field);
    const value = this.bytes[this.offset] !== 0;
    this.offset += 1;
    return value;
  }

  /** jute `buffer`: int length, -1 = null. The result is a copy, independent of the frame. */
  readBuffer(field: string): Uint8Array | null {
    const start = this.offset;
    const length = this.readLength(field, 'bytes', 1);
    if (length === null) return null;
    this.onAllocate?.({ field, unit: 'bytes', length, remainingByteCount: this.remainingByteCount });
    // Not bytes.slice: on a Buffer (a socket chunk) that is a view, and a node's data would keep the whole chunk alive.
    const copy = new Uint8Array(this.bytes.subarray(this.offset, this.offset + length));
    this.offset += length;
    assertAdvanced(start, this.offset, 4 + length);
    return copy;
  }

  /** jute `ustring`: int byte length, -1 = null, UTF-8 (malformed sequences become U+FFFD, as in Java). */
  readUstring(field: string): string | null {
    const length = this.readLength(field, 'bytes', 1);
    if (length === null) return null;
    this.onAllocate?.({ field, unit: 'bytes', length, remainingByteCount: this.remainingByteCount });
    const text = utf8Decoder.decode(this.bytes.subarray(this.offset, this.offset + length));
    this.offset += length;
    return text;
  }

  /** A ustring the record cannot do without (a path, a scheme): -1 is a decode error. */
  readRequiredUstring(field: string): string {
    const start = this.offset;
    const text = this.readUstring(field);
    if (text === null) throw new JuteDecodeError('nullField', field, start, `${field} is null (-1)`);
    return text;
  }

  /**
   * jute `vector<T>`: int count, -1 = null, then count elements. minElementByteCount is the fewest
   * bytes one element can take; a count that cannot fit in the bytes left is rejected up front, so
   * the loop below runs at most remainingByteCount / minElementByteCount times.
   */
  readVector<T>(
    field: string,
    minElementByteCount: number,
    readElement: (reader: JuteReader, elementField: string) => T,
  ): T[] | null {
    if (!(Number.isInteger(minElementByteCount) && minElementByteCount >= 1)) {
      throw new RangeError(`minElementByteCount must be a positive integer, got ${minElementByteCount}`);
    }
    const count = this.readLength(field, 'vector', minElementByteCount);
    if (count === null) return null;
    this.onAllocate?.({ field, unit: 'vector', length: count, remainingByteCount: this.remainingByteCount });
    const elements: T[] = [];
    for (let index = 0; index < count; index += 1) {
      elements.push(readElement(this, `${field}[${index}]`));
    }
    return elements;
  }

  readRequiredVector<T>(
    field: string,
    minElementByteCount: number,
    readElement: (reader: JuteReader, elementField: string) => T,
  ): T[] {
    const start = this.offset;
    const elements = this.readVector(field, minElementByteCount, readElement);
    if (elements === null) throw new JuteDecodeError('nullField', field, start, `${field} is null (-1)`);
    return elements;
  }

  /**
   * Reads a length or count and checks it before anyone allocates: -1 is null, below -1 is bad,
   * above maxBufferBytes is over the limit, and length * unitByteCount must fit in the bytes left.
   */
  private readLength(field: string, unit: 'bytes' | 'vector', unitByteCount: number): number | null {
    const start = this.offset;
    const length = this.readInt(`${field}.length`);
    if (length === -1) return null;
    if (length < -1) {
      throw new JuteDecodeError('badLength', field, start, `${field}: length ${length} is negative`);
    }
    if (length > this.maxBufferBytes) {
      throw new JuteDecodeError(
        'lengthOverMax',
        field,
        start,
        `${field}: ${unit === 'vector' ? 'count' : 'length'} ${length} exceeds jute.maxbuffer ${this.maxBufferBytes}`,
      );
    }
    if (length * unitByteCount > this.remainingByteCount) {
      throw new JuteDecodeError(
        'truncated',
        field,
        start,
        `${field}: ${unit === 'vector' ? `count ${length} needs at least ${length * unitByteCount}` : `length ${length} needs ${length}`} bytes, ${this.remainingByteCount} left`,
      );
    }
    return length;
  }

  private require(byteCount: number, field: string): void {
    if (this.remainingByteCount < byteCount) {
      throw new JuteDecodeError(
        'truncated',
        field,
        this.offset,
        `${field}: needs ${byteCount} bytes, ${this.remainingByteCount} left`,
      );
    }
  }
}

function assertAdvanced(start: number, end: number, expected: number): void {
  if (end - start !== expected) {
    throw new Error(`JuteReader invariant: advanced ${end - start} bytes, expected ${expected}`);
  }
}
