import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DataTree, nodeDigest, parentPath, childName } from '../../service/index.js';
import type { ACL, Stat, ZNode } from '../../service/index.js';
import { crc32 } from './crc32.js';
import { parseZxidName, writeFileAtomically, zxidHex } from './durableFiles.js';
import { lastZxidOfRuns, parseHistoryRuns, type HistoryRun } from './historyRuns.js';
import { fromTaggedJson, toTaggedJson } from './taggedJson.js';

/**
 * Snapshot files (`snapshot.<16 hex digits of the zxid>`):
 *   header, 16 bytes: magic "ZSSN", format version (u32 BE) = 1, CRC-32 of the body (u32 BE), 0 (u32)
 *   body: tagged JSON (taggedJson.ts) of { zxid, digest, sessions: [[id, timeoutTicks]...],
 *         nodes: [{ path, data, acl, stat }...], history? } with parents before children.
 *         `history`, written by quorum servers, is the zxids of every txn up to and including zxid
 *         as runs (historyRuns.ts): with it the snapshot stands in for the log it lets be purged.
 * The tree is immutable, so a snapshot is exact (not fuzzy as ZooKeeper's): it is the state after
 * applying every txn up to and including zxid. Written atomically (temp file, fsync, rename, fsync dir).
 */
export const SNAPSHOT_MAGIC = 0x5a53534e; // "ZSSN"
export const SNAPSHOT_FORMAT_VERSION = 1;
const HEADER_BYTES = 16;
const SNAPSHOT_PREFIX = 'snapshot.';

export interface SnapshotContent {
  readonly zxid: bigint;
  readonly tree: DataTree;
  /** The history the snapshot covers, ending at zxid (null: not recorded, a standalone server's). */
  readonly history: readonly HistoryRun[] | null;
}

interface SnapshotBody {
  zxid: bigint;
  digest: bigint;
  sessions: [bigint, number][];
  nodes: { path: string; data: Uint8Array; acl: ACL[]; stat: Stat }[];
  history?: HistoryRun[];
}

export function encodeSnapshot(zxid: bigint, tree: DataTree, history?: readonly HistoryRun[]): Buffer {
  const pieces: Buffer[] = [];
  for (const text of snapshotText(zxid, tree, history)) pieces.push(Buffer.from(text, 'utf8'));
  return withHeader(Buffer.concat(pieces));
}

/**
 * encodeSnapshot's bytes, encoded a slice of nodes per turn of the event loop: a server snapshotting
 * a tree of a million nodes goes on answering its clients and its leader meanwhile (ZooKeeper
 * snapshots on a thread of its own). The tree is immutable, so the slices are of one state.
 */
export async function encodeSnapshotSliced(zxid: bigint, tree: DataTree, history?: readonly HistoryRun[]): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for (const text of snapshotText(zxid, tree, history)) {
    pieces.push(Buffer.from(text, 'utf8'));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return withHeader(Buffer.concat(pieces));
}

/** Nodes per piece of snapshotText: a few milliseconds of encoding (about 7 µs a node). */
const NODES_PER_PIECE = 500;

/**
 * The body's tagged JSON in pieces whose concatenation is toTaggedJson of the whole body (keys
 * zxid, digest, sessions, nodes, history, in that order): the body is never built as one object.
 */
function* snapshotText(zxid: bigint, tree: DataTree, history: readonly HistoryRun[] | undefined): Generator<string> {
  if (history !== undefined && lastZxidOfRuns(history) !== zxid) {
    throw new RangeError(`encodeSnapshot: the history ends at ${lastZxidOfRuns(history)}, not at the snapshot's zxid ${zxid}`);
  }
  const head = toTaggedJson({ zxid, digest: tree.digest, sessions: [...tree.sessions] });
  yield `${head.slice(0, -1)},"nodes":[`;
  const paths = parentsFirst(tree.nodes.keys());
  for (let start = 0; start < paths.length; start += NODES_PER_PIECE) {
    const texts: string[] = [];
    for (const path of paths.slice(start, start + NODES_PER_PIECE)) {
      const node = tree.nodes.get(path) as ZNode;
      texts.push(toTaggedJson({ path, data: node.data, acl: [...node.acl], stat: node.stat }));
    }
    yield (start === 0 ? '' : ',') + texts.join(',');
  }
  yield history === undefined ? ']}' : `],"history":${toTaggedJson(history.map((run) => [...run]))}}`;
}

function withHeader(json: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(SNAPSHOT_MAGIC, 0);
  header.writeUInt32BE(SNAPSHOT_FORMAT_VERSION, 4);
  header.writeUInt32BE(crc32(json), 8);
  return Buffer.concat([header, json]);
}

/** The snapshot's content, or why it is not a valid snapshot. */
export function decodeSnapshot(bytes: Buffer): SnapshotContent | { invalid: string } {
  if (bytes.length < HEADER_BYTES) return { invalid: 'torn header' };
  if (bytes.readUInt32BE(0) !== SNAPSHOT_MAGIC) return { invalid: 'bad magic' };
  if (bytes.readUInt32BE(4) !== SNAPSHOT_FORMAT_VERSION) return { invalid: `unknown format version ${bytes.readUInt32BE(4)}` };
  const json = bytes.subarray(HEADER_BYTES);
  if (crc32(json) !== bytes.readUInt32BE(8)) return { invalid: 'CRC mismatch' };
  let body: SnapshotBody;
  try {
    body = fromTaggedJson(json.toString('utf8')) as SnapshotBody;
  } catch (error) {
    return { invalid: `body is not JSON: ${(error as Error).message}` };
  }
  if (typeof body !== 'object' || body === null || typeof body.zxid !== 'bigint' || !Array.isArray(body.nodes) || !Array.isArray(body.sessions)) {
    return { invalid: 'body lacks zxid, nodes or sessions' };
  }
  let history: HistoryRun[] | null = null;
  if (body.history !== undefined) {
    const parsed = parseHistoryRuns(body.history);
    if ('invalid' in parsed) return parsed;
    if (lastZxidOfRuns(parsed) !== body.zxid) return { invalid: 'history does not end at the snapshot zxid' };
    history = parsed;
  }
  const tree = buildTree(body);
  if ('invalid' in tree) return tree;
  if (tree.digest !== body.digest) return { invalid: 'tree digest differs from the recorded one' };
  return { zxid: body.zxid, tree, history };
}

function buildTree(body: SnapshotBody): DataTree | { invalid: string } {
  const children = new Map<string, Set<string>>();
  for (const { path } of body.nodes) children.set(path, new Set());
  const nodes = new Map<string, ZNode>();
  let digest = 0n;
  for (const { path, data, acl, stat } of body.nodes) {
    if (path !== '/') {
      const siblings = children.get(parentPath(path));
      if (siblings === undefined) return { invalid: `node ${path} has no parent` };
      siblings.add(childName(path));
    }
  }
  for (const { path, data, acl, stat } of body.nodes) {
    const node: ZNode = { data, acl, stat, children: children.get(path) as Set<string> };
    nodes.set(path, node);
    digest = BigInt.asUintN(64, digest + nodeDigest(path, node));
  }
  if (!nodes.has('/')) return { invalid: 'no root node' };
  return DataTree.fromParts(nodes, new Map(body.sessions), digest);
}

/**
 * Parents before children, so a reader can check each node's parent as it goes: by depth, then by
 * path (code-unit order). Each path's depth is counted once, not in every comparison.
 */
function parentsFirst(paths: Iterable<string>): string[] {
  const byDepth: string[][] = [];
  for (const path of paths) {
    let depth = 0;
    if (path !== '/') for (let index = 0; index < path.length; index++) if (path.charCodeAt(index) === 0x2f) depth++;
    (byDepth[depth] ??= []).push(path);
  }
  return byDepth.flatMap((level) => (level === undefined ? [] : level.sort()));
}

export async function writeSnapshot(directory: string, zxid: bigint, tree: DataTree, history?: readonly HistoryRun[]): Promise<string> {
  return writeSnapshotBytes(directory, zxid, await encodeSnapshotSliced(zxid, tree, history));
}

/** Writes an encoded snapshot (one a leader sent, say) under its zxid's name, atomically. */
export async function writeSnapshotBytes(directory: string, zxid: bigint, bytes: Uint8Array): Promise<string> {
  await mkdir(directory, { recursive: true });
  const name = `${SNAPSHOT_PREFIX}${zxidHex(zxid)}`;
  await writeFileAtomically(directory, name, bytes);
  return name;
}

/** Snapshot names, newest first. */
export async function listSnapshots(directory: string): Promise<{ name: string; zxid: bigint }[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const snapshots: { name: string; zxid: bigint }[] = [];
  for (const name of names) {
    const zxid = parseZxidName(name, SNAPSHOT_PREFIX);
    if (zxid !== null) snapshots.push({ name, zxid });
  }
  return snapshots.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0));
}

export interface SnapshotLoad {
  readonly snapshot: (SnapshotContent & { name: string }) | null;
  readonly skipped: readonly { name: string; reason: string }[];
}

/** The newest snapshot that decodes and whose zxid matches its name; invalid newer ones are reported, not deleted. */
export async function loadLatestSnapshot(directory: string): Promise<SnapshotLoad> {
  const skipped: { name: string; reason: string }[] = [];
  for (const { name, zxid } of await listSnapshots(directory)) {
    const decoded = decodeSnapshot(await readFile(join(directory, name)));
    if ('invalid' in decoded) {
      skipped.push({ name, reason: decoded.invalid });
      continue;
    }
    if (decoded.zxid !== zxid) {
      skipped.push({ name, reason: 'zxid differs from the file name' });
      continue;
    }
    return { snapshot: { ...decoded, name }, skipped };
  }
  return { snapshot: null, skipped };
}

/** Deletes the snapshots older than zxid (a learner that installed its leader's can no longer start from them). */
export async function deleteSnapshotsBefore(directory: string, zxid: bigint): Promise<string[]> {
  const deleted: string[] = [];
  for (const snapshot of await listSnapshots(directory)) {
    if (snapshot.zxid >= zxid) continue;
    await rm(join(directory, snapshot.name), { force: true });
    deleted.push(snapshot.name);
  }
  return deleted;
}

/** Keeps the newest `retainCount` snapshots; returns the zxid of the oldest kept (null if none). */
export async function purgeSnapshots(directory: string, retainCount: number): Promise<bigint | null> {
  if (!(retainCount >= 1)) throw new RangeError(`purgeSnapshots: retainCount must be at least 1, got ${retainCount}`);
  const snapshots = await listSnapshots(directory);
  for (const { name } of snapshots.slice(retainCount)) await rm(join(directory, name), { force: true });
  const kept = snapshots.slice(0, retainCount);
  return kept.length === 0 ? null : kept[kept.length - 1].zxid;
}
