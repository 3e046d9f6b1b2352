/**
 * Random client histories, valid and invalid ops mixed, prepped by one leader and applied by two
 * replicas: the replicas must end with equal trees and digests, the incremental digest must equal a
 * recomputed one (and the ephemerals index a rebuilt one), and a failed op must leave the digest
 * where it was.
 * Replay a failure with ZABSTATE_SEED=<seed printed by fast-check>.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ACL } from '../../src/service/Acl.js';
import { Ids } from '../../src/service/Acl.js';
import { Code } from '../../src/service/Code.js';
import { DataTree } from '../../src/service/DataTree.js';
import { OpCode } from '../../src/service/OpCode.js';
import { Perms } from '../../src/service/Perms.js';
import type { MultiOp, WriteRequestBody } from '../../src/service/Request.js';
import { generateDigest } from '../../src/service/generateDigest.js';
import { Ensemble, bytes } from './ensemble.js';

const seedText = process.env.ZABSTATE_SEED;
const seed = seedText === undefined ? undefined : Number(seedText);

const paths = fc.constantFrom('/a', '/b', '/a/x', '/a/y', '/b/x', '/a/x/z', '/c/', '/a/', 'bad', '/a//x', '/');
const versions = fc.constantFrom(-1, -1, 0, 1, 2);
const data = fc.constantFrom('', 'v', 'data');
const acls: fc.Arbitrary<readonly ACL[]> = fc.constantFrom(
  Ids.OPEN_ACL_UNSAFE, Ids.READ_ACL_UNSAFE, Ids.CREATOR_ALL_ACL, [] as readonly ACL[],
  [{ perms: Perms.ALL, id: { scheme: 'digest', id: generateDigest('u:p') } }] as readonly ACL[],
);

const op: fc.Arbitrary<MultiOp> = fc.oneof(
  fc.record({ path: paths, data, acl: acls, flags: fc.constantFrom(0, 1, 2, 3, 4, 7) })
    .map(({ path, data: text, acl, flags }) => ({ type: OpCode.create, path, data: bytes(text), acl, flags })),
  fc.record({ path: paths, version: versions }).map(({ path, version }) => ({ type: OpCode.delete, path, version })),
  fc.record({ path: paths, data, version: versions }).map(({ path, data: text, version }) => ({ type: OpCode.setData, path, data: bytes(text), version })),
  fc.record({ path: paths, version: versions }).map(({ path, version }) => ({ type: OpCode.check, path, version })),
);

const request: fc.Arbitrary<{ client: number; asUser: boolean; body: WriteRequestBody }> = fc.record({
  client: fc.integer({ min: 0, max: 2 }),
  asUser: fc.boolean(),
  body: fc.oneof(
    { weight: 6, arbitrary: op },
    { weight: 2, arbitrary: fc.array(op, { maxLength: 4 }).map((ops) => ({ type: OpCode.multi, ops })) },
    { weight: 1, arbitrary: fc.record({ path: paths, acl: acls, version: versions }).map(({ path, acl, version }) => ({ type: OpCode.setACL, path, acl, version })) },
    { weight: 1, arbitrary: fc.constant({ type: OpCode.closeSession }) },
  ),
});

describe('replication', () => {
  it('replicas applying the same txns agree, and failed ops never change the digest', () => {
    fc.assert(
      fc.property(fc.array(request, { maxLength: 40 }), fc.boolean(), (requests, commitEagerly) => {
        const ensemble = new Ensemble(2);
        const sessions = [ensemble.openSession(), ensemble.openSession(), ensemble.openSession()];
        const pending = [];
        for (const { client, asUser, body } of requests) {
          const authInfo = asUser ? [{ scheme: 'digest', id: generateDigest('u:p') }] : [];
          const before = ensemble.speculative.digest;
          const txn = ensemble.prep(sessions[client], body, authInfo);
          if (typeof txn === 'number') {
            expect(ensemble.speculative.digest).toBe(before);
            continue;
          }
          const failed = txn.type === OpCode.error || (txn.type === OpCode.multi && txn.txns.some((sub) => sub.type === OpCode.error));
          if (failed) expect(ensemble.speculative.digest).toBe(before);
          pending.push(txn);
          if (commitEagerly) {
            const committedBefore = ensemble.tree.digest;
            const outcome = ensemble.commit(pending.shift()!);
            if (outcome.err !== Code.Ok) expect(ensemble.tree.digest).toBe(committedBefore);
          }
        }
        for (const txn of pending) ensemble.commit(txn);
        const [one, two] = ensemble.replicas;
        expect(one.digest).toBe(two.digest);
        expect(one.nodes).toEqual(two.nodes);
        expect(one.digest).toBe(one.recomputeDigest());
        // The ephemerals index kept txn by txn equals the one built by scanning the nodes.
        expect(one.ephemerals).toEqual(DataTree.fromParts(one.nodes, one.sessions, one.digest).ephemerals);
        expect(one.digest).toBe(ensemble.speculative.digest);
      }),
      { seed, verbose: true, numRuns: process.env.ZABSTATE_LONG ? 2000 : 200 },
    );
  });
});
