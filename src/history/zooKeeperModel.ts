import type { Model, Operation, StepResult } from './checkLinearizability.js';
import type { ZooKeeperInput, ZooKeeperResult } from './ClientHistory.js';

/**
 * The sequential specification of ZooKeeper's data tree, for the paths, data and versions that
 * clients observe: create (persistent, non-sequential), delete, setData, getData, exists, sync.
 * ACLs, ephemerals, sequential nodes, stats other than `version` and watches are not modeled.
 */

export interface ZNodeState {
  readonly data: string;
  readonly version: number;
}

/** The data tree: path to node. Always contains the root "/". Treat as immutable. */
export type ZooKeeperTree = Readonly<Record<string, ZNodeState>>;

/**
 * A synthetic operation the checks append at the end of a history: it observes the final state of
 * some paths at once (absent paths must not exist), so "the final tree is explained by the writes"
 * is a linearizability question.
 */
export interface ObserveFinalStateInput {
  readonly kind: 'observeFinalState';
  readonly paths: readonly string[];
}

export interface FinalStateObservation {
  readonly code: 'OK';
  readonly nodes: ZooKeeperTree;
}

export type ZooKeeperModelInput = ZooKeeperInput | ObserveFinalStateInput;
export type ZooKeeperModelOutput = ZooKeeperResult | FinalStateObservation;

export const ROOT_PATH = '/';

export const EMPTY_TREE: ZooKeeperTree = Object.freeze({ [ROOT_PATH]: Object.freeze({ data: '', version: 0 }) });

const PATH_PATTERN = /^\/([^/]+(\/[^/]+)*)?$/;

export function assertValidPath(path: string): void {
  if (!PATH_PATTERN.test(path)) throw new Error(`zooKeeperModel: invalid path ${JSON.stringify(path)}`);
}

/** The parent of a non-root path: "/a/b" -> "/a", "/a" -> "/". */
export function parentPath(path: string): string {
  assertValidPath(path);
  if (path === ROOT_PATH) throw new Error('zooKeeperModel: the root has no parent');
  const cut = path.lastIndexOf('/');
  return cut === 0 ? ROOT_PATH : path.slice(0, cut);
}

function hasChildren(tree: ZooKeeperTree, path: string): boolean {
  const prefix = path === ROOT_PATH ? ROOT_PATH : `${path}/`;
  return Object.keys(tree).some((candidate) => candidate !== ROOT_PATH && candidate.startsWith(prefix) && parentPath(candidate) === path);
}

function versionMatches(expected: number, actual: number): boolean {
  return expected === -1 || expected === actual;
}

function withNode(tree: ZooKeeperTree, path: string, node: ZNodeState | null): ZooKeeperTree {
  const next: Record<string, ZNodeState> = { ...tree };
  if (node === null) delete next[path];
  else next[path] = node;
  return Object.freeze(next);
}

/** ZooKeeper's sequential semantics: the reply and the tree after one request. */
export function applyZooKeeper(tree: ZooKeeperTree, input: ZooKeeperInput): { tree: ZooKeeperTree; result: ZooKeeperResult } {
  assertValidPath(input.path);
  const node = tree[input.path];
  switch (input.kind) {
    case 'create': {
      if (input.path === ROOT_PATH) throw new Error('zooKeeperModel: create of the root is not modeled');
      if (node !== undefined) return { tree, result: { code: 'NodeExists' } };
      if (tree[parentPath(input.path)] === undefined) return { tree, result: { code: 'NoNode' } };
      return { tree: withNode(tree, input.path, { data: input.data, version: 0 }), result: { code: 'OK' } };
    }
    case 'delete': {
      if (input.path === ROOT_PATH) throw new Error('zooKeeperModel: delete of the root is not modeled');
      if (node === undefined) return { tree, result: { code: 'NoNode' } };
      // ZooKeeper checks the version before the children (PrepRequestProcessor).
      if (!versionMatches(input.version, node.version)) return { tree, result: { code: 'BadVersion' } };
      if (hasChildren(tree, input.path)) return { tree, result: { code: 'NotEmpty' } };
      return { tree: withNode(tree, input.path, null), result: { code: 'OK' } };
    }
    case 'setData': {
      if (node === undefined) return { tree, result: { code: 'NoNode' } };
      if (!versionMatches(input.version, node.version)) return { tree, result: { code: 'BadVersion' } };
      const version = node.version + 1;
      return { tree: withNode(tree, input.path, { data: input.data, version }), result: { code: 'OK', version } };
    }
    case 'getData':
      if (node === undefined) return { tree, result: { code: 'NoNode' } };
      return { tree, result: { code: 'OK', data: node.data, version: node.version } };
    case 'exists':
      if (node === undefined) return { tree, result: { code: 'NoNode' } };
      return { tree, result: { code: 'OK', version: node.version } };
    case 'sync':
      return { tree, result: { code: 'OK' } };
  }
}

/** Whether a recorded reply matches the model's reply. Fields the recording left out are not compared. */
export function resultMatches(recorded: ZooKeeperResult, expected: ZooKeeperResult): boolean {
  if (recorded.code !== expected.code) return false;
  if (recorded.code !== 'OK' || expected.code !== 'OK') return true;
  if (recorded.data !== undefined && recorded.data !== expected.data) return false;
  if (recorded.version !== undefined && recorded.version !== expected.version) return false;
  return true;
}

function observeFinalState(tree: ZooKeeperTree, input: ObserveFinalStateInput, output: FinalStateObservation | undefined): boolean {
  if (output === undefined) return true;
  return input.paths.every((path) => {
    const actual = tree[path];
    const observed = output.nodes[path];
    if (actual === undefined || observed === undefined) return actual === observed;
    return actual.data === observed.data && actual.version === observed.version;
  });
}

const treeKeys = new WeakMap<ZooKeeperTree, string>();

/** A canonical string for a tree: equal trees, equal keys. */
export function treeKey(tree: ZooKeeperTree): string {
  const known = treeKeys.get(tree);
  if (known !== undefined) return known;
  const key = Object.keys(tree)
    .sort()
    .map((path) => `${path}\u0000${tree[path].version}\u0000${tree[path].data}`)
    .join('\u0001');
  treeKeys.set(tree, key);
  return key;
}

/** The paths an operation's outcome depends on or changes. */
function pathsTouched(input: ZooKeeperModelInput): readonly string[] {
  if (input.kind === 'observeFinalState') return input.paths;
  // create needs the parent to exist; delete needs the node to have no children, and a child's
  // create or delete touches this node as its parent, so the two end up in one group. The root
  // always exists and is never deleted, so depending on it as a parent ties nothing together.
  if (input.kind === 'create' || input.kind === 'delete') {
    const parent = parentPath(input.path);
    return parent === ROOT_PATH ? [input.path] : [input.path, parent];
  }
  return [input.path];
}

/**
 * P-compositionality for the tree: operations whose touched paths are connected (a path and its
 * parent for create and delete) form one group; different groups never observe each other.
 */
export function partitionByPath<Output>(
  operations: readonly Operation<ZooKeeperModelInput, Output>[],
): Operation<ZooKeeperModelInput, Output>[][] {
  const parent = new Map<string, string>();
  const find = (path: string): string => {
    let root = path;
    while (parent.get(root) !== root) root = parent.get(root)!;
    parent.set(path, root);
    return root;
  };
  const touched = operations.map((op) => pathsTouched(op.input));
  for (const paths of touched) {
    for (const path of paths) if (!parent.has(path)) parent.set(path, path);
    for (const path of paths.slice(1)) parent.set(find(path), find(paths[0]));
  }
  const groups = new Map<string, Operation<ZooKeeperModelInput, Output>[]>();
  operations.forEach((op, index) => {
    const paths = touched[index];
    const key = paths.length === 0 ? `#empty${op.id}` : find(paths[0]);
    const group = groups.get(key) ?? [];
    group.push(op);
    groups.set(key, group);
  });
  return [...groups.values()];
}

/** The ZooKeeper model for the generic checker, starting from `initial` (default: only the root). */
export function zooKeeperModel(initial: ZooKeeperTree = EMPTY_TREE): Model<ZooKeeperTree, ZooKeeperModelInput, ZooKeeperModelOutput> {
  if (initial[ROOT_PATH] === undefined) throw new Error('zooKeeperModel: the initial tree must contain the root');
  Object.keys(initial).forEach(assertValidPath);
  return {
    name: 'zookeeper',
    init: () => initial,
    step(tree, input, output): StepResult<ZooKeeperTree> {
      if (input.kind === 'observeFinalState') {
        return { ok: observeFinalState(tree, input, output as FinalStateObservation | undefined), next: tree };
      }
      const applied = applyZooKeeper(tree, input);
      const ok = output === undefined || resultMatches(output as ZooKeeperResult, applied.result);
      return { ok, next: applied.tree };
    },
    readOnly: (input, output) => {
      if (input.kind === 'observeFinalState' || input.kind === 'getData' || input.kind === 'exists' || input.kind === 'sync') return true;
      // A write whose reply is an error changed nothing; a pending write may have.
      return output !== undefined && output.code !== 'OK';
    },
    equal: (left, right) => left === right || treeKey(left) === treeKey(right),
    hash: treeKey,
    partition: partitionByPath,
  };
}
