import { describe, expect, it } from 'vitest';
import { Code } from '../../src/service/Code.js';
import { CreateMode } from '../../src/service/CreateMode.js';
import { OpCode } from '../../src/service/OpCode.js';
import { Ensemble, create, del, setData } from './ensemble.js';

describe('the leader preps against its outstanding changes', () => {
  it('a request prepped before an earlier one commits sees the earlier one', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    const first = ensemble.prep(session, create('/a'));
    const second = ensemble.prep(session, create('/a/b'));
    const third = ensemble.prep(session, setData('/a', 'x', 0));
    const fourth = ensemble.prep(session, setData('/a', 'y', 0));
    expect(second).toMatchObject({ type: OpCode.create, path: '/a/b' });
    expect(third).toMatchObject({ type: OpCode.setData, version: 1 });
    expect(fourth).toMatchObject({ type: OpCode.error, err: Code.BadVersion });
    expect(ensemble.tree.getNode('/a')).toBeUndefined();
    for (const txn of [first, second, third, fourth]) {
      if (typeof txn === 'number') throw new Error('every request must produce a txn');
      ensemble.commit(txn);
    }
    expect(ensemble.tree.getChildren('/a')).toEqual(['b']);
    expect(ensemble.tree.digest).toBe(ensemble.speculative.digest);
  });

  it('outstanding sequential creates get consecutive numbers', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.write(session, create('/q'));
    const names = [0, 1, 2].map(() => ensemble.prep(session, create('/q/n-', '', CreateMode.PERSISTENT_SEQUENTIAL)));
    expect(names.map((txn) => (typeof txn === 'number' ? txn : 'path' in txn ? txn.path : ''))).toEqual([
      '/q/n-0000000000', '/q/n-0000000001', '/q/n-0000000002',
    ]);
  });

  it('an outstanding delete makes a later delete of the same node NoNode', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.write(session, create('/a'));
    ensemble.prep(session, del('/a'));
    expect(ensemble.prep(session, del('/a'))).toMatchObject({ type: OpCode.error, err: Code.NoNode });
  });
});
