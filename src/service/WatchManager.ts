import { EventType } from './EventType.js';
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
  ) {}

  static empty(): WatchManager {
    return new WatchManager(PersistentMap.empty(), PersistentMap.empty());
  }

  addDataWatch(path: string, watcher: bigint): WatchManager {
    return new WatchManager(addTo(this.dataWatches, path, watcher), this.childWatches);
  }

  addChildWatch(path: string, watcher: bigint): WatchManager {
    return new WatchManager(this.dataWatches, addTo(this.childWatches, path, watcher));
  }

  /** Drops every watch of a watcher whose session closed (ZooKeeper's removeCnxn). */
  removeWatcher(watcher: bigint): WatchManager {
    return new WatchManager(removeFrom(this.dataWatches, watcher), removeFrom(this.childWatches, watcher));
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
    const events: WatchEvent[] = [];
    for (const { type, path } of triggers) {
      const fired = new Set<bigint>();
      if (type !== EventType.NodeChildrenChanged) data = takeWatchers(data, path, fired);
      // On delete a watcher with both a data and a child watch on the path hears it once.
      if (type === EventType.NodeChildrenChanged || type === EventType.NodeDeleted) child = takeWatchers(child, path, fired);
      for (const watcher of sortIds(fired)) events.push({ watcher, type, path });
    }
    if (data === this.dataWatches && child === this.childWatches) return { manager: this, events };
    return { manager: new WatchManager(data, child), events };
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

function removeFrom(table: WatchTable, watcher: bigint): WatchTable {
  let next = table;
  for (const [path, watchers] of table) {
    if (!watchers.has(watcher)) continue;
    const kept = new Set([...watchers].filter((id) => id !== watcher));
    next = kept.size > 0 ? next.set(path, kept) : next.delete(path);
  }
  return next;
}

/** Removes the path's watchers from the table and adds them to `fired`. */
function takeWatchers(table: WatchTable, path: string, fired: Set<bigint>): WatchTable {
  const watchers = table.get(path);
  if (watchers === undefined) return table;
  for (const watcher of watchers) fired.add(watcher);
  return table.delete(path);
}

function sortIds(ids: Iterable<bigint>): bigint[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function countWatches(table: WatchTable): number {
  let count = 0;
  for (const watchers of table.values()) count += watchers.size;
  return count;
}
