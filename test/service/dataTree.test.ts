import { describe, expect, it } from 'vitest';
import { Code } from '../../src/service/Code.js';
import { CreateMode } from '../../src/service/CreateMode.js';
import { OpCode } from '../../src/service/OpCode.js';
import { Ensemble, create, create2, del, setData, text, zxid } from './ensemble.js';

describe('the data tree', () => {
  it('starts with only the root, whose stat is all zeros', () => {
    const ensemble = new Ensemble();
    expect(ensemble.tree.getChildren('/')).toEqual([]);
    expect(ensemble.tree.getNode('/')?.stat).toMatchObject({ czxid: 0n, version: 0, cversion: 0, numChildren: 0 });
    expect(ensemble.tree.digest).toBe(ensemble.tree.recomputeDigest());
  });

  it('create stamps the new node with the zxid and time of its txn', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession(); // zxid 1
    ensemble.now = 7;
    const outcome = ensemble.write(session, create('/app', 'hello')); // zxid 2
    expect(outcome.err).toBe(Code.Ok);
    expect(outcome.result?.path).toBe('/app');
    expect(ensemble.tree.getNode('/app')?.stat).toEqual({
      czxid: zxid(2), mzxid: zxid(2), pzxid: zxid(2), ctime: 7, mtime: 7, version: 0, cversion: 0, aversion: 0,
      ephemeralOwner: 0n, dataLength: 5, numChildren: 0,
    });
    expect(text(ensemble.tree.getNode('/app')?.data)).toBe('hello');
  });

  it('create2 answers with the new node stat', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    const outcome = ensemble.write(session, create2('/app', 'xy'));
    expect(outcome.result?.stat).toEqual(ensemble.tree.getNode('/app')?.stat);
    expect(outcome.result?.stat?.dataLength).toBe(2);
  });

  it('a child create bumps the parent cversion and pzxid and numChildren, but not its version or mzxid', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.write(session, create('/p')); // zxid 2
    ensemble.write(session, create('/p/a')); // zxid 3
    expect(ensemble.tree.getNode('/p')?.stat).toMatchObject({
      cversion: 1, pzxid: zxid(3), numChildren: 1, version: 0, mzxid: zxid(2),
    });
  });

  it('a child delete moves the parent pzxid and numChildren but leaves cversion (ZooKeeper counts creations only)', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.write(session, create('/p'));
    ensemble.write(session, create('/p/a')); // zxid 3
    ensemble.write(session, del('/p/a')); // zxid 4
    expect(ensemble.tree.getNode('/p')?.stat).toMatchObject({ cversion: 1, pzxid: zxid(4), numChildren: 0 });
  });

  it('sequential names count the children ever created, so they are never reused after deletes', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.write(session, create('/q'));
    const first = ensemble.write(session, create('/q/job-', '', CreateMode.PERSISTENT_SEQUENTIAL));
    const second = ensemble.write(session, create('/q/job-', '', CreateMode.PERSISTENT_SEQUENTIAL));
    ensemble.write(session, del('/q/job-0000000000'));
    ensemble.write(session, del('/q/job-0000000001'));
    ensemble.write(session, create('/q/plain'));
    const third = ensemble.write(session, create('/q/job-', '', CreateMode.EPHEMERAL_SEQUENTIAL));
    expect([first.result?.path, second.result?.path, third.result?.path]).toEqual([
      '/q/job-0000000000', '/q/job-0000000001', '/q/job-0000000003',
    ]);
    expect(ensemble.tree.getNode('/q')?.stat.cversion).toBe(4);
  });

  it('a sequential create with a trailing slash names the child by its number alone', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.write(session, create('/q'));
    expect(ensemble.write(session, create('/q/', '', CreateMode.PERSISTENT_SEQUENTIAL)).result?.path).toBe('/q/0000000000');
  });

  it('setData bumps version, mzxid and mtime and resizes dataLength; czxid and ctime stay', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.now = 1;
    ensemble.write(session, create('/n', 'a')); // zxid 2
    ensemble.now = 5;
    const outcome = ensemble.write(session, setData('/n', 'abcd', 0)); // zxid 3
    const stat = ensemble.tree.getNode('/n')?.stat;
    expect(stat).toMatchObject({ version: 1, mzxid: zxid(3), mtime: 5, czxid: zxid(2), ctime: 1, dataLength: 4 });
    expect(outcome.result?.stat).toEqual(stat);
    expect(ensemble.write(session, setData('/n', 'x', -1)).err).toBe(Code.Ok);
    expect(ensemble.tree.getNode('/n')?.stat.version).toBe(2);
  });

  it('setACL bumps aversion only', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.write(session, create('/n'));
    const before = ensemble.tree.getNode('/n')!.stat;
    const acl = [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }];
    const outcome = ensemble.write(session, { type: OpCode.setACL, path: '/n', acl, version: 0 });
    expect(outcome.err).toBe(Code.Ok);
    expect(ensemble.tree.getNode('/n')?.stat).toEqual({ ...before, aversion: 1 });
    expect(ensemble.tree.getNode('/n')?.acl).toEqual(acl);
  });

  it('delete removes a leaf, with the expected version or -1', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.write(session, create('/a'));
    ensemble.write(session, create('/b'));
    ensemble.write(session, setData('/b', 'x'));
    expect(ensemble.write(session, del('/a', 0)).err).toBe(Code.Ok);
    expect(ensemble.write(session, del('/b', -1)).err).toBe(Code.Ok);
    expect(ensemble.tree.getChildren('/')).toEqual([]);
  });

  it('a container is created with the container owner marker and may hold ephemerals', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    expect(ensemble.write(session, create('/c', '', CreateMode.CONTAINER)).err).toBe(Code.Ok);
    expect(ensemble.tree.getNode('/c')?.stat.ephemeralOwner).toBe(-(2n ** 63n));
    expect(ensemble.write(session, create('/c/e', '', CreateMode.EPHEMERAL)).err).toBe(Code.Ok);
  });

  it('check passes on the right version and changes nothing', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.write(session, create('/n'));
    const digest = ensemble.tree.digest;
    expect(ensemble.write(session, { type: OpCode.check, path: '/n', version: 0 }).err).toBe(Code.Ok);
    expect(ensemble.tree.digest).toBe(digest);
  });

  it('the incremental digest equals a recomputed one and is the same on every replica', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.write(session, create('/a', 'x'));
    ensemble.write(session, create('/a/b', 'y', CreateMode.EPHEMERAL));
    ensemble.write(session, setData('/a', 'zz'));
    ensemble.write(session, del('/a/b'));
    const digests = ensemble.replicas.map((replica) => replica.digest);
    expect(new Set(digests).size).toBe(1);
    expect(ensemble.tree.digest).toBe(ensemble.tree.recomputeDigest());
  });

  it('the digest tells apart trees that differ in one data byte', () => {
    const one = new Ensemble();
    const other = new Ensemble();
    for (const [ensemble, data] of [[one, 'a'], [other, 'b']] as const) {
      const session = ensemble.openSession();
      ensemble.write(session, create('/n', data));
    }
    expect(one.tree.digest).not.toBe(other.tree.digest);
  });

  it('versions wrap like Java ints and skip -1', async () => {
    const { nextVersion } = await import('../../src/service/Stat.js');
    expect(nextVersion(2147483647)).toBe(-2147483648);
    expect(nextVersion(-2)).toBe(0);
  });
});
