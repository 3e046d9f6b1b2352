/**
 * `npm run bench:server`: a closed-loop load generator (node-zookeeper-client) against a 3-server
 * loopback ensemble of zabstate processes, and — when Debian's `zookeeper` package is installed — an
 * Apache ZooKeeper ensemble on other ports with the same settings (tickTime, limits, fsync on).
 * Each client issues its next request when the previous one answers. Prints ops/s, p50 and p99 per
 * workload (set, get, create) and client count (16, 64), and zabstate/Apache ratios.
 * Both ensembles run for the whole benchmark and each workload runs on one right after the other
 * (who goes first rotates), so that a ratio compares measurements taken seconds apart under the
 * same machine load. Each line also gives the CPU time the servers used per request, which the
 * load of other processes disturbs less than throughput.
 *
 * Environment: BENCH_SECONDS (per workload, default 5), BENCH_WARMUP_SECONDS (each workload, once,
 * not counted; default 1), BENCH_CLIENTS (default "16,64"),
 * BENCH_WORKLOADS (default "set,get,create"),
 * BENCH_ONLY ("zabstate" or "apache": run one ensemble), BENCH_NODE_ARGS (extra node flags for the
 * zabstate servers, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"; servers stop with SIGTERM so that
 * profiles are written), BENCH_BASELINE_ROOT (another zabstate checkout, built: its ensemble runs
 * as "baseline" beside the others, for before/after figures from one run; BENCH_BASELINE_NODE_ARGS, default
 * BENCH_NODE_ARGS, are its node flags, so that one checkout can be compared with itself under other flags), BENCH_TIMELINE (a directory:
 * each workload's requests are written to <ensemble>-<workload>-<clients>.json as { startedAtMs (epoch ms),
 * requests: [sent ms since the workload started, latency ms, client index, server port][] }, to see when
 * the slow ones happened and line them up with the servers' own logs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fourLetterWord } from '../support/fourLetterWord.js';

// node-zookeeper-client is CommonJS without types.
const zookeeper = createRequire(import.meta.url)('node-zookeeper-client');

/* eslint-disable @typescript-eslint/no-explicit-any */
type ZkClient = any;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const CLIENT_COUNTS = (process.env.BENCH_CLIENTS ?? '16,64').split(',').map(Number);
const WORKLOAD_NAMES = ['set', 'get', 'create'] as const;
type Workload = (typeof WORKLOAD_NAMES)[number];
const WORKLOADS = (process.env.BENCH_WORKLOADS ?? WORKLOAD_NAMES.join(',')).split(',').map((name) => {
  if (!(WORKLOAD_NAMES as readonly string[]).includes(name)) throw new Error(`BENCH_WORKLOADS: unknown workload ${name} (set, get, create)`);
  return name as Workload;
});
const PAYLOAD = Buffer.alloc(100, 120);
const TICK_MS = 2000;
const ROOT = join(import.meta.dirname, '../../..');
const TIMELINE_DIRECTORY = process.env.BENCH_TIMELINE;
const APACHE_HOME = '/usr/share/zookeeper';

interface Result {
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU time the three servers spent per request (user + system), when /proc tells it. */
  readonly cpuMsPerOp: number | null;
  /** The leader's share of it: a single-threaded leader is the first to run out of CPU. */
  readonly leaderCpuMsPerOp: number | null;
}

interface Ensemble {
  readonly name: string;
  readonly connectString: string;
  /** How the servers were configured, printed with the figures. */
  readonly settings: string;
  /** CPU milliseconds each server has used so far, leader first (null without /proc). */
  cpuMs(): Promise<number[] | null>;
  stop(): Promise<void>;
}

async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((done) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => done(server));
  })));
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise<void>((done) => server.close(() => done()))));
  return ports;
}


async function waitForQuorum(clientPorts: number[], what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const modes = await Promise.all(clientPorts.map(async (port) => /Mode: (\w+)/.exec(await fourLetterWord(port, 'srvr'))?.[1]));
    if (modes.filter((mode) => mode === 'leader').length === 1 && modes.every((mode) => mode === 'leader' || mode === 'follower')) return;
    if (Date.now() > deadline) throw new Error(`${what}: no quorum (${modes.join(',')})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Three servers, each a child process started by `command(config, dataDir)`; `settings` describes them. */
async function startEnsemble(name: string, command: (config: string, dataDir: string) => [string, string[]], apache: boolean): Promise<Ensemble> {
  const directory = await mkdtemp(join(tmpdir(), `bench-${name}-`));
  const ports = await freePorts(9);
  const lines = [1, 2, 3].map((id) => `server.${id}=127.0.0.1:${ports[3 * id - 3]}:${ports[3 * id - 2]};127.0.0.1:${ports[3 * id - 1]}`);
  const common = [`tickTime=${TICK_MS}`, 'initLimit=10', 'syncLimit=5', 'maxClientCnxns=0'];
  // forceSync=yes is Apache's default, written out so that the comparison's fsync setting is explicit.
  const extra = apache ? ['forceSync=yes', 'admin.enableServer=false', '4lw.commands.whitelist=*'] : [];
  const children: ChildProcess[] = [];
  for (const id of [1, 2, 3]) {
    const dataDir = join(directory, `server.${id}`);
    await mkdir(dataDir, { recursive: true });
    await writeFile(join(dataDir, 'myid'), `${id}\n`);
    const config = join(dataDir, 'zoo.cfg');
    await writeFile(config, [...common, `dataDir=${dataDir}`, ...extra, ...lines, ''].join('\n'));
    const [program, args] = command(config, dataDir);
    children.push(spawn(program, args, { cwd: ROOT, stdio: ['ignore', 'ignore', apache ? 'ignore' : 'inherit'] }));
  }
  const clientPorts = [1, 2, 3].map((id) => ports[3 * id - 1]);
  await waitForQuorum(clientPorts, name);
  const [program, args] = command('zoo.cfg', 'dataDir');
  const script = args.findIndex((arg) => arg.endsWith('bin.js'));
  const runtime = program === process.execPath ? `node ${process.version} ${args.slice(0, script + 1).join(' ')}` : `${program} ${args.filter((arg) => arg.startsWith('-X')).join(' ')}`;
  return {
    name,
    connectString: clientPorts.map((port) => `127.0.0.1:${port}`).join(','),
    settings: `${[...common, ...extra].join(' ')}, dataDir under ${directory}, ${runtime.trim()}`,
    cpuMs: async () => {
      const modes = await Promise.all(clientPorts.map(async (port) => /Mode: (\w+)/.exec(await fourLetterWord(port, 'srvr'))?.[1]));
      const times = children.map((child) => (child.pid === undefined ? null : readProcStat(child.pid)));
      if (times.some((time) => time === null)) return null;
      const leader = Math.max(0, modes.indexOf('leader'));
      return [times[leader] as number, ...times.filter((_, index) => index !== leader) as number[]];
    },
    stop: async () => {
      const exited = children.map((child) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve()))));
      for (const child of children) child.kill('SIGTERM');
      const timer = setTimeout(() => children.forEach((child) => child.kill('SIGKILL')), 10_000);
      await Promise.all(exited);
      clearTimeout(timer);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function connectClient(connectString: string): Promise<ZkClient> {
  return new Promise((resolve, reject) => {
    const client = zookeeper.createClient(connectString, { sessionTimeout: 30_000, spinDelay: 100, retries: 5 });
    const timer = setTimeout(() => reject(new Error('connect timed out')), 20_000);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.connect();
  });
}

function operation(client: ZkClient, workload: Workload, index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null) => (error ? reject(error) : resolve());
    if (workload === 'set') client.setData(`/bench/c${index}`, PAYLOAD, -1, done);
    else if (workload === 'get') client.getData(`/bench/c${index}`, done);
    else client.create(`/bench/c${index}/s-`, PAYLOAD, zookeeper.CreateMode.PERSISTENT_SEQUENTIAL, done);
  });
}

/** N clients in closed loops for SECONDS; latencies of every answered request. */
/** utime + stime of a process in milliseconds (clock ticks are 100 Hz on Linux). */
function readProcStat(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function runWorkload(ensemble: Ensemble, clients: ZkClient[], workload: Workload, seconds = SECONDS): Promise<Result> {
  const cpuBefore = await ensemble.cpuMs();
  const latencies: number[] = [];
  const timeline: [number, number, number, number][] = [];
  const endAt = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(clients.map(async (client, index) => {
    while (performance.now() < endAt) {
      const sent = performance.now();
      await operation(client, workload, index);
      const latency = performance.now() - sent;
      latencies.push(latency);
      if (TIMELINE_DIRECTORY !== undefined) timeline.push([sent - started, latency, index, client.connectionManager?.socket?.remotePort ?? 0]);
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  if (TIMELINE_DIRECTORY !== undefined && seconds === SECONDS) {
    writeFileSync(join(TIMELINE_DIRECTORY, `${ensemble.name}-${workload}-${clients.length}.json`), JSON.stringify({ startedAtMs: performance.timeOrigin + started, requests: timeline }));
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const cpuAfter = await ensemble.cpuMs();
  const used = cpuBefore === null || cpuAfter === null ? null : cpuAfter.map((time, index) => (time - cpuBefore[index]) / latencies.length);
  const cpuMsPerOp = used === null ? null : used.reduce((sum, time) => sum + time, 0);
  return { opsPerSecond: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99), cpuMsPerOp, leaderCpuMsPerOp: used?.[0] ?? null };
}

async function createNodes(ensemble: Ensemble, count: number): Promise<void> {
  const setup = await connectClient(ensemble.connectString);
  await new Promise<void>((resolve, reject) => setup.create('/bench', (error: Error | null) => (error ? reject(error) : resolve())));
  for (let index = 0; index < count; index++) {
    await new Promise<void>((resolve, reject) => setup.create(`/bench/c${index}`, PAYLOAD, (error: Error | null) => (error ? reject(error) : resolve())));
  }
  setup.close();
}

/** Every workload and client count, on each ensemble in turn: ratios compare runs seconds apart. */
async function measure(ensembles: readonly Ensemble[]): Promise<Map<string, Map<string, Result>>> {
  const results = new Map(ensembles.map((ensemble) => [ensemble.name, new Map<string, Result>()]));
  for (const ensemble of ensembles) await createNodes(ensemble, Math.max(...CLIENT_COUNTS));
  for (const count of CLIENT_COUNTS) {
    const clients = await Promise.all(ensembles.map((ensemble) => Promise.all(Array.from({ length: count }, () => connectClient(ensemble.connectString)))));
    if (count === CLIENT_COUNTS[0] && WARMUP_SECONDS > 0) {
      // Both JITs (V8's, HotSpot's) warm up before anything counts.
      for (const [index, ensemble] of ensembles.entries()) {
        for (const workload of WORKLOADS) await runWorkload(ensemble, clients[index], workload, WARMUP_SECONDS);
      }
    }
    for (const [phase, workload] of WORKLOADS.entries()) {
      // Whoever runs first in a phase runs on a machine the others have just left; take turns.
      const order = ensembles.map((_, index) => (index + phase + CLIENT_COUNTS.indexOf(count)) % ensembles.length);
      for (const index of order) {
        const ensemble = ensembles[index];
        const result = await runWorkload(ensemble, clients[index], workload);
        results.get(ensemble.name)?.set(`${workload}/${count}`, result);
        const cpu = result.cpuMsPerOp === null ? '' : `  server CPU ${(result.cpuMsPerOp * 1000).toFixed(0)}µs/op (leader ${((result.leaderCpuMsPerOp ?? 0) * 1000).toFixed(0)})`;
        console.log(`${ensemble.name.padEnd(8)} ${workload.padEnd(6)} clients=${String(count).padEnd(3)} ${result.opsPerSecond.toFixed(0).padStart(7)} ops/s  p50 ${result.p50Ms.toFixed(2)}ms  p99 ${result.p99Ms.toFixed(2)}ms${cpu}  (load ${loadavg()[0].toFixed(1)})`);
      }
    }
    for (const client of clients.flat()) client.close();
  }
  return results;
}

function apacheCommand(config: string, dataDir: string): [string, string[]] {
  const classpath = '/etc/zookeeper/conf:/usr/share/java/zookeeper.jar';
  return ['java', ['-Xmx1g', `-Dzookeeper.log.dir=${dataDir}`, '-Dzookeeper.root.logger=WARN,CONSOLE', '-cp', classpath,
    'org.apache.zookeeper.server.quorum.QuorumPeerMain', config]];
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY;
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const baselineNodeArgs = (process.env.BENCH_BASELINE_NODE_ARGS ?? process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  console.log(`closed loop, ${SECONDS}s per workload after ${WARMUP_SECONDS}s of each to warm up, ${PAYLOAD.length}-byte values, 3 servers on loopback, ${cpus().length} cores, load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}`);
  const ensembles: Ensemble[] = [];
  try {
    if (only !== 'apache') {
      ensembles.push(await startEnsemble('zabstate', (config) => [process.execPath, [...nodeArgs, 'dist/src/cli/bin.js', 'serve', '--config', config, '--quiet']], false));
    }
    const baselineRoot = process.env.BENCH_BASELINE_ROOT;
    if (baselineRoot !== undefined && only !== 'apache') {
      const script = join(baselineRoot, 'dist/src/cli/bin.js');
      if (!existsSync(script)) throw new Error(`BENCH_BASELINE_ROOT: ${script} does not exist (build that checkout first)`);
      ensembles.push(await startEnsemble('baseline', (config) => [process.execPath, [...baselineNodeArgs, script, 'serve', '--config', config, '--quiet']], false));
    }
    if (only !== 'zabstate') {
      if (existsSync(APACHE_HOME)) ensembles.push(await startEnsemble('apache', apacheCommand, true));
      else console.log(`Apache ZooKeeper not found (${APACHE_HOME}); apt-get install -y zookeeper to compare`);
    }
    for (const ensemble of ensembles) console.log(`${ensemble.name}: ${ensemble.settings}`);
    const results = await measure(ensembles);
    const ours = results.get('zabstate');
    for (const peer of ['apache', 'baseline']) {
      const theirs = results.get(peer);
      if (ours === undefined || theirs === undefined) continue;
      console.log(`\nzabstate / ${peer} (throughput ratio, p99 ratio; >1 throughput and <1 p99 favour zabstate); load average ${loadavg().map((load) => load.toFixed(1)).join(' ')}`);
      for (const [key, result] of ours) {
        const other = theirs.get(key);
        if (other === undefined) continue;
        console.log(`${key.padEnd(10)} throughput ×${(result.opsPerSecond / other.opsPerSecond).toFixed(2)}  p99 ×${(result.p99Ms / other.p99Ms).toFixed(2)}`);
      }
    }
  } finally {
    await Promise.all(ensembles.map((ensemble) => ensemble.stop()));
  }
}

main().then(() => process.exit(0), (error: Error) => {
  console.error(error);
  process.exit(1);
});
