import { describe, expect, test } from 'vitest';
import { HistoryRecorder } from './LoadClient.js';

/** The fault run's own bookkeeping: what it hands the checker, and the read checks it does itself. */
describe('HistoryRecorder', () => {
  test('an unanswered write becomes a client of its own; an unanswered read is left out', () => {
    const recorder = new HistoryRecorder();
    const write = recorder.invoke('c0.1', 1, { kind: 'setData', path: '/k0', data: 'c0:0', version: -1 });
    const read = recorder.invoke('c0.1', 1, { kind: 'getData', path: '/k0' });
    recorder.complete(write, { status: 'unknown', reason: 'CONNECTION_LOSS' });
    recorder.complete(read, { status: 'unknown', reason: 'CONNECTION_LOSS' });
    const answered = recorder.invoke('c0.1', 2, { kind: 'create', path: '/k1', data: 'c0:2' });
    recorder.complete(answered, { status: 'ok', result: { code: 'OK' } });
    const operations = recorder.operations();
    expect(operations.map((op) => [op.id, op.client, op.call, op.return])).toEqual([[0, 'c0.1~0', 1, 3], [2, 'c0.1', 5, 6]]);
  });

  test('flags a read of a value no write wrote, a value written later, a failed write\'s value, and a node going back', () => {
    const recorder = new HistoryRecorder();
    const create = recorder.invoke('a', 1, { kind: 'create', path: '/k0', data: 'a:0' });
    recorder.complete(create, { status: 'ok', result: { code: 'OK' } });
    const read = (data: string, mzxid: bigint) => {
      const op = recorder.invoke('b', 1, { kind: 'getData', path: '/k0' });
      recorder.complete(op, { status: 'ok', result: { code: 'OK', data, version: 0 } }, mzxid);
      return op;
    };
    read('a:0', 5n);
    expect(recorder.readViolations()).toEqual([]);
    read('nobody', 6n);
    const early = read('b:9', 7n);
    const late = recorder.invoke('c', 1, { kind: 'setData', path: '/k0', data: 'b:9', version: -1 });
    recorder.complete(late, { status: 'ok', result: { code: 'OK', version: 1 } });
    const failed = recorder.invoke('c', 1, { kind: 'create', path: '/k0', data: 'c:x' });
    recorder.complete(failed, { status: 'ok', result: { code: 'NodeExists' } });
    read('c:x', 8n);
    read('a:0', 5n);
    const violations = recorder.readViolations();
    expect(violations).toHaveLength(4);
    expect(violations[0]).toMatch(/"nobody", which no write wrote/);
    expect(violations[1]).toBe(`read #${early.id} returned the value of write #${late.id}, called after the read returned`);
    expect(violations[2]).toMatch(/which failed with NodeExists/);
    expect(violations[3]).toMatch(/session b read \/k0 at mzxid 0x5 .* after 0x8 .*: it went back/);
  });
});
