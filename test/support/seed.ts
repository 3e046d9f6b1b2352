/** The seed of a randomized test: ZABSTATE_SEED when set (to reproduce a failure), else a fixed one. */
export function testSeed(fallback = 20261122): number {
  const raw = process.env.ZABSTATE_SEED;
  if (raw === undefined || raw === '') return fallback;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`ZABSTATE_SEED must be an integer, got ${raw}`);
  return seed;
}

/** More runs in `npm run test:long`. */
export function runs(normal: number, long: number): number {
  return process.env.ZABSTATE_LONG ? long : normal;
}
