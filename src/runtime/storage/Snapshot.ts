import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { join } from 'node:path';
import { DataTree, nodeDigest, parentPath, childName, validatePath } from '../../service/index.js';
import type { ACL, Stat, ZNode } from '../../service/index.js';
import { crc32 } from './crc32.js';
import { parseZxidName, writeFileAtomically, zxidHex } from './durableFiles.js';
import { lastZxidOfRuns, parseHistoryRuns, type HistoryRun } from './historyRuns.js';
import { fromTaggedJson } from './taggedJson.js';
import { FrameReader } from '../codec/FrameReader.js';
import { fromJavaLong, ownerFromJavaLong, ownerToJavaLong, toJavaLong } from '../codec/javaLong.js';
import { FrameWriter } from '../codec/FrameWriter.js';

/**
 * Snapshot files (`snapshot.<16 hex digits of the zxid>`):
 *   header, 16 bytes: magic "ZSSN", format version (u32 BE) = 2, CRC-32 of the body (u32 BE), 0 (u32; anything else is invalid)
 *   body, in jute's binary form (big-endian; a string or byte array is an int length then its bytes,
 *   a list an int count then its items):
 *     zxid, digest (u64s in a long's 8 bytes), sessions: list of (id u64, timeout in ticks int),
 *     nodes: list of (path string, data bytes, acl (int: the index of its access list in acls),
 *       stat: czxid, mzxid, pzxid (u64s), ctime, mtime (longs, ms), version, cversion, aversion
 *       (ints), ephemeralOwner (a session id as u64; a container's Long.MIN_VALUE as Java writes it),
 *       dataLength, numChildren (ints)),
 *     acls: list of access lists, each a list of (perms int, scheme string, id string),
 *     history: a byte 0 (absent) or 1 then a list of runs (epoch, first counter, last counter: u32s).
 *   Nodes come in the tree's iteration order, a function of the paths alone; the access lists, each
 *   once (most nodes share a few, as in ZooKeeper's ACL cache), in the order the nodes first use
 *   them: equal trees give equal bytes. `history`, written by quorum servers, is the zxids of every txn up to and
 *   including zxid as runs (historyRuns.ts): with it the snapshot stands in for the log it lets be
 *   purged. Version 1 files (the same fields as tagged JSON, taggedJson.ts) are still read.
 * The tree is immutable, so a snapshot is exact (not fuzzy as ZooKeeper's): it is the state after
 * applying every txn up to and including zxid. Written atomically (temp file, fsync, rename, fsync dir).
 */
export const SNAPSHOT_MAGIC = 0x5a53534e; // "ZSSN"
export const SNAPSHOT_FORMAT_VERSION = 2;
const SNAPSHOT_FORMAT_VERSION_JSON = 1;
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
  for (const piece of snapshotBody(zxid, tree, history)) if (piece !== PAUSE) pieces.push(piece);
  return withHeader(pieces);
}

/**
 * encodeSnapshot's bytes, in pieces, computed a slice of work per turn of the event loop: a server
 * snapshotting a tree of a million nodes goes on answering its clients and its leader meanwhile
 * (ZooKeeper snapshots on a thread of its own). The CRC too is summed a megabyte per turn, and the
 * pieces are written as they are: one CRC over the whole body and one copy of it held the loop for
 * tens of milliseconds. The tree is immutable, so the slices are of one state.
 */
export async function encodeSnapshotSliced(zxid: bigint, tree: DataTree, history?: readonly HistoryRun[]): Promise<Buffer[]> {
  const pieces: Buffer[] = [Buffer.alloc(HEADER_BYTES)];
  let crc = 0;
  let summedThisTurn = 0;
  for (const piece of snapshotBody(zxid, tree, history)) {
    if (piece === PAUSE) {
      await nextTurn();
      continue;
    }
    crc = crc32(piece, crc);
    pieces.push(piece);
    summedThisTurn += piece.length;
    if (summedThisTurn >= CRC_BYTES_PER_TURN) {
      summedThisTurn = 0;
      await nextTurn();
    }
  }
  writeHeader(pieces[0], crc);
  return pieces;
}

const CRC_BYTES_PER_TURN = 1 << 20;

/**
 * Nodes per piece of the body, each followed by a PAUSE: under a millisecond of encoding and hashing
 * (about 3 µs a node), so that the requests waiting behind a slice wait no longer than for a batch.
 */
const NODES_PER_PIECE = 250;
const PAUSE = null;

/**
 * The body in pieces, with PAUSE between slices of work: the concatenation of the pieces is the
 * body, which is never built as one object. A tree that does not know its digest (a running
 * server's) has it summed in the same pass over the nodes, and written into the first piece last.
 */
function* snapshotBody(zxid: bigint, tree: DataTree, history: readonly HistoryRun[] | undefined): Generator<Buffer | typeof PAUSE> {
  if (history !== undefined && lastZxidOfRuns(history) !== zxid) {
    throw new RangeError(`encodeSnapshot: the history ends at ${lastZxidOfRuns(history)}, not at the snapshot's zxid ${zxid}`);
  }
  const acls = aclTable();
  const head = new FrameWriter();
  head.writeLong(toJavaLong(zxid)).writeLong(0n).writeInt(tree.sessions.size);
  for (const [sessionId, timeout] of tree.sessions) head.writeLong(toJavaLong(sessionId)).writeInt(timeout);
  head.writeInt(tree.nodeCount);
  const first = head.take();
  const pieces: Buffer[] = [];
  const writer = new FrameWriter();
  const known = tree.hasDigest;
  let digest = 0n;
  let inPiece = 0;
  for (const [path, node] of tree.nodes) {
    if (!known) digest = BigInt.asUintN(64, digest + nodeDigest(path, node));
    writeNode(writer, path, node, acls.indexOf(node.acl));
    if (++inPiece === NODES_PER_PIECE) {
      pieces.push(writer.take());
      writer.reset();
      inPiece = 0;
      yield PAUSE;
    }
  }
  writer.writeInt(acls.lists.length);
  for (const acl of acls.lists) {
    writer.writeInt(acl.length);
    for (const { perms, id } of acl) writer.writeInt(perms).writeUstring(id.scheme).writeUstring(id.id);
  }
  if (history === undefined) writer.writeByte(0);
  else {
    writer.writeByte(1).writeInt(history.length);
    for (const [epoch, firstCounter, lastCounter] of history) writer.writeUInt(epoch).writeUInt(firstCounter).writeUInt(lastCounter);
  }
  pieces.push(writer.take());
  // The digest follows the zxid.
  first.writeBigInt64BE(toJavaLong(known ? tree.digest : digest), 8);
  yield first;
  for (const piece of pieces) yield piece;
}

/** The distinct access lists (equal contents are one) of the nodes written, in the order they first use them. */
function aclTable(): { lists: readonly (readonly ACL[])[]; indexOf(acl: readonly ACL[]): number } {
  const lists: (readonly ACL[])[] = [];
  const byContent = new Map<string, number>();
  // Nodes share their list objects (a create takes the request's, fixupACL returns the same one for
  // a valid list): content keys are computed once per object, not once per node.
  const byObject = new Map<readonly ACL[], number>();
  const indexOf = (acl: readonly ACL[]): number => {
    let index = byObject.get(acl);
    if (index === undefined) {
      const key = JSON.stringify(acl.map(({ perms, id }) => [perms, id.scheme, id.id]));
      index = byContent.get(key);
      if (index === undefined) {
        index = lists.length;
        lists.push(acl);
        byContent.set(key, index);
      }
      byObject.set(acl, index);
    }
    return index;
  };
  return { lists, indexOf };
}

function writeNode(writer: FrameWriter, path: string, node: ZNode, aclIndex: number): void {
  writer.writeUstring(path).writeBuffer(node.data).writeInt(aclIndex);
  const stat = node.stat;
  writer.writeLong(toJavaLong(stat.czxid)).writeLong(toJavaLong(stat.mzxid)).writeLong(toJavaLong(stat.pzxid)).writeIntegral(stat.ctime).writeIntegral(stat.mtime)
    .writeInt(stat.version).writeInt(stat.cversion).writeInt(stat.aversion).writeLong(ownerToJavaLong(stat.ephemeralOwner))
    .writeInt(stat.dataLength).writeInt(stat.numChildren);
}

function withHeader(pieces: readonly Buffer[]): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  let crc = 0;
  for (const piece of pieces) crc = crc32(piece, crc);
  writeHeader(header, crc);
  return Buffer.concat([header, ...pieces]);
}

function writeHeader(header: Buffer, crc: number): void {
  header.writeUInt32BE(SNAPSHOT_MAGIC, 0);
  header.writeUInt32BE(SNAPSHOT_FORMAT_VERSION, 4);
  header.writeUInt32BE(crc, 8);
}

/** The snapshot's content, or why it is not a valid snapshot. */
export function decodeSnapshot(bytes: Buffer): SnapshotContent | { invalid: string } {
  if (bytes.length < HEADER_BYTES) return { invalid: 'torn header' };
  if (bytes.readUInt32BE(0) !== SNAPSHOT_MAGIC) return { invalid: 'bad magic' };
  const version = bytes.readUInt32BE(4);
  if (version !== SNAPSHOT_FORMAT_VERSION && version !== SNAPSHOT_FORMAT_VERSION_JSON) return { invalid: `unknown format version ${version}` };
  if (bytes.readUInt32BE(12) !== 0) return { invalid: 'header: the field after the CRC is not 0' };
  const body = bytes.subarray(HEADER_BYTES);
  if (crc32(body) !== bytes.readUInt32BE(8)) return { invalid: 'CRC mismatch' };
  const decoded = version === SNAPSHOT_FORMAT_VERSION ? readBinaryBody(body) : readJsonBody(body);
  if ('invalid' in decoded) return decoded;
  let history: HistoryRun[] | null = null;
  if (decoded.history !== undefined) {
    const parsed = parseHistoryRuns(decoded.history);
    if ('invalid' in parsed) return parsed;
    if (lastZxidOfRuns(parsed) !== decoded.zxid) return { invalid: 'history does not end at the snapshot zxid' };
    history = parsed;
  }
  const tree = buildTree(decoded);
  if ('invalid' in tree) return tree;
  if (tree.digest !== decoded.digest) return { invalid: 'tree digest differs from the recorded one' };
  return { zxid: decoded.zxid, tree, history };
}

/** Smallest encodings: a session (id, timeout); a node (empty path and data, acl index, stat); an access list; an entry; a run. */
const SESSION_BYTES = 12;
const NODE_BYTES = 4 + 4 + 4 + 3 * 8 + 2 * 8 + 3 * 4 + 8 + 2 * 4;
const ACL_LIST_BYTES_MIN = 4;
const ACL_BYTES_MIN = 4 + 4 + 4;
const RUN_BYTES = 12;

function readBinaryBody(body: Buffer): SnapshotBody | { invalid: string } {
  try {
    const reader = new FrameReader(body, 0);
    const zxid = fromJavaLong(reader.readLong('zxid'));
    const digest = fromJavaLong(reader.readLong('digest'));
    const sessions: [bigint, number][] = [];
    for (let left = reader.readCount('sessions', SESSION_BYTES); left > 0; left--) sessions.push([fromJavaLong(reader.readLong('session id')), reader.readInt('session timeout')]);
    const nodes: { path: string; data: Uint8Array; aclIndex: number; stat: Stat }[] = [];
    for (let left = reader.readCount('nodes', NODE_BYTES); left > 0; left--) nodes.push(readNode(reader));
    const acls: ACL[][] = [];
    for (let lists = reader.readCount('acls', ACL_LIST_BYTES_MIN); lists > 0; lists--) {
      const acl: ACL[] = [];
      for (let left = reader.readCount('acl', ACL_BYTES_MIN); left > 0; left--) {
        acl.push({ perms: reader.readInt('acl perms'), id: { scheme: reader.readUstring('acl scheme'), id: reader.readUstring('acl id') } });
      }
      acls.push(acl);
    }
    let history: HistoryRun[] | undefined;
    if (reader.readBool('history present')) {
      history = [];
      for (let left = reader.readCount('history', RUN_BYTES); left > 0; left--) {
        history.push([reader.readUInt('run epoch'), reader.readUInt('run first counter'), reader.readUInt('run last counter')]);
      }
    }
    reader.expectEnd();
    const resolved: SnapshotBody['nodes'] = [];
    for (const { path, data, aclIndex, stat } of nodes) {
      const acl = acls[aclIndex];
      if (acl === undefined) return { invalid: `node ${path} names access list ${aclIndex} of ${acls.length}` };
      resolved.push({ path, data, acl, stat });
    }
    return { zxid, digest, sessions, nodes: resolved, history };
  } catch (error) {
    return { invalid: `body does not decode: ${(error as Error).message}` };
  }
}

function readNode(reader: FrameReader): { path: string; data: Uint8Array; aclIndex: number; stat: Stat } {
  const path = reader.readUstring('node path');
  const data = reader.readBuffer('node data');
  const aclIndex = reader.readInt('node acl');
  const stat: Stat = {
    czxid: fromJavaLong(reader.readLong('czxid')), mzxid: fromJavaLong(reader.readLong('mzxid')), pzxid: fromJavaLong(reader.readLong('pzxid')),
    ctime: reader.readIntegral('ctime'), mtime: reader.readIntegral('mtime'),
    version: reader.readInt('version'), cversion: reader.readInt('cversion'), aversion: reader.readInt('aversion'),
    ephemeralOwner: ownerFromJavaLong(reader.readLong('ephemeralOwner')), dataLength: reader.readInt('dataLength'), numChildren: reader.readInt('numChildren'),
  };
  return { path, data, aclIndex, stat };
}

/** A version 1 body (tagged JSON). */
function readJsonBody(json: Buffer): SnapshotBody | { invalid: string } {
  let body: SnapshotBody;
  try {
    body = fromTaggedJson(json.toString('utf8')) as SnapshotBody;
  } catch (error) {
    return { invalid: `body is not JSON: ${(error as Error).message}` };
  }
  if (typeof body !== 'object' || body === null || typeof body.zxid !== 'bigint' || !Array.isArray(body.nodes) || !Array.isArray(body.sessions)) {
    return { invalid: 'body lacks zxid, nodes or sessions' };
  }
  return body;
}

function buildTree(body: SnapshotBody): DataTree | { invalid: string } {
  const children = new Map<string, Set<string>>();
  for (const { path } of body.nodes) children.set(path, new Set());
  const nodes = new Map<string, ZNode>();
  let digest = 0n;
  for (const { path } of body.nodes) {
    // A body whose CRC matches can still be wrong (a bug, a damaged copy recomputed): a path no
    // create could have made is an invalid snapshot, not an exception out of the decoder.
    const reason = validatePath(path);
    if (reason !== null) return { invalid: `node path ${JSON.stringify(path)}: ${reason}` };
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

export async function writeSnapshot(directory: string, zxid: bigint, tree: DataTree, history?: readonly HistoryRun[]): Promise<string> {
  return writeSnapshotBytes(directory, zxid, await encodeSnapshotSliced(zxid, tree, history));
}

/** Writes an encoded snapshot (one a leader sent, say, or encodeSnapshotSliced's pieces) under its zxid's name, atomically. */
export async function writeSnapshotBytes(directory: string, zxid: bigint, bytes: Uint8Array | readonly Uint8Array[]): Promise<string> {
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
