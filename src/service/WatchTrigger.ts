import type { EventType } from './EventType.js';

/**
 * A change that may fire watches, in the order the tree made it. NodeCreated and NodeDataChanged
 * fire data watches (getData/exists), NodeChildrenChanged fires child watches (getChildren), and
 * NodeDeleted fires both, each watcher once (ZooKeeper's DataTree.deleteNode).
 */
export interface WatchTrigger {
  readonly type: EventType;
  readonly path: string;
}
