import { EventType } from './EventType.js';
import { PersistentIdMap } from './PersistentIdMap.js';
import { PersistentMap } from './PersistentMap.js';
import type { WatchTrigger } from './WatchTrigger.js';

/** A notification for one watcher (a client session connected to this server). */
export interface WatchEvent {
  readonly watcher: bigint;
  readonly type: EventType;
  readonly path: string;
}

/** Persistent, so that setting or firing a watch costs the same with ten watched paths or a million. */
type WatchTable = PersistentMap<ReadonlySet<bigint>>;
/** The same watches by watcher: closing a session visits its own watches, not every watched path. */
type WatcherIndex = PersistentIdMap<ReadonlySet<string>>;

const NO_EVENTS: readonly WatchEvent[] = [];

/**
 * One server's one-shot watches (ZooKeeper's dataWatches and childWatches). Watches are local to
 * the server the client is connected to; they are not replicated. Immutable.
 * Data watches come from getData and exists (exists may watch a node that does not exist yet);
 * child watches from getChildren. A triggered watch is removed before its event is returned.
 */
export class WatchManager {
  private constructor(
    readonly dataWatches: WatchTable,
    readonly childWatches: WatchTable,
    private readonly dataPaths: WatcherIndex,
    private readonly childPaths: WatcherIndex,
  ) {}

  static empty(): WatchManager {
    return new WatchManager(PersistentMap.empty(), PersistentMap.empty(), PersistentIdMap.empty(), PersistentIdMap.empty());
  }

  addDataWatch(path: string, watcher: bigint): WatchManager {
    const table = addTo(this.dataWatches, path, watcher);
    return table === this.dataWatches ? this : new WatchManager(table, this.childWatches, indexAdd(this.dataPaths, watcher, path), this.childPaths);
  }

  addChildWatch(path: string, watcher: bigint): WatchManager {
    const table = addTo(this.childWatches, path, watcher);
    return table === this.childWatches ? this : new WatchManager(this.dataWatches, table, this.dataPaths, indexAdd(this.childPaths, watcher, path));
  }

  /** Drops every watch of a watcher whose session closed (ZooKeeper's removeCnxn). */
  removeWatcher(watcher: bigint): WatchManager {
    const dataPaths = this.dataPaths.get(watcher);
    const childPaths = this.childPaths.get(watcher);
    if (dataPaths === undefined && childPaths === undefined) return this;
    return new WatchManager(
      removeFrom(this.dataWatches, watcher, dataPaths),
      removeFrom(this.childWatches, watcher, childPaths),
      this.dataPaths.delete(watcher),
      this.childPaths.delete(watcher),
    );
  }

  /**
   * Fires the watches a txn's triggers hit. The events are in the order the server must send them,
   * all before the response to the txn's request (ZooKeeper triggers while applying the txn, and a
   * client's connection delivers in order). Watchers of one trigger are ordered by id.
   */
  trigger(triggers: readonly WatchTrigger[]): { manager: WatchManager; events: readonly WatchEvent[] } {
    if (this.dataWatches.size === 0 && this.childWatches.size === 0) return { manager: this, events: NO_EVENTS };
    let data = this.dataWatches;
    let child = this.childWatches;
    let dataPaths = this.dataPaths;
    let childPaths = this.childPaths;
    const events: WatchEvent[] = [];
    for (const { type, path } of triggers) {
      const fired = new Set<bigint>();
      if (type !== EventType.NodeChildrenChanged) {
        const watchers = data.get(path);
        if (watchers !== undefined) {
          data = data.delete(path);
          dataPaths = indexRemove(dataPaths, watchers, path);
          for (const watcher of watchers) fired.add(watcher);
        }
      }
      // On delete a watcher with both a data and a child watch on the path hears it once.
      if (type === EventType.NodeChildrenChanged || type === EventType.NodeDeleted) {
        const watchers = child.get(path);
        if (watchers !== undefined) {
          child = child.delete(path);
          childPaths = indexRemove(childPaths, watchers, path);
          for (const watcher of watchers) fired.add(watcher);
        }
      }
      for (const watcher of sortIds(fired)) events.push({ watcher, type, path });
    }
    if (data === this.dataWatches && child === this.childWatches) return { manager: this, events };
    return { manager: new WatchManager(data, child, dataPaths, childPaths), events };
  }

  /** How many (path, watcher) watches are set, for tests and limits. */
  get size(): number {
    return countWatches(this.dataWatches) + countWatches(this.childWatches);
  }
}

function addTo(table: WatchTable, path: string, watcher: bigint): WatchTable {
  const watchers = table.get(path);
  if (watchers?.has(watcher) === true) return table;
  return table.set(path, new Set(watchers).add(watcher));
}

/** The table without `watcher`'s watches on `paths` (the paths it watches). */
function removeFrom(table: WatchTable, watcher: bigint, paths: ReadonlySet<string> | undefined): WatchTable {
  let next = table;
  for (const path of paths ?? []) {
    const watchers = next.get(path);
    if (watchers === undefined || !watchers.has(watcher)) throw new Error(`WatchManager: the index says ${watcher} watches "${path}", the table does not`);
    const kept = new Set(watchers);
    kept.delete(watcher);
    next = kept.size > 0 ? next.set(path, kept) : next.delete(path);
  }
  return next;
}

function indexAdd(index: WatcherIndex, watcher: bigint, path: string): WatcherIndex {
  return index.set(watcher, new Set(index.get(watcher)).add(path));
}

/** The index without `path` for each of `watchers` (the path's watches fired). */
function indexRemove(index: WatcherIndex, watchers: Iterable<bigint>, path: string): WatcherIndex {
  let next = index;
  for (const watcher of watchers) {
    const paths = new Set(next.get(watcher));
    paths.delete(path);
    next = paths.size > 0 ? next.set(watcher, paths) : next.delete(watcher);
  }
  return next;
}

function sortIds(ids: Iterable<bigint>): bigint[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function countWatches(table: WatchTable): number {
  let count = 0;
  for (const watchers of table.values()) count += watchers.size;
  return count;
}
