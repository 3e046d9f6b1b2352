const utf8Encoder = new TextEncoder();

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const INITIAL_CAPACITY_BYTES = 256;

/**
 * A growable jute (BinaryOutputArchive) writer. Arguments out of range are programming errors and
 * throw RangeError: the writer never truncates or wraps a value silently.
 */
export class JuteWriter {
  private bytes: Uint8Array;
  private view: DataView;
  private length = 0;

  constructor(initialCapacityBytes: number = INITIAL_CAPACITY_BYTES) {
    this.bytes = new Uint8Array(Math.max(16, initialCapacityBytes));
    this.view = new DataView(this.bytes.buffer);
  }

  /** Starts over, keeping the storage: for a writer reused record after record. */
  reset(): this {
    this.length = 0;
    return this;
  }

  get byteLength(): number {
    return this.length;
  }

  writeInt(value: number, field = 'int'): this {
    if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
      throw new RangeError(`${field}: ${value} is not a 32-bit signed integer`);
    }
    this.reserve(4);
    this.view.setInt32(this.length, value, false);
    this.length += 4;
    return this;
  }

  writeLong(value: bigint, field = 'long'): this {
    if (typeof value !== 'bigint' || value < INT64_MIN || value > INT64_MAX) {
      throw new RangeError(`${field}: ${String(value)} is not a 64-bit signed bigint`);
    }
    this.reserve(8);
    this.view.setBigInt64(this.length, value, false);
    this.length += 8;
    return this;
  }

  writeBool(value: boolean): this {
    this.reserve(1);
    this.bytes[this.length] = value ? 1 : 0;
    this.length += 1;
    return this;
  }

  /** jute `buffer`: null is written as length -1. */
  writeBuffer(value: Uint8Array | null): this {
    if (value === null) return this.writeInt(-1);
    this.writeInt(value.byteLength);
    this.writeRaw(value);
    return this;
  }

  /** jute `ustring`: UTF-8 bytes, null is written as length -1. */
  writeUstring(value: string | null): this {
    if (value === null) return this.writeInt(-1);
    return this.writeBuffer(utf8Encoder.encode(value));
  }

  /** jute `vector<T>`: null is written as count -1. */
  writeVector<T>(elements: readonly T[] | null, writeElement: (writer: JuteWriter, element: T) => void): this {
    if (elements === null) return this.writeInt(-1);
    this.writeInt(elements.length);
    for (const element of elements) writeElement(this, element);
    return this;
  }

  writeRaw(value: Uint8Array): this {
    this.reserve(value.byteLength);
    this.bytes.set(value, this.length);
    this.length += value.byteLength;
    return this;
  }

  /** Overwrites a 32-bit int already written at offset (used to patch a frame length). */
  patchInt(offset: number, value: number): this {
    if (!Number.isInteger(offset) || offset < 0 || offset + 4 > this.length) {
      throw new RangeError(`patchInt: offset ${offset} is outside the ${this.length} bytes written`);
    }
    if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
      throw new RangeError(`patchInt: ${value} is not a 32-bit signed integer`);
    }
    this.view.setInt32(offset, value, false);
    return this;
  }

  /** A copy of the bytes written so far. */
  toBytes(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }

  /**
   * A copy in a slice of Node's shared small-buffer pool: cheap, but it keeps its pool slab alive as
   * long as it lives, so only for bytes that are soon dropped (a frame sent to a socket).
   */
  toPooledBytes(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    out.set(this.bytes.subarray(0, this.length));
    return out;
  }

  private reserve(byteCount: number): void {
    const needed = this.length + byteCount;
    if (needed <= this.bytes.byteLength) return;
    let capacity = this.bytes.byteLength * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }
}
