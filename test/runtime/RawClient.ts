import { connect, type Socket } from 'node:net';
import { OpCode } from '../../src/service/index.js';
import {
  decodeConnectResponse, decodeReply, decodeServerMessageHeader, encodeClientRequest, FrameDecoder,
} from '../../src/wire/index.js';
import type { ConnectResponse, ReplyHeader, RequestBodyByOp, RequestOp, ResponseBodyByOp, WatcherEvent } from '../../src/wire/index.js';

interface Pending {
  readonly op: RequestOp;
  readonly xid: number;
  readonly resolve: (reply: { header: ReplyHeader; body: unknown }) => void;
  readonly reject: (error: Error) => void;
}

/**
 * A minimal client built on src/wire, for what node-zookeeper-client cannot send (create2,
 * containers, sync, getChildren v1, check, setWatches2, multiRead) and for sessions a test must
 * abandon without closing.
 */
export class RawClient {
  readonly notifications: WatcherEvent[] = [];
  private readonly decoder = new FrameDecoder({ detectFourLetterWords: false });
  private readonly pending: Pending[] = [];
  private nextXid = 1;
  private connectResolve: ((response: ConnectResponse) => void) | null = null;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.on('close', () => {
      for (const pending of this.pending.splice(0)) pending.reject(new Error('connection closed'));
      resolve();
    }));
  }

  static async connect(port: number, options: { timeOut?: number; sessionId?: bigint; passwd?: Uint8Array | null } = {}): Promise<{ client: RawClient; response: ConnectResponse }> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new RawClient(socket);
    const response = new Promise<ConnectResponse>((resolve) => {
      client.connectResolve = resolve;
    });
    socket.write(encodeClientRequest({
      kind: 'connect',
      request: { protocolVersion: 0, lastZxidSeen: 0n, timeOut: options.timeOut ?? 2000, sessionId: options.sessionId ?? 0n, passwd: options.passwd ?? new Uint8Array(16), readOnly: false },
    }));
    return { client, response: await response };
  }

  request<K extends RequestOp>(op: K, body: RequestBodyByOp[K], xid = this.nextXid++): Promise<{ header: ReplyHeader; body: ResponseBodyByOp[K] | null }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ op, xid, resolve: resolve as Pending['resolve'], reject });
      this.socket.write(encodeClientRequest({ kind: 'operation', op, header: { xid, type: OpCode[op] }, body } as Parameters<typeof encodeClientRequest>[0]));
    });
  }

  /** Sends a hand-made frame and awaits the reply to `xid` as a reply to `op`. */
  requestRaw<K extends RequestOp>(op: K, xid: number, frame: Uint8Array): Promise<{ header: ReplyHeader; body: ResponseBodyByOp[K] | null }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ op, xid, resolve: resolve as Pending['resolve'], reject });
      this.socket.write(frame);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    for (const event of this.decoder.push(chunk)) {
      if (event.kind !== 'frame') throw new Error(`RawClient: unexpected ${event.kind}`);
      if (this.connectResolve !== null) {
        const decoded = decodeConnectResponse(event.payload);
        if (!decoded.ok) throw new Error(decoded.error.message);
        const resolve = this.connectResolve;
        this.connectResolve = null;
        resolve(decoded.value);
        continue;
      }
      const message = decodeServerMessageHeader(event.payload);
      if (!message.ok) throw new Error(message.error.message);
      if (message.value.kind === 'notification') {
        this.notifications.push(message.value.event);
        continue;
      }
      const pending = this.pending.shift();
      if (pending === undefined || pending.xid !== message.value.header.xid) throw new Error(`RawClient: reply to xid ${message.value.header.xid} out of order`);
      const reply = decodeReply(pending.op, event.payload);
      if (!reply.ok) pending.reject(new Error(reply.error.message));
      else pending.resolve(reply.value);
    }
  }
}
