import { describe, expect, it } from 'vitest';
import {
  checkClientFifo,
  checkNoLostWrites,
  checkOrderedSequentialConsistency,
  checkReplicaDigests,
  checkSyncReads,
  checkWriteLinearizability,
  checkZooKeeperHistory,
  type ClientOperation,
} from '../../src/history/index.js';
import { create, data, getData, history, NO_NODE, NODE_EXISTS, OK, remove, setData, sync, version, zxid } from './historyFixtures.js';

/** Drop the zxids, to check that the value-based half of a check finds the problem on its own. */
function withoutZxids(operations: ClientOperation[]): ClientOperation[] {
  return operations.map((op) => (op.outcome.status === 'ok' ? { ...op, outcome: { status: 'ok', result: op.outcome.result } } : op));
}

describe('a correct concurrent history', () => {
  // Alice and Bob race to create /lock; Alice wins. Carol reads concurrently from a lagging
  // follower and sees nothing yet (allowed: reads may be stale). Bob then overwrites the lock, Alice's
  // own overwrite times out but did take effect, and Carol, after a sync, sees Alice's data.
  const operations = history(
    { client: 'alice', server: 1, call: 1, return: 5, input: create('/lock', 'a'), result: OK, zxid: zxid(1, 1) },
    { client: 'bob', server: 2, call: 2, return: 6, input: create('/lock', 'b'), result: NODE_EXISTS, zxid: zxid(1, 2) },
    { client: 'carol', server: 3, call: 3, return: 7, input: getData('/lock'), result: NO_NODE, zxid: zxid(1, 0) },
    { client: 'bob', server: 2, call: 7, return: 9, input: setData('/lock', 'b2'), result: version(1), zxid: zxid(1, 3) },
    { client: 'alice', server: 1, call: 8, return: 20, input: setData('/lock', 'a2') },
    { client: 'carol', server: 3, call: 10, return: 12, input: sync(), result: OK, zxid: zxid(1, 4) },
    { client: 'carol', server: 3, call: 13, return: 14, input: getData('/lock'), result: data('a2', 2), zxid: zxid(1, 4) },
    { client: 'dave', server: 1, call: 15, input: remove('/lock') },
  );
  const finalTree = { '/': { data: '', version: 0 }, '/lock': { data: 'a2', version: 2 } };
  const digests = [1, 2, 3].flatMap((server) => [
    { server, zxid: zxid(1, 1), digest: 'd1' },
    { server, zxid: zxid(1, 3), digest: 'd3' },
  ]);

  it('passes every check', () => {
    const report = checkZooKeeperHistory({ operations, finalTree, committedZxids: [zxid(1, 1), zxid(1, 2), zxid(1, 3), zxid(1, 4)], digests });
    expect(report.verdicts.map((verdict) => [verdict.check, verdict.result])).toEqual([
      ['writeLinearizability', 'ok'],
      ['clientFifo', 'ok'],
      ['syncReads', 'ok'],
      ['noLostWrites', 'ok'],
      ['replicaDigests', 'ok'],
      ['orderedSequentialConsistency', 'ok'],
    ]);
    expect(report).toMatchObject({ result: 'ok', failedCheck: null });
  });

  it('also passes when the pending delete did take effect and the final tree is empty', () => {
    const emptied = { '/': { data: '', version: 0 } };
    expect(checkNoLostWrites(operations, { finalTree: emptied }).result).toBe('ok');
  });
});

describe('write linearizability', () => {
  it('rejects two creates of the same path that both succeed', () => {
    const operations = history(
      { client: 'alice', call: 1, return: 3, input: create('/lock', 'a'), result: OK },
      { client: 'bob', call: 2, return: 4, input: create('/lock', 'b'), result: OK },
    );
    const verdict = checkWriteLinearizability(operations);
    expect(verdict.result).toBe('violation');
    // Alice's create is placed; Bob's, which returned next, cannot follow it.
    expect(verdict.details).toMatchObject({ longestPrefix: [0], blocking: 1, unplaced: [1] });
    expect(verdict.message).toMatch(/operation #1 client bob on server 1: create \/lock data "b" -> OK cannot be placed/);
  });

  it('rejects a stale version made visible after a newer acknowledged write', () => {
    // Alice's and Bob's writes complete one after the other, so /x is at version 2. Carol's
    // conditional write "if version is 1" then succeeds: it acted on a state older than Bob's write.
    const operations = history(
      { client: 'alice', call: 1, return: 3, input: setData('/x', 'old'), result: version(1) },
      { client: 'bob', call: 4, return: 6, input: setData('/x', 'new'), result: version(2) },
      { client: 'carol', call: 7, return: 9, input: setData('/x', 'carol', 1), result: version(2) },
    );
    const initialTree = { '/': { data: '', version: 0 }, '/x': { data: '', version: 0 } };
    const verdict = checkWriteLinearizability(operations, { initialTree });
    expect(verdict.result).toBe('violation');
    expect(verdict.details).toMatchObject({ longestPrefix: [0, 1], unplaced: [2], stateAfterPrefix: { '/x': { data: 'new', version: 2 } } });
    // Had Carol's write been concurrent with Bob's, and Bob's reply said version 3, it could have
    // gone between the two.
    const concurrent = operations.map((op) =>
      op.id === 2 ? { ...op, call: 5 } : op.id === 1 ? { ...op, outcome: { status: 'ok' as const, result: version(3) } } : op,
    );
    expect(checkWriteLinearizability(concurrent, { initialTree }).result).toBe('ok');
  });

  it('ignores stale reads, which ZooKeeper allows', () => {
    const operations = history(
      { client: 'alice', call: 1, return: 3, input: create('/x', 'v'), result: OK },
      { client: 'bob', call: 5, return: 6, input: getData('/x'), result: NO_NODE },
    );
    expect(checkWriteLinearizability(operations).result).toBe('ok');
    expect(checkOrderedSequentialConsistency(operations).result).toBe('ok');
  });
});

describe('client FIFO order', () => {
  // Alice pipelines two setData calls. The replies say the second took effect first.
  const pipelined = history(
    { client: 'alice', call: 1, return: 10, input: setData('/x', 'first'), result: version(2), zxid: zxid(1, 2) },
    { client: 'alice', call: 2, return: 11, input: setData('/x', 'second'), result: version(1), zxid: zxid(1, 1) },
  );
  const initialTree = { '/': { data: '', version: 0 }, '/x': { data: '', version: 0 } };

  it('is invisible to write linearizability: the two writes overlap', () => {
    expect(checkWriteLinearizability(pipelined, { initialTree }).result).toBe('ok');
  });

  it('is caught by zxid order', () => {
    const verdict = checkClientFifo(pipelined, { initialTree });
    expect(verdict.result).toBe('violation');
    expect(verdict.details).toMatchObject({ orderViolations: [{ rule: 'zxidOrder', client: 'alice', earlier: 0, later: 1 }] });
  });

  it('is caught by value alone, without zxids', () => {
    const verdict = checkClientFifo(withoutZxids(pipelined), { initialTree });
    expect(verdict.result).toBe('violation');
    // Nothing can go first: the first write's reply needs the second before it, and the second
    // must wait for the first.
    expect(verdict.details).toMatchObject({ orderViolations: [], writesInClientOrder: { longestPrefix: [], unplaced: [0, 1] } });
  });

  it('catches replies that arrive out of issue order', () => {
    const operations = history(
      { client: 'alice', call: 1, return: 10, input: getData('/'), result: data('', 0) },
      { client: 'alice', call: 2, return: 5, input: getData('/'), result: data('', 0) },
    );
    expect(checkClientFifo(operations).details).toMatchObject({ orderViolations: [{ rule: 'completionOrder', earlier: 0, later: 1 }] });
  });

  it('lets a timed-out write be overtaken, as if it never happened', () => {
    const operations = history(
      { client: 'alice', call: 1, return: 4, input: setData('/x', 'lost') },
      { client: 'alice', call: 5, return: 6, input: setData('/x', 'kept'), result: version(1) },
      { client: 'bob', call: 7, return: 8, input: getData('/x'), result: data('kept', 1) },
    );
    expect(checkClientFifo(operations, { initialTree }).result).toBe('ok');
    expect(checkOrderedSequentialConsistency(operations, { initialTree }).result).toBe('ok');
  });
});

describe('reads after sync', () => {
  // Alice's write completes at 3. Bob syncs at 5, then reads from his follower at 8: he must see it.
  const missedWrite = history(
    { client: 'alice', server: 1, call: 1, return: 3, input: setData('/x', 'new'), result: version(1), zxid: zxid(1, 2) },
    { client: 'bob', server: 2, call: 5, return: 7, input: sync('/x'), result: OK, zxid: zxid(1, 2) },
    { client: 'bob', server: 2, call: 8, return: 9, input: getData('/x'), result: data('', 0), zxid: zxid(1, 1) },
  );
  const initialTree = { '/': { data: '', version: 0 }, '/x': { data: '', version: 0 } };

  it('rejects a read after sync that misses a completed write, by zxid', () => {
    const verdict = checkSyncReads(missedWrite, { initialTree });
    expect(verdict.result).toBe('violation');
    expect(verdict.details).toMatchObject({ zxidViolations: [{ read: 2, sync: 1, write: 0 }] });
  });

  it('rejects it by value too, without zxids', () => {
    const verdict = checkSyncReads(withoutZxids(missedWrite), { initialTree });
    expect(verdict.result).toBe('violation');
    expect(verdict.details).toMatchObject({ search: { unplaced: [2] } });
    expect(checkOrderedSequentialConsistency(withoutZxids(missedWrite), { initialTree }).result).toBe('violation');
  });

  it('accepts the same stale read when Bob did not sync', () => {
    const unsynced = missedWrite.filter((op) => op.input.kind !== 'sync');
    expect(checkSyncReads(unsynced, { initialTree })).toMatchObject({ result: 'ok', details: { syncedReads: [] } });
    expect(checkOrderedSequentialConsistency(withoutZxids(unsynced), { initialTree }).result).toBe('ok');
  });

  it('does not require a read after sync to see a write that completed after the sync was called', () => {
    const late = missedWrite.map((op) => (op.id === 0 ? { ...op, call: 4, return: 6 } : op));
    expect(checkSyncReads(withoutZxids(late), { initialTree }).result).toBe('ok');
  });
});

describe('lost writes', () => {
  // Alice's setData is acknowledged, yet the ensemble's final state does not have it.
  const operations = history(
    { client: 'alice', call: 1, return: 2, input: create('/a'), result: OK, zxid: zxid(1, 1) },
    { client: 'alice', call: 3, return: 4, input: setData('/a', 'x'), result: version(1), zxid: zxid(1, 2) },
  );

  it('rejects an acknowledged setData missing from the committed log', () => {
    const verdict = checkNoLostWrites(operations, { committedZxids: [zxid(1, 1)] });
    expect(verdict).toMatchObject({ result: 'violation', details: { missingFromLog: [1] } });
  });

  it('rejects an acknowledged setData missing from the final tree', () => {
    const finalTree = { '/': { data: '', version: 0 }, '/a': { data: '', version: 0 } };
    const verdict = checkNoLostWrites(operations, { finalTree });
    expect(verdict.result).toBe('violation');
    expect(verdict.details).toMatchObject({ search: { longestPrefix: [0, 1] } });
  });

  it('rejects a final tree with a node no write ever touched', () => {
    const finalTree = { '/': { data: '', version: 0 }, '/a': { data: 'x', version: 1 }, '/ghost': { data: '', version: 0 } };
    expect(checkNoLostWrites(operations, { finalTree })).toMatchObject({ result: 'violation', details: { untouchedChanged: ['/ghost'] } });
  });

  it('accepts the final tree that the writes produce', () => {
    const finalTree = { '/': { data: '', version: 0 }, '/a': { data: 'x', version: 1 } };
    expect(checkNoLostWrites(operations, { finalTree, committedZxids: [zxid(1, 1), zxid(1, 2)] }).result).toBe('ok');
  });
});

describe('replica digests', () => {
  it('rejects replicas that disagree on the tree at the same zxid', () => {
    const verdict = checkReplicaDigests([
      { server: 1, zxid: zxid(1, 1), digest: 'aa' },
      { server: 2, zxid: zxid(1, 1), digest: 'aa' },
      { server: 1, zxid: zxid(1, 2), digest: 'bb' },
      { server: 3, zxid: zxid(1, 2), digest: 'bc' },
    ]);
    expect(verdict.result).toBe('violation');
    expect(verdict.details).toEqual({ mismatches: [{ zxid: '0x100000002', reports: [{ server: 1, digest: 'bb' }, { server: 3, digest: 'bc' }] }] });
    expect(verdict.message).toBe('Replicas disagree at zxid 0x100000002: server 1 has bb, server 3 has bc.');
  });

  it("accepts the service's bigint digests, comparing them by value", () => {
    const records = [1, 2, 3].map((server) => ({ server, zxid: zxid(2, 7), digest: 18446744073709551557n }));
    expect(checkReplicaDigests(records).result).toBe('ok');
    expect(checkReplicaDigests([...records, { server: 4, zxid: zxid(2, 7), digest: 5n }]).details).toEqual({
      mismatches: [{ zxid: '0x200000007', reports: [...records.map(({ server }) => ({ server, digest: '18446744073709551557' })), { server: 4, digest: '5' }] }],
    });
  });
});

describe('ordered sequential consistency (reads included)', () => {
  it('rejects a read that sees a write from the future', () => {
    const operations = history(
      { client: 'bob', call: 1, return: 2, input: getData('/x'), result: data('v', 0) },
      { client: 'alice', call: 3, return: 4, input: create('/x', 'v'), result: OK },
    );
    expect(checkOrderedSequentialConsistency(operations).result).toBe('violation');
  });

  it('rejects a client that sees the tree go back in time', () => {
    // A create whose outcome Alice never learned: Bob sees the node, then does not.
    const operations = history(
      { client: 'alice', call: 1, return: 5, input: create('/x', 'v') },
      { client: 'bob', call: 10, return: 11, input: getData('/x'), result: data('v', 0) },
      { client: 'bob', call: 12, return: 13, input: getData('/x'), result: NO_NODE },
    );
    expect(checkOrderedSequentialConsistency(operations).result).toBe('violation');
    // Two different clients may see it in different orders: each is just stale in its own way.
    const twoClients = operations.map((op) => (op.id === 1 ? { ...op, client: 'carol' } : op));
    expect(checkOrderedSequentialConsistency(twoClients).result).toBe('ok');
  });

  it('answers unknown, not ok, when the search budget runs out', () => {
    const racing = history(
      ...['a', 'b', 'c', 'd', 'e', 'f'].map((client) => ({ client, call: 1, return: 50, input: setData('/', client), result: version(6) })),
    );
    const verdict = checkWriteLinearizability(racing, { stepLimit: 3 });
    expect(verdict).toMatchObject({ result: 'unknown', details: { stepLimit: 3 } });
    expect(checkZooKeeperHistory({ operations: racing, stepLimit: 3 }).result).toBe('unknown');
    expect(checkZooKeeperHistory({ operations: racing }).result).toBe('violation');
  });

  it('reports which check failed first for the whole history', () => {
    const operations = history(
      { client: 'alice', call: 1, return: 3, input: create('/lock'), result: OK },
      { client: 'bob', call: 2, return: 4, input: create('/lock'), result: OK },
    );
    expect(checkZooKeeperHistory({ operations })).toMatchObject({ result: 'violation', failedCheck: 'writeLinearizability' });
  });
});
