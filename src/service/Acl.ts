import { Perms } from './Perms.js';

/** An identity: `world:anyone`, `digest:user:base64(sha1(user:password))`, `ip:10.0.0.1`, `super:...`. */
export interface Id {
  readonly scheme: string;
  readonly id: string;
}

/** One entry of a znode's access list: which permissions an identity pattern grants. */
export interface ACL {
  readonly perms: number;
  readonly id: Id;
}

/** ZooKeeper's ZooDefs.Ids: the well-known identities and access lists. */
export const Ids = {
  ANYONE_ID_UNSAFE: { scheme: 'world', id: 'anyone' } as Id,
  AUTH_IDS: { scheme: 'auth', id: '' } as Id,
  OPEN_ACL_UNSAFE: [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }] as readonly ACL[],
  CREATOR_ALL_ACL: [{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }] as readonly ACL[],
  READ_ACL_UNSAFE: [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }] as readonly ACL[],
} as const;

export function idEquals(a: Id, b: Id): boolean {
  return a.scheme === b.scheme && a.id === b.id;
}

export function aclEquals(a: ACL, b: ACL): boolean {
  return a.perms === b.perms && idEquals(a.id, b.id);
}
