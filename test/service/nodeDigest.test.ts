/**
 * The node digest is hashed from code units without building strings, and drafts keep the tree's
 * sum in two 32-bit halves (or not at all, for the leader's speculative trees). Snapshots and replica
 * comparisons rely on the digest's value, so these tests pin it to its definition over text (the
 * string-building implementation it replaced, kept here as the reference) and check that every way of
 * building a tree gives the digest a from-scratch sum gives.
 * Replay a failure with ZABSTATE_SEED=<seed>.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ACL } from '../../src/service/Acl.js';
import { Ids } from '../../src/service/Acl.js';
import { DataTree } from '../../src/service/DataTree.js';
import { DataTreeDraft } from '../../src/service/DataTreeDraft.js';
import { PersistentSet } from '../../src/service/PersistentSet.js';
import { CONTAINER_EPHEMERAL_OWNER } from '../../src/service/Stat.js';
import type { Stat } from '../../src/service/Stat.js';
import type { ZNode } from '../../src/service/ZNode.js';
import { addNodeDigest, digestFromParts, digestToParts, nodeDigest } from '../../src/service/nodeDigest.js';
import { testSeed } from '../support/seed.js';

const seed = testSeed();

/** The digest's definition: the text of each part, hashed unit by unit (the implementation before strings were avoided). */
function referenceDigest(path: string, node: ZNode): bigint {
  let fnv = 0x811c9dc5;
  let mix = 0x9e3779b9;
  const unit = (value: number): void => {
    fnv = Math.imul(fnv ^ value, 0x01000193);
    mix = Math.imul(mix ^ value, 0x85ebca6b);
    mix ^= mix >>> 13;
  };
  const text = (value: string): void => {
    for (let index = 0; index < value.length; index++) unit(value.charCodeAt(index));
    unit(0x1_0000);
  };
  const s = node.stat;
  text(path);
  text([s.czxid, s.mzxid, s.pzxid, s.ctime, s.mtime, s.version, s.cversion, s.aversion, s.ephemeralOwner, s.dataLength, s.numChildren].join(','));
  text(node.acl.map((entry) => `${entry.perms}:${entry.id.scheme}:${entry.id.id}`).join(','));
  for (const byte of node.data) unit(byte);
  unit(node.data.length + 0x2_0000);
  let low = mix ^ (mix >>> 16);
  low = Math.imul(low, 0x7feb352d);
  low ^= low >>> 15;
  low = Math.imul(low, 0x846ca68b) ^ (low >>> 16);
  return (BigInt(fnv >>> 0) << 32n) | BigInt(low >>> 0);
}

const edgeBigints = [0n, 1n, -1n, 9n, 10n, 999_999_999n, 1_000_000_000n, 1_000_000_001n, 0x1_0000_0001n,
  2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) + 1n, -(2n ** 53n), 2n ** 63n - 1n, CONTAINER_EPHEMERAL_OWNER];
const edgeNumbers = [0, -0, 1, -1, 9, 10, 2_147_483_647, -2_147_483_648, 999_999_999, 1_000_000_000, 1_763_800_000_123,
  Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53, 1e21, 1.5, -0.25, NaN, Infinity];

const bigintField = fc.oneof(fc.constantFrom(...edgeBigints), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.bigInt({ min: 0n, max: 2n ** 40n }));
const numberField = fc.oneof(fc.constantFrom(...edgeNumbers), fc.integer(), fc.integer({ min: 0, max: 2 ** 31 }),
  fc.maxSafeInteger(), fc.double());
const statArbitrary: fc.Arbitrary<Stat> = fc.record({
  czxid: bigintField, mzxid: bigintField, pzxid: bigintField, ctime: numberField, mtime: numberField,
  version: numberField, cversion: numberField, aversion: numberField, ephemeralOwner: bigintField,
  dataLength: numberField, numChildren: numberField,
});
const aclArbitrary: fc.Arbitrary<readonly ACL[]> = fc.oneof(
  fc.constantFrom(Ids.OPEN_ACL_UNSAFE, Ids.CREATOR_ALL_ACL, Ids.READ_ACL_UNSAFE, [] as readonly ACL[]),
  fc.array(fc.record({ perms: numberField, id: fc.record({ scheme: fc.string(), id: fc.string({ unit: 'binary' }) }) }), { maxLength: 3 }),
);
const nodeArbitrary: fc.Arbitrary<ZNode> = fc.record({
  data: fc.uint8Array({ maxLength: 64 }), acl: aclArbitrary, stat: statArbitrary, children: fc.constant(PersistentSet.EMPTY),
});
const pathArbitrary = fc.oneof(fc.constantFrom('/', '/a', '/bench/c12/s-0000001234'), fc.string({ unit: 'binary' }));

describe('nodeDigest', () => {
  it('equals the digest of the node written out as text, for any field values', () => {
    fc.assert(fc.property(pathArbitrary, nodeArbitrary, (path, node) => {
      expect(nodeDigest(path, node)).toBe(referenceDigest(path, node));
    }), { seed, numRuns: 2000 });
  });

  it('holds for a node larger than the unit buffer starts with (long path, many ACL entries)', () => {
    const acl = Array.from({ length: 40 }, (_, index) => ({ perms: index, id: { scheme: 'digest', id: `user${index}:${'x'.repeat(28)}` } }));
    const node: ZNode = { data: new Uint8Array(5000).fill(7), acl, stat: statOf(123n, 456), children: PersistentSet.EMPTY };
    const path = `/${'long/'.repeat(300)}end`;
    expect(nodeDigest(path, node)).toBe(referenceDigest(path, node));
    expect(nodeDigest('/short', node)).toBe(referenceDigest('/short', node));
  });

  it('writes a repeated bigint as it wrote it the first time (the last value\'s text is reused), in and across nodes', () => {
    for (const value of edgeBigints) {
      for (const other of [0n, value, -value, value + 1n]) {
        const same: ZNode = { data: new Uint8Array(0), acl: [], stat: { ...statOf(value, 1), ephemeralOwner: value }, children: PersistentSet.EMPTY };
        const mixed: ZNode = { ...same, stat: { ...statOf(other, 2), mzxid: value, ephemeralOwner: other } };
        for (const node of [same, mixed, same, mixed]) expect(nodeDigest('/n', node)).toBe(referenceDigest('/n', node));
      }
    }
  });

  it('sums in 32-bit halves exactly as in BigInt modulo 2^64, carries and borrows included', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.array(fc.tuple(pathArbitrary, nodeArbitrary, fc.boolean()), { maxLength: 8 }),
      (start, changes) => {
        const parts = digestToParts(start);
        let expected = start;
        for (const [path, node, add] of changes) {
          addNodeDigest(parts, path, node, add ? 1 : -1);
          expected = BigInt.asUintN(64, add ? expected + nodeDigest(path, node) : expected - nodeDigest(path, node));
          expect(parts.low).toBeGreaterThanOrEqual(0);
          expect(parts.low).toBeLessThan(2 ** 32);
        }
        expect(digestFromParts(parts)).toBe(expected);
      }), { seed, numRuns: 1000 });
  });
});

const ops = fc.array(fc.tuple(fc.constantFrom('create', 'setData', 'setACL', 'delete'), fc.constantFrom('/a', '/b', '/a/x', '/a/y', '/b/z'),
  fc.uint8Array({ maxLength: 8 }), fc.bigInt({ min: 0n, max: 2n ** 63n - 1n })), { maxLength: 40 });

/** Applies what fits the tree (creates under existing parents, changes of existing nodes, deletes of leaves). */
function applyOps(base: DataTree, keepDigest: boolean, changes: ReadonlyArray<readonly [string, string, Uint8Array, bigint]>): DataTree {
  let tree = base;
  let time = 1_763_800_000_000;
  for (const [kind, path, data, zxid] of changes) {
    const draft = new DataTreeDraft(tree, keepDigest);
    const node = draft.getNode(path);
    time += 7;
    if (kind === 'create' && node === undefined && draft.getNode(path.slice(0, path.lastIndexOf('/')) || '/') !== undefined) {
      draft.createNode(path, data, Ids.OPEN_ACL_UNSAFE, zxid % 3n === 0n ? zxid : 0n, 0, zxid, time);
    } else if (kind === 'setData' && node !== undefined) {
      draft.setData(path, data, node.stat.version + 1, zxid, time);
    } else if (kind === 'setACL' && node !== undefined) {
      draft.setACL(path, data.length % 2 === 0 ? Ids.READ_ACL_UNSAFE : Ids.CREATOR_ALL_ACL, node.stat.aversion + 1);
    } else if (kind === 'delete' && node !== undefined && node.children.size === 0) {
      draft.deleteNode(path, zxid);
    } else continue;
    tree = draft.finish();
  }
  return tree;
}

describe('the digest of a tree built by drafts', () => {
  it('equals the from-scratch sum, whether the drafts kept it or left it to be computed', () => {
    fc.assert(fc.property(ops, (changes) => {
      const kept = applyOps(DataTree.empty(), true, changes);
      const skipped = applyOps(DataTree.empty(), false, changes);
      expect(kept.hasDigest).toBe(true);
      expect(kept.digest).toBe(kept.recomputeDigest());
      expect(skipped.digest).toBe(kept.digest);
    }), { seed, numRuns: 300 });
  });

  it('a speculative tree leaves the digest uncomputed; a committed change on top of it computes the base once and keeps it after', () => {
    const base = applyOps(DataTree.empty(), true, [['create', '/a', new Uint8Array([1]), 5n]]);
    const speculative = applyOps(base, false, [['create', '/b', new Uint8Array([2]), 6n]]);
    expect(speculative.hasDigest).toBe(false);
    const committed = applyOps(speculative, true, [['setData', '/a', new Uint8Array([3]), 7n]]);
    expect(committed.hasDigest).toBe(true);
    expect(speculative.hasDigest).toBe(true);
    expect(committed.digest).toBe(committed.recomputeDigest());
    expect(speculative.digest).toBe(speculative.recomputeDigest());
    // The base is a persistent version: building on it changed neither its nodes nor its digest.
    expect(base.digest).toBe(base.recomputeDigest());
    expect(base.getNode('/b')).toBeUndefined();
  });
});

function statOf(zxid: bigint, time: number): Stat {
  return { czxid: zxid, mzxid: zxid, pzxid: zxid, ctime: time, mtime: time, version: 0, cversion: 0, aversion: 0,
    ephemeralOwner: 0n, dataLength: 5000, numChildren: 0 };
}
