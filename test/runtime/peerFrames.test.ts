/** Peer frames: bigints and byte arrays survive the trip, and the text is taggedJson's, as the log's records are. */
import { describe, expect, it } from 'vitest';
import { decodePeerFrame, encodePeerFrame, FrameSplitter, type PeerFrame } from '../../src/runtime/quorum/peerFrames.js';
import { toTaggedJson } from '../../src/runtime/storage/taggedJson.js';

const data = new Uint8Array([0, 1, 2, 250, 255]);
const frames: PeerFrame[] = [
  { t: 'hello', sid: 3 },
  { t: 'message', msg: { type: 'ACK', zxid: { epoch: 1, counter: 7 } } },
  {
    t: 'message', msg: { type: 'PROPOSAL', txn: { zxid: { epoch: 1, counter: 7 }, value: 4294967303 } },
    payloads: [{ zxid: 4294967303n, time: 1_700_000_000_000, txn: { sessionId: -(2n ** 63n), cxid: 4, type: 5, path: '/a', data, version: 2 }, origin: 2, requestId: 9 }],
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

  it('are length-prefixed tagged JSON, as the log writes its records', () => {
    for (const frame of frames) {
      const bytes = encodePeerFrame(frame);
      expect(bytes.readUInt32BE(0)).toBe(bytes.length - 4);
      expect(bytes.subarray(4).toString('utf8')).toBe(toTaggedJson(frame));
    }
  });

  it('encode a payload sent twice (to two learners) alike', () => {
    const payload = (frames[2] as Extract<PeerFrame, { t: 'message' }>).payloads![0];
    const first = encodePeerFrame({ t: 'message', msg: { type: 'PROPOSAL', txn: { zxid: { epoch: 1, counter: 7 }, value: 4294967303 } }, payloads: [payload] });
    const again = encodePeerFrame({ t: 'message', msg: { type: 'DIFF', txns: [] }, payloads: [payload, payload] });
    expect(decodePeerFrame(first.subarray(4))).toEqual(frames[2]);
    expect((decodePeerFrame(again.subarray(4)) as Extract<PeerFrame, { t: 'message' }>).payloads).toEqual([payload, payload]);
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
  });
});
