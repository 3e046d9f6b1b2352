import { describe, expect, it } from 'vitest';
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
