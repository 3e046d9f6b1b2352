import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JuteDecodeError, JuteReader, type JuteAllocation } from '../../src/wire/juteReader.js';
import { JuteWriter } from '../../src/wire/juteWriter.js';
import { bytes, int32, int64, text } from './arbitraries.js';
import { fastCheckParameters, fromHex, hex } from './fastCheckParameters.js';

function decodeError(read: () => unknown): JuteDecodeError {
  try {
    read();
  } catch (error) {
    if (error instanceof JuteDecodeError) return error;
    throw error;
  }
  throw new Error('expected a JuteDecodeError');
}

describe('jute primitives', () => {
  it('round-trips int, long, bool, buffer, ustring and vector in sequence', () => {
    fc.assert(
      fc.property(int32, int64, fc.boolean(), fc.option(bytes, { nil: null }), fc.option(text, { nil: null }), fc.option(fc.array(text), { nil: null }),
        (i, l, b, buffer, s, v) => {
          const writer = new JuteWriter(1);
          writer.writeInt(i).writeLong(l).writeBool(b).writeBuffer(buffer).writeUstring(s);
          writer.writeVector(v, (w, e) => void w.writeUstring(e));
          const reader = new JuteReader(writer.toBytes());
          expect(reader.readInt('i')).toBe(i);
          expect(reader.readLong('l')).toBe(l);
          expect(reader.readBool('b')).toBe(b);
          expect(reader.readBuffer('buffer')).toEqual(buffer);
          expect(reader.readUstring('s')).toBe(s);
          expect(reader.readVector('v', 4, (r, f) => r.readRequiredUstring(f))).toEqual(v);
          expect(reader.remainingByteCount).toBe(0);
        }),
      fastCheckParameters(300),
    );
  });

  it('writes big-endian two’s complement, -1 for null', () => {
    const writer = new JuteWriter();
    writer.writeInt(-2).writeLong(-(1n << 63n)).writeBool(true).writeBuffer(null).writeUstring('é').writeVector(null, () => undefined);
    expect(hex(writer.toBytes())).toBe('fffffffe' + '8000000000000000' + '01' + 'ffffffff' + '00000002c3a9' + 'ffffffff');
  });

  it('a buffer read from a socket chunk (a Node Buffer) is a copy: it neither changes with the chunk nor keeps it alive', () => {
    const chunk = Buffer.from(fromHex('00000003 0a0b0c ff'));
    const data = new JuteReader(chunk).readBuffer('data') as Uint8Array;
    chunk.fill(0);
    expect([...data]).toEqual([10, 11, 12]);
    expect(data.buffer.byteLength).toBe(3);
  });

  it('reads any non-zero boolean byte as true, as Java readBoolean does', () => {
    expect(new JuteReader(fromHex('02')).readBool('b')).toBe(true);
    expect(new JuteReader(fromHex('00')).readBool('b')).toBe(false);
  });

  it('replaces malformed UTF-8 with U+FFFD like Java, instead of failing', () => {
    expect(new JuteReader(fromHex('00000002 c328')).readUstring('s')).toBe('\ufffd(');
  });

  it('rejects out-of-range values on write: the writer never wraps silently', () => {
    const writer = new JuteWriter();
    expect(() => writer.writeInt(2 ** 31)).toThrow(RangeError);
    expect(() => writer.writeInt(1.5)).toThrow(RangeError);
    expect(() => writer.writeLong(1n << 63n)).toThrow(RangeError);
    expect(writer.byteLength).toBe(0);
  });

  it('names the field and offset of a truncated fixed-size field', () => {
    const reader = new JuteReader(fromHex('00000001 0000'));
    reader.readInt('first');
    const error = decodeError(() => reader.readLong('Rec.second'));
    expect(error).toMatchObject({ kind: 'truncated', field: 'Rec.second', offset: 4 });
  });

  it('judges a length against the bytes left, against maxbuffer and against -1 before allocating', () => {
    const allocations: JuteAllocation[] = [];
    const onAllocate = (allocation: JuteAllocation): void => void allocations.push(allocation);
    expect(decodeError(() => new JuteReader(fromHex('00000005 0102'), { onAllocate }).readBuffer('b')).kind).toBe('truncated');
    expect(decodeError(() => new JuteReader(fromHex('fffffffe'), { onAllocate }).readBuffer('b')).kind).toBe('badLength');
    expect(decodeError(() => new JuteReader(fromHex('80000000'), { onAllocate }).readUstring('s')).kind).toBe('badLength');
    expect(decodeError(() => new JuteReader(fromHex('7fffffff'), { onAllocate }).readUstring('s')).kind).toBe('lengthOverMax');
    const small = new JuteReader(fromHex('00000003 010203'), { maxBufferBytes: 2, onAllocate });
    expect(decodeError(() => small.readBuffer('b')).kind).toBe('lengthOverMax');
    expect(allocations).toEqual([]);
    expect(new JuteReader(fromHex('00000002 0102'), { maxBufferBytes: 2, onAllocate }).readBuffer('b')).toEqual(fromHex('0102'));
    expect(allocations).toEqual([{ field: 'b', unit: 'bytes', length: 2, remainingByteCount: 2 }]);
  });

  it('rejects a vector count that cannot fit in the bytes left, before reading any element', () => {
    let elementsRead = 0;
    const reader = new JuteReader(fromHex('00100000' + '00'.repeat(64)));
    const error = decodeError(() => reader.readVector('v', 4, (r, f) => (elementsRead += 1, r.readInt(f))));
    expect(error).toMatchObject({ kind: 'truncated', field: 'v' });
    expect(elementsRead).toBe(0);
    expect(decodeError(() => new JuteReader(fromHex('ffffffff')).readRequiredVector('v', 4, (r, f) => r.readInt(f))).kind).toBe('nullField');
  });

  it('copies buffers out of the frame, so a reused frame buffer cannot change decoded data', () => {
    const frame = fromHex('00000002 0102');
    const value = new JuteReader(frame).readBuffer('b');
    frame.fill(0);
    expect(value).toEqual(fromHex('0102'));
  });
});
