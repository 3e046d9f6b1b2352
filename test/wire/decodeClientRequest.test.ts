import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Code } from '../../src/service/Code.js';
import { OpCode } from '../../src/service/OpCode.js';
import { FrameDecoder } from '../../src/wire/frame.js';
import type { JuteAllocation } from '../../src/wire/juteReader.js';
import { JuteWriter } from '../../src/wire/juteWriter.js';
import {
  REQUEST_OPS,
  decodeClientRequest,
  encodeClientRequest,
  type ClientRequest,
  type DecodeClientRequestResult,
} from '../../src/wire/requests.js';
import { clientRequest, operationRequest, requestBodyArbitraries } from './arbitraries.js';
import { fastCheckParameters, fromHex, hex } from './fastCheckParameters.js';

function payloadOf(frame: Uint8Array): Uint8Array {
  const decoder = new FrameDecoder({ detectFourLetterWords: false });
  const events = decoder.push(frame);
  expect(events).toHaveLength(1);
  const [event] = events;
  if (event.kind !== 'frame') throw new Error(`expected a frame, got ${event.kind}`);
  return event.payload;
}

function operationPayload(xid: number, type: number, writeBody: (writer: JuteWriter) => void = () => undefined): Uint8Array {
  const writer = new JuteWriter();
  writer.writeInt(xid).writeInt(type);
  writeBody(writer);
  return writer.toBytes();
}

describe('decodeClientRequest', () => {
  it('has a request arbitrary for every op it decodes', () => {
    expect(Object.keys(requestBodyArbitraries).sort()).toEqual([...REQUEST_OPS].sort());
  });

  it('round-trips every request through a frame', () => {
    fc.assert(
      fc.property(clientRequest, (request) => {
        const result = decodeClientRequest(payloadOf(encodeClientRequest(request)), { connected: request.kind !== 'connect' });
        expect(result).toEqual({ ok: true, request, trailingByteCount: 0 });
      }),
      fastCheckParameters(500),
    );
  });

  it('decodes the ConnectRequest frame node-zookeeper-client sends (44 bytes, no readOnly)', () => {
    const frame = fromHex('0000002c 00000000 0000000000000000 00007530 0000000000000000 00000010' + '00'.repeat(16));
    const result = decodeClientRequest(payloadOf(frame), { connected: false });
    const request: ClientRequest = {
      kind: 'connect',
      request: { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 30000, sessionId: 0n, passwd: new Uint8Array(16), readOnly: null },
    };
    expect(result).toEqual({ ok: true, request, trailingByteCount: 0 });
    expect(hex(encodeClientRequest(request))).toBe(hex(frame));
  });

  it('decodes ping (xid -2), auth (xid -4) and closeSession by opcode', () => {
    expect(decodeClientRequest(fromHex('fffffffe 0000000b'), { connected: true })).toEqual({
      ok: true,
      request: { kind: 'operation', op: 'ping', header: { xid: -2, type: OpCode.ping }, body: null },
      trailingByteCount: 0,
    });
    const auth = decodeClientRequest(fromHex('fffffffc 00000064 00000000 00000006 646967657374 00000003 613a62'), { connected: true });
    expect(auth).toMatchObject({ ok: true, request: { op: 'auth', body: { type: 0, scheme: 'digest', auth: fromHex('613a62') } } });
    expect(decodeClientRequest(fromHex('00000000 fffffff5'), { connected: true })).toMatchObject({ ok: true, request: { op: 'closeSession' } });
  });

  it('answers an unknown opcode with an error value naming it and asking for Unimplemented', () => {
    const result = decodeClientRequest(operationPayload(7, 102), { connected: true });
    expect(result).toEqual({
      ok: false,
      error: { kind: 'unknownOpcode', field: 'RequestHeader.type', offset: 4, message: 'opcode 102 (sasl) is not implemented', xid: 7, opCode: 102, replyErr: Code.Unimplemented },
    });
  });

  it('names the truncated field; a bad body asks for MarshallingError, a bad header or auth packet for closing', () => {
    const truncatedBody = decodeClientRequest(operationPayload(3, OpCode.create, (w) => w.writeUstring('/a').writeBuffer(null).writeInt(1)), { connected: true });
    expect(truncatedBody).toMatchObject({ ok: false, error: { kind: 'truncated', field: 'CreateRequest.acl', xid: 3, opCode: 1, replyErr: Code.MarshallingError } });
    expect(decodeClientRequest(fromHex('000000'), { connected: true })).toMatchObject({ ok: false, error: { kind: 'truncated', field: 'RequestHeader.xid', xid: null, replyErr: null } });
    const badAuth = decodeClientRequest(operationPayload(-4, OpCode.auth, (w) => w.writeInt(0).writeInt(-7)), { connected: true });
    expect(badAuth).toMatchObject({ ok: false, error: { kind: 'badLength', field: 'AuthPacket.scheme', replyErr: null } });
    expect(decodeClientRequest(fromHex('00000000'), { connected: false })).toMatchObject({ ok: false, error: { kind: 'truncated', field: 'ConnectRequest.lastZxidSeen', replyErr: null } });
  });

  it('rejects a null path and a string longer than maxbuffer', () => {
    const nullPath = decodeClientRequest(operationPayload(1, OpCode.getData, (w) => w.writeUstring(null).writeBool(false)), { connected: true });
    expect(nullPath).toMatchObject({ ok: false, error: { kind: 'nullField', field: 'GetDataRequest.path' } });
    const long = decodeClientRequest(operationPayload(1, OpCode.sync, (w) => w.writeUstring('/'.padEnd(40, 'x'))), { connected: true, maxBufferBytes: 32 });
    expect(long).toMatchObject({ ok: false, error: { kind: 'lengthOverMax', field: 'SyncRequest.path', offset: 8 } });
  });

  it('ignores trailing bytes as ZooKeeper does (and counts them), or rejects them on request', () => {
    const payload = operationPayload(1, OpCode.exists, (w) => w.writeUstring('/a').writeBool(true).writeInt(99));
    expect(decodeClientRequest(payload, { connected: true })).toMatchObject({ ok: true, trailingByteCount: 4 });
    expect(decodeClientRequest(payload, { connected: true, trailingBytes: 'reject' })).toMatchObject({
      ok: false,
      error: { kind: 'trailingBytes', offset: 15, xid: 1, opCode: OpCode.exists, replyErr: Code.MarshallingError },
    });
  });

  it('reads any byte after a ConnectRequest as readOnly, and more bytes as trailing', () => {
    const base = encodeClientRequest({ kind: 'connect', request: { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 1, sessionId: 0n, passwd: null, readOnly: null } });
    const withExtra = new Uint8Array([...payloadOf(base), 0x05, 0xaa]);
    expect(decodeClientRequest(withExtra, { connected: false })).toMatchObject({ ok: true, request: { request: { readOnly: true } }, trailingByteCount: 1 });
  });
});

// ---- fuzzing ----

const ERROR_KINDS = new Set(['truncated', 'badLength', 'lengthOverMax', 'nullField', 'invalidMultiOp', 'mixedMultiOps', 'unknownOpcode', 'trailingBytes']);

/** Decodes with an allocation observer that fails the property if any allocation breaks the limits. */
function decodeChecked(payload: Uint8Array, connected: boolean, maxBufferBytes: number, trailingBytes: 'ignore' | 'reject'): DecodeClientRequestResult {
  const onAllocate = (allocation: JuteAllocation): void => {
    if (allocation.length > maxBufferBytes) throw new Error(`allocation of ${allocation.length} past maxbuffer ${maxBufferBytes} for ${allocation.field}`);
    if (allocation.unit === 'bytes' && allocation.length > allocation.remainingByteCount) {
      throw new Error(`allocation of ${allocation.length} past the ${allocation.remainingByteCount} bytes left for ${allocation.field}`);
    }
    if (allocation.unit === 'vector' && allocation.length > allocation.remainingByteCount) {
      throw new Error(`vector of ${allocation.length} with ${allocation.remainingByteCount} bytes left for ${allocation.field}`);
    }
  };
  const result = decodeClientRequest(payload, { connected, maxBufferBytes, trailingBytes, onAllocate });
  if (result.ok) {
    // Whatever decodes re-encodes: the decoder only produces values the writer accepts.
    encodeClientRequest(result.request);
    if (trailingBytes === 'reject') expect(result.trailingByteCount).toBe(0);
  } else {
    expect(ERROR_KINDS.has(result.error.kind)).toBe(true);
    expect(result.error.offset).toBeGreaterThanOrEqual(0);
    expect(result.error.offset).toBeLessThanOrEqual(payload.byteLength);
  }
  return result;
}

type Mutation =
  | { kind: 'flipBit'; position: number; bit: number }
  | { kind: 'truncate'; position: number }
  | { kind: 'overwriteInt'; position: number; value: number }
  | { kind: 'insertBytes'; position: number; bytes: Uint8Array }
  | { kind: 'deleteBytes'; position: number; count: number };

const hostileInt = fc.oneof(
  fc.constantFrom(-1, -2, 0, 1, 0x7fff_ffff, -0x8000_0000, 1_048_576, 1_048_577, 65, 64, 63),
  fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flipBit' as const), position: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), position: fc.nat() }),
  fc.record({ kind: fc.constant('overwriteInt' as const), position: fc.nat(), value: hostileInt }),
  fc.record({ kind: fc.constant('insertBytes' as const), position: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('deleteBytes' as const), position: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
);

function mutate(bytes: Uint8Array, change: Mutation): Uint8Array {
  const position = change.position % (bytes.byteLength + 1);
  switch (change.kind) {
    case 'flipBit': {
      if (bytes.byteLength === 0) return bytes;
      const copy = bytes.slice();
      copy[position % bytes.byteLength] ^= 1 << change.bit;
      return copy;
    }
    case 'truncate':
      return bytes.slice(0, position);
    case 'overwriteInt': {
      if (bytes.byteLength < 4) return bytes;
      const copy = bytes.slice();
      new DataView(copy.buffer).setInt32(position % (bytes.byteLength - 3), change.value, false);
      return copy;
    }
    case 'insertBytes':
      return new Uint8Array([...bytes.subarray(0, position), ...change.bytes, ...bytes.subarray(position)]);
    case 'deleteBytes':
      return new Uint8Array([...bytes.subarray(0, position), ...bytes.subarray(position + change.count)]);
  }
}

describe('decoder fuzzing: every input decodes or yields a decode error, and nothing allocates past the limits', () => {
  it('random payloads', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), fc.constantFrom(16, 64, 1_048_576), fc.constantFrom('ignore' as const, 'reject' as const),
        (payload, connected, maxBufferBytes, trailingBytes) => {
          decodeChecked(payload, connected, maxBufferBytes, trailingBytes);
        }),
      fastCheckParameters(3000),
    );
  });

  it('random payloads behind a valid header, so the body decoders see the noise', () => {
    const op = fc.constantFrom(...REQUEST_OPS);
    fc.assert(
      fc.property(op, fc.uint8Array({ maxLength: 120 }), fc.constantFrom(32, 1_048_576), (name, body, maxBufferBytes) => {
        const payload = new Uint8Array([...operationPayload(1, OpCode[name]), ...body]);
        decodeChecked(payload, true, maxBufferBytes, 'ignore');
      }),
      fastCheckParameters(3000),
    );
  });

  it('mutated valid frames through the frame decoder, split anywhere', () => {
    fc.assert(
      fc.property(clientRequest, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 6 }), fc.constantFrom(48, 1_048_576),
        (request, changes, cuts, maxBufferBytes) => {
          const stream = changes.reduce(mutate, encodeClientRequest(request));
          const frameAllocations: number[] = [];
          const decoder = new FrameDecoder({ maxBufferBytes, onAllocate: (length) => void frameAllocations.push(length) });
          const points = [...new Set(cuts.map((cut) => cut % (stream.byteLength + 1)))].sort((a, b) => a - b);
          let start = 0;
          let connected = request.kind !== 'connect';
          for (const point of [...points, stream.byteLength]) {
            for (const event of decoder.push(stream.subarray(start, point))) {
              if (event.kind !== 'frame') continue;
              decodeChecked(event.payload, connected, maxBufferBytes, 'ignore');
              connected = true;
            }
            start = point;
          }
          for (const length of frameAllocations) expect(length).toBeLessThanOrEqual(maxBufferBytes);
        }),
      fastCheckParameters(1500),
    );
  });

  it('a hostile length inside a valid request is rejected before allocation', () => {
    fc.assert(
      fc.property(operationRequest, fc.nat(), hostileInt, (request, at, value) => {
        const payload = payloadOf(encodeClientRequest(request));
        if (payload.byteLength < 12) return;
        const position = 8 + (at % (payload.byteLength - 11));
        const copy = payload.slice();
        new DataView(copy.buffer).setInt32(position, value, false);
        decodeChecked(copy, true, 1_048_576, 'ignore');
      }),
      fastCheckParameters(2000),
    );
  });
});
