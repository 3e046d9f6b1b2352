import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameDecoder, encodeFrame, type FrameDecoderEvent } from '../../src/wire/frame.js';
import { fastCheckParameters, fromHex } from './fastCheckParameters.js';

function frames(payloads: Uint8Array[]): Uint8Array {
  return Buffer.concat(payloads.map((payload) => encodeFrame((writer) => void writer.writeRaw(payload))));
}

/** Splits bytes at the given cut points (any order, duplicates allowed). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.byteLength + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.byteLength]) {
    chunks.push(bytes.subarray(start, point));
    start = point;
  }
  return chunks;
}

describe('FrameDecoder', () => {
  it('yields the same frames however the stream is split', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 50 }), { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 20 }), (payloads, cuts) => {
        const decoder = new FrameDecoder({ detectFourLetterWords: false });
        const events = split(frames(payloads), cuts).flatMap((chunk) => decoder.push(chunk));
        expect(events).toEqual(payloads.map((payload) => ({ kind: 'frame', payload })));
        expect(decoder.bufferedByteCount).toBe(0);
      }),
      fastCheckParameters(300),
    );
  });

  it('rejects a negative length and a length over maxbuffer from the 4 header bytes alone', () => {
    const negative = new FrameDecoder();
    expect(negative.push(fromHex('ffffffff'))).toEqual([
      { kind: 'error', error: { kind: 'negativeLength', length: -1, maxBufferBytes: 1048576, message: 'frame length -1 is negative' } },
    ]);
    const over = new FrameDecoder({ maxBufferBytes: 100 });
    const events = over.push(fromHex('00000065'));
    expect(events).toMatchObject([{ kind: 'error', error: { kind: 'lengthOverMax', length: 101 } }]);
    expect(over.push(new Uint8Array(1000))).toEqual([]);
    expect(over.bufferedByteCount).toBe(0);
    expect(over.finishedWith).toEqual(events[0]);
  });

  it('accepts a length of exactly maxbuffer and an empty frame', () => {
    const decoder = new FrameDecoder({ maxBufferBytes: 3, detectFourLetterWords: false });
    expect(decoder.push(fromHex('00000003 010203 00000000'))).toEqual([
      { kind: 'frame', payload: fromHex('010203') },
      { kind: 'frame', payload: new Uint8Array(0) },
    ]);
  });

  it('never allocates or holds more than maxbuffer for a frame body, whatever the header says', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 300 }), fc.array(fc.nat(), { maxLength: 10 }), (stream, cuts) => {
        const maxBufferBytes = 64;
        const allocations: number[] = [];
        const decoder = new FrameDecoder({ maxBufferBytes, onAllocate: (length) => void allocations.push(length) });
        let largestChunk = 0;
        const events: FrameDecoderEvent[] = [];
        for (const chunk of split(stream, cuts)) {
          largestChunk = Math.max(largestChunk, chunk.byteLength);
          events.push(...decoder.push(chunk));
          expect(decoder.bufferedByteCount).toBeLessThanOrEqual(4 + maxBufferBytes + largestChunk);
        }
        for (const length of allocations) expect(length).toBeLessThanOrEqual(maxBufferBytes);
        const frameEvents = events.filter((event) => event.kind === 'frame');
        expect(frameEvents.length).toBe(allocations.length);
        expect(events.filter((event) => event.kind !== 'frame').length).toBeLessThanOrEqual(1);
      }),
      fastCheckParameters(300),
    );
  });

  it('reads the first 4 bytes of a connection as a four-letter word, and only those', () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(new TextEncoder().encode('ru'))).toEqual([]);
    expect(decoder.push(new TextEncoder().encode('ok'))).toEqual([{ kind: 'fourLetterWord', detection: { kind: 'supported', command: 'ruok' } }]);
    expect(decoder.push(new Uint8Array(10))).toEqual([]);

    const later = new FrameDecoder();
    expect(later.push(fromHex('00000000'))).toEqual([{ kind: 'frame', payload: new Uint8Array(0) }]);
    expect(later.push(new TextEncoder().encode('ruok'))).toMatchObject([{ kind: 'error', error: { kind: 'lengthOverMax', length: 0x72756f6b } }]);
  });

  it('treats an unknown 4-letter word as the length it spells (ZooKeeper closes with "Len error")', () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(new TextEncoder().encode('abcd'))).toMatchObject([{ kind: 'error', error: { kind: 'lengthOverMax' } }]);
  });
});
