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
  // The usual list (valid, no duplicates, no `auth`) is its own fixup: nodes share it, nothing is copied per create.
  if (standsAsItIs(acl)) return acl;
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

function standsAsItIs(acl: readonly ACL[]): boolean {
  if (acl.length === 0) return false;
  for (let index = 0; index < acl.length; index++) {
    const entry = acl[index];
    const { scheme, id } = entry.id;
    const valid = scheme === 'world' ? id === 'anyone' : scheme !== 'auth' && validatorOf(scheme)?.(id) === true;
    if (!valid) return false;
    for (let earlier = 0; earlier < index; earlier++) if (aclEquals(acl[earlier], entry)) return false;
  }
  return true;
}

function fixupEntry(entry: ACL, authInfo: readonly Id[]): readonly ACL[] | null {
  const { scheme, id } = entry.id;
  if (scheme === 'world' && id === 'anyone') return [entry];
  if (scheme === 'auth') {
    const authenticated = authInfo.filter((authId) => AUTHENTICATED_SCHEMES.includes(authId.scheme));
    return authenticated.length === 0 ? null : authenticated.map((authId) => ({ perms: entry.perms, id: authId }));
  }
  const isValid = validatorOf(scheme);
  return isValid !== undefined && isValid(id) ? [entry] : null;
}

/** Providers whose isAuthenticated() is true: ids of these schemes can stand for "the creator". */
const AUTHENTICATED_SCHEMES: readonly string[] = ['digest'];

const ID_VALIDATORS: Readonly<Record<string, (id: string) => boolean>> = {
  digest: isValidDigestId,
  ip: isValidIpExpression,
};

/** Own entries only: a scheme named "constructor" or "hasOwnProperty" is unknown, not Object.prototype's. */
function validatorOf(scheme: string): ((id: string) => boolean) | undefined {
  return Object.hasOwn(ID_VALIDATORS, scheme) ? ID_VALIDATORS[scheme] : undefined;
}

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
