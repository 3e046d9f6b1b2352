import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyTxn, CONTAINER_EPHEMERAL_OWNER, DataTree, Ids, OpCode, prepRequest, SessionTracker, type ACL, type WriteRequest, type ZNode } from '../../src/service/index.js';
import { crc32 } from '../../src/runtime/storage/crc32.js';
import { historyRunsOf } from '../../src/runtime/storage/historyRuns.js';
import { decodeSnapshot, encodeSnapshot, encodeSnapshotSliced } from '../../src/runtime/storage/Snapshot.js';
import { toTaggedJson } from '../../src/runtime/storage/taggedJson.js';
import { runs, testSeed } from '../support/seed.js';
import { makeLogEntries } from './txnFixtures.js';

/** The snapshot format as Snapshot.ts documents it, built the plain way, field by field with Buffer's writers. */
function referenceEncoding(zxid: bigint, tree: DataTree, history?: ReturnType<typeof historyRunsOf>): Buffer {
  const parts: Buffer[] = [];
  const int = (value: number) => { const b = Buffer.alloc(4); b.writeInt32BE(value); parts.push(b); };
  const uint = (value: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(value); parts.push(b); };
  const long = (value: bigint) => { const b = Buffer.alloc(8); b.writeBigInt64BE(BigInt.asIntN(64, value)); parts.push(b); };
  const bytes = (value: Uint8Array) => { int(value.length); parts.push(Buffer.from(value)); };
  const text = (value: string) => bytes(Buffer.from(value, 'utf8'));
  long(zxid);
  long(tree.digest);
  int(tree.sessions.size);
  for (const [id, timeout] of tree.sessions) { long(id); int(timeout); }
  int(tree.nodeCount);
  const acls: string[] = [];
  for (const [path, node] of tree.nodes) {
    text(path);
    bytes(node.data);
    const key = JSON.stringify(node.acl);
    if (!acls.includes(key)) acls.push(key);
    int(acls.indexOf(key));
    const stat = node.stat;
    long(stat.czxid); long(stat.mzxid); long(stat.pzxid); long(BigInt(stat.ctime)); long(BigInt(stat.mtime));
    int(stat.version); int(stat.cversion); int(stat.aversion); long(stat.ephemeralOwner); int(stat.dataLength); int(stat.numChildren);
  }
  int(acls.length);
  for (const key of acls) {
    const acl = JSON.parse(key) as ACL[];
    int(acl.length);
    for (const entry of acl) { int(entry.perms); text(entry.id.scheme); text(entry.id.id); }
  }
  if (history === undefined) parts.push(Buffer.from([0]));
  else {
    parts.push(Buffer.from([1]));
    int(history.length);
    for (const [epoch, first, last] of history) { uint(epoch); uint(first); uint(last); }
  }
  return withHeader(Buffer.concat(parts), 2);
}

function withHeader(body: Buffer, version: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x5a53534e, 0);
  header.writeUInt32BE(version, 4);
  header.writeUInt32BE(crc32(body), 8);
  return Buffer.concat([header, body]);
}

/** Version 1 as it was written: one tagged JSON text, parents before children. */
function version1Encoding(zxid: bigint, tree: DataTree, history?: ReturnType<typeof historyRunsOf>): Buffer {
  const depth = (path: string) => (path === '/' ? 0 : path.split('/').length - 1);
  const paths = [...tree.nodes.keys()].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0));
  const nodes = paths.map((path) => {
    const node = tree.nodes.get(path) as ZNode;
    return { path, data: node.data, acl: [...node.acl], stat: node.stat };
  });
  const body: Record<string, unknown> = { zxid, digest: tree.digest, sessions: [...tree.sessions], nodes };
  if (history !== undefined) body.history = history.map((run) => [...run]);
  return withHeader(Buffer.from(toTaggedJson(body), 'utf8'), 1);
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

const byPath = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

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
        expect(Buffer.concat(await encodeSnapshotSliced(zxid, tree, history)).equals(expected)).toBe(true);
        const decoded = decodeSnapshot(expected);
        if ('invalid' in decoded) throw new Error(decoded.invalid);
        expect([...decoded.tree.nodes].sort(byPath)).toEqual([...tree.nodes].sort(byPath));
        expect(decoded.history).toEqual(history ?? null);
      }),
      { seed, numRuns: runs(12, 100), verbose: 1 },
    );
  });

  it('a tree that does not know its digest (a running server\'s) gets it summed while encoding: the same bytes', async () => {
    const { entries, tree } = makeLogEntries(400, 23);
    const zxid = entries[entries.length - 1].zxid;
    const unknown = DataTree.fromParts(tree.nodes, tree.sessions, undefined);
    expect(unknown.hasDigest).toBe(false);
    expect(tree.hasDigest).toBe(true);
    const expected = encodeSnapshot(zxid, tree);
    expect(encodeSnapshot(zxid, unknown).equals(expected)).toBe(true);
    expect(Buffer.concat(await encodeSnapshotSliced(zxid, DataTree.fromParts(tree.nodes, tree.sessions, undefined))).equals(expected)).toBe(true);
  });

  it('holds session ids of servers with myid 128 and up (2^63 and more), their ephemerals and containers', () => {
    let tree = DataTree.empty();
    const { tracker, sessionId } = SessionTracker.initial(200).createSession(30_000, 0);
    expect(sessionId).toBeGreaterThan(1n << 63n);
    const requests: WriteRequest[] = [
      { type: OpCode.createSession, timeOut: 10, sessionId, cxid: 0, authInfo: [] },
      { type: OpCode.create, path: '/e', data: new Uint8Array([1]), acl: Ids.OPEN_ACL_UNSAFE, flags: 1, sessionId, cxid: 1, authInfo: [] },
      { type: OpCode.createContainer, path: '/c', data: new Uint8Array(0), acl: Ids.OPEN_ACL_UNSAFE, flags: 4, sessionId, cxid: 2, authInfo: [] },
    ];
    const zxid = (0xfffffff0n << 32n) + 3n;
    for (const [index, request] of requests.entries()) {
      const prepped = prepRequest(tree, tracker, request, zxid - 2n + BigInt(index), 0);
      if (prepped.kind !== 'txn') throw new Error(`refused: ${prepped.err}`);
      tree = prepped.tree;
    }
    const decoded = decodeSnapshot(encodeSnapshot(zxid, tree));
    if ('invalid' in decoded) throw new Error(decoded.invalid);
    expect(decoded.zxid).toBe(zxid);
    expect(decoded.tree.sessions.get(sessionId)).toBe(10);
    expect(decoded.tree.getNode('/e')?.stat.ephemeralOwner).toBe(sessionId);
    expect(decoded.tree.getNode('/c')?.stat.ephemeralOwner).toBe(CONTAINER_EPHEMERAL_OWNER);
    expect(decoded.tree.getNode('/c')?.stat.czxid).toBe(zxid);
    expect(decoded.tree.digest).toBe(tree.digest);
  });

  it('reads version 1 files (tagged JSON) to the same tree', () => {
    const { entries, tree } = makeLogEntries(300, 21);
    const zxid = entries[entries.length - 1].zxid;
    const history = historyRunsOf(entries.map((entry) => ({ epoch: Number(entry.zxid >> 32n), counter: Number(entry.zxid & 0xffffffffn) })));
    const decoded = decodeSnapshot(version1Encoding(zxid, tree, history));
    if ('invalid' in decoded) throw new Error(decoded.invalid);
    expect(decoded.tree.digest).toBe(tree.digest);
    expect(decoded.tree.nodeCount).toBe(tree.nodeCount);
    expect(decoded.history).toEqual(history);
    // A tree built another way (from the snapshot, not by txns) encodes to the same bytes.
    expect(encodeSnapshot(zxid, decoded.tree, history).equals(encodeSnapshot(zxid, tree, history))).toBe(true);
  });

  it('refuses a body whose CRC matches but whose fields do not fit, naming the field, without throwing', () => {
    const { entries, tree } = makeLogEntries(50, 22);
    const zxid = entries[entries.length - 1].zxid;
    const good = encodeSnapshot(zxid, tree);
    const body = Buffer.from(good.subarray(16));
    // The session count (after zxid and digest) claims more sessions than the bytes left could hold.
    body.writeInt32BE(0x7fffffff, 16);
    expect(decodeSnapshot(withHeader(body, 2))).toEqual({ invalid: expect.stringMatching(/^body does not decode: sessions: length 2147483647 needs/) });
    expect(decodeSnapshot(withHeader(body.subarray(0, body.length - 1), 2))).toEqual({ invalid: expect.stringMatching(/^body does not decode/) });
    expect(decodeSnapshot(withHeader(Buffer.concat([good.subarray(16), Buffer.from([0])]), 2))).toEqual({ invalid: expect.stringMatching(/bytes after/) });
    expect(decodeSnapshot(withHeader(good.subarray(16), 3))).toEqual({ invalid: 'unknown format version 3' });
    // A node naming an access list the table does not have. The first node's acl index follows the
    // head (zxid, digest, no sessions, the node count), its path and its data.
    const sessionless = encodeSnapshot(zxid, DataTree.fromParts(tree.nodes, new Map(), undefined));
    const nodeBody = Buffer.from(sessionless.subarray(16));
    const pathLength = nodeBody.readInt32BE(24);
    const dataLength = nodeBody.readInt32BE(28 + pathLength);
    nodeBody.writeInt32BE(7, 32 + pathLength + dataLength);
    expect(decodeSnapshot(withHeader(nodeBody, 2))).toEqual({ invalid: expect.stringMatching(/^node .* names access list 7 of \d+$/) });
  });

  it('reports a truncated or mutated file as invalid, and decodes a mutated body whose CRC was made to match to an error or a tree, never throwing (property)', () => {
    const { entries, tree } = makeLogEntries(60, 23);
    const zxid = entries[entries.length - 1].zxid;
    const good = encodeSnapshot(zxid, tree, historyRunsOf(entries.map((entry) => ({ epoch: Number(entry.zxid >> 32n), counter: Number(entry.zxid & 0xffffffffn) }))));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: good.length - 1 }), fc.integer({ min: 1, max: 255 }), (offset, change) => {
        expect(decodeSnapshot(good.subarray(0, offset))).toHaveProperty('invalid');
        const mutated = Buffer.from(good);
        mutated[offset] ^= change;
        expect(decodeSnapshot(mutated)).toHaveProperty('invalid');
        // The same change past the header with the CRC made to match: the decoder itself must catch it or decode it.
        if (offset >= 16) {
          const result = decodeSnapshot(withHeader(mutated.subarray(16), 2));
          if (!('invalid' in result)) expect(result.tree.nodeCount).toBeGreaterThan(0);
        }
      }),
      { seed: testSeed(), numRuns: runs(300, 3000) },
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
    const bytes = Buffer.concat(await encodeSnapshotSliced(zxid, tree));
    encoding = false;
    expect(tree.nodeCount).toBeGreaterThan(4 * 1000);
    // A slice of 250 nodes per turn.
    expect(turns).toBeGreaterThanOrEqual(Math.floor(tree.nodeCount / 250));
    const decoded = decodeSnapshot(bytes);
    if ('invalid' in decoded) throw new Error(decoded.invalid);
    expect(decoded.tree.digest).toBe(tree.digest);
  });
});
