/**
 * fast-check parameters for the wire tests: ZABSTATE_SEED replays a run (fast-check prints the seed
 * and the counterexample path when a property fails).
 */
export function fastCheckParameters(numRuns: number): { numRuns: number; seed?: number } {
  const seedText = process.env.ZABSTATE_SEED;
  if (seedText === undefined || seedText === '') return { numRuns };
  const seed = Number(seedText);
  if (!Number.isInteger(seed)) throw new Error(`ZABSTATE_SEED must be an integer, got ${seedText}`);
  return { numRuns, seed };
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}
