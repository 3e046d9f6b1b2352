/** ZooKeeper's watched event types (Watcher.Event.EventType); None (-1) is a session event. */
export const EventType = {
  None: -1,
  NodeCreated: 1,
  NodeDeleted: 2,
  NodeDataChanged: 3,
  NodeChildrenChanged: 4,
} as const;

export type EventType = (typeof EventType)[keyof typeof EventType];
