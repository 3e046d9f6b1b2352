import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyTxn, DataTree, Ids, OpCode, prepRequest, SessionTracker, type ZNode } from '../../src/service/index.js';
import { crc32 } from '../../src/runtime/storage/crc32.js';
import { historyRunsOf } from '../../src/runtime/storage/historyRuns.js';
import { decodeSnapshot, encodeSnapshot, encodeSnapshotSliced } from '../../src/runtime/storage/Snapshot.js';
import { toTaggedJson } from '../../src/runtime/storage/taggedJson.js';
import { runs, testSeed } from '../support/seed.js';
import { makeLogEntries } from './txnFixtures.js';

/** The snapshot format as Snapshot.ts documents it, built the plain way: one body object, one JSON text. */
function referenceEncoding(zxid: bigint, tree: DataTree, history?: ReturnType<typeof historyRunsOf>): Buffer {
  const depth = (path: string) => (path === '/' ? 0 : path.split('/').length - 1);
  const paths = [...tree.nodes.keys()].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0));
  const nodes = paths.map((path) => {
    const node = tree.nodes.get(path) as ZNode;
    return { path, data: node.data, acl: [...node.acl], stat: node.stat };
  });
  const body: Record<string, unknown> = { zxid, digest: tree.digest, sessions: [...tree.sessions], nodes };
  if (history !== undefined) body.history = history.map((run) => [...run]);
  const json = Buffer.from(toTaggedJson(body), 'utf8');
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x5a53534e, 0);
  header.writeUInt32BE(1, 4);
  header.writeUInt32BE(crc32(json), 8);
  return Buffer.concat([header, json]);
}

/** A tree of `count` nodes under /wide, created as a leader would (prepRequest, then applyTxn). */
function wideTree(count: number): { tree: DataTree; zxid: bigint } {
  let tree = DataTree.empty();
  const { tracker, sessionId } = SessionTracker.initial(1).createSession(30_000, 0);
  let zxid = 0n;
  const create = (path: string): void => {
    zxid += 1n;
    const prepped = prepRequest(tree, tracker, { type: OpCode.create, path, data: new Uint8Array([1, 2, 3]), acl: Ids.OPEN_ACL_UNSAFE, flags: 0, sessionId, cxid: 0, authInfo: [] }, zxid, 0);
    if (prepped.kind !== 'txn') throw new Error(`create ${path} refused: ${prepped.err}`);
    tree = applyTxn(tree, prepped.txn, zxid, 0).tree;
  };
  create('/wide');
  for (let index = 0; index < count; index++) create(`/wide/n${index}`);
  return { tree, zxid };
}

describe('snapshot encoding', () => {
  it('writes the documented bytes, in one go or a slice of nodes per turn, with and without the history', async () => {
    const seed = testSeed();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2500 }), fc.integer(), fc.boolean(), async (count, treeSeed, withHistory) => {
        const { entries, tree } = makeLogEntries(count, treeSeed);
        const zxid = entries[entries.length - 1].zxid;
        const history = withHistory ? historyRunsOf(entries.map((entry) => ({ epoch: Number(entry.zxid >> 32n), counter: Number(entry.zxid & 0xffffffffn) }))) : undefined;
        const expected = referenceEncoding(zxid, tree, history);
        expect(encodeSnapshot(zxid, tree, history).equals(expected)).toBe(true);
        expect((await encodeSnapshotSliced(zxid, tree, history)).equals(expected)).toBe(true);
      }),
      { seed, numRuns: runs(12, 100), verbose: 1 },
    );
  });

  it('a large tree is encoded across many turns of the event loop: other work runs meanwhile', async () => {
    const { tree, zxid } = wideTree(12_000);
    let turns = 0;
    let encoding = true;
    const tick = (): void => {
      turns += 1;
      if (encoding) setImmediate(tick);
    };
    setImmediate(tick);
    const bytes = await encodeSnapshotSliced(zxid, tree);
    encoding = false;
    expect(tree.nodeCount).toBeGreaterThan(4 * 500);
    expect(turns).toBeGreaterThanOrEqual(Math.floor(tree.nodeCount / 500));
    const decoded = decodeSnapshot(bytes);
    if ('invalid' in decoded) throw new Error(decoded.invalid);
    expect(decoded.tree.digest).toBe(tree.digest);
  });
});
