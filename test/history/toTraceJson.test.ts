import { describe, expect, it } from 'vitest';
import { checkSyncReads, checkZooKeeperHistory, historyFromTraceJson, toTraceJson } from '../../src/history/index.js';
import { create, data, getData, history, OK, setData, sync, version, zxid } from './historyFixtures.js';

describe('a violating history as a trace object', () => {
  // Bob syncs after Alice's write completed, then reads the old data: syncReads fails.
  const operations = history(
    { client: 'alice', call: 1, return: 2, input: create('/x', 'old'), result: OK, zxid: zxid(1, 1) },
    { client: 'alice', call: 3, return: 4, input: setData('/x', 'new'), result: version(1), zxid: zxid(1, 2) },
    { client: 'bob', server: 2, call: 5, return: 6, input: sync(), result: OK },
    { client: 'bob', server: 2, call: 7, return: 8, input: getData('/x'), result: data('old', 0) },
    { client: 'carol', server: 3, call: 9, input: setData('/x', 'maybe') },
  );
  const input = { operations, committedZxids: [zxid(1, 1), zxid(1, 2)], digests: [{ server: 1, zxid: zxid(1, 1), digest: 'd' }] };
  const report = checkZooKeeperHistory(input);

  it('names the failed check and survives JSON unchanged', () => {
    const trace = toTraceJson(input, report);
    expect(trace).toMatchObject({ kind: 'history', version: 1, result: 'violation', failedCheck: 'syncReads' });
    expect(JSON.parse(JSON.stringify(trace))).toEqual(trace);
    expect(trace.operations[4]).toEqual({ id: 4, client: 'carol', server: 3, input: setData('/x', 'maybe'), call: 9, return: null, outcome: { status: 'pending' } });
  });

  it('replays: reading the trace back and checking again gives the same verdicts', () => {
    const text = JSON.stringify(toTraceJson(input, report));
    const replayed = checkZooKeeperHistory(historyFromTraceJson(JSON.parse(text)));
    expect(replayed).toEqual(report);
  });

  it('accepts a single verdict as well as a whole report', () => {
    const trace = toTraceJson({ operations }, checkSyncReads(operations));
    expect(trace).toMatchObject({ failedCheck: 'syncReads', verdicts: [{ check: 'syncReads', result: 'violation' }], finalTree: null, digests: null });
  });

  it('refuses objects that are not version-1 history traces', () => {
    expect(() => historyFromTraceJson({ kind: 'trace', version: 1 })).toThrow(/kind/);
    expect(() => historyFromTraceJson({ kind: 'history', version: 2, operations: [] })).toThrow(/version 2/);
  });
});
