import { describe, expect, it } from 'vitest';
import { Ids } from '../../src/service/Acl.js';
import { Code, codeName } from '../../src/service/Code.js';
import { DataTree } from '../../src/service/DataTree.js';
import { OpCode } from '../../src/service/OpCode.js';
import { SessionTracker } from '../../src/service/SessionTracker.js';
import { applyTxn } from '../../src/service/applyTxn.js';

describe('impossible states are loud', () => {
  it('a replica refuses a txn that does not fit its tree, naming the violated condition', () => {
    const tree = DataTree.empty();
    const orphan = { sessionId: 1n, cxid: 1, type: OpCode.create, path: '/a/b', data: new Uint8Array(), acl: Ids.OPEN_ACL_UNSAFE, ephemeral: false, parentCVersion: 1 } as const;
    expect(() => applyTxn(tree, orphan, 1n, 0)).toThrow('createNode: parent exists violated for "/a"');
    expect(() => applyTxn(tree, { sessionId: 1n, cxid: 2, type: OpCode.delete, path: '/x' }, 2n, 0)).toThrow('deleteNode: node exists');
  });

  it('a closeSession that forgets one of the session\'s ephemerals is refused', () => {
    const created = applyTxn(DataTree.empty(), { sessionId: 7n, cxid: 1, type: OpCode.create, path: '/e', data: new Uint8Array(), acl: Ids.OPEN_ACL_UNSAFE, ephemeral: true, parentCVersion: 1 }, 1n, 0);
    expect(() => applyTxn(created.tree, { sessionId: 7n, cxid: 2, type: OpCode.closeSession, paths2Delete: [] }, 2n, 0)).toThrow('every ephemeral of the session must be in paths2Delete');
  });

  it('a session tracker rejects a server id that does not fit a byte and a non-positive timeout', () => {
    expect(() => SessionTracker.initial(256)).toThrow('serverId must be an integer in 0..255');
    expect(() => SessionTracker.initial(1).createSession(0, 0)).toThrow('timeout must be positive');
  });

  it('applyTxn leaves its input tree untouched', () => {
    const tree = DataTree.empty();
    const digest = tree.digest;
    applyTxn(tree, { sessionId: 1n, cxid: 1, type: OpCode.create, path: '/a', data: new Uint8Array([1]), acl: Ids.OPEN_ACL_UNSAFE, ephemeral: false, parentCVersion: 1 }, 1n, 0);
    expect(tree.digest).toBe(digest);
    expect(tree.getNode('/a')).toBeUndefined();
  });

  it('codes have their ZooKeeper names', () => {
    expect(codeName(Code.NoNode)).toBe('NoNode');
    expect(codeName(-999)).toBe('Code(-999)');
  });
});
