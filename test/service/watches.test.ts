import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WatchManager } from '../../src/service/WatchManager.js';
import { runs, testSeed } from '../support/seed.js';
import { CreateMode } from '../../src/service/CreateMode.js';
import { EventType } from '../../src/service/EventType.js';
import { OpCode } from '../../src/service/OpCode.js';
import { Ensemble, create, del, setData } from './ensemble.js';

function twoClients(): { ensemble: Ensemble; writer: bigint; reader: bigint } {
  const ensemble = new Ensemble();
  const writer = ensemble.openSession();
  const reader = ensemble.openSession();
  return { ensemble, writer, reader };
}

describe('watches', () => {
  it('exists on a missing node watches for its creation', () => {
    const { ensemble, writer, reader } = twoClients();
    ensemble.read(reader, { type: OpCode.exists, path: '/n', watch: true });
    expect(ensemble.write(writer, create('/n')).events).toEqual([{ watcher: reader, type: EventType.NodeCreated, path: '/n' }]);
  });

  it('a data watch fires once: the second change is silent until the client watches again', () => {
    const { ensemble, writer, reader } = twoClients();
    ensemble.write(writer, create('/n'));
    ensemble.read(reader, { type: OpCode.getData, path: '/n', watch: true });
    expect(ensemble.write(writer, setData('/n', 'a')).events).toEqual([{ watcher: reader, type: EventType.NodeDataChanged, path: '/n' }]);
    expect(ensemble.write(writer, setData('/n', 'b')).events).toEqual([]);
    expect(ensemble.watches.size).toBe(0);
  });

  it('a child watch fires on a child create and on a child delete, not on the child data', () => {
    const { ensemble, writer, reader } = twoClients();
    ensemble.write(writer, create('/p'));
    ensemble.read(reader, { type: OpCode.getChildren, path: '/p', watch: true });
    expect(ensemble.write(writer, create('/p/c')).events).toEqual([{ watcher: reader, type: EventType.NodeChildrenChanged, path: '/p' }]);
    ensemble.read(reader, { type: OpCode.getChildren2, path: '/p', watch: true });
    expect(ensemble.write(writer, setData('/p/c', 'x')).events).toEqual([]);
    expect(ensemble.write(writer, del('/p/c')).events).toEqual([{ watcher: reader, type: EventType.NodeChildrenChanged, path: '/p' }]);
  });

  it('a deleted node fires NodeDeleted once to a watcher with both a data and a child watch on it', () => {
    const { ensemble, writer, reader } = twoClients();
    ensemble.write(writer, create('/n'));
    ensemble.read(reader, { type: OpCode.getData, path: '/n', watch: true });
    ensemble.read(reader, { type: OpCode.getChildren, path: '/n', watch: true });
    expect(ensemble.write(writer, del('/n')).events).toEqual([{ watcher: reader, type: EventType.NodeDeleted, path: '/n' }]);
    expect(ensemble.watches.size).toBe(0);
  });

  it('events come in the order of the changes, watchers of one change in id order', () => {
    const { ensemble, writer, reader } = twoClients();
    ensemble.write(writer, create('/p'));
    ensemble.read(reader, { type: OpCode.exists, path: '/p/a', watch: true });
    ensemble.read(writer, { type: OpCode.exists, path: '/p/a', watch: true });
    ensemble.read(reader, { type: OpCode.getChildren, path: '/p', watch: true });
    const outcome = ensemble.write(writer, { type: OpCode.multi, ops: [create('/p/a'), setData('/p', 'x')] });
    expect(outcome.events).toEqual([
      { watcher: writer, type: EventType.NodeCreated, path: '/p/a' },
      { watcher: reader, type: EventType.NodeCreated, path: '/p/a' },
      { watcher: reader, type: EventType.NodeChildrenChanged, path: '/p' },
    ]);
  });

  it('a failed read sets no watch, and a failed multi fires nothing', () => {
    const { ensemble, writer, reader } = twoClients();
    ensemble.read(reader, { type: OpCode.getData, path: '/n', watch: true });
    ensemble.read(reader, { type: OpCode.getChildren, path: '/n', watch: true });
    expect(ensemble.watches.size).toBe(0);
    ensemble.read(reader, { type: OpCode.exists, path: '/n', watch: true });
    expect(ensemble.write(writer, { type: OpCode.multi, ops: [create('/n'), create('/missing/x')] }).events).toEqual([]);
    expect(ensemble.watches.size).toBe(1);
  });

  it('the watches of a closed session are dropped', () => {
    const { ensemble, writer, reader } = twoClients();
    ensemble.write(writer, create('/n', '', CreateMode.PERSISTENT));
    ensemble.read(reader, { type: OpCode.getData, path: '/n', watch: true });
    ensemble.write(reader, { type: OpCode.closeSession });
    expect(ensemble.write(writer, setData('/n', 'x')).events).toEqual([]);
  });
});

/** One change to the watches: what a server's reads, txns and session closes do to them. */
type WatchChange =
  | { readonly kind: 'data' | 'child'; readonly path: string; readonly watcher: bigint }
  | { readonly kind: 'fire'; readonly type: EventType; readonly path: string }
  | { readonly kind: 'close'; readonly watcher: bigint };

const watchPath = fc.constantFrom('/a', '/b', '/a/c');
const watcher = fc.bigInt({ min: 1n, max: 4n });
const watchChange: fc.Arbitrary<WatchChange> = fc.oneof(
  fc.record({ kind: fc.constantFrom('data' as const, 'child' as const), path: watchPath, watcher }),
  fc.record({ kind: fc.constant('fire' as const), type: fc.constantFrom(EventType.NodeCreated, EventType.NodeDeleted, EventType.NodeDataChanged, EventType.NodeChildrenChanged), path: watchPath }),
  fc.record({ kind: fc.constant('close' as const), watcher }),
);

describe('WatchManager against the plain reading of one-shot watches', () => {
  it('fires, and drops on close, exactly the watches a table of (path, watcher) pairs says (property)', () => {
    fc.assert(
      fc.property(fc.array(watchChange, { maxLength: 50 }), (changes) => {
        let manager = WatchManager.empty();
        const data = new Set<string>();
        const child = new Set<string>();
        const key = (path: string, id: bigint) => `${path} ${id}`;
        for (const change of changes) {
          if (change.kind === 'data') {
            manager = manager.addDataWatch(change.path, change.watcher);
            data.add(key(change.path, change.watcher));
          } else if (change.kind === 'child') {
            manager = manager.addChildWatch(change.path, change.watcher);
            child.add(key(change.path, change.watcher));
          } else if (change.kind === 'close') {
            manager = manager.removeWatcher(change.watcher);
            for (const table of [data, child]) for (const entry of [...table]) if (entry.endsWith(` ${change.watcher}`)) table.delete(entry);
          } else {
            const { manager: next, events } = manager.trigger([{ type: change.type, path: change.path }]);
            manager = next;
            const fired = new Set<bigint>();
            for (const id of [1n, 2n, 3n, 4n]) {
              if (change.type !== EventType.NodeChildrenChanged && data.delete(key(change.path, id))) fired.add(id);
              if ((change.type === EventType.NodeChildrenChanged || change.type === EventType.NodeDeleted) && child.delete(key(change.path, id))) fired.add(id);
            }
            expect(events).toEqual([...fired].sort((a, b) => (a < b ? -1 : 1)).map((id) => ({ watcher: id, type: change.type, path: change.path })));
          }
          expect(manager.size).toBe(data.size + child.size);
        }
      }),
      { seed: testSeed(), numRuns: runs(300, 3000) },
    );
  });
});
