import type { ACL } from './Acl.js';
import { Code } from './Code.js';
import type { DataTree } from './DataTree.js';
import { OpCode } from './OpCode.js';
import { Perms } from './Perms.js';
import type { ExistsRequest, GetACLRequest, GetChildrenRequest, GetDataRequest, ReadRequest } from './Request.js';
import type { Stat } from './Stat.js';
import { WatchManager } from './WatchManager.js';
import { checkACL } from './checkACL.js';
import { validatePath } from './validatePath.js';

/** The answer to a read; fields absent when err is not Ok. */
export interface ReadResponse {
  readonly err: number;
  readonly stat?: Stat;
  readonly data?: Uint8Array;
  readonly children?: readonly string[];
  readonly acl?: readonly ACL[];
  readonly path?: string;
}

/**
 * FinalRequestProcessor's reads, served from the local (possibly stale) tree, and the watch they
 * leave. The watcher is the request's session. A read that fails leaves no watch, except exists on a
 * missing node, which watches for the node's creation. The caller checks the session first.
 */
export function processRead(tree: DataTree, watches: WatchManager, request: ReadRequest): { response: ReadResponse; watches: WatchManager } {
  if (validatePath(request.path) !== null) return { response: { err: Code.BadArguments }, watches };
  switch (request.type) {
    case OpCode.exists:
      return exists(tree, watches, request);
    case OpCode.getData:
      return getData(tree, watches, request);
    case OpCode.getChildren:
    case OpCode.getChildren2:
      return getChildren(tree, watches, request);
    case OpCode.getACL:
      return { response: getACL(tree, request), watches };
    case OpCode.sync:
      // The server answers sync once the leader's preceding commits are applied: ordering, not state.
      return { response: { err: Code.Ok, path: request.path }, watches };
  }
}

function exists(tree: DataTree, watches: WatchManager, request: ExistsRequest & ReadRequest) {
  const node = tree.getNode(request.path);
  if (node !== undefined && !checkACL(node.acl, Perms.READ, request.authInfo)) return { response: { err: Code.NoAuth }, watches };
  const watched = request.watch ? watches.addDataWatch(request.path, request.sessionId) : watches;
  const response: ReadResponse = node === undefined ? { err: Code.NoNode } : { err: Code.Ok, stat: node.stat };
  return { response, watches: watched };
}

function getData(tree: DataTree, watches: WatchManager, request: GetDataRequest & ReadRequest) {
  const node = tree.getNode(request.path);
  if (node === undefined) return { response: { err: Code.NoNode }, watches };
  if (!checkACL(node.acl, Perms.READ, request.authInfo)) return { response: { err: Code.NoAuth }, watches };
  const watched = request.watch ? watches.addDataWatch(request.path, request.sessionId) : watches;
  return { response: { err: Code.Ok, data: node.data, stat: node.stat }, watches: watched };
}

function getChildren(tree: DataTree, watches: WatchManager, request: GetChildrenRequest & ReadRequest) {
  const node = tree.getNode(request.path);
  if (node === undefined) return { response: { err: Code.NoNode }, watches };
  if (!checkACL(node.acl, Perms.READ, request.authInfo)) return { response: { err: Code.NoAuth }, watches };
  const watched = request.watch ? watches.addChildWatch(request.path, request.sessionId) : watches;
  const children = tree.getChildren(request.path) ?? [];
  const stat = request.type === OpCode.getChildren2 ? node.stat : undefined;
  return { response: { err: Code.Ok, children, stat }, watches: watched };
}

/**
 * getACL needs READ or ADMIN; without ADMIN the digest ids are masked to "user:x" so that password
 * hashes do not leak (ZOOKEEPER-1392).
 */
function getACL(tree: DataTree, request: GetACLRequest & ReadRequest): ReadResponse {
  const node = tree.getNode(request.path);
  if (node === undefined) return { err: Code.NoNode };
  if (!checkACL(node.acl, Perms.READ | Perms.ADMIN, request.authInfo)) return { err: Code.NoAuth };
  const admin = checkACL(node.acl, Perms.ADMIN, request.authInfo);
  const acl = admin ? node.acl : node.acl.map(maskDigest);
  return { err: Code.Ok, acl, stat: node.stat };
}

function maskDigest(entry: ACL): ACL {
  if (entry.id.scheme !== 'digest') return entry;
  return { perms: entry.perms, id: { scheme: 'digest', id: entry.id.id.replace(/:.*/, ':x') } };
}
