import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { formatMntr, formatNotInWhitelist, formatSrvr, formatStat, JUTE_MAX_BUFFER_DEFAULT, RUOK_RESPONSE } from '../wire/index.js';
import type { FourLetterWordDetection, ServerStatValues } from '../wire/index.js';
import type { Logger } from './Logger.js';
import { StreamLogger } from './Logger.js';
import { ServerConnection } from './ServerConnection.js';
import { StandaloneCommitter } from './StandaloneCommitter.js';
import { DataStore, type RecoveryReport } from './storage/DataStore.js';
import { ZooKeeperServer } from './ZooKeeperServer.js';

export interface StandaloneServerOptions {
  readonly dataDir: string;
  readonly dataLogDir?: string;
  /** 0 picks a free port. */
  readonly clientPort?: number;
  /** Loopback only: 127.0.0.1 (default), another 127.x address, or ::1. */
  readonly clientPortAddress?: string;
  readonly tickTimeMs?: number;
  /** Defaults 2 × tickTime and 20 × tickTime, as ZooKeeper's. */
  readonly minSessionTimeoutMs?: number;
  readonly maxSessionTimeoutMs?: number;
  /** Connections allowed from one address (ZooKeeper's maxClientCnxns; 0: unlimited). */
  readonly maxClientConnections?: number;
  readonly juteMaxBuffer?: number;
  readonly snapshotEveryTxns?: number;
  readonly segmentBytesMax?: number;
  /** The high byte of session ids (a standalone server's myid, else 0). */
  readonly serverId?: number;
  readonly logger?: Logger;
}

export const ZABSTATE_VERSION = '3.8.4-zabstate-0.1.0, built on 1970-01-01 00:00 UTC';
const WRITE_BUFFER_BYTES_MAX = 64 * 1024 * 1024;

/**
 * A single ZooKeeper server: recovers its data directory, starts a new epoch (written to the epoch
 * files), serves the client protocol on a loopback TCP port, commits writes through a
 * StandaloneCommitter (log + fsync, then apply), and expires sessions on a tickTime timer.
 */
export class StandaloneServer {
  private tickTimer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  private readonly startedAt = Date.now();

  private constructor(
    readonly server: ZooKeeperServer,
    private readonly committer: StandaloneCommitter,
    private readonly store: DataStore,
    private readonly listener: Server,
    readonly recovery: RecoveryReport,
    private readonly logger: Logger,
    private readonly options: StandaloneServerOptions,
  ) {}

  static async start(options: StandaloneServerOptions): Promise<StandaloneServer> {
    const logger = options.logger ?? new StreamLogger();
    const address = options.clientPortAddress ?? '127.0.0.1';
    if (!isLoopback(address)) throw new Error(`clientPortAddress ${address}: zabstate binds to loopback addresses only`);
    const tickTimeMs = options.tickTimeMs ?? 2000;
    const limits = {
      tickTimeMs,
      minSessionTimeoutMs: options.minSessionTimeoutMs ?? 2 * tickTimeMs,
      maxSessionTimeoutMs: options.maxSessionTimeoutMs ?? 20 * tickTimeMs,
    };
    if (!(tickTimeMs > 0 && limits.minSessionTimeoutMs <= limits.maxSessionTimeoutMs)) throw new RangeError('bad tickTime or session timeout limits');
    const { store, tree, report } = await DataStore.open({
      dataDir: options.dataDir, dataLogDir: options.dataLogDir, logger,
      snapshotEveryTxns: options.snapshotEveryTxns, segmentBytesMax: options.segmentBytesMax,
    });
    const epoch = Math.max(report.currentEpoch ?? 0, report.acceptedEpoch ?? 0, Number(report.lastZxid >> 32n)) + 1;
    await store.writeEpoch('acceptedEpoch', epoch);
    await store.writeEpoch('currentEpoch', epoch);
    const server = new ZooKeeperServer(tree, report.lastZxid, limits, logger, (zxid, applied) => store.noteApplied(zxid, applied));
    let self: StandaloneServer | null = null;
    const committer = new StandaloneCommitter({
      store, tree, epoch, serverId: options.serverId ?? 0, logger,
      apply: (committed, prepared) => server.apply(committed, prepared),
      onFatal: () => void self?.stop(),
    });
    server.attachCommitter(committer);
    const listener = createServer({ noDelay: true });
    self = new StandaloneServer(server, committer, store, listener, report, logger, options);
    await self.listen(address, options.clientPort ?? 2181);
    self.tickTimer = setInterval(() => committer.tick(), tickTimeMs);
    logger.event('StandaloneServerStarted', { address, port: self.port, epoch, lastZxid: report.lastZxid, nodes: tree.nodeCount });
    return self;
  }

  get port(): number {
    return (this.listener.address() as AddressInfo).port;
  }

  get connectString(): string {
    const { address, port } = this.listener.address() as AddressInfo;
    return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  }

  get dataStore(): DataStore {
    return this.store;
  }

  /** Stops listening, closes every connection, waits for outstanding commits, closes the log. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    const closed = new Promise<void>((resolve) => this.listener.close(() => resolve()));
    for (const connection of [...this.server.connections]) connection.close('server stopping');
    await closed;
    await this.committer.close();
    await this.store.close();
    this.logger.event('StandaloneServerStopped', { lastZxid: this.server.lastProcessedZxid });
  }

  private listen(address: string, port: number): Promise<void> {
    this.listener.on('connection', (socket) => this.accept(socket));
    return new Promise((resolve, reject) => {
      this.listener.once('error', reject);
      this.listener.listen(port, address, () => {
        this.listener.off('error', reject);
        this.listener.on('error', (error) => this.logger.event('ListenerError', { reason: error.message }));
        resolve();
      });
    });
  }

  private accept(socket: Socket): void {
    const remote = socket.remoteAddress ?? 'unknown';
    const limit = this.options.maxClientConnections ?? 60;
    const fromSameAddress = [...this.server.connections].filter((connection) => connection.remoteAddress === remote).length;
    if (this.stopping !== null || (limit > 0 && fromSameAddress >= limit)) {
      this.logger.event('ConnectionRefused', { remote, reason: this.stopping !== null ? 'stopping' : `maxClientCnxns ${limit} reached` });
      socket.destroy();
      return;
    }
    const connection = new ServerConnection(socket, this.server, {
      maxBufferBytes: this.options.juteMaxBuffer ?? JUTE_MAX_BUFFER_DEFAULT,
      writeBufferBytesMax: WRITE_BUFFER_BYTES_MAX,
      answerFourLetterWord: (detection) => this.answerFourLetterWord(detection),
    });
    this.server.connections.add(connection);
    this.logger.event('ConnectionAccepted', { remote: connection.name });
  }

  /** ruok, srvr, stat and mntr, formatted as ZooKeeper formats them. */
  answerFourLetterWord(detection: FourLetterWordDetection): string | null {
    if (detection.kind === 'telnetClose') return null;
    if (detection.kind === 'unsupported') return formatNotInWhitelist(detection.command);
    switch (detection.command) {
      case 'ruok':
        return RUOK_RESPONSE;
      case 'srvr':
        return formatSrvr(this.statValues());
      case 'stat':
        return formatStat(this.statValues(), [...this.server.connections].map((connection) => ({
          remoteAddress: `/${connection.remoteAddress}:${connection.remotePort}`, interestOps: 1,
          queued: connection.queued, received: connection.received, sent: connection.sent,
        })));
      case 'mntr':
        return formatMntr(this.mntrValues());
    }
  }

  private statValues(): ServerStatValues {
    const c = this.server.counters;
    return {
      version: ZABSTATE_VERSION, readOnly: false, latencyMinMs: c.latencyMinMs,
      latencyAvgMs: c.latencyCount === 0 ? 0 : c.latencyTotalMs / c.latencyCount, latencyMaxMs: c.latencyMaxMs,
      packetsReceived: c.packetsReceived, packetsSent: c.packetsSent, connections: this.server.connections.size,
      outstanding: c.outstanding, lastProcessedZxid: this.server.lastProcessedZxid, mode: 'standalone',
      nodeCount: this.server.tree.nodeCount,
    };
  }

  private mntrValues(): Record<string, number | bigint | string> {
    const c = this.server.counters;
    const tree = this.server.tree;
    let ephemerals = 0;
    let dataSize = 0;
    for (const [path, node] of tree.nodes) {
      if (node.stat.ephemeralOwner !== 0n) ephemerals += 1;
      dataSize += path.length + node.data.length;
    }
    return {
      version: ZABSTATE_VERSION,
      server_state: 'standalone',
      avg_latency: c.latencyCount === 0 ? 0 : c.latencyTotalMs / c.latencyCount,
      max_latency: c.latencyMaxMs,
      min_latency: c.latencyMinMs,
      packets_received: c.packetsReceived,
      packets_sent: c.packetsSent,
      num_alive_connections: this.server.connections.size,
      outstanding_requests: c.outstanding,
      znode_count: tree.nodeCount,
      watch_count: this.server.watches.size,
      ephemerals_count: ephemerals,
      approximate_data_size: dataSize,
      global_sessions: this.committer.sessionCount,
      last_zxid: `0x${this.server.lastProcessedZxid.toString(16)}`,
      uptime: Date.now() - this.startedAt,
      fsync_count: this.store.log.stats.fsyncs,
      snapshots_taken: this.store.snapshotsTaken,
    };
  }
}

function isLoopback(address: string): boolean {
  return address === '::1' || address === 'localhost' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}
