import type { ACL } from './Acl.js';
import { DataTree } from './DataTree.js';
import { EventType } from './EventType.js';
import { isSessionEphemeral } from './Stat.js';
import type { Stat } from './Stat.js';
import type { WatchTrigger } from './WatchTrigger.js';
import type { ZNode } from './ZNode.js';
import { nodeDigest } from './nodeDigest.js';
import type { PersistentMap } from './PersistentMap.js';
import { PersistentSet } from './PersistentSet.js';
import { childName, parentPath } from './validatePath.js';

/**
 * A tree being changed by one txn: ZooKeeper's DataTree mutators (createNode, deleteNode, setData,
 * setACL) on new versions of the base tree's maps (the base is not changed), with the digest kept
 * incrementally and the watch triggers recorded in the order ZooKeeper fires them. Callers have
 * validated the change; a mutator that finds the tree disagreeing throws, because replicas applying
 * the same log can never disagree. Costs O(log n) per changed node: the node map is persistent, and
 * the session map (small, rarely changed) is copied only by a txn that changes it.
 */
export class DataTreeDraft {
  private nodes: PersistentMap<ZNode>;
  private sessions: ReadonlyMap<bigint, number>;
  private sessionsCopied = false;
  private ephemerals: ReadonlyMap<bigint, ReadonlySet<string>>;
  private digest: bigint;
  readonly triggers: WatchTrigger[] = [];

  constructor(base: DataTree) {
    this.nodes = base.nodes;
    this.sessions = base.sessions;
    this.ephemerals = base.ephemerals;
    this.digest = base.digest;
  }

  getNode(path: string): ZNode | undefined {
    return this.nodes.get(path);
  }

  createNode(path: string, data: Uint8Array, acl: readonly ACL[], ephemeralOwner: bigint, parentCVersion: number,
    zxid: bigint, time: number): Stat {
    const parentName = parentPath(path);
    const parent = this.requireNode(parentName, 'createNode: parent exists');
    if (this.nodes.has(path)) throw new Error(`createNode: "${path}" must not exist`);
    const children = PersistentSet.from(parent.children).add(childName(path));
    // ZooKeeper only moves cversion forward (replays of fuzzy snapshots); here it always advances.
    const cversion = Math.max(parent.stat.cversion, parentCVersion);
    this.putNode(parentName, { ...parent, children, stat: { ...parent.stat, cversion, pzxid: zxid, numChildren: children.size } });
    const stat: Stat = {
      czxid: zxid, mzxid: zxid, pzxid: zxid, ctime: time, mtime: time, version: 0, cversion: 0, aversion: 0,
      ephemeralOwner, dataLength: data.length, numChildren: 0,
    };
    this.putNode(path, { data, acl, stat, children: PersistentSet.EMPTY });
    if (isSessionEphemeral(ephemeralOwner)) this.changeEphemerals(ephemeralOwner, (owned) => owned.add(path));
    this.triggers.push({ type: EventType.NodeCreated, path }, { type: EventType.NodeChildrenChanged, path: parentName });
    return stat;
  }

  /** Deletes a leaf. The parent's pzxid moves; its cversion does not (ZooKeeper's DataTree.deleteNode). */
  deleteNode(path: string, zxid: bigint): void {
    const parentName = parentPath(path);
    const parent = this.requireNode(parentName, 'deleteNode: parent exists');
    const node = this.requireNode(path, 'deleteNode: node exists');
    if (node.children.size !== 0) throw new Error(`deleteNode: "${path}" must have no children`);
    const children = PersistentSet.from(parent.children).delete(childName(path));
    const pzxid = zxid > parent.stat.pzxid ? zxid : parent.stat.pzxid;
    this.putNode(parentName, { ...parent, children, stat: { ...parent.stat, pzxid, numChildren: children.size } });
    this.removeNode(path);
    const owner = node.stat.ephemeralOwner;
    if (isSessionEphemeral(owner)) this.changeEphemerals(owner, (owned) => owned.delete(path));
    this.triggers.push({ type: EventType.NodeDeleted, path }, { type: EventType.NodeChildrenChanged, path: parentName });
  }

  setData(path: string, data: Uint8Array, version: number, zxid: bigint, time: number): Stat {
    const node = this.requireNode(path, 'setData: node exists');
    const stat: Stat = { ...node.stat, version, mzxid: zxid, mtime: time, dataLength: data.length };
    this.putNode(path, { ...node, data, stat });
    this.triggers.push({ type: EventType.NodeDataChanged, path });
    return stat;
  }

  /** Replaces the access list; no watch fires, as in ZooKeeper. */
  setACL(path: string, acl: readonly ACL[], aversion: number): Stat {
    const node = this.requireNode(path, 'setACL: node exists');
    const stat: Stat = { ...node.stat, aversion };
    this.putNode(path, { ...node, acl, stat });
    return stat;
  }

  addSession(sessionId: bigint, timeout: number): void {
    this.ownSessions().set(sessionId, timeout);
  }

  removeSession(sessionId: bigint): void {
    if (this.sessions.has(sessionId)) this.ownSessions().delete(sessionId);
  }

  hasSession(sessionId: bigint): boolean {
    return this.sessions.has(sessionId);
  }

  finish(): DataTree {
    // The finished tree owns the session map: a later change through this draft copies it again.
    this.sessionsCopied = false;
    return DataTree.fromParts(this.nodes, this.sessions, this.digest, this.ephemerals);
  }

  /** Copies the index and the session's path set (a session owns few ephemerals), then changes the copy. */
  private changeEphemerals(owner: bigint, change: (owned: Set<string>) => void): void {
    const ephemerals = new Map(this.ephemerals);
    const owned = new Set(ephemerals.get(owner));
    change(owned);
    if (owned.size === 0) ephemerals.delete(owner);
    else ephemerals.set(owner, owned);
    this.ephemerals = ephemerals;
  }

  private ownSessions(): Map<bigint, number> {
    if (!this.sessionsCopied) {
      this.sessions = new Map(this.sessions);
      this.sessionsCopied = true;
    }
    return this.sessions as Map<bigint, number>;
  }

  private requireNode(path: string, condition: string): ZNode {
    const node = this.nodes.get(path);
    if (node === undefined) throw new Error(`${condition} violated for "${path}"`);
    return node;
  }

  private putNode(path: string, node: ZNode): void {
    const previous = this.nodes.get(path);
    const removed = previous === undefined ? 0n : nodeDigest(path, previous);
    this.digest = BigInt.asUintN(64, this.digest - removed + nodeDigest(path, node));
    this.nodes = this.nodes.set(path, node);
  }

  private removeNode(path: string): void {
    const previous = this.requireNode(path, 'removeNode: node exists');
    this.digest = BigInt.asUintN(64, this.digest - nodeDigest(path, previous));
    this.nodes = this.nodes.delete(path);
  }
}
