import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseMyid, parseZooCfg, ZooCfgError, type ZooCfg } from '../runtime/config/parseZooCfg.js';
import { silentLogger, StreamLogger } from '../runtime/Logger.js';
import { QuorumServer } from '../runtime/quorum/QuorumServer.js';
import { StandaloneServer } from '../runtime/StandaloneServer.js';
import { UsageError } from './CliError.js';

/** Something started by a command that Ctrl-C or SIGTERM stops. */
export interface Stoppable {
  stop(): Promise<void>;
}

/** Stops everything once on SIGINT/SIGTERM, then exits 0 (1 if stopping failed). */
export function stopOnSignals(targets: () => readonly Stoppable[], err: (line: string) => void): void {
  let stopping = false;
  const handler = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    err(`zabstate: ${signal}, stopping`);
    Promise.all(targets().map((target) => target.stop())).then(
      () => process.exit(0),
      (error: Error) => {
        err(`zabstate: stopping failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => handler('SIGINT'));
  process.once('SIGTERM', () => handler('SIGTERM'));
}

/** The zoo.cfg at `path`, parsed; an unreadable or malformed file is a usage error (exit 2, one line). */
function readZooCfg(path: string): ZooCfg {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return parseZooCfg(text);
  } catch (error) {
    if (error instanceof ZooCfgError) throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
}

/**
 * `zabstate serve --config zoo.cfg`: one server, configured as ZooKeeper's (zoo.cfg, and `myid` in
 * dataDir when the file lists servers). With no server lines it runs standalone. Starts in the
 * background and returns 0; a failure to start exits 1.
 */
export function serveCommand(argv: string[], out: (line: string) => void, err: (line: string) => void): number {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, quiet: { type: 'boolean', default: false } }, strict: true });
  if (values.config === undefined) throw new UsageError('serve needs --config zoo.cfg');
  const config = readZooCfg(values.config);
  const snapshots = snapshotSettings(config);
  const logger = values.quiet ? silentLogger : new StreamLogger();
  let started: Stoppable | null = null;
  stopOnSignals(() => (started === null ? [] : [started]), err);
  startFromConfig(config, snapshots, values.quiet === true, logger).then(
    (server) => {
      started = server;
      out(`zabstate serving on ${server.connectString}`);
    },
    (error: Error) => {
      err(`zabstate serve: ${error.message}`);
      process.exit(1);
    },
  );
  return 0;
}

/**
 * ZooKeeper's snapshot settings, which zoo.cfg passes on as system properties (ZooCfg.extra):
 * snapCount, autopurge.snapRetainCount (at least 3, as ZooKeeper enforces) and commitLogCount.
 */
interface SnapshotSettings {
  readonly snapshotEveryTxns?: number;
  readonly snapshotRetainCount?: number;
  readonly commitLogCount?: number;
}

function snapshotSettings(config: ZooCfg): SnapshotSettings {
  const integer = (key: string, min: number): number | undefined => {
    const raw = config.extra[key];
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value) || value < min) throw new UsageError(`zoo.cfg: ${key} must be an integer of at least ${min}, found "${raw}"`);
    return value;
  };
  return {
    snapshotEveryTxns: integer('snapCount', 1),
    snapshotRetainCount: integer('autopurge.snapRetainCount', 3),
    commitLogCount: integer('commitLogCount', 1),
  };
}

async function startFromConfig(config: ZooCfg, snapshots: SnapshotSettings, quiet: boolean, logger: StreamLogger | typeof silentLogger): Promise<QuorumServer | StandaloneServer> {
  const common = {
    dataDir: config.dataDir, dataLogDir: config.dataLogDir, tickTimeMs: config.tickTime,
    minSessionTimeoutMs: config.minSessionTimeout, maxSessionTimeoutMs: config.maxSessionTimeout,
    maxClientConnections: config.maxClientCnxns, juteMaxBuffer: config.juteMaxBuffer,
  };
  if (config.servers.length === 0) {
    return StandaloneServer.start({ ...common, snapshotEveryTxns: snapshots.snapshotEveryTxns, clientPort: config.clientPort ?? 2181, clientPortAddress: config.clientPortAddress ?? undefined, logger });
  }
  const myid = parseMyid(readFileSync(join(config.dataDir, 'myid'), 'utf8'));
  const own = config.servers.find((server) => server.id === myid);
  if (own === undefined) throw new Error(`myid ${myid} has no server.${myid} line in zoo.cfg`);
  const clientPort = own.clientPort ?? config.clientPort;
  if (clientPort === null) throw new Error(`server.${myid} has no client port (neither ";port" nor clientPort)`);
  return QuorumServer.start({
    ...common, serverId: myid, ...snapshots, clientPort, clientPortAddress: own.clientAddress ?? config.clientPortAddress ?? undefined,
    initLimit: config.initLimit, syncLimit: config.syncLimit, traceSteps: !quiet,
    members: config.servers.map((server) => ({ id: server.id, host: server.host, quorumPort: server.quorumPort, role: server.role })),
    logger: quiet ? logger : new StreamLogger(undefined, { myid }),
    onFatal: () => process.exit(1),
  });
}
