/**
 * `node --expose-gc dist/test/bench/persistentMap.js`: what the data tree's node map costs per
 * write, in the shape of the server benchmark (sequential znodes `/bench/c12/s-0000012345` under
 * 64 parents). On a map of 100k keys it times N sets of new keys, N overwrites, N sets of the value
 * already there, N gets and one iteration over the entries (per entry); then N creates and N
 * setData, each through its own DataTreeDraft as applyTxn does, and N setData on a tree of 66
 * nodes (the server benchmark's set workload). Prints CPU ns/op (the process's, GC threads
 * included: less sensitive than wall time to others' load on a shared machine), bytes allocated
 * per op (used heap growth plus what each GC freed, from v8.GCProfiler) and GC milliseconds.
 * Nothing asserts a time.
 *
 * BENCH_BASELINE_ROOT=<a built checkout> measures that checkout's modules in the same run,
 * alternating rounds with this one's, so that the two see the same load.
 * Environment: BENCH_OPS (N, default 50000), BENCH_ROUNDS (default 5; the median is printed).
 */
import { GCProfiler } from 'node:v8';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface MapLike {
  set(key: string, value: unknown): MapLike;
  get(key: string): unknown;
  readonly size: number;
}
interface MapClass {
  empty(): MapLike;
}
interface Tree {
  getNode(path: string): { stat: { version: number } } | undefined;
  readonly nodeCount: number;
  readonly digest: bigint;
}
interface DraftLike {
  createNode(path: string, data: Uint8Array, acl: readonly unknown[], ephemeralOwner: bigint, parentCVersion: number, zxid: bigint, time: number): unknown;
  setData(path: string, data: Uint8Array, version: number, zxid: bigint, time: number): unknown;
  finish(): Tree;
}
interface Modules {
  label: string;
  PersistentMap: MapClass;
  emptyTree: () => Tree;
  draft: (tree: Tree) => DraftLike;
}

const ops = Number(process.env.BENCH_OPS ?? 50_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const prefill = 100_000;
const parents = 64;
const line = (text: string) => process.stdout.write(text + '\n');

async function load(label: string, distRoot: string): Promise<Modules> {
  const service = (file: string) => import(pathToFileURL(join(distRoot, 'src', 'service', file)).href);
  const [{ PersistentMap }, { DataTree }, { DataTreeDraft }] = await Promise.all([
    service('PersistentMap.js'), service('DataTree.js'), service('DataTreeDraft.js')]);
  return { label, PersistentMap, emptyTree: () => DataTree.empty(), draft: (tree) => new DataTreeDraft(tree, true) };
}

const childPath = (parent: number, sequence: number) => `/bench/c${parent}/s-${String(sequence).padStart(10, '0')}`;

interface Sample {
  nsPerOp: number;
  bytesPerOp: number;
  gcMs: number;
}

/** Runs `body` (which performs `count` operations) under a GC profiler. */
function measure(count: number, body: () => void): Sample {
  // A full collection first (with --expose-gc), so that no case pays for the garbage of the one before.
  (globalThis as { gc?: () => void }).gc?.();
  const profiler = new GCProfiler();
  const usedBefore = process.memoryUsage().heapUsed;
  profiler.start();
  const start = process.cpuUsage();
  body();
  const cpu = process.cpuUsage(start);
  const elapsed = (cpu.user + cpu.system) * 1000;
  const usedAfter = process.memoryUsage().heapUsed;
  const profile = profiler.stop();
  let freed = 0;
  let gcMicros = 0;
  for (const gc of profile?.statistics ?? []) {
    freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
    gcMicros += gc.cost;
  }
  return { nsPerOp: elapsed / count, bytesPerOp: (usedAfter - usedBefore + freed) / count, gcMs: gcMicros / 1000 };
}

/** One round of every case on `modules`; the keys and values are built before the clock starts. */
function round(modules: Modules): Map<string, Sample> {
  const results = new Map<string, Sample>();
  const values = Array.from({ length: prefill + ops }, (_, index) => ({ index }));
  const keys = Array.from({ length: prefill + ops }, (_, index) => childPath(index % parents, index));
  let map = modules.PersistentMap.empty();
  results.set('map: build 100k', measure(prefill, () => {
    for (let index = 0; index < prefill; index++) map = map.set(keys[index], values[index]);
  }));
  const full = map;
  results.set('map: set new key', measure(ops, () => {
    for (let index = prefill; index < prefill + ops; index++) map = map.set(keys[index], values[index]);
  }));
  map = full;
  const replacements = Array.from({ length: ops }, (_, index) => ({ index }));
  results.set('map: overwrite', measure(ops, () => {
    for (let index = 0; index < ops; index++) map = map.set(keys[index * 2 % prefill], replacements[index]);
  }));
  map = full;
  results.set('map: set same value', measure(ops, () => {
    for (let index = 0; index < ops; index++) map = map.set(keys[index * 2 % prefill], values[index * 2 % prefill]);
  }));
  let found = 0;
  results.set('map: get', measure(ops, () => {
    for (let index = 0; index < ops; index++) if (map.get(keys[index * 3 % prefill]) !== undefined) found++;
  }));
  if (found !== ops) throw new Error(`bench: get found ${found} of ${ops} keys`);
  let iterated = 0;
  results.set('map: iterate keys', measure(prefill, () => {
    for (const key of (map as unknown as Iterable<[string, unknown]>)) if (key !== undefined) iterated++;
  }));
  if (iterated !== prefill) throw new Error(`bench: iterated ${iterated} of ${prefill} keys`);

  let tree = modules.emptyTree();
  const data = new Uint8Array(16);
  const acl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
  let zxid = 1n;
  const build = modules.draft(tree);
  build.createNode('/bench', data, acl, 0n, 0, zxid++, 0);
  for (let parent = 0; parent < parents; parent++) build.createNode(`/bench/c${parent}`, data, acl, 0n, 0, zxid++, 0);
  for (let index = 0; index < prefill; index++) build.createNode(keys[index], data, acl, 0n, 0, zxid++, 0);
  tree = build.finish();
  results.set('draft: create child', measure(ops, () => {
    for (let index = prefill; index < prefill + ops; index++) {
      const draft = modules.draft(tree);
      draft.createNode(childPath(12, index), data, acl, 0n, 0, zxid++, 0);
      tree = draft.finish();
    }
  }));
  results.set('draft: setData', measure(ops, () => {
    for (let index = 0; index < ops; index++) {
      const draft = modules.draft(tree);
      draft.setData(keys[index * 2 % prefill], data, 1, zxid++, 0);
      tree = draft.finish();
    }
  }));
  if (tree.nodeCount !== prefill + ops + parents + 2) throw new Error(`bench: tree has ${tree.nodeCount} nodes`);

  // The server benchmark's set workload: a few nodes, each rewritten over and over.
  const small = modules.draft(modules.emptyTree());
  small.createNode('/bench', data, acl, 0n, 0, zxid++, 0);
  for (let parent = 0; parent < parents; parent++) small.createNode(`/bench/s${parent}`, data, acl, 0n, 0, zxid++, 0);
  let smallTree = small.finish();
  const smallPaths = Array.from({ length: parents }, (_, parent) => `/bench/s${parent}`);
  results.set('draft: setData, 66 nodes', measure(ops, () => {
    for (let index = 0; index < ops; index++) {
      const draft = modules.draft(smallTree);
      draft.setData(smallPaths[index % parents], data, index, zxid++, 0);
      smallTree = draft.finish();
    }
  }));
  return results;
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const subjects = [await load('this', here)];
const baselineRoot = process.env.BENCH_BASELINE_ROOT;
if (baselineRoot) subjects.unshift(await load('baseline', join(resolve(baselineRoot), 'dist')));

line(`persistentMap bench: ${process.version}, N=${ops}, prefill ${prefill}, ${rounds} rounds (median), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const samples = new Map<string, Map<string, Sample[]>>(subjects.map((subject) => [subject.label, new Map()]));
for (let index = 0; index < rounds; index++) {
  // Alternating which goes first cancels the advantage of running on a fresher heap.
  for (const subject of index % 2 === 0 ? subjects : [...subjects].reverse()) {
    for (const [name, sample] of round(subject)) {
      const list = samples.get(subject.label)!.get(name) ?? [];
      list.push(sample);
      samples.get(subject.label)!.set(name, list);
    }
  }
}
line(`${'case'.padEnd(22)}${subjects.map((s) => `${s.label.padStart(10)} ns/op  B/op  gc ms`.padStart(34)).join('')}`);
for (const name of samples.get(subjects[0].label)!.keys()) {
  const cells = subjects.map((subject) => {
    const list = samples.get(subject.label)!.get(name)!;
    const ns = median(list.map((s) => s.nsPerOp));
    const bytes = median(list.map((s) => s.bytesPerOp));
    const gc = median(list.map((s) => s.gcMs));
    return `${ns.toFixed(0).padStart(16)} ${bytes.toFixed(0).padStart(6)} ${gc.toFixed(1).padStart(6)}`.padStart(34);
  });
  line(`${name.padEnd(22)}${cells.join('')}`);
}
