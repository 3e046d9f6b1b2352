import type { ACL, Id } from './Acl.js';
import { ipMatches } from './ipMatches.js';

/**
 * ZooKeeperServer.checkACL: whether a client holding `authInfo` may use `perm` on a node whose
 * access list is `acl`. An empty list allows everything and a `super` identity passes every check,
 * as in ZooKeeper. Only the world, digest and ip schemes are known here.
 */
export function checkACL(acl: readonly ACL[], perm: number, authInfo: readonly Id[]): boolean {
  if (acl.length === 0) return true;
  if (authInfo.some((authId) => authId.scheme === 'super')) return true;
  return acl.some((entry) => (entry.perms & perm) !== 0 && grants(entry.id, authInfo));
}

function grants(aclId: Id, authInfo: readonly Id[]): boolean {
  if (aclId.scheme === 'world') return aclId.id === 'anyone';
  // Own entries only: a scheme named like an Object.prototype member is unknown.
  if (!Object.hasOwn(SCHEME_MATCHERS, aclId.scheme)) return false;
  const match = SCHEME_MATCHERS[aclId.scheme];
  return authInfo.some((authId) => authId.scheme === aclId.scheme && match(authId.id, aclId.id));
}

/** Each provider's `matches(clientId, aclExpression)`. */
const SCHEME_MATCHERS: Readonly<Record<string, (clientId: string, aclExpression: string) => boolean>> = {
  digest: (clientId, aclExpression) => clientId === aclExpression,
  ip: ipMatches,
};
