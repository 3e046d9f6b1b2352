import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** Flushes a directory's entries (new, renamed and deleted names) to disk. */
export async function fsyncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `name` in `directory` with `bytes` (or the pieces, one after the other) so that a crash
 * leaves either the old or the new file: write a temporary file, fsync it, rename it over the name,
 * fsync the directory.
 */
export async function writeFileAtomically(directory: string, name: string, bytes: Uint8Array | readonly Uint8Array[]): Promise<void> {
  const finalPath = join(directory, name);
  const temporaryPath = `${finalPath}.tmp`;
  const handle = await open(temporaryPath, 'w');
  try {
    if (bytes instanceof Uint8Array) await handle.writeFile(bytes);
    else for (const piece of bytes) await writeAll(handle, piece);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporaryPath, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporaryPath, finalPath);
  await fsyncDirectory(directory);
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  for (let offset = 0; offset < bytes.length;) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    if (bytesWritten <= 0) throw new Error('writeFileAtomically: write made no progress');
    offset += bytesWritten;
  }
}

/** The 16 hex digits of a zxid as an unsigned 64-bit number, so names sort as zxids do. */
export function zxidHex(zxid: bigint): string {
  return BigInt.asUintN(64, zxid).toString(16).padStart(16, '0');
}

/** Parses `<prefix><16 hex digits>`; null for any other name. */
export function parseZxidName(name: string, prefix: string): bigint | null {
  const match = new RegExp(`^${prefix.replace('.', '\\.')}([0-9a-f]{16})$`).exec(name);
  return match === null ? null : BigInt.asIntN(64, BigInt(`0x${match[1]}`));
}
