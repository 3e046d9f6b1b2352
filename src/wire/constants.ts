/**
 * ZooKeeper wire constants (numbers as ZooKeeper 3.5–3.9 put them on the wire).
 *
 * These belong to the service layer in the long run (src/service will own error codes and opcodes);
 * until it exists the codec defines the ones it needs here. Keep the numbers identical when unifying.
 */

/** jute.maxbuffer default: 1 MiB. Every length on the wire is checked against it. */
export const JUTE_MAX_BUFFER_DEFAULT = 1_048_576;

/** ZooDefs.OpCode. */
export const OpCode = {
  notification: 0,
  create: 1,
  delete: 2,
  exists: 3,
  getData: 4,
  setData: 5,
  getACL: 6,
  setACL: 7,
  getChildren: 8,
  sync: 9,
  ping: 11,
  getChildren2: 12,
  check: 13,
  multi: 14,
  create2: 15,
  reconfig: 16,
  checkWatches: 17,
  removeWatches: 18,
  createContainer: 19,
  deleteContainer: 20,
  createTTL: 21,
  multiRead: 22,
  auth: 100,
  setWatches: 101,
  sasl: 102,
  getEphemerals: 103,
  getAllChildrenNumber: 104,
  setWatches2: 105,
  addWatch: 106,
  whoAmI: 107,
  createSession: -10,
  closeSession: -11,
  error: -1,
} as const;
export type OpCodeName = keyof typeof OpCode;

/** Reserved xids (ClientCnxn). Requests are classified by opcode; these xids are conventions. */
export const SpecialXid = {
  notification: -1,
  ping: -2,
  auth: -4,
  setWatches: -8,
} as const;

/** The KeeperException.Code values the codec itself produces or tests use. */
export const WireErrorCode = {
  ok: 0,
  systemError: -1,
  runtimeInconsistency: -2,
  marshallingError: -5,
  unimplemented: -6,
  badArguments: -8,
  noNode: -101,
  noAuth: -102,
  badVersion: -103,
  nodeExists: -110,
  notEmpty: -111,
  sessionExpired: -112,
  authFailed: -115,
} as const;

/** Watcher.Event.EventType. */
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

/** ZooDefs.Perms bits. */
export const Perms = {
  read: 1,
  write: 2,
  create: 4,
  delete: 8,
  admin: 16,
  all: 31,
} as const;
