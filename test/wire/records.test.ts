import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Perms } from '../../src/service/Perms.js';
import { JuteDecodeError, JuteReader } from '../../src/wire/juteReader.js';
import { JuteWriter } from '../../src/wire/juteWriter.js';
import { MultiRequestCodec, MultiResponseCodec } from '../../src/wire/multi.js';
import * as records from '../../src/wire/records.js';
import type { RecordCodec } from '../../src/wire/records.js';
import * as arb from './arbitraries.js';
import { fastCheckParameters, fromHex, hex } from './fastCheckParameters.js';

/** Every record codec the wire exports, with an arbitrary for its values. */
const cases: Array<[RecordCodec<unknown>, fc.Arbitrary<unknown>]> = [
  [records.IdCodec, arb.id],
  [records.ACLCodec, arb.acl],
  [records.StatCodec, arb.stat],
  [records.ConnectRequestCodec, arb.connectRequest],
  [records.ConnectResponseCodec, arb.connectResponse],
  [records.RequestHeaderCodec, fc.record({ xid: arb.int32, type: arb.int32 })],
  [records.ReplyHeaderCodec, fc.record({ xid: arb.int32, zxid: arb.int64, err: arb.int32 })],
  [records.MultiHeaderCodec, fc.record({ type: arb.int32, done: fc.boolean(), err: arb.int32 })],
  [records.CreateRequestCodec, arb.createRequest],
  [records.CreateTTLRequestCodec, arb.requestBodyArbitraries.createTTL],
  [records.DeleteRequestCodec, arb.pathVersion],
  [records.CheckVersionRequestCodec, arb.pathVersion],
  [records.ExistsRequestCodec, arb.pathWatch],
  [records.GetDataRequestCodec, arb.pathWatch],
  [records.GetChildrenRequestCodec, arb.pathWatch],
  [records.GetChildren2RequestCodec, arb.pathWatch],
  [records.GetACLRequestCodec, fc.record({ path: arb.path })],
  [records.SyncRequestCodec, fc.record({ path: arb.path })],
  [records.SyncResponseCodec, fc.record({ path: arb.path })],
  [records.CreateResponseCodec, fc.record({ path: arb.path })],
  [records.SetDataRequestCodec, arb.requestBodyArbitraries.setData],
  [records.SetACLRequestCodec, arb.requestBodyArbitraries.setACL],
  [records.SetWatchesCodec, arb.setWatches],
  [records.SetWatches2Codec, arb.setWatches2],
  [records.AuthPacketCodec, arb.requestBodyArbitraries.auth],
  [records.AddWatchRequestCodec, arb.requestBodyArbitraries.addWatch],
  [records.Create2ResponseCodec, fc.record({ path: arb.path, stat: arb.stat })],
  [records.ExistsResponseCodec, fc.record({ stat: arb.stat })],
  [records.SetDataResponseCodec, fc.record({ stat: arb.stat })],
  [records.SetACLResponseCodec, fc.record({ stat: arb.stat })],
  [records.GetDataResponseCodec, fc.record({ data: arb.nullableBytes, stat: arb.stat })],
  [records.GetChildrenResponseCodec, fc.record({ children: arb.paths })],
  [records.GetChildren2ResponseCodec, fc.record({ children: arb.paths, stat: arb.stat })],
  [records.GetACLResponseCodec, fc.record({ acl: arb.aclList, stat: arb.stat })],
  [records.ErrorResponseCodec, fc.record({ err: arb.int32 })],
  [records.WatcherEventCodec, arb.watcherEvent],
  [MultiRequestCodec, arb.multiRequest],
  [MultiResponseCodec, arb.multiResponse],
];

function encode<T>(codec: RecordCodec<T>, value: T): Uint8Array {
  const writer = new JuteWriter();
  codec.write(writer, value);
  return writer.toBytes();
}

/** Records whose last field is optional on the wire: dropping it leaves a valid shorter record. */
const OPTIONAL_TAIL = new Set(['ConnectRequest', 'ConnectResponse']);

describe('records', () => {
  it('covers every RecordCodec the records module exports', () => {
    const exported = (Object.values(records) as unknown[]).filter((v): v is RecordCodec<unknown> => typeof v === 'object' && v !== null && 'minByteCount' in v);
    const tested = new Set(cases.map(([codec]) => codec));
    expect(exported.filter((codec) => !tested.has(codec)).map((codec) => codec.name)).toEqual([]);
  });

  for (const [codec, arbitrary] of cases) {
    it(`${codec.name}: round-trips, never undershoots minByteCount, and every truncation is a decode error`, () => {
      fc.assert(
        fc.property(arbitrary, (value) => {
          const encoded = encode(codec, value);
          expect(encoded.byteLength).toBeGreaterThanOrEqual(codec.minByteCount);
          const reader = new JuteReader(encoded);
          expect(codec.read(reader, codec.name)).toEqual(value);
          expect(reader.remainingByteCount).toBe(0);
          const shortest = OPTIONAL_TAIL.has(codec.name) ? encoded.byteLength - 1 : encoded.byteLength;
          const decodedTruncations: number[] = [];
          for (let cut = 0; cut < shortest; cut += 1) {
            try {
              codec.read(new JuteReader(encoded.subarray(0, cut)), codec.name);
              decodedTruncations.push(cut);
            } catch (error) {
              if (!(error instanceof JuteDecodeError)) throw error;
            }
          }
          expect(decodedTruncations).toEqual([]);
        }),
        fastCheckParameters(40),
      );
    });
  }
});

describe('golden bytes, checked by hand against zookeeper.jute', () => {
  it('ConnectRequest as node-zookeeper-client sends it: no readOnly byte, 16-byte zero password', () => {
    const value = { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30000, sessionId: 0n, passwd: new Uint8Array(16), readOnly: null };
    const expected = fromHex(`
      00000000                          protocolVersion
      0000000000000000                  lastZxidSeen
      00007530                          timeOut 30000
      0000000000000000                  sessionId
      00000010 00000000000000000000000000000000  passwd
    `.replace(/[a-zA-Z][a-zA-Z0-9 ]*$/gm, ''));
    expect(hex(encode(records.ConnectRequestCodec, value))).toBe(hex(expected));
    expect(records.ConnectRequestCodec.read(new JuteReader(expected), 'c')).toEqual(value);
  });

  it('ConnectRequest as the Java client sends it: the readOnly byte trails the record', () => {
    const value = { protocolVersion: 0, lastZxidSeen: 0x1_0000_0002n, timeOut: 10000, sessionId: -0x0123_4567_89ab_cdefn, passwd: fromHex('0a0b'), readOnly: true };
    expect(hex(encode(records.ConnectRequestCodec, value))).toBe(
      '00000000' + '0000000100000002' + '00002710' + 'fedcba9876543211' + '00000002' + '0a0b' + '01',
    );
  });

  it('CreateRequest /a "hi" OPEN_ACL_UNSAFE persistent', () => {
    const value = { path: '/a', data: new TextEncoder().encode('hi'), acl: [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }], flags: 0 };
    expect(hex(encode(records.CreateRequestCodec, value))).toBe(
      '00000002' + '2f61' + '00000002' + '6869' + '00000001' + '0000001f' + '00000005' + '776f726c64' + '00000006' + '616e796f6e65' + '00000000',
    );
  });

  it('Stat: 4 longs, 3 ints, a long, 2 ints, a long (68 bytes)', () => {
    const value = { czxid: 1n, mzxid: 2n, ctime: 3n, mtime: 4n, version: 5, cversion: 6, aversion: 7, ephemeralOwner: -1n, dataLength: 8, numChildren: 9, pzxid: 10n };
    const encoded = encode(records.StatCodec, value);
    expect(encoded.byteLength).toBe(68);
    expect(hex(encoded)).toBe(
      '0000000000000001' + '0000000000000002' + '0000000000000003' + '0000000000000004' +
        '00000005' + '00000006' + '00000007' + 'ffffffffffffffff' + '00000008' + '00000009' + '000000000000000a',
    );
  });

  it('multi [check /a v0, delete /a v-1]: MultiHeader(type, done=false, err=-1) per op, then (-1, true, -1)', () => {
    const value = { ops: [{ op: 'check' as const, request: { path: '/a', version: 0 } }, { op: 'delete' as const, request: { path: '/a', version: -1 } }] };
    expect(hex(encode(MultiRequestCodec, value))).toBe(
      '0000000d00ffffffff' + '000000022f61' + '00000000' + '0000000200ffffffff' + '000000022f61' + 'ffffffff' + 'ffffffff01ffffffff',
    );
  });

  it('multi response with an error result: MultiHeader(-1, false, err) then ErrorResponse(err)', () => {
    const value = { results: [{ op: 'error' as const, err: 0 }, { op: 'error' as const, err: -101 }] };
    expect(hex(encode(MultiResponseCodec, value))).toBe(
      'ffffffff0000000000' + '00000000' + 'ffffffff00ffffff9b' + 'ffffff9b' + 'ffffffff01ffffffff',
    );
  });
});

describe('multi decoding rules', () => {
  it('rejects an opcode that cannot appear inside a multi, and a mix of read and write ops', () => {
    const invalid = fromHex('0000000300ffffffff' + '000000022f6100');
    expect(() => MultiRequestCodec.read(new JuteReader(invalid), 'm')).toThrow(expect.objectContaining({ kind: 'invalidMultiOp' }));
    const mixed = fromHex('0000000400ffffffff' + '000000022f6100' + '0000000200ffffffff' + '000000022f61ffffffff' + 'ffffffff01ffffffff');
    expect(() => MultiRequestCodec.read(new JuteReader(mixed), 'm')).toThrow(expect.objectContaining({ kind: 'mixedMultiOps' }));
  });
});
