import { createHash } from 'node:crypto';

/**
 * ZooKeeper's DigestAuthenticationProvider.generateDigest: "user:password" becomes
 * "user:base64(sha1(user:password))", the id stored in `digest` ACLs and in a client's auth ids.
 * Pure computation; node:crypto is used only for SHA-1.
 */
export function generateDigest(idPassword: string): string {
  const colon = idPassword.indexOf(':');
  const user = colon === -1 ? idPassword : idPassword.slice(0, colon);
  const sha1 = createHash('sha1').update(idPassword, 'utf8').digest('base64');
  return `${user}:${sha1}`;
}
