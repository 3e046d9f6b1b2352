/** ZooKeeper's ACL permission bits (ZooDefs.Perms). */
export const Perms = {
  READ: 1,
  WRITE: 2,
  CREATE: 4,
  DELETE: 8,
  ADMIN: 16,
  ALL: 31,
} as const;

export type Perms = (typeof Perms)[keyof typeof Perms];
