/**
 * Peer frames: bigints and byte arrays survive the trip; the frames of every write are binary, the
 * rest taggedJson's text, as the log's records are; a damaged body is an error or a frame, never a crash.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePeerFrame, encodePeerFrame, FrameSplitter, type PeerFrame } from '../../src/runtime/quorum/peerFrames.js';
import { encodeRecord } from '../../src/runtime/storage/logRecord.js';
import { toTaggedJson } from '../../src/runtime/storage/taggedJson.js';
import { runs, testSeed } from '../support/seed.js';

const data = new Uint8Array([0, 1, 2, 250, 255]);
const frames: PeerFrame[] = [
  { t: 'hello', sid: 3 },
  { t: 'message', msg: { type: 'ACK', zxid: { epoch: 1, counter: 7 } } },
  {
    t: 'message', msg: { type: 'PROPOSAL', txn: { zxid: { epoch: 1, counter: 7 }, value: 4294967303 } },
    payloads: [{ zxid: 4294967303n, time: 1_700_000_000_000, txn: { sessionId: 2n ** 63n + 1n, cxid: 4, type: 5, path: '/a', data, version: 2 }, origin: 2, requestId: 9 }],
  },
  { t: 'request', id: 1, request: { type: 1, path: '/a/b', data: new Uint8Array(0), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 2, sessionId: 72057594037927937n, cxid: 3, authInfo: [] } },
  { t: 'ping', sessions: [1n, 2n ** 64n - 1n] },
  { t: 'synced', id: 4, zxid: 0n },
  // A SNAP with the leader's tree: the snapshot must survive the payloads' fast path.
  {
    t: 'message', msg: { type: 'SNAP', txns: [{ zxid: { epoch: 1, counter: 7 }, value: 4294967303 }] },
    payloads: [{ zxid: 4294967303n, time: 1_700_000_000_000, txn: { sessionId: 1n, cxid: 4, type: 2, path: '/a', version: -1 } }],
    snapshot: { zxid: 4294967302n, bytes: new Uint8Array([90, 83, 83, 78, 0, 255]) },
  },
];

describe('peer frames', () => {
  it('decode what they encode, with bigints and byte arrays intact', () => {
    for (const frame of frames) {
      const bytes = encodePeerFrame(frame);
      const bodies = new FrameSplitter(1 << 20).push(bytes);
      expect(bodies).toHaveLength(1);
      expect(decodePeerFrame(bodies[0])).toEqual(frame);
    }
  });

  it('are length-prefixed: binary for the frames of a write, tagged JSON for the rest', () => {
    const binary = [false, true, true, true, false, false, false];
    frames.forEach((frame, index) => {
      const bytes = encodePeerFrame(frame);
      expect(bytes.readUInt32BE(0)).toBe(bytes.length - 4);
      if (binary[index]) expect(bytes[4]).not.toBe(TEXT_START);
      else expect(bytes.subarray(4).toString('utf8')).toBe(toTaggedJson(frame));
    });
  });

  it('encode a payload sent twice (to two learners) alike', () => {
    const payload = (frames[2] as Extract<PeerFrame, { t: 'message' }>).payloads![0];
    const first = encodePeerFrame({ t: 'message', msg: { type: 'PROPOSAL', txn: { zxid: { epoch: 1, counter: 7 }, value: 4294967303 } }, payloads: [payload] });
    const again = encodePeerFrame({ t: 'message', msg: { type: 'DIFF', txns: [] }, payloads: [payload, payload] });
    expect(decodePeerFrame(first.subarray(4))).toEqual(frames[2]);
    expect((decodePeerFrame(again.subarray(4)) as Extract<PeerFrame, { t: 'message' }>).payloads).toEqual([payload, payload]);
  });

  it('log a txn decoded from a PROPOSAL as the bytes encoding a copy of it gives, across more txns than are remembered (property)', () => {
    fc.assert(
      fc.property(fc.array(hotFrame(anyText), { minLength: 1, maxLength: 300 }), (sent) => {
        const received = sent.map((frame) => decodePeerFrame(encodePeerFrame(frame).subarray(4)));
        // Log them in the order received, as a learner does, after all were decoded: the oldest
        // have left the remembered bytes and are encoded again.
        received.forEach((frame, index) => {
          if (frame.t !== 'message' || frame.payloads === undefined) return;
          frame.payloads.forEach((payload, at) => {
            const copy = (sent[index] as Extract<PeerFrame, { t: 'message' }>).payloads![at];
            const entry = { zxid: payload.zxid, time: payload.time, txn: payload.txn };
            expect(encodeRecord(entry)).toEqual(encodeRecord({ ...entry, txn: structuredClone(copy.txn) }));
          });
        });
      }),
      { seed: testSeed(), numRuns: runs(20, 200) },
    );
  });

  it('leave undefined fields out and keep objects that only look tagged when they have more keys', () => {
    const frame = { t: 'message', msg: { type: 'COMMIT', zxid: { epoch: 1, counter: 1 } }, payloads: undefined } as PeerFrame;
    expect(decodePeerFrame(encodePeerFrame(frame).subarray(4))).toEqual({ t: 'message', msg: { type: 'COMMIT', zxid: { epoch: 1, counter: 1 } } });
    const lookalike = { t: 'request', id: 2, request: { $n: '5', other: 1 } } as unknown as PeerFrame;
    expect(decodePeerFrame(encodePeerFrame(lookalike).subarray(4))).toEqual(lookalike);
  });

  it('refuse a body that is not a frame', () => {
    expect(() => decodePeerFrame(Buffer.from('{"t":"nonsense"}'))).toThrow(/not a peer frame/);
    expect(() => decodePeerFrame(Buffer.from('[1,2]'))).toThrow(/not a peer frame/);
    expect(() => decodePeerFrame(Buffer.from([0x01]))).toThrow(/not a peer frame: no message code/);
    expect(() => decodePeerFrame(Buffer.from([0x09, 0, 0]))).toThrow(/not a peer frame: kind byte 0x9/);
  });

  it('refuse a length field that claims more than the body holds, before allocating for it', () => {
    const proposal = encodePeerFrame(frames[2]).subarray(4);
    // The payload count sits after kind, code, epoch, counter and value.
    const count = Buffer.from(proposal);
    count.writeInt32BE(0x7fff_ffff, 18);
    expect(() => decodePeerFrame(count)).toThrow(/not a peer frame: payload count 2147483647/);
    // The data's length follows the payload's zxid, time, flags, origin, requestId, sessionId, cxid, type (50 bytes) and path "/a".
    const data = Buffer.from(proposal);
    data.writeInt32BE(0x7fff_ffff, 22 + 50 + 4 + 2);
    expect(() => decodePeerFrame(data)).toThrow(/not a peer frame: txn.data: length 2147483647 needs 2147483647 bytes/);
    expect(() => decodePeerFrame(proposal.subarray(0, proposal.length - 1))).toThrow(/not a peer frame: txn.version: needs 4 bytes/);
    expect(() => decodePeerFrame(Buffer.concat([proposal, Buffer.from([0])]))).toThrow(/not a peer frame: 1 bytes after the frame/);
  });

  it('decode every frame they encode (property)', () => {
    fc.assert(
      fc.property(anyFrame, (frame) => {
        expect(decodePeerFrame(encodePeerFrame(frame).subarray(4))).toEqual(frame);
      }),
      { seed: testSeed(), numRuns: runs(500, 5000) },
    );
  });

  it('send the frames of a write in binary whenever their fields are well formed (property)', () => {
    fc.assert(
      fc.property(hotFrame(wellFormedText), (frame) => {
        const bytes = encodePeerFrame(frame);
        expect(bytes[4]).not.toBe(TEXT_START);
        expect(decodePeerFrame(bytes.subarray(4))).toEqual(frame);
      }),
      { seed: testSeed(), numRuns: runs(300, 3000) },
    );
  });

  it('send as text, intact, a write frame the binary form cannot carry (property)', () => {
    const misfit = fc.oneof(
      // An extra field, a fractional number, an int out of range, a lone surrogate.
      hotFrame(wellFormedText).map((frame) => withExtraField(frame)),
      proposalWith({ time: 1.5 }),
      proposalWith({ txn: { sessionId: 1n, cxid: 2 ** 31, type: 2, path: '/a' } }),
      proposalWith({ txn: { sessionId: 1n, cxid: 1, type: 2, path: '/\ud800' } }),
    );
    fc.assert(
      fc.property(misfit, (frame) => {
        const bytes = encodePeerFrame(frame);
        expect(bytes[4]).toBe(TEXT_START);
        expect(decodePeerFrame(bytes.subarray(4))).toEqual(frame);
      }),
      { seed: testSeed(), numRuns: runs(200, 2000) },
    );
  });

  it('split a stream cut anywhere into the frames sent (property)', () => {
    fc.assert(
      fc.property(fc.array(anyFrame, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 6 }), (sent, cuts) => {
        const stream = Buffer.concat(sent.map(encodePeerFrame));
        const at = [...new Set(cuts.map((cut) => cut % (stream.length + 1)))].sort((a, b) => a - b);
        const splitter = new FrameSplitter(1 << 20);
        const bodies: Buffer[] = [];
        let from = 0;
        for (const to of [...at, stream.length]) {
          bodies.push(...splitter.push(stream.subarray(from, to)));
          from = to;
        }
        expect(bodies.map(decodePeerFrame)).toEqual(sent);
      }),
      { seed: testSeed(), numRuns: runs(200, 2000) },
    );
  });

  it('decode a damaged body to an error or to a frame that survives another trip (property)', () => {
    const damaged = fc.tuple(hotFrame(anyText), fc.nat(), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 255 }), fc.constantFrom(0x7fff_ffff, 0xffff_ffff, 0x8000_0000, 0x7fff, 1));
    fc.assert(
      fc.property(damaged, ([frame, where, how, xor, big]) => {
        const body = Buffer.from(encodePeerFrame(frame).subarray(4));
        const at = where % body.length;
        let bad: Buffer;
        if (how === 0) bad = body.subarray(0, at);
        else if (how === 1) {
          body[at] ^= xor;
          bad = body;
        } else if (how === 2 && at + 4 <= body.length) {
          body.writeUInt32BE(big, at);
          bad = body;
        } else bad = Buffer.concat([body.subarray(0, at), Buffer.from([xor]), body.subarray(at)]);
        let decoded: PeerFrame;
        try {
          decoded = decodePeerFrame(bad);
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          return;
        }
        expect(decodePeerFrame(encodePeerFrame(decoded).subarray(4))).toEqual(decoded);
      }),
      { seed: testSeed(), numRuns: runs(2000, 20000) },
    );
  });
});

const TEXT_START = '{'.charCodeAt(0);

// ----- Arbitrary frames, every field of every kind -----

const wellFormedText = fc.string({ maxLength: 8 });
/** Any code points, lone surrogates too: those send a write frame as text. */
const anyText = fc.string({ unit: 'binary', maxLength: 8 });
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
/** Session ids are unsigned: a server with myid 128 or more gives out ids of 2^63 and up. */
const sessionIdArb = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const count = fc.maxSafeNat();
const bytes = fc.uint8Array({ maxLength: 24 });
const zxid = fc.record({ epoch: u32, counter: u32 });
const chartTxn = fc.record({ zxid, value: count });

function service(text: fc.Arbitrary<string>) {
  const id = fc.record({ scheme: text, id: text });
  const acl = fc.array(fc.record({ perms: int32, id }), { maxLength: 2 });
  const create = fc.constantFrom(1, 15, 19);
  const subTxn = fc.oneof(
    fc.record({ type: create, path: text, data: bytes, acl, ephemeral: fc.boolean(), parentCVersion: int32 }),
    fc.record({ type: fc.constant(2), path: text }),
    fc.record({ type: fc.constant(5), path: text, data: bytes, version: int32 }),
    fc.record({ type: fc.constant(13), path: text, version: int32 }),
    fc.record({ type: fc.constant(-1), err: int32 }),
  );
  const txnRecord = fc.oneof(
    subTxn,
    fc.record({ type: fc.constant(7), path: text, acl, version: int32 }),
    fc.record({ type: fc.constant(14), txns: fc.array(subTxn, { maxLength: 3 }) }),
    fc.record({ type: fc.constant(-10), timeOut: int32 }),
    fc.record({ type: fc.constant(-11), paths2Delete: fc.array(text, { maxLength: 3 }) }),
  );
  const txn = fc.tuple(fc.record({ sessionId: sessionIdArb, cxid: int32 }), txnRecord).map(([header, record]) => ({ ...header, ...record }));
  const payload = fc.record(
    { zxid: int64, time: fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), txn, origin: count, requestId: count },
    { requiredKeys: ['zxid', 'time', 'txn'] },
  );
  const multiOp = fc.oneof(
    fc.record({ type: create, path: text, data: bytes, acl, flags: int32 }),
    fc.record({ type: fc.constantFrom(2, 13), path: text, version: int32 }),
    fc.record({ type: fc.constant(5), path: text, data: bytes, version: int32 }),
  );
  const requestBody = fc.oneof(
    multiOp,
    fc.record({ type: fc.constant(7), path: text, acl, version: int32 }),
    fc.record({ type: fc.constant(14), ops: fc.array(multiOp, { maxLength: 3 }) }),
    fc.record({ type: fc.constant(-10), timeOut: int32 }),
    fc.record({ type: fc.constant(-11) }),
  );
  const request = fc.tuple(fc.record({ sessionId: sessionIdArb, cxid: int32, authInfo: fc.array(id, { maxLength: 2 }) }), requestBody)
    .map(([header, body]) => ({ ...header, ...body }));
  return { payload, request };
}

/** PROPOSAL, INFORM, ACK and COMMIT messages, and forwarded requests. */
function hotFrame(text: fc.Arbitrary<string>): fc.Arbitrary<PeerFrame> {
  const { payload, request } = service(text);
  const payloads = fc.array(payload, { maxLength: 2 });
  return fc.oneof(
    fc.record({ t: fc.constant('message'), msg: fc.record({ type: fc.constantFrom('PROPOSAL', 'INFORM'), txn: chartTxn }), payloads }, { requiredKeys: ['t', 'msg'] }),
    fc.record({ t: fc.constant('message'), msg: fc.record({ type: fc.constantFrom('ACK', 'COMMIT'), zxid }), payloads }, { requiredKeys: ['t', 'msg'] }),
    fc.record({ t: fc.constant('request'), id: count, request }),
  ) as fc.Arbitrary<PeerFrame>;
}

const rareFrame: fc.Arbitrary<PeerFrame> = (() => {
  const { payload } = service(anyText);
  const epoch = fc.integer({ min: -1, max: 2 ** 32 - 1 });
  const txns = fc.array(chartTxn, { maxLength: 3 });
  const msg = fc.oneof(
    fc.record({ type: fc.constant('NOTIFICATION'), vote: fc.record({ leader: count, zxid, peerEpoch: epoch }), round: count, state: fc.constantFrom('LOOKING', 'FOLLOWING', 'LEADING', 'OBSERVING') }),
    fc.record({ type: fc.constant('CEPOCH'), acceptedEpoch: epoch }),
    fc.record({ type: fc.constantFrom('NEWEPOCH', 'NEWLEADER', 'ACKLD'), epoch }),
    fc.record({ type: fc.constant('ACKEPOCH'), currentEpoch: epoch, lastZxid: zxid }),
    fc.record({ type: fc.constantFrom('DIFF', 'SNAP'), txns }),
    fc.record({ type: fc.constant('TRUNC'), truncZxid: zxid, txns }),
    fc.record({ type: fc.constant('UPTODATE'), committedZxid: zxid }),
  );
  const snapshot = fc.record({ zxid: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), bytes });
  return fc.oneof(
    fc.record({ t: fc.constant('hello'), sid: count }),
    fc.record({ t: fc.constant('message'), msg, payloads: fc.array(payload, { maxLength: 2 }), snapshot }, { requiredKeys: ['t', 'msg'] }),
    fc.record({ t: fc.constant('ping'), sessions: fc.array(int64, { maxLength: 3 }) }, { requiredKeys: ['t'] }),
    fc.record({ t: fc.constant('refused'), id: count, code: int32 }),
    fc.record({ t: fc.constant('sync'), id: count }),
    fc.record({ t: fc.constant('synced'), id: count, zxid: int64 }),
  ) as fc.Arbitrary<PeerFrame>;
})();

const anyFrame = fc.oneof(hotFrame(wellFormedText), hotFrame(anyText), rareFrame);

/** An extra field on a request, a payload or a txn (the chart's messages are closed types: theirs are not counted). */
function withExtraField(frame: PeerFrame): PeerFrame {
  if (frame.t === 'request') return { ...frame, request: { ...frame.request, extra: 1 } as never };
  if (frame.t === 'message' && frame.payloads !== undefined && frame.payloads.length > 0) {
    return { ...frame, payloads: [{ ...frame.payloads[0], txn: { ...frame.payloads[0].txn, extra: 'x' } as never }] };
  }
  return { t: 'message', msg: { type: 'COMMIT', zxid: { epoch: 1, counter: 1 } }, payloads: [{ zxid: 1n, time: 1, txn: { sessionId: 1n, cxid: 1, type: 2, path: '/a' }, extra: null } as never] };
}

function proposalWith(change: object): fc.Arbitrary<PeerFrame> {
  const payload = { zxid: 4294967303n, time: 1, txn: { sessionId: 1n, cxid: 1, type: 2, path: '/a' }, ...change };
  return fc.constant({ t: 'message', msg: { type: 'PROPOSAL', txn: { zxid: { epoch: 1, counter: 7 }, value: 4294967303 } }, payloads: [payload] } as PeerFrame);
}
