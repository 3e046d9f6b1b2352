import { describe, expect, test } from 'vitest';
import { applyTxn, DataTree, Ids, OpCode, prepRequest, SessionTracker } from '../../src/service/index.js';
import type { WriteRequest } from '../../src/service/index.js';
import type { PreparedTxn } from '../../src/runtime/Committer.js';
import { silentLogger } from '../../src/runtime/Logger.js';
import { ZooKeeperServer } from '../../src/runtime/ZooKeeperServer.js';

const LIMITS = { tickTimeMs: 2000, minSessionTimeoutMs: 4000, maxSessionTimeoutMs: 40000 };
const data = (text: string) => new TextEncoder().encode(text);

/** One of each kind of write, some failing, as a leader would prep them one after the other. */
function requests(sessionId: bigint): WriteRequest[] {
  const header = (cxid: number) => ({ sessionId, cxid, authInfo: [] });
  return [
    { ...header(0), type: OpCode.createSession, timeOut: 10 },
    { ...header(1), type: OpCode.create, path: '/a', data: data('a'), acl: Ids.OPEN_ACL_UNSAFE, flags: 0 },
    { ...header(2), type: OpCode.create2, path: '/a/s-', data: data('s'), acl: Ids.OPEN_ACL_UNSAFE, flags: 2 },
    { ...header(3), type: OpCode.create, path: '/a/e', data: data('e'), acl: Ids.OPEN_ACL_UNSAFE, flags: 1 },
    { ...header(4), type: OpCode.create, path: '/a', data: data('again'), acl: Ids.OPEN_ACL_UNSAFE, flags: 0 },
    { ...header(5), type: OpCode.setData, path: '/a', data: data('b'), version: 0 },
    { ...header(6), type: OpCode.setData, path: '/a', data: data('c'), version: 0 },
    {
      ...header(7), type: OpCode.multi, ops: [
        { type: OpCode.create, path: '/m', data: data('m'), acl: Ids.OPEN_ACL_UNSAFE, flags: 0 },
        { type: OpCode.setData, path: '/m', data: data('m2'), version: 0 },
      ],
    },
    {
      ...header(8), type: OpCode.multi, ops: [
        { type: OpCode.delete, path: '/m', version: -1 },
        { type: OpCode.delete, path: '/missing', version: -1 },
      ],
    },
    { ...header(9), type: OpCode.setACL, path: '/m', acl: Ids.READ_ACL_UNSAFE, version: -1 },
    { ...header(10), type: OpCode.delete, path: '/m', version: -1 },
    { ...header(11), type: OpCode.closeSession },
  ];
}

/** Preps every request on the speculative tree, as the leader's committer does, keeping what each prep applied. */
function prepAll(tree: DataTree): PreparedTxn[] {
  let speculative = tree;
  const created = SessionTracker.initial(1).createSession(10, 0);
  let tracker = created.tracker;
  const prepared: PreparedTxn[] = [];
  for (const [index, request] of requests(created.sessionId).entries()) {
    const zxid = 0x1_0000_0000n + BigInt(index + 1);
    const time = 1_700_000_000_000 + index;
    const prepped = prepRequest(speculative, tracker, request, zxid, time);
    if (prepped.kind !== 'txn') throw new Error(`request ${index} was refused (${prepped.err})`);
    prepared.push({ zxid, time, txn: prepped.txn, base: speculative, applied: prepped.applied });
    speculative = prepped.tree;
    tracker = prepped.tracker;
  }
  return prepared;
}

function server(): ZooKeeperServer {
  return new ZooKeeperServer(DataTree.empty(), 0n, LIMITS, silentLogger);
}

function entriesOf(tree: DataTree): unknown[] {
  return [...tree.nodes].sort(([a], [b]) => (a < b ? -1 : 1));
}

describe('a leader applies a committed txn with what prepping it already applied', () => {
  test('each commit onto the tree it was prepped on takes the prepped tree, and ends where a follower applying the log ends', () => {
    const leader = server();
    const follower = server();
    const prepared = prepAll(leader.tree);
    for (const txn of prepared) {
      leader.apply(txn, txn);
      expect(leader.tree).toBe(txn.applied.tree);
      follower.apply(txn);
      expect(entriesOf(leader.tree)).toEqual(entriesOf(follower.tree));
      expect(leader.tree.sessions).toEqual(follower.tree.sessions);
    }
    expect(leader.tree.getNode('/a')?.stat.version).toBe(1);
    expect(leader.tree.getNode('/a/e')).toBeUndefined();
    // Neither keeps a digest txn by txn; computed when first read, they agree.
    expect(follower.tree.hasDigest).toBe(false);
    expect(leader.tree.hasDigest).toBe(false);
    expect(leader.tree.digest).toBe(follower.tree.digest);
  });

  test('a txn prepped on another tree than the one it commits onto is applied afresh', () => {
    const prepared = prepAll(DataTree.empty());
    const leader = server();
    // Same contents, other object: the server cannot know it is the same state, so it applies the txn.
    for (const txn of prepared) leader.apply(txn, { ...txn, base: DataTree.empty() });
    const reference = server();
    for (const txn of prepared) reference.apply(txn);
    expect(leader.tree).not.toBe(prepared.at(-1)?.applied.tree);
    expect(entriesOf(leader.tree)).toEqual(entriesOf(reference.tree));
    expect(leader.tree.digest).toBe(reference.tree.digest);
  });

  test('a prepared txn for another zxid, time or txn is not taken', () => {
    const [createSession, create] = prepAll(DataTree.empty());
    for (const wrong of [{ zxid: create.zxid + 1n }, { time: create.time + 1 }, { txn: { ...create.txn } }]) {
      const leader = server();
      leader.apply(createSession, createSession);
      leader.apply(create, { ...create, ...wrong });
      expect(leader.tree).not.toBe(create.applied.tree);
      expect(leader.tree.getNode('/a')).toEqual(create.applied.tree.getNode('/a'));
    }
  });

  test('the digest a server computes when first asked is the one a replica keeping it txn by txn has', () => {
    const leader = server();
    const prepared = prepAll(leader.tree);
    leader.apply(prepared[0], prepared[0]);
    for (const txn of prepared.slice(1)) leader.apply(txn);
    expect(leader.tree.hasDigest).toBe(false);
    let kept = DataTree.empty();
    for (const txn of prepared) kept = applyTxn(kept, txn.txn, txn.zxid, txn.time).tree;
    expect(kept.hasDigest).toBe(true);
    expect(leader.tree.digest).toBe(kept.digest);
  });
});
