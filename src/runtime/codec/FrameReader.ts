/**
 * Reads the jute fields FrameWriter writes, from one frame body, bounds-checked: a field that runs
 * past the end, a negative length, or a length or count that cannot fit in the bytes left throws
 * an Error naming the field, before anything is allocated for it. (JuteReader does the same for the
 * client protocol; this one reads a Buffer directly, with no DataView or per-field bookkeeping,
 * because it runs for every frame of every write.)
 *
 * Invariant: start <= offset <= body.length.
 */
export class FrameReader {
  private offset: number;
  private view: DataView | undefined;

  constructor(
    private readonly body: Buffer,
    start: number,
  ) {
    this.offset = start;
  }

  /** Where the next field starts. */
  get position(): number {
    return this.offset;
  }

  /** A copy of the bytes from `start` to the position (from Node's small-buffer pool). */
  copyFrom(start: number): Buffer {
    const out = Buffer.allocUnsafe(this.offset - start);
    this.body.copy(out, 0, start, this.offset);
    return out;
  }

  get remainingByteCount(): number {
    return this.body.length - this.offset;
  }

  readByte(field: string): number {
    this.require(1, field);
    return this.body[this.offset++];
  }

  /** Any non-zero byte is true, as Java's DataInput.readBoolean. */
  readBool(field: string): boolean {
    return this.readByte(field) !== 0;
  }

  readInt(field: string): number {
    this.require(4, field);
    const value = this.body.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  readUInt(field: string): number {
    this.require(4, field);
    const value = this.body.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  readLong(field: string): bigint {
    this.require(8, field);
    // DataView's getBigInt64 is a builtin; Buffer's readBigInt64BE builds the value from BigInts.
    this.view ??= new DataView(this.body.buffer, this.body.byteOffset, this.body.byteLength);
    const value = this.view.getBigInt64(this.offset);
    this.offset += 8;
    return value;
  }

  /** A jute long that FrameWriter.writeIntegral wrote from a number, as that number. */
  readIntegral(field: string): number {
    this.require(8, field);
    const value = this.body.readInt32BE(this.offset) * 2 ** 32 + this.body.readUInt32BE(this.offset + 4);
    this.offset += 8;
    return value;
  }

  readDouble(field: string): number {
    this.require(8, field);
    const value = this.body.readDoubleBE(this.offset);
    this.offset += 8;
    return value;
  }

  /** A jute `buffer` that may not be null; a copy, so that it does not keep the socket's chunk alive. */
  readBuffer(field: string): Uint8Array {
    const length = this.readLength(field, 1);
    const copy = new Uint8Array(length);
    copy.set(this.body.subarray(this.offset, this.offset + length));
    this.offset += length;
    return copy;
  }

  /** A jute `ustring` that may not be null; malformed UTF-8 becomes U+FFFD, as in Java. */
  readUstring(field: string): string {
    const length = this.readLength(field, 1);
    const text = this.body.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return text;
  }

  /**
   * A jute `vector` that may not be null: its count, checked so that `count` elements of at least
   * `minElementByteCount` bytes each fit in the bytes left; the caller reads the elements.
   */
  readCount(field: string, minElementByteCount: number): number {
    return this.readLength(field, minElementByteCount);
  }

  /** Throws unless every byte was read. */
  expectEnd(): void {
    if (this.offset !== this.body.length) throw new Error(`${this.body.length - this.offset} bytes after the frame`);
  }

  private readLength(field: string, unitByteCount: number): number {
    const length = this.readInt(field);
    if (length < 0) throw new Error(`${field}: length ${length} is negative`);
    if (length * unitByteCount > this.body.length - this.offset) {
      throw new Error(`${field}: length ${length} needs ${length * unitByteCount} bytes, ${this.body.length - this.offset} left`);
    }
    return length;
  }

  private require(byteCount: number, field: string): void {
    if (this.body.length - this.offset < byteCount) throw new Error(`${field}: needs ${byteCount} bytes, ${this.body.length - this.offset} left`);
  }
}
