import { join } from 'node:path';
import { applyTxn, DataTree } from '../../service/index.js';
import type { Logger } from '../Logger.js';
import { silentLogger } from '../Logger.js';
import { readEpochFile, writeEpochFile, type EpochFileName } from './EpochFile.js';
import type { LogEntry } from './logRecord.js';
import type { HistoryRun } from './historyRuns.js';
import { deleteSnapshotsBefore, loadLatestSnapshot, purgeSnapshots, writeSnapshot, writeSnapshotBytes } from './Snapshot.js';
import { TxnLog, type LogTruncation } from './TxnLog.js';

/** Subdirectory of dataDir / dataLogDir holding zabstate's files (ZooKeeper's is version-2; the formats differ). */
export const STORAGE_SUBDIRECTORY = 'zabstate-1';

export interface DataStoreOptions {
  readonly dataDir: string;
  /** Where the log segments go; dataDir when absent (ZooKeeper's dataLogDir). */
  readonly dataLogDir?: string;
  readonly segmentBytesMax?: number;
  /** Take a snapshot after this many applied txns (ZooKeeper's snapCount). */
  readonly snapshotEveryTxns?: number;
  /** Snapshots kept; the log is purged up to the oldest kept (ZooKeeper's autopurge.snapRetainCount). */
  readonly snapshotRetainCount?: number;
  readonly logger?: Logger;
  /**
   * Apply the log to the snapshot's tree: a standalone server's log holds committed txns only.
   * False for a quorum server, whose log may end with txns no quorum accepted: its tree is the
   * snapshot's, and the txns after it come back in `entries`, to be applied once known committed.
   */
  readonly applyLog?: boolean;
}

/** What a restart found and did; nothing in it is fatal. */
export interface RecoveryReport {
  readonly snapshot: { readonly name: string; readonly zxid: bigint } | null;
  /** The history the snapshot covers, when it recorded it (quorum servers' snapshots do). */
  readonly snapshotHistory: readonly HistoryRun[] | null;
  readonly skippedSnapshots: readonly { readonly name: string; readonly reason: string }[];
  readonly replayedTxnCount: number;
  /** The zxid of the last txn recovered: in the tree, or (applyLog false) in the log (0 for an empty store). */
  readonly lastZxid: bigint;
  /** The invalid log tail that was cut off, if any. */
  readonly logTruncation: LogTruncation | null;
  /** A valid record that did not apply to the tree: replay stopped there and the log was truncated. */
  readonly replayStopped: { readonly zxid: bigint; readonly reason: string } | null;
  readonly currentEpoch: number | null;
  readonly acceptedEpoch: number | null;
}

export const SNAPSHOT_EVERY_TXNS_DEFAULT = 100_000;
export const SNAPSHOT_RETAIN_COUNT_DEFAULT = 3;

/**
 * A server's durable state: the txn log, the snapshots and the epoch files. open() recovers the
 * tree (latest valid snapshot + log replay, cutting any torn or corrupt tail); afterwards the owner
 * appends txns, tells the store what it applied, and the store takes snapshots in the background.
 * Snapshots, installs and purges run one at a time.
 */
export class DataStore {
  private appliedSinceSnapshot = 0;
  private snapshotting: Promise<void> | null = null;
  private snapshotCount = 0;
  private snapshotChain: Promise<unknown> = Promise.resolve();
  private newestSnapshotZxid: bigint;

  private constructor(
    readonly log: TxnLog,
    private readonly snapshotDirectory: string,
    private readonly snapshotEveryTxns: number,
    private readonly snapshotRetainCount: number,
    private readonly logger: Logger,
    snapshotZxid: bigint,
  ) {
    this.newestSnapshotZxid = snapshotZxid;
  }

  static async open(options: DataStoreOptions): Promise<{ store: DataStore; tree: DataTree; report: RecoveryReport; entries: readonly LogEntry[] }> {
    const logger = options.logger ?? silentLogger;
    const applyLog = options.applyLog ?? true;
    const snapshotDirectory = join(options.dataDir, STORAGE_SUBDIRECTORY);
    const logDirectory = join(options.dataLogDir ?? options.dataDir, STORAGE_SUBDIRECTORY);
    const loaded = await loadLatestSnapshot(snapshotDirectory);
    for (const skipped of loaded.skipped) logger.event('SnapshotSkipped', { name: skipped.name, reason: skipped.reason });
    const snapshotZxid = loaded.snapshot?.zxid ?? 0n;
    const entries: LogEntry[] = [];
    const { log, scan } = await TxnLog.open({ directory: logDirectory, segmentBytesMax: options.segmentBytesMax, emptyBaseZxid: snapshotZxid },
      (entry) => entries.push(entry), snapshotZxid);
    if (scan.truncation !== null) logger.event('LogTailTruncated', { ...scan.truncation, deletedSegments: scan.truncation.deletedSegments.join(',') });
    if (scan.baseZxid !== null && scan.baseZxid > snapshotZxid) {
      await log.close();
      const newest = loaded.snapshot === null ? 'there is no valid snapshot' : `the newest valid snapshot is ${loaded.snapshot.name}`;
      const skipped = loaded.skipped.length === 0 ? '' : ` (skipped: ${loaded.skipped.map((item) => `${item.name}: ${item.reason}`).join('; ')})`;
      throw new Error(`${logDirectory}: the log starts after zxid 0x${scan.baseZxid.toString(16)}, but ${newest}${skipped}; the txns in between are lost`);
    }
    const replay = applyLog
      ? replayEntries(loaded.snapshot?.tree ?? DataTree.empty(), snapshotZxid, entries)
      : { tree: loaded.snapshot?.tree ?? DataTree.empty(), lastZxid: entries.at(-1)?.zxid ?? snapshotZxid, appliedCount: 0, stopped: null };
    if (replay.stopped !== null) {
      logger.event('ReplayStopped', { zxid: replay.stopped.zxid, reason: replay.stopped.reason });
      await log.truncate(replay.lastZxid);
    }
    const report: RecoveryReport = {
      snapshot: loaded.snapshot === null ? null : { name: loaded.snapshot.name, zxid: loaded.snapshot.zxid },
      snapshotHistory: loaded.snapshot?.history ?? null,
      skippedSnapshots: loaded.skipped,
      replayedTxnCount: replay.appliedCount,
      lastZxid: replay.lastZxid,
      logTruncation: scan.truncation,
      replayStopped: replay.stopped,
      currentEpoch: await readEpochFile(snapshotDirectory, 'currentEpoch'),
      acceptedEpoch: await readEpochFile(snapshotDirectory, 'acceptedEpoch'),
    };
    logger.event('DataStoreRecovered', {
      snapshot: report.snapshot?.name ?? 'none', replayed: report.replayedTxnCount, lastZxid: report.lastZxid,
      truncated: report.logTruncation !== null, nodes: replay.tree.nodeCount,
    });
    const store = new DataStore(log, snapshotDirectory, options.snapshotEveryTxns ?? SNAPSHOT_EVERY_TXNS_DEFAULT,
      options.snapshotRetainCount ?? SNAPSHOT_RETAIN_COUNT_DEFAULT, logger, snapshotZxid);
    return { store, tree: replay.tree, report, entries: applyLog ? [] : entries };
  }

  get snapshotsTaken(): number {
    return this.snapshotCount;
  }

  append(entry: LogEntry): Promise<void> {
    return this.log.append(entry);
  }

  async writeEpoch(name: EpochFileName, epoch: number): Promise<void> {
    await writeEpochFile(this.snapshotDirectory, name, epoch);
    this.logger.event('EpochFileWritten', { name, epoch });
  }

  /** Counts an applied txn; every snapshotEveryTxns of them a snapshot of `tree` starts in the background. */
  noteApplied(zxid: bigint, tree: DataTree): void {
    this.appliedSinceSnapshot += 1;
    if (this.appliedSinceSnapshot < this.snapshotEveryTxns || this.snapshotting !== null) return;
    this.appliedSinceSnapshot = 0;
    this.snapshotting = this.snapshot(zxid, tree)
      .then(() => undefined)
      .catch((error: Error) => this.logger.event('SnapshotFailed', { zxid, reason: error.message }))
      .finally(() => {
        this.snapshotting = null;
      });
  }

  /** The zxid of the newest snapshot taken or installed (0: none); the log is never cut below it. */
  get snapshotZxid(): bigint {
    return this.newestSnapshotZxid;
  }

  /**
   * Writes a snapshot of `tree` (the state after zxid; with the history up to zxid, for a quorum
   * server), then purges old snapshots and the log they cover. Null when a snapshot at zxid or
   * after it exists already.
   */
  snapshot(zxid: bigint, tree: DataTree, history?: readonly HistoryRun[]): Promise<string | null> {
    return this.oneAtATime(async () => {
      if (zxid <= this.newestSnapshotZxid) return null;
      const started = Date.now();
      const name = await writeSnapshot(this.snapshotDirectory, zxid, tree, history);
      this.snapshotCount += 1;
      this.newestSnapshotZxid = zxid;
      const oldestKept = await purgeSnapshots(this.snapshotDirectory, this.snapshotRetainCount);
      const purged = oldestKept === null ? [] : await this.log.purgeThrough(oldestKept);
      this.logger.event('SnapshotTaken', { name, zxid, nodes: tree.nodeCount, ms: Date.now() - started, purgedSegments: purged.length });
      return name;
    });
  }

  /**
   * A learner takes the snapshot its leader sent (already checked by decodeSnapshot): writes it,
   * then empties the log, which from now on starts after zxid; older snapshots go, since the log no
   * longer continues them. The owner must not append before this resolves.
   */
  installSnapshot(zxid: bigint, bytes: Uint8Array): Promise<string> {
    return this.oneAtATime(async () => {
      if (zxid < this.newestSnapshotZxid) throw new Error(`installSnapshot: zxid 0x${zxid.toString(16)} is older than the snapshot at 0x${this.newestSnapshotZxid.toString(16)}`);
      const name = await writeSnapshotBytes(this.snapshotDirectory, zxid, bytes);
      this.newestSnapshotZxid = zxid;
      const deleted = await deleteSnapshotsBefore(this.snapshotDirectory, zxid);
      await this.log.reset(zxid);
      this.logger.event('SnapshotInstalled', { name, zxid, bytes: bytes.length, deletedSnapshots: deleted.length });
      return name;
    });
  }

  /** ZAB's TRUNC on the log; below the newest snapshot it throws (that snapshot holds only committed txns). */
  truncate(toZxid: bigint): Promise<void> {
    if (toZxid < this.newestSnapshotZxid) {
      return Promise.reject(new Error(`TRUNC to zxid 0x${toZxid.toString(16)} is below the snapshot at 0x${this.newestSnapshotZxid.toString(16)}, which holds committed txns only`));
    }
    return this.log.truncate(toZxid);
  }

  async close(): Promise<void> {
    await this.snapshotting;
    await this.snapshotChain.catch(() => undefined);
    await this.log.close();
  }

  private oneAtATime<T>(task: () => Promise<T>): Promise<T> {
    const run = this.snapshotChain.catch(() => undefined).then(task);
    this.snapshotChain = run;
    return run;
  }
}

function replayEntries(start: DataTree, startZxid: bigint, entries: readonly LogEntry[]) {
  let tree = start;
  let lastZxid = startZxid;
  let appliedCount = 0;
  for (const entry of entries) {
    try {
      tree = applyTxn(tree, entry.txn, entry.zxid, entry.time).tree;
    } catch (error) {
      return { tree, lastZxid, appliedCount, stopped: { zxid: entry.zxid, reason: (error as Error).message } };
    }
    lastZxid = entry.zxid;
    appliedCount += 1;
  }
  return { tree, lastZxid, appliedCount, stopped: null };
}
