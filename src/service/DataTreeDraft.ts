import type { ACL } from './Acl.js';
import { DataTree } from './DataTree.js';
import { EventType } from './EventType.js';
import { isSessionEphemeral } from './Stat.js';
import type { Stat } from './Stat.js';
import type { WatchTrigger } from './WatchTrigger.js';
import type { ZNode } from './ZNode.js';
import { addNodeDigest, digestFromParts, digestToParts } from './nodeDigest.js';
import type { DigestParts } from './nodeDigest.js';
import type { PersistentMap } from './PersistentMap.js';
import { PersistentSet } from './PersistentSet.js';
import type { PersistentIdMap } from './PersistentIdMap.js';
import { childName, parentPath } from './validatePath.js';

/**
 * The stat of a parent whose children changed. The new stats and nodes in this file are written
 * field by field, in one order, rather than spread ({ ...stat, pzxid }): once the stats reaching a
 * spread have more than a few shapes V8 copies them in its slow path, which cost about 6 us per
 * create (test/bench/persistentMap.ts).
 */
function withChildrenChanged(stat: Stat, pzxid: bigint, cversion: number, numChildren: number): Stat {
  return {
    czxid: stat.czxid, mzxid: stat.mzxid, pzxid, ctime: stat.ctime, mtime: stat.mtime, version: stat.version, cversion,
    aversion: stat.aversion, ephemeralOwner: stat.ephemeralOwner, dataLength: stat.dataLength, numChildren,
  };
}

/**
 * A tree being changed by one txn: ZooKeeper's DataTree mutators (createNode, deleteNode, setData,
 * setACL) on new versions of the base tree's maps (the base is not changed), with the digest kept
 * incrementally (unless the caller says no one will read it) and the watch triggers recorded in the
 * order ZooKeeper fires them. Callers have
 * validated the change; a mutator that finds the tree disagreeing throws, because replicas applying
 * the same log can never disagree. Costs O(log n) per changed node: the node map is persistent, and
 * the session map (small, rarely changed) is copied only by a txn that changes it.
 */
export class DataTreeDraft {
  private nodes: PersistentMap<ZNode>;
  private sessions: PersistentIdMap<number>;
  private ephemerals: PersistentIdMap<ReadonlySet<string>>;
  /** The digest of `nodes`, or null when it is not kept: the finished tree computes it if ever asked. */
  private readonly digest: DigestParts | null;
  readonly triggers: WatchTrigger[] = [];

  /**
   * `keepDigest` false is for trees whose digest no one reads as a rule (the leader's speculative
   * tree): the node hashes are skipped. Keeping it on a base built without it computes the base's
   * first (once, O(n)), so that the trees of a replica's log all carry theirs.
   */
  constructor(base: DataTree, keepDigest = true) {
    this.nodes = base.nodes;
    this.sessions = base.sessions;
    this.ephemerals = base.ephemerals;
    this.digest = keepDigest ? digestToParts(base.digest) : null;
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
    const parentStat = withChildrenChanged(parent.stat, zxid, cversion, children.size);
    this.putNode(parentName, { data: parent.data, acl: parent.acl, stat: parentStat, children }, parent);
    const stat: Stat = {
      czxid: zxid, mzxid: zxid, pzxid: zxid, ctime: time, mtime: time, version: 0, cversion: 0, aversion: 0,
      ephemeralOwner, dataLength: data.length, numChildren: 0,
    };
    this.putNode(path, { data, acl, stat, children: PersistentSet.EMPTY }, undefined);
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
    const parentStat = withChildrenChanged(parent.stat, pzxid, parent.stat.cversion, children.size);
    this.putNode(parentName, { data: parent.data, acl: parent.acl, stat: parentStat, children }, parent);
    this.removeNode(path, node);
    const owner = node.stat.ephemeralOwner;
    if (isSessionEphemeral(owner)) this.changeEphemerals(owner, (owned) => owned.delete(path));
    this.triggers.push({ type: EventType.NodeDeleted, path }, { type: EventType.NodeChildrenChanged, path: parentName });
  }

  setData(path: string, data: Uint8Array, version: number, zxid: bigint, time: number): Stat {
    const node = this.requireNode(path, 'setData: node exists');
    const old = node.stat;
    const stat: Stat = {
      czxid: old.czxid, mzxid: zxid, pzxid: old.pzxid, ctime: old.ctime, mtime: time, version, cversion: old.cversion,
      aversion: old.aversion, ephemeralOwner: old.ephemeralOwner, dataLength: data.length, numChildren: old.numChildren,
    };
    this.putNode(path, { data, acl: node.acl, stat, children: node.children }, node);
    this.triggers.push({ type: EventType.NodeDataChanged, path });
    return stat;
  }

  /** Replaces the access list; no watch fires, as in ZooKeeper. */
  setACL(path: string, acl: readonly ACL[], aversion: number): Stat {
    const node = this.requireNode(path, 'setACL: node exists');
    const old = node.stat;
    const stat: Stat = {
      czxid: old.czxid, mzxid: old.mzxid, pzxid: old.pzxid, ctime: old.ctime, mtime: old.mtime, version: old.version,
      cversion: old.cversion, aversion, ephemeralOwner: old.ephemeralOwner, dataLength: old.dataLength, numChildren: old.numChildren,
    };
    this.putNode(path, { data: node.data, acl, stat, children: node.children }, node);
    return stat;
  }

  addSession(sessionId: bigint, timeout: number): void {
    this.sessions = this.sessions.set(sessionId, timeout);
  }

  removeSession(sessionId: bigint): void {
    this.sessions = this.sessions.delete(sessionId);
  }

  hasSession(sessionId: bigint): boolean {
    return this.sessions.has(sessionId);
  }

  finish(): DataTree {
    return DataTree.fromParts(this.nodes, this.sessions, this.digest === null ? undefined : digestFromParts(this.digest), this.ephemerals);
  }

  /** Copies the session's path set (a session owns few ephemerals), changes the copy, and puts it in the index. */
  private changeEphemerals(owner: bigint, change: (owned: Set<string>) => void): void {
    const owned = new Set(this.ephemerals.get(owner));
    change(owned);
    this.ephemerals = owned.size === 0 ? this.ephemerals.delete(owner) : this.ephemerals.set(owner, owned);
  }

  private requireNode(path: string, condition: string): ZNode {
    const node = this.nodes.get(path);
    if (node === undefined) throw new Error(`${condition} violated for "${path}"`);
    return node;
  }

  /** `previous` is the node now at `path` (undefined when there is none): the caller has looked it up. */
  private putNode(path: string, node: ZNode, previous: ZNode | undefined): void {
    if (this.digest !== null) {
      if (previous !== undefined) addNodeDigest(this.digest, path, previous, -1);
      addNodeDigest(this.digest, path, node, 1);
    }
    this.nodes = this.nodes.set(path, node);
  }

  private removeNode(path: string, previous: ZNode): void {
    if (this.digest !== null) addNodeDigest(this.digest, path, previous, -1);
    this.nodes = this.nodes.delete(path);
  }
}
