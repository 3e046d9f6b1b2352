import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { formatMntr, formatNotInWhitelist, formatSrvr, formatStat, JUTE_MAX_BUFFER_DEFAULT, RUOK_RESPONSE } from '../../wire/index.js';
import type { FourLetterWordDetection, ServerStatValues } from '../../wire/index.js';
import type { Logger } from '../Logger.js';
import { StreamLogger } from '../Logger.js';
import { ServerConnection } from '../ServerConnection.js';
import { ZABSTATE_VERSION } from '../StandaloneServer.js';
import { QuorumPeer, type QuorumMember } from './QuorumPeer.js';

export interface QuorumServerOptions {
  readonly serverId: number;
  readonly members: readonly QuorumMember[];
  readonly dataDir: string;
  readonly dataLogDir?: string;
  /** 0 picks a free port. */
  readonly clientPort: number;
  readonly clientPortAddress?: string;
  readonly tickTimeMs?: number;
  readonly initLimit?: number;
  readonly syncLimit?: number;
  readonly minSessionTimeoutMs?: number;
  readonly maxSessionTimeoutMs?: number;
  readonly maxClientConnections?: number;
  readonly juteMaxBuffer?: number;
  readonly traceSteps?: boolean;
  /** zoo.cfg snapCount, autopurge.snapRetainCount and commitLogCount (QuorumPeerOptions). */
  readonly snapshotEveryTxns?: number;
  readonly snapshotRetainCount?: number;
  readonly commitLogCount?: number;
  readonly segmentBytesMax?: number;
  readonly logger?: Logger;
  /** Called once when the server must stop (its log failed). */
  readonly onFatal?: (error: Error) => void;
}

const WRITE_BUFFER_BYTES_MAX = 64 * 1024 * 1024;

/**
 * A server of a ZooKeeper ensemble: a QuorumPeer (the chart, the peers, the log) and the client
 * port. Clients are served only while the peer is in BROADCAST, as ZooKeeper's server refuses
 * clients until it is synced; when it leaves BROADCAST every client connection is closed, and the
 * clients reconnect (to this server later, or to another) with their sessions.
 */
export class QuorumServer {
  private stopping: Promise<void> | null = null;
  private readonly startedAt = Date.now();

  private constructor(
    readonly peer: QuorumPeer,
    private readonly listener: Server,
    private readonly logger: Logger,
    private readonly options: QuorumServerOptions,
  ) {}

  static async start(options: QuorumServerOptions): Promise<QuorumServer> {
    const logger = options.logger ?? new StreamLogger(undefined, { myid: options.serverId });
    const address = options.clientPortAddress ?? '127.0.0.1';
    const tickTimeMs = options.tickTimeMs ?? 2000;
    const limits = {
      tickTimeMs,
      minSessionTimeoutMs: options.minSessionTimeoutMs ?? 2 * tickTimeMs,
      maxSessionTimeoutMs: options.maxSessionTimeoutMs ?? 20 * tickTimeMs,
    };
    let self: QuorumServer | null = null;
    const peer = await QuorumPeer.start({
      serverId: options.serverId, members: options.members, dataDir: options.dataDir, dataLogDir: options.dataLogDir,
      tickTimeMs, initLimit: options.initLimit ?? 10, syncLimit: options.syncLimit ?? 5, limits, logger,
      traceSteps: options.traceSteps, snapshotEveryTxns: options.snapshotEveryTxns, snapshotRetainCount: options.snapshotRetainCount,
      commitLogCount: options.commitLogCount, segmentBytesMax: options.segmentBytesMax,
      onFatal: (error) => {
        void self?.stop();
        options.onFatal?.(error);
      },
      onServingChange: (role) => {
        if (role === null) self?.closeClients('server left broadcast');
      },
    });
    const listener = createServer({ noDelay: true });
    self = new QuorumServer(peer, listener, logger, options);
    try {
      await self.listen(address, options.clientPort);
    } catch (error) {
      await peer.stop();
      throw error;
    }
    logger.event('QuorumServerStarted', { myid: options.serverId, address, port: self.port });
    return self;
  }

  get port(): number {
    return (this.listener.address() as AddressInfo).port;
  }

  get connectString(): string {
    const { address, port } = this.listener.address() as AddressInfo;
    return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  }

  /** 'leader', 'follower', 'observer' or 'looking', as srvr reports it. */
  get mode(): string {
    const top = this.peer.chartState.split('.')[0];
    return top === 'LEADING' ? 'leader' : top === 'FOLLOWING' ? 'follower' : top === 'OBSERVING' ? 'observer' : 'looking';
  }

  get isServing(): boolean {
    return this.peer.servingRole() !== null;
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.listener.close(() => resolve()));
    this.closeClients('server stopping');
    await closed;
    await this.peer.stop();
    this.logger.event('QuorumServerStopped', { myid: this.options.serverId });
  }

  private closeClients(reason: string): void {
    for (const connection of [...this.peer.server.connections]) connection.close(reason);
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
    const server = this.peer.server;
    const limit = this.options.maxClientConnections ?? 60;
    const fromSameAddress = [...server.connections].filter((connection) => connection.remoteAddress === remote).length;
    const refusal = this.stopping !== null ? 'stopping' : limit > 0 && fromSameAddress >= limit ? `maxClientCnxns ${limit} reached` : null;
    if (refusal !== null) {
      this.logger.event('ConnectionRefused', { remote, reason: refusal });
      socket.destroy();
      return;
    }
    const connection = new ServerConnection(socket, server, {
      maxBufferBytes: this.options.juteMaxBuffer ?? JUTE_MAX_BUFFER_DEFAULT,
      writeBufferBytesMax: WRITE_BUFFER_BYTES_MAX,
      answerFourLetterWord: (detection) => this.answerFourLetterWord(detection),
      isServing: () => this.isServing,
    });
    server.connections.add(connection);
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
        return formatStat(this.statValues(), []);
      case 'mntr':
        return formatMntr(this.mntrValues());
    }
  }

  private statValues(): ServerStatValues {
    const server = this.peer.server;
    const c = server.counters;
    return {
      version: ZABSTATE_VERSION, readOnly: false, latencyMinMs: c.latencyMinMs,
      latencyAvgMs: c.latencyCount === 0 ? 0 : c.latencyTotalMs / c.latencyCount, latencyMaxMs: c.latencyMaxMs,
      packetsReceived: c.packetsReceived, packetsSent: c.packetsSent, connections: server.connections.size,
      outstanding: c.outstanding, lastProcessedZxid: server.lastProcessedZxid, mode: this.mode,
      nodeCount: server.tree.nodeCount,
    };
  }

  private mntrValues(): Record<string, number | bigint | string> {
    const server = this.peer.server;
    const c = server.counters;
    return {
      version: ZABSTATE_VERSION,
      server_state: this.mode,
      avg_latency: c.latencyCount === 0 ? 0 : c.latencyTotalMs / c.latencyCount,
      max_latency: c.latencyMaxMs,
      min_latency: c.latencyMinMs,
      packets_received: c.packetsReceived,
      packets_sent: c.packetsSent,
      num_alive_connections: server.connections.size,
      outstanding_requests: c.outstanding,
      znode_count: server.tree.nodeCount,
      watch_count: server.watches.size,
      global_sessions: this.peer.committer.sessionCount,
      last_zxid: `0x${server.lastProcessedZxid.toString(16)}`,
      uptime: Date.now() - this.startedAt,
      zab_state: this.peer.chartState,
    };
  }
}
