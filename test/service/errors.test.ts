import { describe, expect, it } from 'vitest';
import { Ids } from '../../src/service/Acl.js';
import { Code } from '../../src/service/Code.js';
import { CreateMode } from '../../src/service/CreateMode.js';
import { OpCode } from '../../src/service/OpCode.js';
import type { WriteRequestBody } from '../../src/service/Request.js';
import { MAX_DATA_LENGTH } from '../../src/service/prepRequest.js';
import { Ensemble, check, create, del, setData } from './ensemble.js';

/** A tree with /app (version 1), an ephemeral /app/eph and a persistent /app/dir/leaf. */
function prepared(): { ensemble: Ensemble; session: bigint } {
  const ensemble = new Ensemble();
  const session = ensemble.openSession();
  ensemble.write(session, create('/app', 'v0'));
  ensemble.write(session, setData('/app', 'v1'));
  ensemble.write(session, create('/app/eph', '', CreateMode.EPHEMERAL));
  ensemble.write(session, create('/app/dir'));
  ensemble.write(session, create('/app/dir/leaf'));
  return { ensemble, session };
}

/** Sends a bad request and checks its error, and that neither tree nor digest moved. */
function expectRejected(body: WriteRequestBody, err: number): void {
  const { ensemble, session } = prepared();
  const before = ensemble.tree;
  const outcome = ensemble.write(session, body);
  expect(outcome.err).toBe(err);
  expect(ensemble.tree.digest).toBe(before.digest);
  expect(ensemble.tree.nodes).toEqual(before.nodes);
  expect(ensemble.speculative.digest).toBe(before.digest);
}

describe('bad requests get ZooKeeper\'s error and change nothing', () => {
  it.each([
    ['a relative path', 'app'],
    ['an empty path', ''],
    ['a trailing slash', '/app/'],
    ['an empty segment', '/app//x'],
    ['a "." segment', '/app/./x'],
    ['a ".." segment', '/app/../x'],
    ['a control character', '/app/x\u0001'],
    ['a surrogate code unit', '/app/\ud800'],
    ['a null character', '/app/\u0000x'],
  ])('create with %s is BadArguments', (_why, path) => {
    expectRejected(create(path), Code.BadArguments);
  });

  it('setData, delete and check on an invalid path are BadArguments', () => {
    expectRejected(setData('/app/', 'x'), Code.BadArguments);
    expectRejected(del('/app/.'), Code.BadArguments);
    expectRejected(check('//', 0), Code.BadArguments);
  });

  it('deleting the root is BadArguments', () => expectRejected(del('/'), Code.BadArguments));
  it('creating the root is NodeExists', () => expectRejected(create('/'), Code.NodeExists));
  it('create under a missing parent is NoNode', () => expectRejected(create('/nope/x'), Code.NoNode));
  it('create of an existing node is NodeExists', () => expectRejected(create('/app/dir'), Code.NodeExists));
  it('create under an ephemeral is NoChildrenForEphemerals', () => expectRejected(create('/app/eph/child'), Code.NoChildrenForEphemerals));
  it('an unknown create flag is BadArguments', () => expectRejected(create('/x', '', 9), Code.BadArguments));
  it('a TTL create flag is Unimplemented', () => expectRejected(create('/x', '', 5), Code.Unimplemented));
  it('create with an empty ACL is InvalidACL', () => expectRejected(create('/x', '', 0, []), Code.InvalidACL));
  it('setData with a wrong version is BadVersion', () => expectRejected(setData('/app', 'x', 0), Code.BadVersion));
  it('setData of a missing node is NoNode', () => expectRejected(setData('/gone', 'x'), Code.NoNode));
  it('delete with a wrong version is BadVersion', () => expectRejected(del('/app/dir/leaf', 3), Code.BadVersion));
  it('delete of a missing node is NoNode', () => expectRejected(del('/app/gone'), Code.NoNode));
  it('delete of a node with children is NotEmpty', () => expectRejected(del('/app/dir'), Code.NotEmpty));
  it('a wrong version is reported before NotEmpty, as ZooKeeper checks it first', () => expectRejected(del('/app/dir', 7), Code.BadVersion));
  it('check with a wrong version is BadVersion', () => expectRejected(check('/app', 0), Code.BadVersion));
  it('check of a missing node is NoNode', () => expectRejected(check('/gone', -1), Code.NoNode));

  it('setACL with a wrong aversion is BadVersion', () => {
    expectRejected({ type: OpCode.setACL, path: '/app', acl: Ids.OPEN_ACL_UNSAFE, version: 1 }, Code.BadVersion);
  });

  it('a failed write is still logged, as an ErrorTxn, like ZooKeeper does', () => {
    const { ensemble, session } = prepared();
    const outcome = ensemble.write(session, create('/nope/x'));
    expect(outcome.txn).toMatchObject({ type: OpCode.error, err: Code.NoNode, sessionId: session });
  });

  it('data over jute.maxbuffer is refused before prepping: no txn, ConnectionLoss, nothing changes', () => {
    const { ensemble, session } = prepared();
    const logged = ensemble.log.length;
    const digest = ensemble.tree.digest;
    const big = { type: OpCode.setData, path: '/app', data: new Uint8Array(MAX_DATA_LENGTH + 1), version: -1 } as const;
    expect(ensemble.write(session, big).err).toBe(Code.ConnectionLoss);
    expect(ensemble.log.length).toBe(logged);
    expect(ensemble.tree.digest).toBe(digest);
    const exactly = { ...big, data: new Uint8Array(MAX_DATA_LENGTH) };
    expect(ensemble.write(session, exactly).err).toBe(Code.Ok);
  });

  it('an oversized create is refused too', () => {
    const { ensemble, session } = prepared();
    const big = { type: OpCode.create, path: '/big', data: new Uint8Array(MAX_DATA_LENGTH + 1), acl: Ids.OPEN_ACL_UNSAFE, flags: 0 } as const;
    expect(ensemble.write(session, big).err).toBe(Code.ConnectionLoss);
    expect(ensemble.tree.getNode('/big')).toBeUndefined();
  });
});

describe('reads report errors too', () => {
  it('getData, getChildren and exists of a missing node are NoNode; an invalid path is BadArguments', () => {
    const { ensemble, session } = prepared();
    expect(ensemble.read(session, { type: OpCode.getData, path: '/gone', watch: false }).err).toBe(Code.NoNode);
    expect(ensemble.read(session, { type: OpCode.getChildren, path: '/gone', watch: false }).err).toBe(Code.NoNode);
    expect(ensemble.read(session, { type: OpCode.exists, path: '/gone', watch: false }).err).toBe(Code.NoNode);
    expect(ensemble.read(session, { type: OpCode.getACL, path: '/gone' }).err).toBe(Code.NoNode);
    expect(ensemble.read(session, { type: OpCode.getData, path: 'bad', watch: false }).err).toBe(Code.BadArguments);
  });

  it('getChildren lists sorted names and getChildren2 adds the stat', () => {
    const { ensemble, session } = prepared();
    expect(ensemble.read(session, { type: OpCode.getChildren, path: '/app', watch: false })).toEqual({ err: Code.Ok, children: ['dir', 'eph'], stat: undefined });
    const two = ensemble.read(session, { type: OpCode.getChildren2, path: '/app', watch: false });
    expect(two.stat?.numChildren).toBe(2);
  });

  it('sync answers Ok with its path', () => {
    const { ensemble, session } = prepared();
    expect(ensemble.read(session, { type: OpCode.sync, path: '/app' })).toEqual({ err: Code.Ok, path: '/app' });
  });
});
