/**
 * `node dist/test/bench/sessions.js`: what many sessions cost the service, as a leader pays it:
 * N createSession txns (prepped and applied), one ephemeral node per session, every session
 * touched once per tick for 5 ticks (each client's ping), then a data watch per session on its node
 * and every session's watches dropped (its close, ZooKeeper's removeCnxn). Prints milliseconds per phase. With
 * BENCH_BASELINE_ROOT=<a built checkout> the same runs against that checkout's service modules in
 * the same process, alternating, and the ratios are printed (before PersistentIdMap, each of these
 * copied a Map of every session: O(N) per session, O(N²) per tick). Nothing asserts a time.
 * Environment: BENCH_SESSIONS (default "1000,10000"), BENCH_ROUNDS (default 3; the median is printed).
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadavg } from 'node:os';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Service = any;

const counts = (process.env.BENCH_SESSIONS ?? '1000,10000').split(',').map(Number);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const line = (text: string) => process.stdout.write(text + '\n');

async function load(distRoot: string): Promise<Service> {
  return import(pathToFileURL(join(distRoot, 'src', 'service', 'index.js')).href);
}

/** Milliseconds of each phase for `count` sessions. */
function run(service: Service, count: number): number[] {
  const { applyTxn, DataTree, Ids, OpCode, prepRequest, SessionTracker, WatchManager } = service;
  let tree = DataTree.empty();
  let tracker = SessionTracker.initial(1);
  let zxid = 1n;
  const sessions: bigint[] = [];
  const commit = (request: object) => {
    const prepped = prepRequest(tree, tracker, request, zxid, 1);
    if (prepped.kind !== 'txn') throw new Error(`refused: ${prepped.err}`);
    tracker = prepped.tracker;
    tree = applyTxn(tree, prepped.txn, zxid, 1, false).tree;
    zxid += 1n;
  };
  let started = performance.now();
  for (let index = 0; index < count; index++) {
    const created = tracker.createSession(30, 0);
    tracker = created.tracker;
    sessions.push(created.sessionId);
    commit({ type: OpCode.createSession, timeOut: 30, sessionId: created.sessionId, cxid: 0, authInfo: [] });
  }
  const create = performance.now() - started;
  started = performance.now();
  sessions.forEach((sessionId, index) => {
    commit({ type: OpCode.create, path: `/e${index}`, data: new Uint8Array(0), acl: Ids.OPEN_ACL_UNSAFE, flags: 1, sessionId, cxid: 1, authInfo: [] });
  });
  const ephemerals = performance.now() - started;
  started = performance.now();
  for (let tick = 1; tick <= 5; tick++) {
    for (const sessionId of sessions) {
      const touched = tracker.touchSession(sessionId, tick);
      if (typeof touched !== 'number') tracker = touched;
    }
  }
  const touches = performance.now() - started;
  started = performance.now();
  let watches = WatchManager.empty();
  sessions.forEach((sessionId, index) => {
    watches = watches.addDataWatch(`/e${index}`, sessionId);
  });
  for (const sessionId of sessions) watches = watches.removeWatcher(sessionId);
  if (watches.size !== 0) throw new Error(`${watches.size} watches left after every session closed`);
  return [create, ephemerals, touches, performance.now() - started];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const here = await load(resolve(import.meta.dirname, '../..'));
  const baselineRoot = process.env.BENCH_BASELINE_ROOT;
  const baseline = baselineRoot === undefined ? null : await load(join(resolve(baselineRoot), 'dist'));
  line(`sessions benchmark: node ${process.version}, load average ${loadavg().map((value) => value.toFixed(1)).join(' ')}, median of ${rounds}`);
  for (const count of counts) {
    const results: Record<string, number[][]> = { this: [] };
    if (baseline !== null) results.baseline = [];
    for (let round = 0; round < rounds; round++) {
      results.this.push(run(here, count));
      if (baseline !== null) results.baseline.push(run(baseline, count));
    }
    const figures = Object.fromEntries(Object.entries(results).map(([name, runs]) => [name, [0, 1, 2, 3].map((phase) => median(runs.map((r) => r[phase])))]));
    for (const [name, [create, ephemerals, touches, watches]] of Object.entries(figures)) {
      line(`${name.padEnd(8)} ${String(count).padStart(6)} sessions: create ${create.toFixed(0)} ms, one ephemeral each ${ephemerals.toFixed(0)} ms, 5 ticks of touches ${touches.toFixed(0)} ms, a watch each then closed ${watches.toFixed(0)} ms`);
    }
    if (baseline !== null) {
      const ratios = [0, 1, 2, 3].map((phase) => (figures.baseline[phase] / figures.this[phase]).toFixed(1));
      line(`         baseline / this: create x${ratios[0]}, ephemerals x${ratios[1]}, touches x${ratios[2]}, watches x${ratios[3]}`);
    }
  }
}

await main();
