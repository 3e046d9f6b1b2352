/**
 * A znode's stat, field for field ZooKeeper's Stat. Zxids and the ephemeral owner are 64-bit in
 * ZooKeeper, so they are bigints here; versions are Java ints and wrap like them.
 */
export interface Stat {
  /** The zxid of the txn that created the node. */
  readonly czxid: bigint;
  /** The zxid of the txn that last changed the node's data (its creation counts). */
  readonly mzxid: bigint;
  /** The zxid of the txn that last created or deleted a child (the node's creation counts). */
  readonly pzxid: bigint;
  readonly ctime: number;
  readonly mtime: number;
  /** Changes to the data. */
  readonly version: number;
  /** Children ever created under the node: ZooKeeper bumps it on a child create, not on a delete. */
  readonly cversion: number;
  /** Changes to the access list. */
  readonly aversion: number;
  /** The owning session of an ephemeral, CONTAINER_EPHEMERAL_OWNER for a container, else 0. */
  readonly ephemeralOwner: bigint;
  readonly dataLength: number;
  readonly numChildren: number;
}

/** EphemeralType.CONTAINER_EPHEMERAL_OWNER: Long.MIN_VALUE marks a container node. */
export const CONTAINER_EPHEMERAL_OWNER = -(2n ** 63n);

/** Whether the owner marks a session-owned ephemeral (EphemeralType.NORMAL), not a container. */
export function isSessionEphemeral(ephemeralOwner: bigint): boolean {
  return ephemeralOwner !== 0n && ephemeralOwner !== CONTAINER_EPHEMERAL_OWNER;
}

/**
 * The next version after `version`, as ZooKeeper's checkAndIncVersion computes it: Java int overflow,
 * skipping -1 because -1 means "any version" in requests (ZOOKEEPER-4743).
 */
export function nextVersion(version: number): number {
  const next = (version + 1) | 0;
  return next === -1 ? 0 : next;
}
