import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from './durableFiles.js';

/** ZooKeeper's two epoch files: the epoch a server last accepted (NEWEPOCH) and the one it follows (NEWLEADER). */
export type EpochFileName = 'currentEpoch' | 'acceptedEpoch';

/**
 * Reads an epoch file (decimal text, as ZooKeeper writes it). Missing: null. Anything else that is not
 * a non-negative integer throws, because guessing an epoch could break ZAB's safety.
 */
export async function readEpochFile(directory: string, name: EpochFileName): Promise<number | null> {
  let text: string;
  try {
    text = await readFile(join(directory, name), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const trimmed = text.trim();
  if (!/^\d{1,10}$/.test(trimmed) || Number(trimmed) > 0xffff_ffff) {
    throw new Error(`${join(directory, name)}: expected an epoch (a decimal integer below 2^32), found ${JSON.stringify(text.slice(0, 40))}`);
  }
  return Number(trimmed);
}

/** Writes an epoch file atomically: write a temporary file, fsync, rename, fsync the directory. */
export async function writeEpochFile(directory: string, name: EpochFileName, epoch: number): Promise<void> {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > 0xffff_ffff) throw new RangeError(`writeEpochFile: bad epoch ${epoch}`);
  await writeFileAtomically(directory, name, new TextEncoder().encode(`${epoch}\n`));
}
