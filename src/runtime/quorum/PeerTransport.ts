import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../Logger.js';
import { flushCoalesced, writeCoalesced } from '../writeCoalesced.js';
import { decodePeerFrame, encodePeerFrame, FrameSplitter, PEER_FRAME_BYTES_MAX_DEFAULT, type PeerFrame } from './peerFrames.js';

export interface PeerAddress {
  /** The chart's sid (1..n). */
  readonly sid: number;
  readonly host: string;
  readonly port: number;
}

export interface PeerTransportOptions {
  readonly self: number;
  /** Every server of the ensemble, this one included (its address is where it listens). */
  readonly peers: readonly PeerAddress[];
  readonly logger: Logger;
  /** A send that finds no connection waits this long for one; then the peer counts as down. */
  readonly connectWaitMs: number;
  readonly backoffMsMin?: number;
  readonly backoffMsMax?: number;
  readonly frameBytesMax?: number;
}

/** What the transport reports; every callback runs on the event loop, one at a time. */
export interface PeerTransportHandler {
  onFrame(from: number, frame: PeerFrame): void;
  /** The connection to `peer` was lost (not closed by us): the chart's Disconnect. */
  onConnectionLost(peer: number): void;
  /** Messages queued for `peer` found no connection in connectWaitMs: the model's send to a crashed server. */
  onSendFailed(peer: number): void;
}

/** What a send is: a vote (kept while unconnected, only the latest), a chart message (must arrive or fail), or runtime chatter (dropped when unconnected). */
export type SendKind = 'vote' | 'message' | 'runtime';

function withHeader(body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length, 0);
  return Buffer.concat([header, body]);
}

interface Link {
  readonly address: PeerAddress;
  socket: Socket | null;
  /** Frames sent while unconnected, in order; at most one vote among them. */
  pending: { frame: Buffer; kind: SendKind }[];
  pendingTimer: NodeJS.Timeout | null;
  dialTimer: NodeJS.Timeout | null;
  backoffMs: number;
}

/**
 * TCP between the servers of one ensemble, one connection per pair, as ZooKeeper's
 * QuorumCnxManager: the server with the greater sid dials (and redials with backoff), the other
 * accepts; the dialer's first frame names it. Frames are length-prefixed. A lost connection is
 * reported once, as the chart's Disconnect; a connection we close ourselves is not reported to us.
 */
export class PeerTransport {
  private readonly links = new Map<number, Link>();
  private stopped = false;
  private readonly frameBytesMax: number;

  private constructor(
    private readonly options: PeerTransportOptions,
    private readonly handler: PeerTransportHandler,
    private readonly listener: Server,
  ) {
    this.frameBytesMax = options.frameBytesMax ?? PEER_FRAME_BYTES_MAX_DEFAULT;
    for (const address of options.peers) {
      if (address.sid === options.self) continue;
      this.links.set(address.sid, { address, socket: null, pending: [], pendingTimer: null, dialTimer: null, backoffMs: this.backoffMin });
    }
  }

  static async start(options: PeerTransportOptions, handler: PeerTransportHandler): Promise<PeerTransport> {
    const own = options.peers.find((peer) => peer.sid === options.self);
    if (own === undefined) throw new Error(`PeerTransport: sid ${options.self} is not among the peers`);
    const listener = createServer({ noDelay: true });
    const transport = new PeerTransport(options, handler, listener);
    listener.on('connection', (socket) => transport.accept(socket));
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(own.port, own.host, () => {
        listener.off('error', reject);
        listener.on('error', (error) => options.logger.event('PeerListenerError', { reason: error.message }));
        resolve();
      });
    });
    for (const link of transport.links.values()) if (transport.dials(link)) transport.dial(link);
    return transport;
  }

  private get backoffMin(): number {
    return this.options.backoffMsMin ?? 10;
  }

  isConnected(peer: number): boolean {
    return this.links.get(peer)?.socket != null;
  }

  /** Sends a frame; false when it was dropped (runtime chatter with no connection). */
  send(peer: number, frame: PeerFrame, kind: SendKind): boolean {
    const link = this.linkOf(peer);
    if (this.stopped) return false;
    const bytes = encodePeerFrame(frame);
    if (link.socket !== null) {
      writeCoalesced(link.socket, bytes, 'iteration');
      return true;
    }
    if (kind === 'runtime') return false;
    if (kind === 'vote') link.pending = link.pending.filter((item) => item.kind !== 'vote');
    link.pending.push({ frame: bytes, kind });
    if (kind === 'message' && link.pendingTimer === null) {
      link.pendingTimer = setTimeout(() => this.failPending(link), this.options.connectWaitMs);
    }
    if (this.dials(link) && link.dialTimer === null) this.dial(link);
    return true;
  }

  /** Closes the connection to `peer` on our initiative (the chart's `disconnect` effect); queued frames go too. */
  close(peer: number, reason: string): void {
    const link = this.linkOf(peer);
    this.clearPending(link);
    const socket = link.socket;
    if (socket === null) return;
    link.socket = null;
    this.options.logger.event('PeerConnectionClosed', { peer, reason });
    flushCoalesced(socket);
    socket.destroy();
    if (this.dials(link)) this.scheduleDial(link);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const link of this.links.values()) {
      this.clearPending(link);
      if (link.dialTimer !== null) clearTimeout(link.dialTimer);
      link.socket?.destroy();
      link.socket = null;
    }
    await new Promise<void>((resolve) => this.listener.close(() => resolve()));
  }

  private linkOf(peer: number): Link {
    const link = this.links.get(peer);
    if (link === undefined) throw new Error(`PeerTransport: no peer ${peer}`);
    return link;
  }

  private dials(link: Link): boolean {
    return this.options.self > link.address.sid;
  }

  private scheduleDial(link: Link): void {
    if (this.stopped || link.dialTimer !== null) return;
    link.dialTimer = setTimeout(() => {
      link.dialTimer = null;
      this.dial(link);
    }, link.backoffMs);
    link.backoffMs = Math.min(link.backoffMs * 2, this.options.backoffMsMax ?? 1000);
  }

  private dial(link: Link): void {
    if (this.stopped || link.socket !== null) return;
    const socket = connect({ host: link.address.host, port: link.address.port, noDelay: true });
    link.dialTimer = setTimeout(() => socket.destroy(), this.options.connectWaitMs);
    socket.once('connect', () => {
      if (link.dialTimer !== null) clearTimeout(link.dialTimer);
      link.dialTimer = null;
      socket.write(encodePeerFrame({ t: 'hello', sid: this.options.self }));
      this.install(link, socket);
    });
    socket.once('error', () => undefined);
    socket.once('close', () => {
      if (link.socket === socket || link.socket !== null) return;
      if (link.dialTimer !== null) clearTimeout(link.dialTimer);
      link.dialTimer = null;
      this.scheduleDial(link);
    });
  }

  private accept(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const splitter = new FrameSplitter(1024);
    const onData = (chunk: Buffer): void => {
      let bodies: Buffer[];
      try {
        bodies = splitter.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      if (bodies.length === 0) return;
      socket.off('data', onData);
      let hello: PeerFrame;
      try {
        hello = decodePeerFrame(bodies[0]);
      } catch {
        socket.destroy();
        return;
      }
      const link = hello.t === 'hello' ? this.links.get(hello.sid) : undefined;
      if (link === undefined || this.dials(link)) {
        this.options.logger.event('PeerConnectionRefused', { reason: `bad hello ${JSON.stringify(hello)}` });
        socket.destroy();
        return;
      }
      if (link.socket !== null) this.lose(link, link.socket, 'replaced by a new connection from the peer');
      // Anything after the hello in the same chunk belongs to the new connection.
      const rest = Buffer.concat([...bodies.slice(1).map(withHeader), splitter.remainder]);
      this.install(link, socket, rest);
    };
    socket.on('data', onData);
    socket.once('error', () => undefined);
  }

  private install(link: Link, socket: Socket, received: Buffer = Buffer.alloc(0)): void {
    link.socket = socket;
    link.backoffMs = this.backoffMin;
    this.options.logger.event('PeerConnected', { peer: link.address.sid });
    const splitter = new FrameSplitter(this.frameBytesMax);
    socket.on('data', (chunk: Buffer) => {
      if (link.socket !== socket) return;
      let bodies: Buffer[];
      try {
        bodies = splitter.push(chunk);
      } catch (error) {
        this.lose(link, socket, (error as Error).message);
        return;
      }
      for (const body of bodies) this.receive(link, socket, body);
    });
    socket.on('error', () => undefined);
    socket.once('close', () => this.lose(link, socket, 'connection closed'));
    const pending = link.pending;
    this.clearPending(link);
    for (const item of pending) writeCoalesced(socket, item.frame, 'iteration');
    if (received.length > 0) socket.emit('data', received);
  }

  private receive(link: Link, socket: Socket, body: Buffer): void {
    if (link.socket !== socket) return;
    let frame: PeerFrame;
    try {
      frame = decodePeerFrame(body);
    } catch (error) {
      this.lose(link, socket, (error as Error).message);
      return;
    }
    this.handler.onFrame(link.address.sid, frame);
  }

  /** The active connection ended without our asking: report it once, and redial if we are the dialer. */
  private lose(link: Link, socket: Socket, reason: string): void {
    if (link.socket !== socket) return;
    link.socket = null;
    socket.destroy();
    this.options.logger.event('PeerConnectionLost', { peer: link.address.sid, reason });
    if (!this.stopped) {
      this.handler.onConnectionLost(link.address.sid);
      if (this.dials(link)) this.scheduleDial(link);
    }
  }

  private failPending(link: Link): void {
    link.pendingTimer = null;
    if (link.socket !== null || !link.pending.some((item) => item.kind === 'message')) return;
    this.clearPending(link);
    this.options.logger.event('PeerSendFailed', { peer: link.address.sid, reason: `no connection within ${this.options.connectWaitMs}ms` });
    this.handler.onSendFailed(link.address.sid);
  }

  private clearPending(link: Link): void {
    link.pending = [];
    if (link.pendingTimer !== null) clearTimeout(link.pendingTimer);
    link.pendingTimer = null;
  }
}
