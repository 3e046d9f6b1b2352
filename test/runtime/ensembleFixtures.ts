import { createServer } from 'node:net';
import { MemoryLogger, type Logger } from '../../src/runtime/Logger.js';
import { QuorumServer, type QuorumServerOptions } from '../../src/runtime/quorum/QuorumServer.js';
import type { QuorumMember } from '../../src/runtime/quorum/QuorumPeer.js';
import { temporaryDirectory } from './txnFixtures.js';
import type { Resources } from './serverFixtures.js';

/** Free loopback ports (bound to port 0 and released; fine for tests on one machine). */
export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  const servers = [];
  for (let index = 0; index < count; index++) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    ports.push((server.address() as { port: number }).port);
    servers.push(server);
  }
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  return ports;
}

export interface EnsembleSpec {
  readonly members: QuorumMember[];
  readonly clientPorts: Map<number, number>;
  readonly dataDirs: Map<number, string>;
}

export const ENSEMBLE_TICK_MS = 100;

/** Ports and data directories for servers 1..voters (participants) then the observers. */
export async function planEnsemble(resources: Resources, voters: number, observers = 0): Promise<EnsembleSpec> {
  const count = voters + observers;
  const ports = await freePorts(2 * count);
  const members: QuorumMember[] = [];
  const clientPorts = new Map<number, number>();
  const dataDirs = new Map<number, string>();
  for (let index = 0; index < count; index++) {
    const id = index + 1;
    members.push({ id, host: '127.0.0.1', quorumPort: ports[2 * index], role: index < voters ? 'participant' : 'observer' });
    clientPorts.set(id, ports[2 * index + 1]);
    const directory = await temporaryDirectory(`zabstate-quorum-${id}-`);
    resources.add(directory.remove);
    dataDirs.set(id, directory.path);
  }
  return { members, clientPorts, dataDirs };
}

/** Starts server `id` of the plan in this process. */
export async function startMember(resources: Resources, spec: EnsembleSpec, id: number, logger: Logger = new MemoryLogger(),
  options: Partial<QuorumServerOptions> = {}): Promise<QuorumServer> {
  const server = await QuorumServer.start({
    serverId: id, members: spec.members, dataDir: spec.dataDirs.get(id) as string, clientPort: spec.clientPorts.get(id) as number,
    tickTimeMs: ENSEMBLE_TICK_MS, initLimit: 10, syncLimit: 5, logger, ...options,
  });
  resources.add(() => server.stop());
  return server;
}

export function connectStringOf(spec: EnsembleSpec, ids: readonly number[] = spec.members.map((member) => member.id)): string {
  return ids.map((id) => `127.0.0.1:${spec.clientPorts.get(id)}`).join(',');
}

/** Resolves once `predicate` holds, polling; rejects after `timeoutMs`. */
export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
