import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger, StreamLogger } from '../runtime/Logger.js';
import { QuorumServer } from '../runtime/quorum/QuorumServer.js';
import type { QuorumMember } from '../runtime/quorum/QuorumPeer.js';
import { UsageError } from './CliError.js';
import { stopOnSignals } from './serveCommand.js';

/**
 * `zabstate ensemble --servers 3 [--observers 1] [--dir D] [--max-client-cnxns N]`: a loopback ensemble in this process,
 * each server with its own dataDir under D (server.<id>/, with a zoo.cfg and myid that `serve`
 * also reads). Prints the connect string; Ctrl-C stops every server cleanly.
 */
export function ensembleCommand(argv: string[], out: (line: string) => void, err: (line: string) => void): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      servers: { type: 'string', default: '3' },
      observers: { type: 'string', default: '0' },
      dir: { type: 'string', default: 'zabstate-ensemble' },
      'tick-time': { type: 'string', default: '2000' },
      'base-port': { type: 'string' },
      'max-client-cnxns': { type: 'string', default: '60' },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const voters = Number(values.servers);
  const observers = Number(values.observers);
  const tickTimeMs = Number(values['tick-time']);
  if (!Number.isInteger(voters) || voters < 1 || voters > 15) throw new UsageError('--servers must be in 1..15');
  if (!Number.isInteger(observers) || observers < 0 || voters + observers > 30) throw new UsageError('--observers must be in 0..30-servers');
  if (!(tickTimeMs > 0)) throw new UsageError('--tick-time must be positive');
  const basePort = values['base-port'] === undefined ? null : Number(values['base-port']);
  const maxClientCnxns = Number(values['max-client-cnxns']);
  if (!Number.isInteger(maxClientCnxns) || maxClientCnxns < 0) throw new UsageError('--max-client-cnxns must be an integer >= 0 (0: no limit)');
  const servers: QuorumServer[] = [];
  stopOnSignals(() => servers, err);
  startEnsemble(resolve(values.dir), voters, observers, tickTimeMs, basePort, maxClientCnxns, values.quiet === true, servers).then(
    (connectString) => out(connectString),
    (error: Error) => {
      err(`zabstate ensemble: ${error.message}`);
      void Promise.all(servers.map((server) => server.stop())).finally(() => process.exit(1));
    },
  );
  return 0;
}

async function startEnsemble(directory: string, voters: number, observers: number, tickTimeMs: number, basePort: number | null,
  maxClientCnxns: number, quiet: boolean, started: QuorumServer[]): Promise<string> {
  const count = voters + observers;
  const ports = basePort === null ? await freePorts(2 * count) : Array.from({ length: 2 * count }, (_, index) => basePort + index);
  const members: QuorumMember[] = Array.from({ length: count }, (_, index) => ({
    id: index + 1, host: '127.0.0.1', quorumPort: ports[2 * index], role: index < voters ? 'participant' : 'observer',
  }));
  const clientPort = (id: number) => ports[2 * (id - 1) + 1];
  const serverLines = members.map((member) =>
    `server.${member.id}=127.0.0.1:${member.quorumPort}:${member.quorumPort}${member.role === 'observer' ? ':observer' : ''};127.0.0.1:${clientPort(member.id)}`);
  for (const member of members) {
    const dataDir = join(directory, `server.${member.id}`);
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'myid'), `${member.id}\n`);
    writeFileSync(join(dataDir, 'zoo.cfg'), [`tickTime=${tickTimeMs}`, 'initLimit=10', 'syncLimit=5', `maxClientCnxns=${maxClientCnxns}`, `dataDir=${dataDir}`, ...serverLines, ''].join('\n'));
  }
  await Promise.all(members.map(async (member) => {
    const server = await QuorumServer.start({
      serverId: member.id, members, dataDir: join(directory, `server.${member.id}`), clientPort: clientPort(member.id),
      tickTimeMs, initLimit: 10, syncLimit: 5, maxClientConnections: maxClientCnxns, traceSteps: !quiet,
      logger: quiet ? silentLogger : new StreamLogger(undefined, { myid: member.id }),
    });
    started.push(server);
  }));
  return members.map((member) => `127.0.0.1:${clientPort(member.id)}`).join(',');
}

async function freePorts(count: number): Promise<number[]> {
  const listeners = await Promise.all(Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((done) => {
    const listener = createServer();
    listener.listen(0, '127.0.0.1', () => done(listener));
  })));
  const ports = listeners.map((listener) => (listener.address() as { port: number }).port);
  await Promise.all(listeners.map((listener) => new Promise<void>((done) => listener.close(() => done()))));
  return ports;
}
