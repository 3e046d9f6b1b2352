import type { Socket } from 'node:net';
import { Code, generateDigest, OpCode } from '../service/index.js';
import type { Id, ReadRequest, ReadResponse, WriteRequestBody } from '../service/index.js';
import { fromJavaLong, toJavaLong } from './codec/javaLong.js';
import {
  decodeClientRequest, encodeAuthReply, encodeConnectResponse, encodeHeaderOnlyReply, encodeNotification, encodePingReply,
  encodeReply, FrameDecoder, KeeperState,
} from '../wire/index.js';
import type { ConnectRequest, FourLetterWordDetection, FrameDecoderEvent, MultiResult, OperationRequest, RequestOp } from '../wire/index.js';
import { CommitRefused } from './Committer.js';
import { classifyRequest, replyErrOf, toMultiResults, toWireStat, writeBodyOf } from './wireConversions.js';
import type { ZooKeeperServer } from './ZooKeeperServer.js';
import { flushCoalesced, writeCoalesced } from './writeCoalesced.js';

export interface ConnectionOptions {
  /** jute.maxbuffer: a longer frame closes the connection before its body is buffered. */
  readonly maxBufferBytes: number;
  /** Replies queued unsent beyond this close the connection (a client that does not read). */
  readonly writeBufferBytesMax: number;
  /** The text answering a four-letter word (the connection then closes). */
  readonly answerFourLetterWord: (detection: FourLetterWordDetection, connection: ServerConnection) => string | null;
  /** False while the server may not take sessions (an ensemble member not in BROADCAST); absent: always. */
  readonly isServing?: () => boolean;
}

/** What runs in a request's reply turn: send its reply (and maybe close). */
type ReplyStep = (() => void | Promise<void>) | null;

const NO_PASSWORD = new Uint8Array(16);

/**
 * One client connection. Frames are decoded as they arrive; each request passes two ordered stages:
 * submission (in arrival order, after the handshake: writes are proposed here, so a connection's
 * writes pipeline) and reply (in arrival order: a read is evaluated only after every earlier request
 * of the connection was answered, so it sees the connection's own writes). Watch notifications are
 * written when a commit fires them, hence before the reply of any later request. Nothing thrown
 * while handling input escapes: it closes this connection only.
 */
export class ServerConnection {
  sessionId: bigint | null = null;
  private readonly authInfo: Id[];
  private readonly decoder: FrameDecoder;
  private framesSeen = 0;
  private submitChain: Promise<void> = Promise.resolve();
  private replyChain: Promise<void> = Promise.resolve();
  /** Requests answered in their turn (reads, session operations) not answered yet, and the reply chain up to the last of them. */
  private turnsPending = 0;
  private lastTurn: Promise<void> = Promise.resolve();
  private closedReason: string | null = null;
  received = 0;
  sent = 0;
  queued = 0;
  readonly remoteAddress: string;
  readonly remotePort: number;

  constructor(
    private readonly socket: Socket,
    private readonly server: ZooKeeperServer,
    private readonly options: ConnectionOptions,
  ) {
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.remotePort = socket.remotePort ?? 0;
    this.authInfo = [{ scheme: 'ip', id: this.remoteAddress.replace(/^::ffff:/, '') }];
    this.decoder = new FrameDecoder({ maxBufferBytes: options.maxBufferBytes, detectFourLetterWords: true });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.close(`socket error: ${error.message}`));
    socket.on('close', () => this.close('connection closed by the client'));
  }

  get isClosed(): boolean {
    return this.closedReason !== null;
  }

  get name(): string {
    return `${this.remoteAddress}:${this.remotePort}`;
  }

  /** Closes the connection once; the session lives on until it expires or is closed. */
  close(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.server.connectionClosed(this);
    this.server.logger.event('ConnectionClosed', { remote: this.name, session: this.sessionId ?? undefined, reason });
    flushCoalesced(this.socket);
    this.socket.destroy();
  }

  sendNotification(type: number, path: string): void {
    this.send(encodeNotification({ type, state: KeeperState.syncConnected, path }));
  }

  private send(frame: Uint8Array): void {
    if (this.closedReason !== null) return;
    writeCoalesced(this.socket, frame, 'turn');
    this.sent += 1;
    this.server.counters.packetsSent += 1;
    if (this.socket.writableLength > this.options.writeBufferBytesMax) {
      this.close(`client is not reading: ${this.socket.writableLength} bytes of replies queued`);
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closedReason !== null) return;
    try {
      for (const event of this.decoder.push(chunk)) this.onFrameEvent(event);
    } catch (error) {
      this.close(`internal error: ${(error as Error).message}`);
    }
  }

  private onFrameEvent(event: FrameDecoderEvent): void {
    if (this.closedReason !== null) return;
    if (event.kind === 'error') {
      this.close(`malformed frame: ${event.error.message}`);
      return;
    }
    if (event.kind === 'fourLetterWord') {
      const text = this.options.answerFourLetterWord(event.detection, this);
      this.server.logger.event('FourLetterWord', { remote: this.name, word: 'command' in event.detection ? event.detection.command : 'telnetClose' });
      this.closedReason = 'four-letter word answered';
      this.server.connectionClosed(this);
      if (text === null) this.socket.destroy();
      else this.socket.end(text);
      return;
    }
    this.framesSeen += 1;
    this.received += 1;
    this.server.counters.packetsReceived += 1;
    if (this.framesSeen === 1) this.onConnectFrame(event.payload);
    else this.onOperationFrame(event.payload);
  }

  /**
   * Runs submit in submission order and its reply step in reply order. A request answered in its
   * turn (`inTurn`: a read, a session operation) is evaluated by its reply step, after every request
   * before it has been answered; a write is submitted to the leader at once, but not before every
   * request answered in its turn that came before it has been answered, or a read sent before a write
   * could see it (ZooKeeper's CommitProcessor holds such a commit back the same way).
   * A request with nothing queued before it (a closed-loop client's, mostly) is submitted at once,
   * and a reply it has at once (a read's) goes out at once: the chain of promises that orders replies
   * behind earlier ones cost a read more than the read itself.
   */
  private enqueue(submit: () => ReplyStep | Promise<ReplyStep>, inTurn: boolean): void {
    const started = performance.now();
    this.queued += 1;
    this.server.counters.outstanding += 1;
    if (inTurn) this.turnsPending += 1;
    if (this.queued === 1) {
      let replied: void | Promise<void>;
      try {
        const step = this.closedReason === null ? submit() : null;
        if (step instanceof Promise) {
          this.submitChain = step.then(() => undefined, () => undefined);
          this.replyChain = this.settled(step.then((ready) => (ready !== null && this.closedReason === null ? ready() : undefined)), started, inTurn);
          if (inTurn) this.lastTurn = this.replyChain;
          return;
        }
        replied = step !== null && this.closedReason === null ? step() : undefined;
      } catch (error) {
        this.close(`internal error: ${(error as Error).message}`);
        this.replied(started, inTurn);
        return;
      }
      if (replied instanceof Promise) {
        this.replyChain = this.settled(replied, started, inTurn);
        if (inTurn) this.lastTurn = this.replyChain;
      } else {
        this.replied(started, inTurn);
      }
      return;
    }
    const previousReply = this.replyChain;
    const after = !inTurn && this.turnsPending > 0 ? Promise.all([this.submitChain, this.lastTurn]) : this.submitChain;
    const submitted = after.then(() => (this.closedReason === null ? submit() : null));
    this.submitChain = submitted.then(() => undefined, () => undefined);
    this.replyChain = this.settled(
      Promise.all([previousReply, submitted]).then(async ([, step]) => {
        if (step !== null && this.closedReason === null) await step();
      }),
      started,
      inTurn,
    );
    if (inTurn) this.lastTurn = this.replyChain;
  }

  /** `reply`, its failure closing the connection, and the request counted as answered once it settles. */
  private settled(reply: Promise<void>, started: number, inTurn: boolean): Promise<void> {
    return reply.catch((error: Error) => this.close(`internal error: ${error.message}`)).finally(() => this.replied(started, inTurn));
  }

  private replied(started: number, inTurn: boolean): void {
    this.queued -= 1;
    if (inTurn) this.turnsPending -= 1;
    this.server.counters.outstanding -= 1;
    this.server.recordLatency(Math.round(performance.now() - started));
  }

  private onConnectFrame(payload: Uint8Array): void {
    const decoded = decodeClientRequest(payload, { connected: false, maxBufferBytes: this.options.maxBufferBytes });
    if (!decoded.ok || decoded.request.kind !== 'connect') {
      this.close(`malformed ConnectRequest: ${decoded.ok ? 'not a connect' : decoded.error.message}`);
      return;
    }
    const request = decoded.request.request;
    this.enqueue(() => this.handshake(request), true);
  }

  private async handshake(request: ConnectRequest): Promise<ReplyStep> {
    if (this.options.isServing !== undefined && !this.options.isServing()) {
      this.close('this server is not serving requests (not in BROADCAST)');
      return null;
    }
    if (this.server.isBehind(request.lastZxidSeen)) {
      this.close(`client has seen zxid 0x${request.lastZxidSeen.toString(16)}, this server only 0x${this.server.lastProcessedZxid.toString(16)}`);
      return null;
    }
    const { timeoutMs, timeoutTicks } = this.server.negotiateTimeout(request.timeOut);
    const readOnly = request.readOnly === null ? null : false;
    let sessionId = fromJavaLong(request.sessionId);
    if (sessionId === 0n) {
      sessionId = await this.server.committer.createSession(timeoutTicks);
      this.server.logger.event('SessionCreated', { session: sessionId, timeoutMs, remote: this.name });
    } else if (!this.isValidReattach(sessionId, request.passwd)) {
      this.server.logger.event('SessionReattachRefused', { session: sessionId, remote: this.name });
      return () => {
        this.send(encodeConnectResponse({ protocolVersion: 0, timeOut: 0, sessionId: 0n, passwd: NO_PASSWORD, readOnly }));
        this.closeAfterFlush('session expired or bad password');
      };
    } else {
      this.server.logger.event('SessionReattached', { session: sessionId, timeoutMs, remote: this.name });
    }
    if (this.closedReason !== null) return null;
    this.sessionId = sessionId;
    this.server.attachSession(sessionId, this);
    const passwd = this.server.sessionPassword(sessionId);
    return () => this.send(encodeConnectResponse({ protocolVersion: 0, timeOut: timeoutMs, sessionId: toJavaLong(sessionId), passwd, readOnly }));
  }

  private isValidReattach(sessionId: bigint, passwd: Uint8Array | null): boolean {
    const expected = this.server.sessionPassword(sessionId);
    if (passwd === null || passwd.length !== expected.length || !passwd.every((byte, index) => byte === expected[index])) return false;
    return this.server.committer.touchSession(sessionId);
  }

  private closeAfterFlush(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.server.connectionClosed(this);
    this.server.logger.event('ConnectionClosed', { remote: this.name, session: this.sessionId ?? undefined, reason });
    this.socket.end();
  }

  private onOperationFrame(payload: Uint8Array): void {
    const decoded = decodeClientRequest(payload, { connected: true, maxBufferBytes: this.options.maxBufferBytes });
    if (decoded.ok) {
      const operation = decoded.request as OperationRequest;
      const write = writeBodyOf(operation);
      this.enqueue(() => this.submitOperation(operation, write), write === null);
      return;
    }
    const { error } = decoded;
    if (error.replyErr === null || error.xid === null) {
      this.close(`malformed request: ${error.message}`);
      return;
    }
    this.server.logger.event('RequestRejected', { remote: this.name, xid: error.xid, err: error.replyErr, reason: error.message });
    const header = { xid: error.xid, zxid: this.server.lastProcessedZxid, err: error.replyErr };
    this.enqueue(() => () => this.send(encodeHeaderOnlyReply(header)), true);
  }

  private submitOperation(operation: OperationRequest, write: WriteRequestBody | null): ReplyStep {
    const sessionId = this.sessionId;
    if (sessionId === null) return null;
    if (!this.server.committer.touchSession(sessionId)) {
      return () => {
        this.send(encodeHeaderOnlyReply({ xid: operation.header.xid, zxid: this.server.lastProcessedZxid, err: Code.SessionExpired }));
        this.closeAfterFlush('request on an expired session');
      };
    }
    const xid = operation.header.xid;
    const context = { sessionId, cxid: xid, authInfo: [...this.authInfo] };
    const kind = classifyRequest(operation, context, write);
    switch (kind.kind) {
      case 'session':
        return this.sessionOperation(operation);
      case 'write':
        return this.submitWrite(operation.op, kind.request.type, xid, this.server.committer.propose(kind.request), sessionId);
      case 'read':
        return () => this.replyRead(operation.op, xid, kind.request);
      case 'multiRead':
        return () => this.replyMultiRead(operation.op, xid, kind.requests);
      case 'unimplemented':
        this.server.logger.event('RequestRejected', { remote: this.name, xid, err: Code.Unimplemented, reason: kind.reason });
        return () => this.send(encodeHeaderOnlyReply({ xid, zxid: this.server.lastProcessedZxid, err: Code.Unimplemented }));
    }
  }

  private sessionOperation(operation: OperationRequest): ReplyStep {
    const xid = operation.header.xid;
    switch (operation.op) {
      case 'ping':
        return () => this.send(encodePingReply(this.server.lastProcessedZxid));
      case 'auth': {
        const body = operation.body;
        if (body.scheme !== 'digest' || body.auth === null) {
          this.server.logger.event('AuthFailed', { remote: this.name, scheme: body.scheme });
          return () => {
            this.send(encodeAuthReply(Code.AuthFailed));
            this.closeAfterFlush(`authentication failed for scheme ${body.scheme}`);
          };
        }
        this.authInfo.push({ scheme: 'digest', id: generateDigest(new TextDecoder().decode(body.auth)) });
        return () => this.send(encodeAuthReply(Code.Ok));
      }
      case 'setWatches':
      case 'setWatches2': {
        const body = operation.body;
        const sessionId = this.sessionId as bigint;
        return () => {
          const events = this.server.setWatches(sessionId, body.relativeZxid, body.dataWatches, body.existWatches, body.childWatches);
          for (const event of events) this.sendNotification(event.type, event.path);
          this.send(encodeHeaderOnlyReply({ xid, zxid: this.server.lastProcessedZxid, err: Code.Ok }));
        };
      }
      default:
        throw new Error(`sessionOperation: ${operation.op} is not a session operation`);
    }
  }

  private submitWrite(op: RequestOp, type: number, xid: number, proposal: Promise<bigint>, sessionId: bigint): ReplyStep {
    const committed = this.server.expectCommit(sessionId, xid, type);
    const outcome = proposal.then(
      (zxid) => committed.then((result) => ({ zxid, result })),
      (error: unknown) => {
        this.server.forgetCommit(sessionId, xid);
        if (error instanceof CommitRefused) return { refused: error };
        throw error;
      },
    );
    return async () => {
      const settled = await outcome;
      if ('refused' in settled) {
        this.send(encodeHeaderOnlyReply({ xid, zxid: this.server.lastProcessedZxid, err: settled.refused.code }));
        if (settled.refused.code === Code.ConnectionLoss) this.close(settled.refused.message);
        return;
      }
      const { zxid, result } = settled;
      const err = replyErrOf(result);
      this.send(err === Code.Ok ? encodeReply(op, { xid, zxid, err }, this.writeReplyBody(op, result)) : encodeHeaderOnlyReply({ xid, zxid, err }));
      if (op === 'closeSession') this.closeAfterFlush('client closed the session');
    };
  }

  // The body's type follows op, which the union cannot express here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private writeReplyBody(op: RequestOp, result: import('../service/index.js').ProcessTxnResult): any {
    switch (op) {
      case 'create':
        return { path: result.path };
      case 'create2':
      case 'createContainer':
        return { path: result.path, stat: toWireStat(result.stat!) };
      case 'setData':
      case 'setACL':
        return { stat: toWireStat(result.stat!) };
      case 'check': {
        const node = result.path === undefined ? undefined : this.server.tree.getNode(result.path);
        return { stat: toWireStat(node?.stat ?? EMPTY_STAT) };
      }
      case 'multi':
        return { results: toMultiResults(result.multiResult ?? []) };
      default:
        return null;
    }
  }

  private async replyRead(op: RequestOp, xid: number, request: ReadRequest): Promise<void> {
    if (request.type === OpCode.sync) await this.server.committer.sync();
    const response = this.server.read(request);
    const zxid = this.server.lastProcessedZxid;
    if (response.err !== Code.Ok) {
      this.send(encodeHeaderOnlyReply({ xid, zxid, err: response.err }));
      return;
    }
    this.send(encodeReply(op, { xid, zxid, err: Code.Ok }, readReplyBody(op, response, request.path)));
  }

  private replyMultiRead(op: RequestOp, xid: number, requests: readonly ReadRequest[]): void {
    const results = requests.map((request): MultiResult => {
      const response = this.server.read(request);
      if (response.err !== Code.Ok) return { op: 'error', err: response.err };
      if (request.type === OpCode.getData) return { op: 'getData', response: { data: response.data ?? null, stat: toWireStat(response.stat!) } };
      return { op: 'getChildren', response: { children: [...(response.children ?? [])] } };
    });
    this.send(encodeReply(op as 'multiRead', { xid, zxid: this.server.lastProcessedZxid, err: Code.Ok }, { results }));
  }
}

const EMPTY_STAT = {
  czxid: 0n, mzxid: 0n, pzxid: 0n, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 0, numChildren: 0,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function readReplyBody(op: RequestOp, response: ReadResponse, path: string): any {
  switch (op) {
    case 'exists':
      return { stat: toWireStat(response.stat!) };
    case 'getData':
      return { data: response.data ?? null, stat: toWireStat(response.stat!) };
    case 'getChildren':
      return { children: [...(response.children ?? [])] };
    case 'getChildren2':
      return { children: [...(response.children ?? [])], stat: toWireStat(response.stat!) };
    case 'getACL':
      return { acl: (response.acl ?? []).map((entry) => ({ perms: entry.perms, id: { ...entry.id } })), stat: toWireStat(response.stat!) };
    case 'sync':
      return { path: response.path ?? path };
    default:
      throw new Error(`readReplyBody: ${op} is not a read`);
  }
}
