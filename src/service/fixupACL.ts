import type { ACL, Id } from './Acl.js';
import { aclEquals } from './Acl.js';
import { Code } from './Code.js';
import { isValidIpExpression } from './ipMatches.js';

/**
 * PrepRequestProcessor.fixupACL: checks the access list a create or setACL asks for and expands
 * the `auth` scheme into the requester's authenticated ids. Duplicates are dropped first, an empty
 * list, an unknown scheme or a malformed id is InvalidACL, and `auth` without an authenticated
 * (digest) id is InvalidACL too, because ZooKeeper's ip provider does not count as authenticated.
 */
export function fixupACL(acl: readonly ACL[], authInfo: readonly Id[]): readonly ACL[] | typeof Code.InvalidACL {
  const unique = removeDuplicates(acl);
  if (unique.length === 0) return Code.InvalidACL;
  const fixed: ACL[] = [];
  for (const entry of unique) {
    const expanded = fixupEntry(entry, authInfo);
    if (expanded === null) return Code.InvalidACL;
    fixed.push(...expanded);
  }
  return fixed;
}

function fixupEntry(entry: ACL, authInfo: readonly Id[]): readonly ACL[] | null {
  const { scheme, id } = entry.id;
  if (scheme === 'world' && id === 'anyone') return [entry];
  if (scheme === 'auth') {
    const authenticated = authInfo.filter((authId) => AUTHENTICATED_SCHEMES.includes(authId.scheme));
    return authenticated.length === 0 ? null : authenticated.map((authId) => ({ perms: entry.perms, id: authId }));
  }
  const isValid = ID_VALIDATORS[scheme];
  return isValid !== undefined && isValid(id) ? [entry] : null;
}

/** Providers whose isAuthenticated() is true: ids of these schemes can stand for "the creator". */
const AUTHENTICATED_SCHEMES: readonly string[] = ['digest'];

const ID_VALIDATORS: Readonly<Record<string, (id: string) => boolean>> = {
  digest: isValidDigestId,
  ip: isValidIpExpression,
};

/** DigestAuthenticationProvider.isValid: Java's `id.split(":").length == 2` (trailing empties dropped). */
function isValidDigestId(id: string): boolean {
  const parts = id.split(':');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.length === 2;
}

function removeDuplicates(acl: readonly ACL[]): ACL[] {
  const unique: ACL[] = [];
  for (const entry of acl) {
    if (!unique.some((kept) => aclEquals(kept, entry))) unique.push(entry);
  }
  return unique;
}
