import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Code } from '../../src/service/Code.js';
import { KeeperState, WatcherEventType } from '../../src/wire/constants.js';
import { FrameDecoder } from '../../src/wire/frame.js';
import type { RequestOp } from '../../src/wire/requests.js';
import {
  decodeConnectResponse,
  decodeReply,
  decodeServerMessageHeader,
  encodeAuthReply,
  encodeConnectResponse,
  encodeHeaderOnlyReply,
  encodeNotification,
  encodePingReply,
  encodeReply,
  type ResponseBodyByOp,
} from '../../src/wire/responses.js';
import * as arb from './arbitraries.js';
import { fastCheckParameters, hex } from './fastCheckParameters.js';

function payloadOf(frame: Uint8Array): Uint8Array {
  const events = new FrameDecoder({ detectFourLetterWords: false }).push(frame);
  expect(events).toHaveLength(1);
  const [event] = events;
  if (event.kind !== 'frame') throw new Error(`expected a frame, got ${event.kind}`);
  return event.payload;
}

const responseBodyArbitraries: { [K in RequestOp]: fc.Arbitrary<ResponseBodyByOp[K]> } = {
  create: fc.record({ path: arb.path }),
  create2: fc.record({ path: arb.path, stat: arb.stat }),
  createContainer: fc.record({ path: arb.path, stat: arb.stat }),
  createTTL: fc.record({ path: arb.path, stat: arb.stat }),
  delete: fc.constant(null),
  exists: fc.record({ stat: arb.stat }),
  getData: fc.record({ data: arb.nullableBytes, stat: arb.stat }),
  setData: fc.record({ stat: arb.stat }),
  getACL: fc.record({ acl: arb.aclList, stat: arb.stat }),
  setACL: fc.record({ stat: arb.stat }),
  getChildren: fc.record({ children: arb.paths }),
  getChildren2: fc.record({ children: arb.paths, stat: arb.stat }),
  sync: fc.record({ path: arb.path }),
  check: fc.record({ stat: arb.stat }),
  multi: arb.multiResponse,
  multiRead: arb.multiResponse,
  ping: fc.constant(null),
  closeSession: fc.constant(null),
  auth: fc.constant(null),
  setWatches: fc.constant(null),
  setWatches2: fc.constant(null),
  addWatch: fc.constant(null),
};

describe('replies', () => {
  for (const op of Object.keys(responseBodyArbitraries) as RequestOp[]) {
    it(`${op}: a successful reply round-trips; an error reply is a bare header`, () => {
      fc.assert(
        fc.property(arb.int32, arb.int64, responseBodyArbitraries[op] as fc.Arbitrary<ResponseBodyByOp[typeof op]>, (xid, zxid, body) => {
          const ok = decodeReply(op, payloadOf(encodeReply(op, { xid, zxid, err: 0 }, body)));
          expect(ok).toEqual({ ok: true, value: { header: { xid, zxid, err: 0 }, body }, trailingByteCount: 0 });
          const failed = encodeReply(op, { xid, zxid, err: Code.NoNode }, null);
          expect(failed.byteLength).toBe(4 + 16);
          expect(decodeReply(op, payloadOf(failed))).toEqual({ ok: true, value: { header: { xid, zxid, err: Code.NoNode }, body: null }, trailingByteCount: 0 });
        }),
        fastCheckParameters(30),
      );
    });
  }

  it('refuses to encode a body with an error, or a success without its body', () => {
    expect(() => encodeReply('exists', { xid: 1, zxid: 0n, err: Code.NoNode }, { stat: fc.sample(arb.stat, 1)[0] })).toThrow(RangeError);
    expect(() => encodeReply('getData', { xid: 1, zxid: 0n, err: 0 }, null)).toThrow(RangeError);
  });

  it('ConnectResponse round-trips with and without the readOnly byte', () => {
    fc.assert(
      fc.property(arb.connectResponse, (response) => {
        expect(decodeConnectResponse(payloadOf(encodeConnectResponse(response)))).toEqual({ ok: true, value: response, trailingByteCount: 0 });
      }),
      fastCheckParameters(100),
    );
  });

  it('golden: ping reply, auth failure, notification, ConnectResponse', () => {
    expect(hex(encodePingReply(0x1_0000_0002n))).toBe('00000010' + 'fffffffe' + '0000000100000002' + '00000000');
    expect(hex(encodeAuthReply(Code.AuthFailed))).toBe('00000010' + 'fffffffc' + '0000000000000000' + 'ffffff8d');
    const event = { type: WatcherEventType.nodeDataChanged, state: KeeperState.syncConnected, path: '/a' };
    expect(hex(encodeNotification(event))).toBe('0000001e' + 'ffffffff' + 'ffffffffffffffff' + '00000000' + '00000003' + '00000003' + '00000002' + '2f61');
    const response = { protocolVersion: 0, timeOut: 30000, sessionId: 0x0100_0000_0000_0001n, passwd: new Uint8Array(16).fill(0xab), readOnly: false };
    expect(hex(encodeConnectResponse(response))).toBe(
      '00000025' + '00000000' + '00007530' + '0100000000000001' + '00000010' + 'ab'.repeat(16) + '00',
    );
  });

  it('a client tells notifications from replies by xid -1', () => {
    const event = { type: WatcherEventType.nodeCreated, state: KeeperState.syncConnected, path: '/x' };
    expect(decodeServerMessageHeader(payloadOf(encodeNotification(event, 5n)))).toEqual({
      ok: true,
      value: { kind: 'notification', header: { xid: -1, zxid: 5n, err: 0 }, event },
      trailingByteCount: 0,
    });
    expect(decodeServerMessageHeader(payloadOf(encodeHeaderOnlyReply({ xid: -8, zxid: 9n, err: 0 })))).toMatchObject({
      ok: true,
      value: { kind: 'reply', header: { xid: -8 } },
    });
  });

  it('reply decoders return error values on garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(...(Object.keys(responseBodyArbitraries) as RequestOp[])), (payload, op) => {
        const withOkHeader = new Uint8Array([...new Uint8Array(12), 0, 0, 0, 0, ...payload]);
        for (const result of [decodeReply(op, payload), decodeReply(op, withOkHeader), decodeConnectResponse(payload), decodeServerMessageHeader(payload)]) {
          expect(typeof result.ok).toBe('boolean');
        }
      }),
      fastCheckParameters(1000),
    );
  });
});
