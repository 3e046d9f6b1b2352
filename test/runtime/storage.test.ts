/**
 * Durability: the txn log (group commit, segments, truncate, recovery of torn and corrupt tails),
 * snapshots and epoch files. Randomized tests replay with ZABSTATE_SEED=<seed>.
 */
import { crc32 as zlibCrc32 } from 'node:zlib';
import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32, crc32Table } from '../../src/runtime/storage/crc32.js';
import { DataStore, STORAGE_SUBDIRECTORY } from '../../src/runtime/storage/DataStore.js';
import { readEpochFile, writeEpochFile } from '../../src/runtime/storage/EpochFile.js';
import { decodeSnapshot, encodeSnapshot, listSnapshots } from '../../src/runtime/storage/Snapshot.js';
import { TxnLog } from '../../src/runtime/storage/TxnLog.js';
import type { LogEntry } from '../../src/runtime/storage/logRecord.js';
import { runs, testSeed } from '../support/seed.js';
import { makeLogEntries, temporaryDirectory } from './txnFixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function tempDir(): Promise<string> {
  const directory = await temporaryDirectory();
  cleanups.push(directory.remove);
  return directory.path;
}

async function readBack(directory: string): Promise<{ entries: LogEntry[]; log: TxnLog; scan: Awaited<ReturnType<typeof TxnLog.open>>['scan'] }> {
  const entries: LogEntry[] = [];
  const { log, scan } = await TxnLog.open({ directory }, (entry) => entries.push(entry));
  return { entries, log, scan };
}

describe('crc32', () => {
  it('is the IEEE CRC-32, native and table-driven alike', () => {
    const bytes = new TextEncoder().encode('123456789');
    expect(crc32(bytes)).toBe(0xcbf43926);
    expect(crc32Table(bytes)).toBe(0xcbf43926);
    const random = new Uint8Array(4096).map((_, index) => (index * 131 + 7) & 0xff);
    expect(crc32Table(random)).toBe(zlibCrc32(random) >>> 0);
  });
});

describe('TxnLog', () => {
  it('appends with one fsync per batch and reads every record back', async () => {
    const directory = await tempDir();
    const { entries } = makeLogEntries(200, 1);
    const { log } = await TxnLog.open({ directory });
    await Promise.all(entries.slice(0, 100).map((entry) => log.append(entry)));
    await Promise.all(entries.slice(100).map((entry) => log.append(entry)));
    expect(log.stats.appendedRecords).toBe(200);
    expect(log.stats.batches).toBeLessThanOrEqual(4);
    expect(log.stats.largestBatch).toBeGreaterThanOrEqual(50);
    await log.close();
    const reopened = await readBack(directory);
    expect(reopened.entries).toEqual(entries);
    expect(reopened.scan.truncation).toBeNull();
    expect(reopened.log.lastZxid).toBe(200n);
    await reopened.log.close();
  });

  it('rolls segments by size and reads across them', async () => {
    const directory = await tempDir();
    const { entries } = makeLogEntries(120, 2);
    const { log } = await TxnLog.open({ directory, segmentBytesMax: 2048 });
    for (const entry of entries) await log.append(entry);
    expect(log.segmentNames.length).toBeGreaterThan(3);
    await log.close();
    const reopened = await readBack(directory);
    expect(reopened.entries).toEqual(entries);
    expect(await reopened.log.entriesAfter(100n)).toEqual(entries.slice(100));
    await reopened.log.close();
  });

  it('refuses a zxid that does not increase', async () => {
    const directory = await tempDir();
    const { entries } = makeLogEntries(2, 3);
    const { log } = await TxnLog.open({ directory });
    await log.append(entries[1]);
    await expect(log.append(entries[0])).rejects.toThrow(/must be above/);
    await log.close();
  });

  it('truncates to a zxid (TRUNC) across segments, durably, and appends after it', async () => {
    const directory = await tempDir();
    const { entries } = makeLogEntries(100, 4);
    const { log } = await TxnLog.open({ directory, segmentBytesMax: 1500 });
    for (const entry of entries) await log.append(entry);
    await log.truncate(37n);
    expect(log.lastZxid).toBe(37n);
    await log.append({ ...entries[37], zxid: 1000n });
    await log.close();
    const reopened = await readBack(directory);
    expect(reopened.entries).toEqual([...entries.slice(0, 37), { ...entries[37], zxid: 1000n }]);
    await reopened.log.close();
  });

  it('recovers a prefix of the appended records whatever the damage to the last segment', async () => {
    const { entries } = makeLogEntries(40, 5);
    const damage = fc.record({
      kind: fc.constantFrom('truncate', 'flip', 'zeros', 'garbage'),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      length: fc.integer({ min: 1, max: 64 }),
      byte: fc.integer({ min: 1, max: 255 }),
    });
    await fc.assert(
      fc.asyncProperty(damage, async ({ kind, at, length, byte }) => {
        const directory = await tempDir();
        const { log } = await TxnLog.open({ directory, segmentBytesMax: 1200 });
        const ends: { segment: number; end: number }[] = [];
        for (const entry of entries) {
          await log.append(entry);
          ends.push({ segment: log.segmentNames.length, end: (await stat(join(directory, log.segmentNames.at(-1) as string))).size });
        }
        const lastSegment = join(directory, log.segmentNames.at(-1) as string);
        const lastSegmentEnds = ends.filter((item) => item.segment === log.segmentNames.length).map((item) => item.end);
        const firstInLast = entries.length - lastSegmentEnds.length;
        await log.close();
        const size = (await stat(lastSegment)).size;
        const offset = Math.min(size - 1, Math.floor(at * size));
        await damageFile(lastSegment, kind, offset, length, byte);
        const { entries: recovered, log: reopened, scan } = await readBack(directory);
        await reopened.close();
        expect(recovered).toEqual(entries.slice(0, recovered.length));
        // Every record that ended before the damage survives.
        const intact = lastSegmentEnds.filter((end) => end <= offset).length;
        expect(recovered.length).toBeGreaterThanOrEqual(firstInLast + intact);
        if (recovered.length < entries.length) expect(scan.truncation).not.toBeNull();
        const again = await readBack(directory);
        expect(again.scan.truncation).toBeNull();
        expect(again.entries).toEqual(recovered);
        await again.log.close();
      }),
      { seed: testSeed(), numRuns: runs(40, 400) },
    );
  });

  it('a crash mid-write loses only the records that were not yet acknowledged', async () => {
    const { entries } = makeLogEntries(60, 6);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 59 }), fc.double({ min: 0, max: 1, noNaN: true }), async (acknowledgedCount, cut) => {
        const directory = await tempDir();
        const { log } = await TxnLog.open({ directory });
        await Promise.all(entries.slice(0, acknowledgedCount).map((entry) => log.append(entry)));
        const segment = join(directory, log.segmentNames[0]);
        const durableSize = (await stat(segment)).size;
        await Promise.all(entries.slice(acknowledgedCount).map((entry) => log.append(entry)));
        await log.close();
        const fullSize = (await stat(segment)).size;
        // The crash: the unacknowledged batch reached the disk only up to some byte.
        await truncate(segment, durableSize + Math.floor(cut * (fullSize - durableSize)));
        const { entries: recovered, log: reopened } = await readBack(directory);
        await reopened.close();
        expect(recovered.length).toBeGreaterThanOrEqual(acknowledgedCount);
        expect(recovered).toEqual(entries.slice(0, recovered.length));
      }),
      { seed: testSeed(), numRuns: runs(25, 250) },
    );
  });
});

async function damageFile(path: string, kind: string, offset: number, length: number, byte: number): Promise<void> {
  if (kind === 'truncate') {
    await truncate(path, offset);
    return;
  }
  const bytes = await readFile(path);
  const end = Math.min(bytes.length, offset + length);
  for (let index = offset; index < end; index++) {
    if (kind === 'flip') bytes[index] ^= byte;
    else if (kind === 'zeros') bytes[index] = 0;
    else bytes[index] = (bytes[index] + byte) & 0xff;
    if (kind === 'flip') break;
  }
  await writeFile(path, bytes);
}

describe('snapshots and the DataStore', () => {
  it('encodes and decodes a tree with the same digest', () => {
    const { tree } = makeLogEntries(300, 7);
    const decoded = decodeSnapshot(encodeSnapshot(300n, tree));
    if ('invalid' in decoded) throw new Error(decoded.invalid);
    expect(decoded.tree.digest).toBe(tree.digest);
    expect(decoded.tree.recomputeDigest()).toBe(tree.digest);
    expect([...decoded.tree.sessions]).toEqual([...tree.sessions]);
    expect(decoded.tree.getChildren('/')).toEqual(tree.getChildren('/'));
  });

  it('snapshot + log replay reproduce the tree digest, and a corrupt newest snapshot falls back to an older one', async () => {
    const dataDir = await tempDir();
    const { entries, tree } = makeLogEntries(250, 8);
    const opened = await DataStore.open({ dataDir, snapshotEveryTxns: 60, segmentBytesMax: 4096 });
    let applied = opened.tree;
    for (const entry of entries) {
      await opened.store.append(entry);
      applied = (await import('../../src/service/index.js')).applyTxn(applied, entry.txn, entry.zxid, entry.time).tree;
      opened.store.noteApplied(entry.zxid, applied);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await opened.store.close();
    expect(applied.digest).toBe(tree.digest);
    const snapshotDirectory = join(dataDir, STORAGE_SUBDIRECTORY);
    const snapshots = await listSnapshots(snapshotDirectory);
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    expect(snapshots.length).toBeLessThanOrEqual(3);

    const first = await DataStore.open({ dataDir });
    expect(first.tree.digest).toBe(tree.digest);
    expect(first.report.snapshot?.zxid).toBe(snapshots[0].zxid);
    expect(first.report.replayedTxnCount).toBe(Number(250n - snapshots[0].zxid));
    expect(first.report.lastZxid).toBe(250n);
    await first.store.close();

    const newest = join(snapshotDirectory, snapshots[0].name);
    const bytes = await readFile(newest);
    bytes[bytes.length - 3] ^= 0x55;
    await writeFile(newest, bytes);
    const second = await DataStore.open({ dataDir });
    expect(second.report.skippedSnapshots.map((skipped) => skipped.name)).toEqual([snapshots[0].name]);
    expect(second.report.snapshot?.zxid).toBe(snapshots[1].zxid);
    expect(second.tree.digest).toBe(tree.digest);
    await second.store.close();
  });

  it('writes epoch files atomically and refuses a garbled one', async () => {
    const directory = await tempDir();
    expect(await readEpochFile(directory, 'acceptedEpoch')).toBeNull();
    await writeEpochFile(directory, 'acceptedEpoch', 7);
    await writeEpochFile(directory, 'currentEpoch', 6);
    await writeEpochFile(directory, 'acceptedEpoch', 8);
    expect(await readEpochFile(directory, 'acceptedEpoch')).toBe(8);
    expect(await readEpochFile(directory, 'currentEpoch')).toBe(6);
    expect((await readdir(directory)).sort()).toEqual(['acceptedEpoch', 'currentEpoch']);
    await writeFile(join(directory, 'currentEpoch'), 'seven');
    await expect(readEpochFile(directory, 'currentEpoch')).rejects.toThrow(/currentEpoch/);
  });
});
