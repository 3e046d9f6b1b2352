import { describe, expect, it } from 'vitest';
import { applyZooKeeper, EMPTY_TREE, parentPath, partitionByPath, type ZooKeeperInput, type ZooKeeperTree } from '../../src/history/index.js';
import { create, getData, exists, remove, setData, sync } from './historyFixtures.js';

function run(...inputs: ZooKeeperInput[]): { tree: ZooKeeperTree; results: unknown[] } {
  let tree = EMPTY_TREE;
  const results: unknown[] = [];
  for (const input of inputs) {
    const applied = applyZooKeeper(tree, input);
    tree = applied.tree;
    results.push(applied.result);
  }
  return { tree, results };
}

describe('the ZooKeeper data-tree model', () => {
  it('creates a node once, and only under an existing parent', () => {
    const { results } = run(create('/a/b'), create('/a', 'x'), create('/a', 'y'), create('/a/b'));
    expect(results).toEqual([{ code: 'NoNode' }, { code: 'OK' }, { code: 'NodeExists' }, { code: 'OK' }]);
  });

  it('counts data versions from 0 and checks them on setData and delete', () => {
    const { results, tree } = run(
      create('/a', 'x'),
      setData('/a', 'y', 0),
      setData('/a', 'z', 0),
      setData('/a', 'z', -1),
      getData('/a'),
      remove('/a', 1),
      exists('/a'),
    );
    expect(results).toEqual([
      { code: 'OK' },
      { code: 'OK', version: 1 },
      { code: 'BadVersion' },
      { code: 'OK', version: 2 },
      { code: 'OK', data: 'z', version: 2 },
      { code: 'BadVersion' },
      { code: 'OK', version: 2 },
    ]);
    expect(tree['/a']).toEqual({ data: 'z', version: 2 });
  });

  it('refuses to delete a node with children, checking the version first as ZooKeeper does', () => {
    const { results } = run(create('/a'), create('/a/b'), remove('/a', 5), remove('/a'), remove('/a/b'), remove('/a'), getData('/a'));
    expect(results).toEqual([{ code: 'OK' }, { code: 'OK' }, { code: 'BadVersion' }, { code: 'NotEmpty' }, { code: 'OK' }, { code: 'OK' }, { code: 'NoNode' }]);
  });

  it('treats sync as a no-op on the tree and never mutates its input tree', () => {
    const before = run(create('/a', 'x')).tree;
    const after = applyZooKeeper(before, sync('/a'));
    expect(after.tree).toBe(before);
    applyZooKeeper(before, setData('/a', 'changed'));
    expect(before['/a']).toEqual({ data: 'x', version: 0 });
  });

  it('rejects malformed paths and root creation', () => {
    expect(() => applyZooKeeper(EMPTY_TREE, create('a'))).toThrow(/invalid path/);
    expect(() => applyZooKeeper(EMPTY_TREE, create('/a/'))).toThrow(/invalid path/);
    expect(() => applyZooKeeper(EMPTY_TREE, create('/'))).toThrow(/root/);
    expect(parentPath('/a/b/c')).toBe('/a/b');
    expect(parentPath('/a')).toBe('/');
  });

  it('partitions by path, keeping a node with its children and the root out of it', () => {
    const op = (id: number, input: ZooKeeperInput) => ({ id, call: 0, return: 1, input, output: undefined });
    const groups = partitionByPath([op(0, create('/a')), op(1, create('/b')), op(2, create('/a/c')), op(3, setData('/b', 'x')), op(4, getData('/d'))]);
    expect(groups.map((group) => group.map((item) => item.id))).toEqual([[0, 2], [1, 3], [4]]);
  });
});
