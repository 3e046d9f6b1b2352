const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * Writes jute fields (big-endian ints and longs, int-length-prefixed UTF-8 and byte arrays) into one
 * scratch Buffer that every frame reuses, then copies out what was written. JuteWriter allocates a
 * fresh backing store per record and TextEncoder crosses into C++ per string: each costs about a
 * microsecond, more than a whole small record here. Encoding never nests, so one scratch suffices.
 *
 * Each method checks the JavaScript type and range of its value and throws when it does not fit:
 * the caller then sends the frame in its text form, so nothing is ever truncated or coerced.
 */
export class FrameWriter {
  private buffer = Buffer.allocUnsafe(4096);
  /** For longs: DataView's setBigInt64 is a builtin, Buffer's writeBigInt64BE four BigInt operations. */
  private view = viewOf(this.buffer);
  private length = 0;

  /** Starts a new record, forgetting the previous one. */
  reset(): this {
    this.length = 0;
    return this;
  }

  get byteLength(): number {
    return this.length;
  }

  writeByte(value: number): this {
    this.reserve(1);
    this.buffer[this.length++] = value;
    return this;
  }

  writeInt(value: unknown): this {
    if (typeof value !== 'number' || (value | 0) !== value) throw new RangeError(`${String(value)} is not a 32-bit int`);
    this.reserve(4);
    this.buffer.writeInt32BE(value, this.length);
    this.length += 4;
    return this;
  }

  writeUInt(value: unknown): this {
    if (typeof value !== 'number' || value >>> 0 !== value) throw new RangeError(`${String(value)} is not a 32-bit unsigned int`);
    this.reserve(4);
    this.buffer.writeUInt32BE(value, this.length);
    this.length += 4;
    return this;
  }

  writeLong(value: unknown): this {
    if (typeof value !== 'bigint' || value < INT64_MIN || value > INT64_MAX) throw new RangeError(`${String(value)} is not a 64-bit long`);
    this.reserve(8);
    this.view.setBigInt64(this.length, value);
    this.length += 8;
    return this;
  }

  /** A number that must be an integer (a clock, a counter): as a jute long, without a BigInt. */
  writeIntegral(value: unknown): this {
    if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) >= TWO_63) throw new RangeError(`${String(value)} is not a 64-bit integer`);
    // Both halves are exact: dividing by a power of two and flooring lose nothing for an integer.
    const high = Math.floor(value / TWO_32);
    this.reserve(8);
    this.buffer.writeInt32BE(high, this.length);
    this.buffer.writeUInt32BE(value - high * TWO_32, this.length + 4);
    this.length += 8;
    return this;
  }

  writeBool(value: unknown): this {
    if (typeof value !== 'boolean') throw new TypeError(`${String(value)} is not a boolean`);
    return this.writeByte(value ? 1 : 0);
  }

  /** jute `buffer`. */
  writeBuffer(value: unknown): this {
    if (!(value instanceof Uint8Array)) throw new TypeError('not a byte array');
    this.reserve(4 + value.byteLength);
    this.buffer.writeInt32BE(value.byteLength, this.length);
    this.buffer.set(value, this.length + 4);
    this.length += 4 + value.byteLength;
    return this;
  }

  /** jute `ustring`. A lone surrogate has no UTF-8 form: the text form keeps it, this one would not. */
  writeUstring(value: unknown): this {
    if (typeof value !== 'string') throw new TypeError(`${String(value)} is not well-formed text`);
    this.reserve(4 + 3 * value.length);
    // Short ASCII text (paths, schemes, ids), the usual case, is copied here: Buffer.write's call
    // into C++ and the well-formedness check cost more than the copy. A lone surrogate is not ASCII.
    if (value.length <= ASCII_COPY_LENGTH_MAX) {
      const buffer = this.buffer;
      const start = this.length + 4;
      let index = 0;
      for (; index < value.length; index++) {
        const code = value.charCodeAt(index);
        if (code >= 0x80) break;
        buffer[start + index] = code;
      }
      if (index === value.length) {
        buffer.writeInt32BE(index, this.length);
        this.length = start + index;
        return this;
      }
    }
    if (!(value as WellFormedCheck).isWellFormed()) throw new TypeError(`${value} is not well-formed text`);
    const byteCount = this.buffer.write(value, this.length + 4, 'utf8');
    this.buffer.writeInt32BE(byteCount, this.length);
    this.length += 4 + byteCount;
    return this;
  }

  /** jute `vector<T>`. */
  writeVector<T>(elements: unknown, writeElement: (writer: FrameWriter, element: T) => void): this {
    if (!Array.isArray(elements)) throw new TypeError('not an array');
    this.writeInt(elements.length);
    for (const element of elements as T[]) writeElement(this, element);
    return this;
  }

  writeRaw(bytes: Uint8Array): this {
    this.reserve(bytes.byteLength);
    this.buffer.set(bytes, this.length);
    this.length += bytes.byteLength;
    return this;
  }

  /** Overwrites the int at `offset` (a length known only at the end). */
  patchInt(offset: number, value: number): this {
    this.buffer.writeInt32BE(value, offset);
    return this;
  }

  /** A copy of what was written, from Node's small-buffer pool. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    this.buffer.copy(out, 0, 0, this.length);
    return out;
  }

  private reserve(byteCount: number): void {
    const needed = this.length + byteCount;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, 2 * this.buffer.length));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
    this.view = viewOf(grown);
  }
}

const TWO_32 = 2 ** 32;
const TWO_63 = 2 ** 63;

function viewOf(buffer: Buffer): DataView {
  return new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** ES2024, in every Node this runs on, though not in the ES2022 lib the project compiles against. */
type WellFormedCheck = string & { isWellFormed(): boolean };

/** Longer text goes to Buffer.write, whose fixed cost is then small beside the copy (the snapv2 branch's measure). */
const ASCII_COPY_LENGTH_MAX = 64;
