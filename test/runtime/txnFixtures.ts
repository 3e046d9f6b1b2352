import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyTxn, DataTree, Ids, OpCode, prepRequest, SessionTracker } from '../../src/service/index.js';
import type { WriteRequest } from '../../src/service/index.js';
import type { LogEntry } from '../../src/runtime/storage/logRecord.js';

/** A temporary directory removed by the returned cleanup. */
export async function temporaryDirectory(prefix = 'zabstate-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A small deterministic generator (mulberry32), so fixtures follow from a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` committed txns as a standalone leader would log them: sessions, creates (some ephemeral,
 * some sequential), setData, deletes, a closeSession now and then. Returns the entries and the tree
 * after applying them all.
 */
export function makeLogEntries(count: number, seed: number, firstZxid = 1n): { entries: LogEntry[]; tree: DataTree } {
  const random = seededRandom(seed);
  let tree = DataTree.empty();
  let tracker = SessionTracker.initial(1);
  const entries: LogEntry[] = [];
  const sessions: bigint[] = [];
  let zxid = firstZxid;
  let cxid = 0;
  while (entries.length < count) {
    const request = nextRequest(random, tree, sessions, () => {
      const created = tracker.createSession(10, 0);
      tracker = created.tracker;
      sessions.push(created.sessionId);
      return created.sessionId;
    }, cxid++);
    const time = 1_700_000_000_000 + entries.length;
    const prepped = prepRequest(tree, tracker, request, zxid, time);
    if (prepped.kind !== 'txn') continue;
    tracker = prepped.tracker;
    if (request.type === OpCode.closeSession) {
      sessions.splice(sessions.indexOf(request.sessionId), 1);
      tracker = tracker.removeSession(request.sessionId);
    }
    tree = applyTxn(tree, prepped.txn, zxid, time).tree;
    entries.push({ zxid, time, txn: prepped.txn });
    zxid += 1n;
  }
  return { entries, tree };
}

function nextRequest(random: () => number, tree: DataTree, sessions: bigint[], newSession: () => bigint, cxid: number): WriteRequest {
  const pick = random();
  if (sessions.length === 0 || pick < 0.05) {
    const sessionId = newSession();
    return { type: OpCode.createSession, timeOut: 10, sessionId, cxid, authInfo: [] };
  }
  const sessionId = sessions[Math.floor(random() * sessions.length)];
  const header = { sessionId, cxid, authInfo: [] };
  const paths = [...tree.nodes.keys()].filter((path) => path !== '/');
  const existing = paths.length === 0 ? '/' : paths[Math.floor(random() * paths.length)];
  const data = new Uint8Array(Math.floor(random() * 40)).map((_, index) => (index * 7 + cxid) & 0xff);
  if (pick < 0.5 || paths.length === 0) {
    const parent = random() < 0.5 || existing === '/' ? '' : existing;
    const flags = Math.floor(random() * 4);
    return { ...header, type: OpCode.create, path: `${parent}/n${Math.floor(random() * 20)}`, data, acl: Ids.OPEN_ACL_UNSAFE, flags };
  }
  if (pick < 0.75) return { ...header, type: OpCode.setData, path: existing, data, version: -1 };
  if (pick < 0.95) return { ...header, type: OpCode.delete, path: existing, version: -1 };
  return { ...header, type: OpCode.closeSession };
}
