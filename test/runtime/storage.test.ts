/**
 * Durability: the txn log (group commit, segments, truncate, recovery of torn and corrupt tails),
 * snapshots and epoch files, and what a quorum server adds: snapshots that record the history they
 * cover, installing a leader's snapshot, and a log that must continue its snapshot. Randomized tests
 * replay with ZABSTATE_SEED=<seed>.
 */
import { crc32 as zlibCrc32 } from 'node:zlib';
import { open as openFile, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32, crc32Table } from '../../src/runtime/storage/crc32.js';
import { DataStore, STORAGE_SUBDIRECTORY } from '../../src/runtime/storage/DataStore.js';
import { readEpochFile, writeEpochFile } from '../../src/runtime/storage/EpochFile.js';
import { historyRunsOf, parseHistoryRuns, zxidsOfRuns, type HistoryRun } from '../../src/runtime/storage/historyRuns.js';
import { decodeSnapshot, encodeSnapshot, listSnapshots } from '../../src/runtime/storage/Snapshot.js';
import { TxnLog } from '../../src/runtime/storage/TxnLog.js';
import { decodeRecordAt, decodeSegmentHeader, encodeRecord, SEGMENT_MAGIC, type LogEntry } from '../../src/runtime/storage/logRecord.js';
import { toTaggedJson } from '../../src/runtime/storage/taggedJson.js';
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

/** A record as versions 1 and 2 wrote it: zxid, time, then the txn as tagged JSON. */
function jsonRecord(entry: LogEntry): Buffer {
  const json = Buffer.from(toTaggedJson(entry.txn), 'utf8');
  const body = Buffer.alloc(16 + json.length);
  body.writeBigInt64BE(entry.zxid, 0);
  body.writeBigInt64BE(BigInt(entry.time), 8);
  json.copy(body, 16);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(body.length, 0);
  header.writeUInt32BE(crc32(body), 4);
  return Buffer.concat([header, body]);
}

function segmentHeader(version: number, firstZxid: bigint, previousZxid?: bigint): Buffer {
  const header = Buffer.alloc(previousZxid === undefined ? 16 : 24);
  header.writeUInt32BE(SEGMENT_MAGIC, 0);
  header.writeUInt32BE(version, 4);
  header.writeBigInt64BE(firstZxid, 8);
  if (previousZxid !== undefined) header.writeBigInt64BE(previousZxid, 16);
  return header;
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

/** The zxid (epoch, counter) as ZooKeeper packs it. */
const zxidOf = (epoch: number, counter: number): bigint => (BigInt(epoch) << 32n) | BigInt(counter);

/** A ZAB-shaped history: for each epoch, a prefix (e, 1)..(e, k) of its leader's proposals, k possibly 0. */
const zabHistory = fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 0, maxLength: 8 }).map((lengths) =>
  lengths.flatMap((length, index) => Array.from({ length }, (_, counter) => ({ epoch: index + 1, counter: counter + 1 }))));

describe('history runs', () => {
  it('compress a ZAB history to one run per epoch, and expand back to it', () => {
    fc.assert(
      fc.property(zabHistory, (zxids) => {
        const runs = historyRunsOf(zxids);
        expect([...zxidsOfRuns(runs)]).toEqual(zxids);
        expect(runs.length).toBe(new Set(zxids.map((zxid) => zxid.epoch)).size);
        expect(parseHistoryRuns(JSON.parse(JSON.stringify(runs)))).toEqual(runs);
      }),
      { seed: testSeed(), numRuns: runs(100, 1000) },
    );
  });

  it('refuse zxids out of order, and parsing names what is malformed', () => {
    expect(() => historyRunsOf([{ epoch: 2, counter: 1 }, { epoch: 1, counter: 5 }])).toThrow(/does not follow/);
    expect(historyRunsOf([{ epoch: 1, counter: 1 }, { epoch: 1, counter: 3 }])).toEqual([[1, 1, 1], [1, 3, 3]]);
    expect(parseHistoryRuns('x')).toEqual({ invalid: 'history is not a list of runs' });
    expect(parseHistoryRuns([[1, 0, 2]])).toMatchObject({ invalid: expect.stringMatching(/counters 0..2/) });
    expect(parseHistoryRuns([[1, 1, 2], [1, 3, 4]])).toMatchObject({ invalid: expect.stringMatching(/does not follow/) });
    expect(parseHistoryRuns([[2, 1, 2], [1, 1, 4]])).toMatchObject({ invalid: expect.stringMatching(/does not follow/) });
    expect(parseHistoryRuns([[1, 1, 2.5]])).toMatchObject({ invalid: expect.stringMatching(/not \[epoch/) });
  });
});

describe('the log of a quorum server', () => {
  it('a snapshot records the history it covers; the history must end at its zxid', () => {
    const { tree } = makeLogEntries(30, 11);
    const history: HistoryRun[] = [[1, 1, 10], [3, 1, 20]];
    const decoded = decodeSnapshot(encodeSnapshot(zxidOf(3, 20), tree, history));
    if ('invalid' in decoded) throw new Error(decoded.invalid);
    expect(decoded.history).toEqual(history);
    expect(decoded.zxid).toBe(zxidOf(3, 20));
    const plain = decodeSnapshot(encodeSnapshot(30n, tree));
    expect('invalid' in plain ? plain.invalid : plain.history).toBeNull();
    expect(() => encodeSnapshot(zxidOf(3, 21), tree, history)).toThrow(/ends at/);
  });

  it('segments record the zxid they follow; a segment that does not continue the log is cut off with a report', async () => {
    const directory = await tempDir();
    const { entries } = makeLogEntries(90, 12);
    const { log } = await TxnLog.open({ directory, segmentBytesMax: 1500 });
    for (const entry of entries) await log.append(entry);
    const names = log.segmentNames;
    expect(names.length).toBeGreaterThanOrEqual(4);
    await log.close();
    const headers = await Promise.all(names.map(async (name) => decodeSegmentHeader(await readFile(join(directory, name)))));
    expect(headers[0]).toMatchObject({ firstZxid: 1n, previousZxid: 0n });
    for (let index = 1; index < headers.length; index++) {
      const header = headers[index] as { firstZxid: bigint; previousZxid: bigint };
      expect(header.previousZxid).toBe(header.firstZxid - 1n);
    }
    // A lost middle segment leaves a gap that record order alone would not show.
    await rm(join(directory, names[1]));
    const { entries: recovered, log: reopened, scan } = await readBack(directory);
    await reopened.close();
    expect(recovered).toEqual(entries.slice(0, Number((headers[1] as { firstZxid: bigint }).firstZxid) - 1));
    expect(scan.truncation).toMatchObject({ segment: names[2], offset: 0, reason: expect.stringMatching(/follows zxid .* but the log before it ends at/) });
    expect(scan.truncation?.deletedSegments).toEqual(names.slice(3));
  });

  it('reads version 1 segments, which do not record the zxid they follow', async () => {
    const directory = await tempDir();
    const { entries } = makeLogEntries(5, 13);
    await writeFile(join(directory, 'log.0000000000000001'), Buffer.concat([segmentHeader(1, 1n), ...entries.map(jsonRecord)]));
    const { entries: recovered, log, scan } = await readBack(directory);
    expect(recovered).toEqual(entries);
    expect(scan.baseZxid).toBeNull();
    await log.append({ ...entries[4], zxid: 6n });
    await log.close();
    expect((await readBack(directory)).entries.map((entry) => entry.zxid)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
  });

  it('reads version 2 segments, whose records hold tagged JSON, and goes on in a version 3 segment', async () => {
    const directory = await tempDir();
    const { entries } = makeLogEntries(30, 15);
    await writeFile(join(directory, 'log.0000000000000001'), Buffer.concat([segmentHeader(2, 1n, 0n), ...entries.slice(0, 20).map(jsonRecord)]));
    const { entries: recovered, log } = await readBack(directory);
    expect(recovered).toEqual(entries.slice(0, 20));
    for (const entry of entries.slice(20)) await log.append(entry);
    await log.close();
    expect((await readBack(directory)).entries).toEqual(entries);
  });

  it('logs txns in binary, and a txn of a shape the binary form does not hold as JSON; both read back', () => {
    const { entries } = makeLogEntries(60, 16);
    for (const entry of entries) {
      const record = encodeRecord(entry);
      expect(record[8 + 16]).toBe(1);
      expect(record.length).toBeLessThan(jsonRecord(entry).length);
      expect(decodeRecordAt(record, 0, 1 << 20)).toEqual({ kind: 'record', entry, byteLength: record.length });
    }
    const odd: LogEntry = { ...entries[0], txn: { ...entries[0].txn, note: 'not a txn field' } as unknown as LogEntry['txn'] };
    const record = encodeRecord(odd);
    expect(String.fromCharCode(record[8 + 16])).toBe('{');
    expect(decodeRecordAt(record, 0, 1 << 20)).toEqual({ kind: 'record', entry: odd, byteLength: record.length });
  });

  it('a binary txn that does not decode is an invalid record even when its CRC matches', () => {
    const [entry] = makeLogEntries(1, 17).entries;
    const record = encodeRecord(entry);
    // The txn's type (after the marker, session id and cxid) becomes 999; then the CRC is made right.
    record.writeInt32BE(999, 8 + 16 + 1 + 8 + 4);
    record.writeUInt32BE(crc32(record.subarray(8)), 4);
    expect(decodeRecordAt(record, 0, 1 << 20)).toEqual({ kind: 'invalid', reason: 'record body is not a txn' });
    const truncatedTxn = Buffer.concat([record.subarray(0, record.length - 1)]);
    truncatedTxn.writeUInt32BE(truncatedTxn.length - 8, 0);
    truncatedTxn.writeUInt32BE(crc32(truncatedTxn.subarray(8)), 4);
    expect(decodeRecordAt(truncatedTxn, 0, 1 << 20)).toEqual({ kind: 'invalid', reason: 'record body is not a txn' });
  });

  it('reset empties the log, which then starts after the given zxid; truncating below that is refused', async () => {
    const directory = await tempDir();
    const { entries } = makeLogEntries(40, 14);
    const { log } = await TxnLog.open({ directory, segmentBytesMax: 1500 });
    for (const entry of entries.slice(0, 20)) await log.append(entry);
    await log.reset(30n);
    expect(log.segmentNames).toEqual([]);
    expect(log.lastZxid).toBe(30n);
    await expect(log.append(entries[25])).rejects.toThrow(/must be above/);
    for (const entry of entries.slice(30)) await log.append(entry);
    await expect(log.truncate(29n)).rejects.toThrow(/below .* where the log starts/);
    await log.truncate(35n);
    await log.close();
    const { entries: recovered, log: reopened, scan } = await readBack(directory);
    expect(scan.baseZxid).toBe(30n);
    expect(recovered).toEqual(entries.slice(30, 35));
    await reopened.close();
  });

  it('a quorum DataStore keeps the log apart from the tree, installs a leader\'s snapshot, and refuses a log its snapshots do not reach', async () => {
    const dataDir = await tempDir();
    const { entries, tree } = makeLogEntries(60, 15);
    const first = await DataStore.open({ dataDir, applyLog: false, segmentBytesMax: 1500 });
    for (const entry of entries.slice(0, 40)) await first.store.append(entry);
    await first.store.close();

    const reopened = await DataStore.open({ dataDir, applyLog: false });
    expect(reopened.entries).toEqual(entries.slice(0, 40));
    expect(reopened.tree.nodeCount).toBe(1);
    expect(reopened.report.lastZxid).toBe(40n);
    // What a leader at zxid 50 sends: its tree and the history up to it.
    const { tree: treeAt50 } = makeLogEntries(50, 15);
    const history: HistoryRun[] = [[0, 1, 50]];
    await reopened.store.installSnapshot(50n, encodeSnapshot(50n, treeAt50, history));
    for (const entry of entries.slice(50)) await reopened.store.append(entry);
    await expect(reopened.store.truncate(49n)).rejects.toThrow(/below the snapshot/);
    await reopened.store.close();

    const installed = await DataStore.open({ dataDir, applyLog: false });
    expect(installed.report.snapshot?.zxid).toBe(50n);
    expect(installed.report.snapshotHistory).toEqual(history);
    expect(installed.entries).toEqual(entries.slice(50));
    expect(installed.tree.digest).toBe(treeAt50.digest);
    await installed.store.close();
    const applied = await DataStore.open({ dataDir });
    expect(applied.tree.digest).toBe(tree.digest);
    await applied.store.close();

    // The only snapshot is damaged: the log starts after zxid 50 and nothing holds 1..50.
    const snapshotPath = join(dataDir, STORAGE_SUBDIRECTORY, (await listSnapshots(join(dataDir, STORAGE_SUBDIRECTORY)))[0].name);
    const handle = await openFile(snapshotPath, 'r+');
    await handle.write(Buffer.from([0xff]), 0, 1, 40);
    await handle.close();
    await expect(DataStore.open({ dataDir, applyLog: false })).rejects.toThrow(/starts after zxid 0x32, but there is no valid snapshot .*CRC mismatch.*lost/);
  });
});
