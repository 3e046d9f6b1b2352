/**
 * The connection decides from writeBodyOf whether a request waits for the reads before it
 * (ServerConnection.enqueue), and the server from classifyRequest what it does with it: the two
 * must agree on every operation, or a write could overtake a read sent before it.
 */
import { describe, expect, it } from 'vitest';
import { classifyRequest, writeBodyOf } from '../../src/runtime/wireConversions.js';
import { REQUEST_OPS, type OperationRequest } from '../../src/wire/index.js';

/** A body with every field any operation reads, so that each op can be classified. */
function operationOf(op: string, ops: { op: string; request: object }[] = []): OperationRequest {
  const body = { path: '/a', data: null, acl: [], flags: 0, version: -1, watch: false, ops, ttl: 1, mode: 0, relativeZxid: 0n,
    dataWatches: [], existWatches: [], childWatches: [], persistentWatches: [], persistentRecursiveWatches: [], scheme: 'digest', auth: null, type: 0 };
  return { kind: 'operation', op, header: { xid: 1, type: 0 }, body } as unknown as OperationRequest;
}

const context = { sessionId: 1n, cxid: 1, authInfo: [] };
const read = { op: 'getData', request: { path: '/a' } };
const write = { op: 'create', request: { path: '/a', data: null, acl: [], flags: 0 } };
const ttl = { op: 'createTTL', request: { path: '/a', data: null, acl: [], flags: 0, ttl: 1 } };

describe('writeBodyOf', () => {
  it('is true exactly for the operations classifyRequest makes writes, multis of each kind included', () => {
    const operations = [...REQUEST_OPS.map((op) => operationOf(op)), operationOf('multi', [read]), operationOf('multi', [read, write]), operationOf('multi', [write]), operationOf('multi', [write, ttl]), operationOf('multi'), operationOf('multiRead', [read])];
    for (const operation of operations) {
      const label = `${operation.op}${'ops' in operation.body ? ` [${(operation.body.ops as { op: string }[]).map((op) => op.op).join(', ')}]` : ''}`;
      expect(writeBodyOf(operation) !== null, label).toBe(classifyRequest(operation, context).kind === 'write');
    }
  });
});
