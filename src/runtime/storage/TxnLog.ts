import { mkdir, open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDirectory, parseZxidName, zxidHex } from './durableFiles.js';
import {
  decodeRecordAt, decodeSegmentHeader, encodeRecord, encodeSegmentHeader, SEGMENT_HEADER_BYTES, type LogEntry,
} from './logRecord.js';

export interface TxnLogOptions {
  readonly directory: string;
  /** A segment that has reached this size is closed and the next batch starts a new one. */
  readonly segmentBytesMax?: number;
  /** A record longer than this is refused on append and treated as corrupt on read. */
  readonly recordBytesMax?: number;
  /** Where an empty log starts: the zxid of the snapshot that holds everything before its first record. */
  readonly emptyBaseZxid?: bigint;
}

/** What recovery cut off the end of the log. */
export interface LogTruncation {
  readonly segment: string;
  /** Where the invalid tail began in that segment (0: the whole segment was removed). */
  readonly offset: number;
  readonly droppedBytes: number;
  readonly reason: string;
  /** Later segments removed because they followed the invalid record. */
  readonly deletedSegments: readonly string[];
}

export interface LogScan {
  readonly entryCount: number;
  readonly lastZxid: bigint | null;
  readonly truncation: LogTruncation | null;
  /**
   * The zxid the log starts after: the previous zxid of its first segment (null when the log is
   * empty or that segment is version 1). Txns up to it must come from a snapshot.
   */
  readonly baseZxid: bigint | null;
}

export interface TxnLogStats {
  readonly appendedRecords: number;
  readonly batches: number;
  readonly fsyncs: number;
  readonly largestBatch: number;
}

interface Segment {
  readonly name: string;
  readonly firstZxid: bigint;
  size: number;
  /** Where the first record starts (the header's length). */
  headerBytes: number;
  /** The header's previous zxid (null for a version 1 segment). */
  previousZxid: bigint | null;
}

interface Pending {
  readonly zxid: bigint;
  /** The zxid the log ended at before this record: a segment that starts with it records it. */
  readonly previousZxid: bigint;
  readonly bytes: Buffer;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export const SEGMENT_BYTES_MAX_DEFAULT = 64 * 1024 * 1024;
export const RECORD_BYTES_MAX_DEFAULT = 8 * 1024 * 1024;
const SEGMENT_PREFIX = 'log.';

/**
 * The txn log: segment files of CRC-checked records (format in logRecord.ts), appended with group
 * commit. Every record appended while a write+fsync is in flight, or in the same turn of the event
 * loop, goes out in the next batch: one write, one fdatasync, then every promise of the batch
 * resolves, in zxid order. A failed write or fsync fails the log: that batch and every later append
 * reject, because a log that may have lost an acknowledged record must not acknowledge more.
 * Invariants: zxids strictly increase across the whole log; each segment's header names the zxid
 * the log ended at when it began (the last record of the segment before it, or the base a reset set),
 * so a log is one unbroken stretch of a server's history. Truncate, reset, purge and reads of the
 * whole log run one at a time.
 */
export class TxnLog {
  private readonly segments: Segment[];
  private handle: FileHandle | null = null;
  private queue: Pending[] = [];
  private flushScheduled = false;
  private flushing = false;
  private idleWaiters: (() => void)[] = [];
  private failure: Error | null = null;
  private closed = false;
  private lastAppendedZxid: bigint;
  private maintenance: Promise<void> = Promise.resolve();
  private mutableStats = { appendedRecords: 0, batches: 0, fsyncs: 0, largestBatch: 0 };

  private constructor(
    private readonly directory: string,
    private readonly segmentBytesMax: number,
    private readonly recordBytesMax: number,
    segments: Segment[],
    lastZxid: bigint,
  ) {
    this.segments = segments;
    this.lastAppendedZxid = lastZxid;
  }

  /**
   * Opens (creating) the log directory and recovers it: every record is checked, `onEntry` sees the
   * valid ones with zxid > afterZxid in order, and the first invalid record and all after it are cut
   * off (the segment truncated, later segments deleted) and described in the scan. Never throws for
   * bad log contents; only for I/O errors.
   */
  static async open(options: TxnLogOptions, onEntry: (entry: LogEntry) => void = () => undefined, afterZxid = -1n): Promise<{ log: TxnLog; scan: LogScan }> {
    const segmentBytesMax = options.segmentBytesMax ?? SEGMENT_BYTES_MAX_DEFAULT;
    const recordBytesMax = options.recordBytesMax ?? RECORD_BYTES_MAX_DEFAULT;
    if (!(segmentBytesMax > SEGMENT_HEADER_BYTES)) throw new RangeError(`segmentBytesMax too small: ${segmentBytesMax}`);
    await mkdir(options.directory, { recursive: true });
    const segments = await listSegments(options.directory);
    const scan = await scanSegments(options.directory, segments, recordBytesMax, onEntry, afterZxid);
    const baseZxid = scan.kept[0]?.previousZxid ?? null;
    const lastZxid = scan.lastZxid ?? (scan.kept.length === 0 ? options.emptyBaseZxid ?? -1n : baseZxid ?? -1n);
    const log = new TxnLog(options.directory, segmentBytesMax, recordBytesMax, scan.kept, lastZxid);
    return { log, scan: { entryCount: scan.entryCount, lastZxid: scan.lastZxid, truncation: scan.truncation, baseZxid } };
  }

  /**
   * The zxid of the last record appended (durable or not), or the base that reset() or a truncation
   * of every record left; -1 for a new empty log.
   */
  get lastZxid(): bigint {
    return this.lastAppendedZxid;
  }

  get stats(): TxnLogStats {
    return { ...this.mutableStats };
  }

  get segmentNames(): string[] {
    return this.segments.map((segment) => segment.name);
  }

  /** Resolves once the record is on disk (fsynced). Zxids must strictly increase. */
  append(entry: LogEntry): Promise<void> {
    if (this.closed) return Promise.reject(new Error('TxnLog.append: the log is closed'));
    if (this.failure !== null) return Promise.reject(this.failure);
    if (entry.zxid <= this.lastAppendedZxid) {
      return Promise.reject(new Error(`TxnLog.append: zxid ${zxidHex(entry.zxid)} must be above ${zxidHex(this.lastAppendedZxid)}`));
    }
    const bytes = encodeRecord(entry);
    if (bytes.length - 8 > this.recordBytesMax) {
      return Promise.reject(new RangeError(`TxnLog.append: record of ${bytes.length} bytes exceeds recordBytesMax ${this.recordBytesMax}`));
    }
    const previousZxid = this.lastAppendedZxid < 0n ? 0n : this.lastAppendedZxid;
    this.lastAppendedZxid = entry.zxid;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ zxid: entry.zxid, previousZxid, bytes, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Resolves when every append so far has been written and fsynced (or failed). */
  whenIdle(): Promise<void> {
    if (!this.flushing && !this.flushScheduled && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Every valid record with zxid > afterZxid, in order (for DIFF sync and tests). Waits for pending appends. */
  entriesAfter(afterZxid: bigint): Promise<LogEntry[]> {
    return this.exclusive(() => this.readEntriesAfter(afterZxid));
  }

  private async readEntriesAfter(afterZxid: bigint): Promise<LogEntry[]> {
    await this.whenIdle();
    const entries: LogEntry[] = [];
    for (const segment of this.segments) {
      const bytes = await readFile(join(this.directory, segment.name));
      let offset = segment.headerBytes;
      while (offset < segment.size) {
        const decoded = decodeRecordAt(bytes.subarray(0, segment.size), offset, this.recordBytesMax);
        if (decoded.kind !== 'record') throw new Error(`TxnLog.entriesAfter: ${segment.name}@${offset}: ${decoded.kind === 'invalid' ? decoded.reason : 'end'}`);
        if (decoded.entry.zxid > afterZxid) entries.push(decoded.entry);
        offset += decoded.byteLength;
      }
    }
    return entries;
  }

  /**
   * ZAB's TRUNC: removes every record with zxid > toZxid, durably. Waits for pending appends first.
   * The log then ends at toZxid, which must not be below the zxid the log starts after.
   */
  truncate(toZxid: bigint): Promise<void> {
    return this.exclusive(() => this.truncateNow(toZxid));
  }

  private async truncateNow(toZxid: bigint): Promise<void> {
    await this.whenIdle();
    if (this.failure !== null) throw this.failure;
    if (this.segments.length === 0) {
      if (toZxid < this.lastAppendedZxid && this.lastAppendedZxid > 0n) {
        throw new Error(`TxnLog.truncate: zxid ${zxidHex(toZxid)} is below ${zxidHex(this.lastAppendedZxid)}, where the empty log starts; the txns between are in a snapshot only`);
      }
      return;
    }
    const base = this.segments[0].previousZxid;
    if (base !== null && toZxid < base) {
      throw new Error(`TxnLog.truncate: zxid ${zxidHex(toZxid)} is below ${zxidHex(base)}, where the log starts; the txns between are in a snapshot only`);
    }
    await this.closeHandle();
    const deleted: string[] = [];
    while (this.segments.length > 0 && this.segments[this.segments.length - 1].firstZxid > toZxid) {
      const segment = this.segments.pop() as Segment;
      await rm(join(this.directory, segment.name), { force: true });
      deleted.push(segment.name);
    }
    let lastZxid = toZxid;
    const last = this.segments[this.segments.length - 1];
    if (last !== undefined) {
      const bytes = await readFile(join(this.directory, last.name));
      let offset = last.headerBytes;
      for (;;) {
        const decoded = decodeRecordAt(bytes.subarray(0, last.size), offset, this.recordBytesMax, false);
        if (decoded.kind !== 'record' || decoded.entry.zxid > toZxid) break;
        lastZxid = decoded.entry.zxid;
        offset += decoded.byteLength;
      }
      if (offset === last.headerBytes) {
        // No record left: remove the segment, so the next append starts one named after its zxid.
        this.segments.pop();
        await rm(join(this.directory, last.name), { force: true });
        deleted.push(last.name);
        const previous = this.segments[this.segments.length - 1];
        if (previous !== undefined) lastZxid = await lastZxidOf(this.directory, previous, this.recordBytesMax);
        else if (last.previousZxid !== null) lastZxid = last.previousZxid;
      } else {
        const handle = await open(join(this.directory, last.name), 'r+');
        await handle.truncate(offset);
        await handle.sync();
        await handle.close();
        last.size = offset;
      }
    }
    if (deleted.length > 0) await fsyncDirectory(this.directory);
    this.lastAppendedZxid = lastZxid;
  }

  /**
   * Deletes every segment and makes the log start after `baseZxid` (a snapshot holds everything up
   * to it): what a learner does when it installs a snapshot its leader sent. Durable on return.
   */
  reset(baseZxid: bigint): Promise<void> {
    if (baseZxid < 0n) return Promise.reject(new RangeError(`TxnLog.reset: base zxid ${baseZxid} is negative`));
    return this.exclusive(async () => {
      await this.whenIdle();
      if (this.failure !== null) throw this.failure;
      await this.closeHandle();
      for (const segment of this.segments.splice(0)) await rm(join(this.directory, segment.name), { force: true });
      await fsyncDirectory(this.directory);
      this.lastAppendedZxid = baseZxid;
    });
  }

  /** Deletes the segments whose every record is ≤ zxid (covered by a snapshot); never the last one. */
  purgeThrough(zxid: bigint): Promise<string[]> {
    return this.exclusive(() => this.purgeNow(zxid));
  }

  private async purgeNow(zxid: bigint): Promise<string[]> {
    const deleted: string[] = [];
    while (this.segments.length > 1 && this.segments[1].firstZxid - 1n <= zxid) {
      const segment = this.segments.shift() as Segment;
      await rm(join(this.directory, segment.name), { force: true });
      deleted.push(segment.name);
    }
    if (deleted.length > 0) await fsyncDirectory(this.directory);
    return deleted;
  }

  async close(): Promise<void> {
    await this.maintenance;
    await this.whenIdle();
    this.closed = true;
    await this.closeHandle();
  }

  /** Runs `task` after every maintenance task before it (they change the list of segments). */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.maintenance.then(task);
    this.maintenance = run.then(() => undefined, () => undefined);
    return run;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    setImmediate(() => void this.runFlushes());
  }

  private async runFlushes(): Promise<void> {
    this.flushScheduled = false;
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      if (this.failure !== null) {
        for (const pending of batch) pending.reject(this.failure);
        continue;
      }
      try {
        await this.writeBatch(batch);
      } catch (error) {
        this.failure = error instanceof Error ? error : new Error(String(error));
        for (const pending of batch) pending.reject(this.failure);
        continue;
      }
      for (const pending of batch) pending.resolve();
    }
    this.flushing = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private async writeBatch(batch: readonly Pending[]): Promise<void> {
    const current = this.segments[this.segments.length - 1];
    const parts = batch.map((pending) => pending.bytes);
    let rolled = false;
    if (current === undefined || current.size >= this.segmentBytesMax) {
      await this.startSegment(batch[0].zxid, batch[0].previousZxid);
      parts.unshift(encodeSegmentHeader(batch[0].zxid, batch[0].previousZxid));
      rolled = true;
    } else if (this.handle === null) {
      this.handle = await open(join(this.directory, current.name), 'r+');
    }
    const segment = this.segments[this.segments.length - 1];
    const bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    const handle = this.handle as FileHandle;
    // The write only copies into the page cache, so it is done here; the fdatasync is what waits
    // for the disk, on the thread pool: one hand-off per batch instead of two.
    writeFully(handle, bytes, segment.size);
    await handle.datasync();
    segment.size += bytes.length;
    if (rolled) await fsyncDirectory(this.directory);
    this.mutableStats.appendedRecords += batch.length;
    this.mutableStats.batches += 1;
    this.mutableStats.fsyncs += rolled ? 2 : 1;
    this.mutableStats.largestBatch = Math.max(this.mutableStats.largestBatch, batch.length);
  }

  private async startSegment(firstZxid: bigint, previousZxid: bigint): Promise<void> {
    await this.closeHandle();
    const name = `${SEGMENT_PREFIX}${zxidHex(firstZxid)}`;
    this.handle = await open(join(this.directory, name), 'w');
    this.segments.push({ name, firstZxid, size: 0, headerBytes: SEGMENT_HEADER_BYTES, previousZxid });
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (handle !== null) await handle.close();
  }
}

async function lastZxidOf(directory: string, segment: Segment, recordBytesMax: number): Promise<bigint> {
  const bytes = (await readFile(join(directory, segment.name))).subarray(0, segment.size);
  let offset = segment.headerBytes;
  let lastZxid = -1n;
  for (;;) {
    const decoded = decodeRecordAt(bytes, offset, recordBytesMax, false);
    if (decoded.kind !== 'record') return lastZxid;
    lastZxid = decoded.entry.zxid;
    offset += decoded.byteLength;
  }
}

function writeFully(handle: FileHandle, bytes: Buffer, position: number): void {
  let written = 0;
  while (written < bytes.length) {
    const bytesWritten = writeSync(handle.fd, bytes, written, bytes.length - written, position + written);
    if (bytesWritten <= 0) throw new Error('TxnLog: write made no progress');
    written += bytesWritten;
  }
}

async function listSegments(directory: string): Promise<Segment[]> {
  const names = await readdir(directory);
  const segments: Segment[] = [];
  for (const name of names) {
    const firstZxid = parseZxidName(name, SEGMENT_PREFIX);
    if (firstZxid !== null) segments.push({ name, firstZxid, size: 0, headerBytes: SEGMENT_HEADER_BYTES, previousZxid: null });
  }
  return segments.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

interface SegmentsScan {
  kept: Segment[];
  entryCount: number;
  lastZxid: bigint | null;
  truncation: LogTruncation | null;
}

/**
 * Checks every segment in order; at the first invalid record, or a segment that does not continue
 * the one before it, cuts the log there.
 */
async function scanSegments(directory: string, segments: Segment[], recordBytesMax: number,
  onEntry: (entry: LogEntry) => void, afterZxid: bigint): Promise<SegmentsScan> {
  let entryCount = 0;
  let lastZxid: bigint | null = null;
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index];
    const bytes = await readFile(join(directory, segment.name));
    const header = decodeSegmentHeader(bytes);
    let invalid: string | null = 'invalid' in header ? header.invalid : null;
    if (!('invalid' in header)) {
      segment.headerBytes = header.headerBytes;
      segment.previousZxid = header.previousZxid;
      if (header.firstZxid !== segment.firstZxid) invalid = 'segment header names another zxid';
      else if (header.previousZxid !== null && lastZxid !== null && header.previousZxid !== lastZxid) {
        invalid = `segment follows zxid ${zxidHex(header.previousZxid)}, but the log before it ends at ${zxidHex(lastZxid)}`;
      }
    }
    let offset = segment.headerBytes;
    while (invalid === null) {
      const decoded = decodeRecordAt(bytes, offset, recordBytesMax, true);
      if (decoded.kind === 'end') break;
      if (decoded.kind === 'invalid') {
        invalid = decoded.reason;
        break;
      }
      const expectedFirst = offset === segment.headerBytes ? segment.firstZxid : null;
      if ((lastZxid !== null && decoded.entry.zxid <= lastZxid) || (expectedFirst !== null && decoded.entry.zxid !== expectedFirst)) {
        invalid = `zxid ${zxidHex(decoded.entry.zxid)} out of order`;
        break;
      }
      if (decoded.entry.zxid > afterZxid) onEntry(decoded.entry);
      entryCount += 1;
      lastZxid = decoded.entry.zxid;
      offset += decoded.byteLength;
    }
    if (invalid === null) {
      segment.size = bytes.length;
      if (offset === segment.headerBytes && index === segments.length - 1) {
        // A segment created by a batch that never reached the disk: drop it.
        await rm(join(directory, segment.name), { force: true });
        await fsyncDirectory(directory);
        return { kept: segments.slice(0, index), entryCount, lastZxid, truncation: null };
      }
      continue;
    }
    const whole = offset === segment.headerBytes;
    const truncation = await cutLog(directory, segments, index, whole ? 0 : offset, bytes.length, invalid);
    return { kept: segments.slice(0, whole ? index : index + 1), entryCount, lastZxid, truncation };
  }
  return { kept: segments, entryCount, lastZxid, truncation: null };
}

/** Truncates segment `index` at `offset` (0: deletes it, nothing valid is left) and deletes every later segment. */
async function cutLog(directory: string, segments: Segment[], index: number, offset: number, fileSize: number, reason: string): Promise<LogTruncation> {
  const segment = segments[index];
  const deletedSegments: string[] = [];
  let droppedBytes = fileSize - offset;
  for (const later of segments.slice(index + 1)) {
    await rm(join(directory, later.name), { force: true });
    deletedSegments.push(later.name);
  }
  if (offset === 0) {
    await rm(join(directory, segment.name), { force: true });
    droppedBytes = fileSize;
    return finishCut(directory, { segment: segment.name, offset: 0, droppedBytes, reason, deletedSegments });
  }
  const handle = await open(join(directory, segment.name), 'r+');
  await handle.truncate(offset);
  await handle.sync();
  await handle.close();
  segment.size = offset;
  return finishCut(directory, { segment: segment.name, offset, droppedBytes, reason, deletedSegments });
}

async function finishCut(directory: string, truncation: LogTruncation): Promise<LogTruncation> {
  await fsyncDirectory(directory);
  return truncation;
}
