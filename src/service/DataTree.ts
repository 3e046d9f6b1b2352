import { Ids } from './Acl.js';
import { isSessionEphemeral } from './Stat.js';
import type { Stat } from './Stat.js';
import type { ZNode } from './ZNode.js';
import { nodeDigest } from './nodeDigest.js';
import { PersistentMap } from './PersistentMap.js';
import { PersistentSet } from './PersistentSet.js';
import { PersistentIdMap } from './PersistentIdMap.js';

/**
 * The replicated state: every znode by path, the sessions created through the log (session id →
 * timeout in ticks), and the digest of the nodes. Immutable; `applyTxn` returns a new tree, which
 * shares all but the changed nodes' paths in the trie with this one (so a txn costs O(log n)).
 * Unlike ZooKeeper the tree has no /zookeeper subtree (no quotas, no dynamic config node).
 * Invariants: "/" exists; every other node's parent exists and lists it; digest = Σ nodeDigest mod 2^64.
 */
export class DataTree {
  /** Undefined in a tree built without its digest (the leader's speculative trees): computed when first asked. */
  #digest: bigint | undefined;

  private constructor(
    readonly nodes: PersistentMap<ZNode>,
    readonly sessions: PersistentIdMap<number>,
    digest: bigint | undefined,
    /** The paths of each session's ephemerals (ZooKeeper's DataTree.ephemerals): closing a session need not scan the tree. */
    readonly ephemerals: PersistentIdMap<ReadonlySet<string>>,
  ) {
    this.#digest = digest;
  }

  /**
   * The sum of every node's nodeDigest modulo 2^64: equal trees have equal digests. Kept
   * incrementally by drafts asked to (the service simulator's replicas compare it txn by txn); a
   * running server's trees do not keep it (a snapshot, its only reader there, sums it while
   * encoding), and a tree without it computes it here once, in O(n).
   */
  get digest(): bigint {
    this.#digest ??= this.recomputeDigest();
    return this.#digest;
  }

  /** Whether the digest is known without recomputing it: a draft on this tree can keep it for O(1) per change. */
  get hasDigest(): boolean {
    return this.#digest !== undefined;
  }

  static empty(): DataTree {
    const root: ZNode = { data: new Uint8Array(0), acl: Ids.OPEN_ACL_UNSAFE, stat: ROOT_STAT, children: PersistentSet.EMPTY };
    return new DataTree(PersistentMap.empty<ZNode>().set('/', root), PersistentIdMap.empty(), nodeDigest('/', root), PersistentIdMap.empty());
  }

  /**
   * Builds a tree from parts a DataTreeDraft (or a snapshot loader) has kept consistent; without
   * `ephemerals` the index is built from the nodes. An undefined `digest` is computed when first read.
   */
  static fromParts(nodes: ReadonlyMap<string, ZNode>, sessions: ReadonlyMap<bigint, number>, digest: bigint | undefined,
    ephemerals: ReadonlyMap<bigint, ReadonlySet<string>> = indexEphemerals(nodes)): DataTree {
    if (!nodes.has('/')) throw new Error('DataTree.fromParts: the root "/" must exist');
    return new DataTree(nodes instanceof PersistentMap ? nodes : persistentNodes(nodes), PersistentIdMap.from(sessions), digest, PersistentIdMap.from(ephemerals));
  }

  getNode(path: string): ZNode | undefined {
    return this.nodes.get(path);
  }

  /** The child names of a node, sorted so that every replica answers alike (ZooKeeper's order is a HashSet's). */
  getChildren(path: string): string[] | undefined {
    const node = this.nodes.get(path);
    return node === undefined ? undefined : [...node.children].sort();
  }

  /** The paths of the ephemerals a session owns, sorted (ZooKeeper's DataTree.getEphemerals). */
  getEphemerals(sessionId: bigint): string[] {
    return [...(this.ephemerals.get(sessionId) ?? [])].sort();
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  /** Recomputes the digest from scratch; equals `digest` unless the incremental bookkeeping is wrong. */
  recomputeDigest(): bigint {
    let sum = 0n;
    for (const [path, node] of this.nodes) sum = BigInt.asUintN(64, sum + nodeDigest(path, node));
    return sum;
  }
}

/** The nodes in a PersistentMap, each node's children in a PersistentSet (as a draft keeps them). */
function persistentNodes(nodes: ReadonlyMap<string, ZNode>): PersistentMap<ZNode> {
  let persistent = PersistentMap.empty<ZNode>();
  for (const [path, node] of nodes) {
    const children = PersistentSet.from(node.children);
    persistent = persistent.set(path, children === node.children ? node : { ...node, children });
  }
  return persistent;
}

function indexEphemerals(nodes: ReadonlyMap<string, ZNode>): Map<bigint, Set<string>> {
  const index = new Map<bigint, Set<string>>();
  for (const [path, node] of nodes) {
    const owner = node.stat.ephemeralOwner;
    if (!isSessionEphemeral(owner)) continue;
    const owned = index.get(owner) ?? new Set<string>();
    index.set(owner, owned.add(path));
  }
  return index;
}

const ROOT_STAT: Stat = {
  czxid: 0n, mzxid: 0n, pzxid: 0n, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0,
  ephemeralOwner: 0n, dataLength: 0, numChildren: 0,
};
