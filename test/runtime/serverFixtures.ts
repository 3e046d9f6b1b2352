import { connect as netConnect, type Socket } from 'node:net';
// node-zookeeper-client is CommonJS without types.
import zookeeper from 'node-zookeeper-client';
import { MemoryLogger } from '../../src/runtime/Logger.js';
import { StandaloneServer, type StandaloneServerOptions } from '../../src/runtime/StandaloneServer.js';
import { temporaryDirectory } from './txnFixtures.js';

export { zookeeper };

/* eslint-disable @typescript-eslint/no-explicit-any */
export type ZkClient = any;

/** Everything a test opened, closed in afterEach in reverse order. */
export class Resources {
  private readonly closers: (() => Promise<void> | void)[] = [];

  add(closer: () => Promise<void> | void): void {
    this.closers.push(closer);
  }

  async closeAll(): Promise<void> {
    for (const closer of this.closers.splice(0).reverse()) {
      try {
        await closer();
      } catch {
        // A resource that failed to close must not hide the others.
      }
    }
  }
}

export const TICK_MS = 100;

/** A standalone server on an ephemeral loopback port with a temporary dataDir (or the given one). */
export async function startServer(resources: Resources, options: Partial<StandaloneServerOptions> = {}): Promise<{ server: StandaloneServer; logger: MemoryLogger; dataDir: string }> {
  let dataDir = options.dataDir;
  if (dataDir === undefined) {
    const directory = await temporaryDirectory('zabstate-server-');
    resources.add(directory.remove);
    dataDir = directory.path;
  }
  const logger = new MemoryLogger();
  const server = await StandaloneServer.start({ clientPort: 0, tickTimeMs: TICK_MS, logger, ...options, dataDir });
  resources.add(() => server.stop());
  return { server, logger, dataDir };
}

/** A connected node-zookeeper-client, closed with the resources. */
export async function connectClient(resources: Resources, connectString: string, sessionTimeout = 2000): Promise<ZkClient> {
  const client = zookeeper.createClient(connectString, { sessionTimeout, spinDelay: 50, retries: 0 });
  resources.add(() => client.close());
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timed out')), 5000);
    client.once('connected', () => {
      clearTimeout(timer);
      resolve();
    });
    client.connect();
  });
  return client;
}

/** Calls a callback-style client method; resolves with its results (one value, or an array of several). */
export function call<T = any>(client: ZkClient, method: string, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    client[method](...args, (error: any, ...results: unknown[]) => {
      if (error) reject(error);
      else resolve((results.length <= 1 ? results[0] : results) as T);
    });
  });
}

/** The ZooKeeper error code a failed call rejects with. */
export async function codeOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    return (error as { code: number }).code;
  }
  throw new Error('expected the call to fail');
}

export function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const value = check();
      if (value !== undefined && value !== false) resolve(value);
      else if (Date.now() - started > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

/** A raw TCP socket to the server, destroyed with the resources; collects what the server sends. */
export async function rawSocket(resources: Resources, port: number): Promise<{ socket: Socket; received: Buffer[]; closed: Promise<void> }> {
  const socket = netConnect(port, '127.0.0.1');
  resources.add(() => void socket.destroy());
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, received, closed };
}
