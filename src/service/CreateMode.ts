import { Code } from './Code.js';

/** ZooKeeper's CreateMode flags as sent in a create request. */
export const CreateMode = {
  PERSISTENT: 0,
  EPHEMERAL: 1,
  PERSISTENT_SEQUENTIAL: 2,
  EPHEMERAL_SEQUENTIAL: 3,
  CONTAINER: 4,
} as const;

export type CreateMode = (typeof CreateMode)[keyof typeof CreateMode];

/** Flags 5 and 6 are ZooKeeper's TTL modes: known to ZooKeeper but not implemented here. */
const TTL_FLAGS: readonly number[] = [5, 6];

/**
 * Decodes a flag the way ZooKeeper's CreateMode.fromFlag does: an unknown flag is BadArguments;
 * the TTL modes answer Unimplemented, as ZooKeeper does when extended ephemeral types are off.
 */
export function createModeFromFlag(flags: number): CreateMode | Code {
  if (TTL_FLAGS.includes(flags)) return Code.Unimplemented;
  const known = Object.values(CreateMode) as number[];
  return known.includes(flags) ? (flags as CreateMode) : Code.BadArguments;
}

export function isEphemeralMode(mode: CreateMode): boolean {
  return mode === CreateMode.EPHEMERAL || mode === CreateMode.EPHEMERAL_SEQUENTIAL;
}

export function isSequentialMode(mode: CreateMode): boolean {
  return mode === CreateMode.PERSISTENT_SEQUENTIAL || mode === CreateMode.EPHEMERAL_SEQUENTIAL;
}
