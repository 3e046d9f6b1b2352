/**
 * Wire-only constants. Opcodes, result codes and permission bits live in src/service (OpCode, Code,
 * Perms) and the codec imports them from there.
 */

/** jute.maxbuffer default: 1 MiB. Every length on the wire is checked against it. */
export const JUTE_MAX_BUFFER_DEFAULT = 1_048_576;

/** Reserved xids (ClientCnxn). Requests are classified by opcode; these xids are conventions. */
export const SpecialXid = {
  notification: -1,
  ping: -2,
  auth: -4,
  setWatches: -8,
} as const;

/** Watcher.Event.EventType (src/service/EventType has the first five; 5–7 are 3.6+ watch removals). */
export const WatcherEventType = {
  none: -1,
  nodeCreated: 1,
  nodeDeleted: 2,
  nodeDataChanged: 3,
  nodeChildrenChanged: 4,
  dataWatchRemoved: 5,
  childWatchRemoved: 6,
  persistentWatchRemoved: 7,
} as const;

/** Watcher.Event.KeeperState. */
export const KeeperState = {
  disconnected: 0,
  syncConnected: 3,
  authFailed: 4,
  connectedReadOnly: 5,
  saslAuthenticated: 6,
  expired: -112,
  closed: 7,
} as const;
