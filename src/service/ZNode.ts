import type { ACL } from './Acl.js';
import type { Stat } from './Stat.js';

/**
 * One node of the data tree. Immutable: the tree replaces a node instead of changing it, so a
 * snapshot of the tree can be kept (by the leader, by a model checker) at no cost.
 * Invariant: stat.dataLength === data.length and stat.numChildren === children.size.
 */
export interface ZNode {
  readonly data: Uint8Array;
  readonly acl: readonly ACL[];
  readonly stat: Stat;
  /** Child names (last path segments). */
  readonly children: ReadonlySet<string>;
}
