import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { QuorumServer } from '../../src/runtime/quorum/QuorumServer.js';
import { connectClient, Resources, zookeeper, type ZkClient } from './serverFixtures.js';
import { connectStringOf, ENSEMBLE_TICK_MS, planEnsemble, startMember, waitFor, type EnsembleSpec } from './ensembleFixtures.js';
import { fourLetterWord } from '../support/fourLetterWord.js';

const resources = new Resources();
afterEach(() => resources.closeAll());

function call<T>(operation: (callback: (error: Error | null, result?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => operation((error, result) => (error ? reject(error) : resolve(result as T))));
}

const create = (client: ZkClient, path: string, data: string, mode = zookeeper.CreateMode.PERSISTENT) =>
  call<string>((done) => client.create(path, Buffer.from(data), mode, done));
const getData = (client: ZkClient, path: string, watcher?: (event: unknown) => void) =>
  call<Buffer>((done) => (watcher === undefined ? client.getData(path, done) : client.getData(path, watcher, done)));
const setData = (client: ZkClient, path: string, data: string) => call<unknown>((done) => client.setData(path, Buffer.from(data), -1, done));
const exists = (client: ZkClient, path: string) => call<unknown>((done) => client.exists(path, done));
let markers = 0;
/** node-zookeeper-client has no sync(): a write of its own makes the client's server apply everything committed before. */
const syncThrough = (client: ZkClient) => create(client, `/sync-marker-${markers++}`, '');

async function startEnsemble(voters = 3): Promise<{ spec: EnsembleSpec; servers: QuorumServer[] }> {
  const spec = await planEnsemble(resources, voters);
  const servers = await Promise.all(spec.members.map((member) => startMember(resources, spec, member.id)));
  await waitFor('every server serving', () => servers.every((server) => server.isServing));
  return { spec, servers };
}

function sessionIdOf(client: ZkClient): bigint {
  return BigInt(`0x${(client.getSessionId() as Buffer).toString('hex')}`);
}

describe('a 3-server ensemble in one process', () => {
  test('creates, reads and watches through different servers', async () => {
    const { spec, servers } = await startEnsemble();
    expect(servers.map((server) => server.mode).sort()).toEqual(['follower', 'follower', 'leader']);
    const writer = await connectClient(resources, connectStringOf(spec, [1]));
    const reader = await connectClient(resources, connectStringOf(spec, [2]));
    const third = await connectClient(resources, connectStringOf(spec, [3]));
    await create(writer, '/app', 'v1');
    // A write acknowledged on server 1 is readable on 2 after sync (reads are local, as in ZooKeeper).
    await syncThrough(reader);
    expect((await getData(reader, '/app')).toString()).toBe('v1');
    const fired = new Promise<{ type: number; path: string }>((resolve) => void getData(reader, '/app', (event) => resolve(event as never)));
    await setData(third, '/app', 'v2');
    const event = await fired;
    expect(event.type).toBe(zookeeper.Event.NODE_DATA_CHANGED);
    expect((await getData(reader, '/app')).toString()).toBe('v2');
    const sequential = await create(third, '/app/item-', 'x', zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL);
    expect(sequential).toBe('/app/item-0000000000');
    await syncThrough(writer);
    expect(await call<string[]>((done) => writer.getChildren('/app', done))).toEqual(['item-0000000000']);
    await expect(create(reader, '/app', 'again')).rejects.toMatchObject({ code: zookeeper.Exception.NODE_EXISTS });
  });

  test('on the leader and on followers, pipelined requests see the writes sent before them and not those after', async () => {
    const { spec } = await startEnsemble();
    for (const id of [1, 2, 3]) {
      const client = await connectClient(resources, connectStringOf(spec, [id]));
      const path = `/pipelined-${id}`;
      // Sent back to back (node-zookeeper-client does not wait for a reply before the next request).
      const [, first, , second, before, , after] = await Promise.all([
        create(client, path, 'one'),
        getData(client, path),
        setData(client, path, 'two'),
        getData(client, path),
        exists(client, `${path}/later`),
        create(client, `${path}/later`, ''),
        exists(client, `${path}/later`),
      ]);
      expect([first.toString(), second.toString()], `server ${id}`).toEqual(['one', 'two']);
      expect(before, `server ${id}: exists sent before the create`).toBeNull();
      expect(after, `server ${id}: exists sent after the create`).not.toBeNull();
    }
  });

  test('a client moves to another server when its server stops; its session, ephemerals and watches survive', async () => {
    const { spec, servers } = await startEnsemble();
    const client = await connectClient(resources, connectStringOf(spec), 2000);
    const sessionId = sessionIdOf(client);
    await create(client, '/owned', 'mine', zookeeper.CreateMode.EPHEMERAL);
    await create(client, '/watched', 'a');
    let fire: (event: { type: number }) => void = () => undefined;
    const fired = new Promise<{ type: number }>((resolve) => (fire = resolve));
    expect((await getData(client, '/watched', (event) => fire(event as never))).toString()).toBe('a');
    const home = servers.find((server) => [...server.peer.server.connections].some((connection) => connection.sessionId === sessionId));
    expect(home).toBeDefined();
    const moved = new Promise<void>((resolve) => client.once('connected', () => resolve()));
    await home?.stop();
    await moved;
    expect(sessionIdOf(client)).toBe(sessionId);
    const others = spec.members.map((member) => member.id).filter((id) => servers[id - 1] !== home);
    const other = await connectClient(resources, connectStringOf(spec, others));
    await setData(other, '/watched', 'b');
    expect((await fired).type).toBe(zookeeper.Event.NODE_DATA_CHANGED);
    expect(await exists(other, '/owned')).toBeTruthy();
  });

  test('restarting every server from its data directory keeps every acknowledged write', async () => {
    const { spec, servers } = await startEnsemble();
    const client = await connectClient(resources, connectStringOf(spec));
    for (let index = 0; index < 40; index++) await create(client, `/n${index}`, `${index}`);
    await setData(client, '/n7', 'seven');
    client.close();
    await Promise.all(servers.map((server) => server.stop()));
    const restarted = await Promise.all(spec.members.map((member) => startMember(resources, spec, member.id)));
    await waitFor('every server serving again', () => restarted.every((server) => server.isServing));
    const again = await connectClient(resources, connectStringOf(spec));
    for (let index = 0; index < 40; index++) expect((await getData(again, `/n${index}`)).toString()).toBe(index === 7 ? 'seven' : `${index}`);
    for (const server of restarted) expect(server.peer.server.tree.getNode('/n39')).toBeDefined();
  });
});

// ----- Separate processes, killed with SIGKILL -----

interface Child {
  readonly id: number;
  process: ChildProcess;
  readonly config: string;
}

function spawnServer(config: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'serve', '--config', config, '--quiet'], {
    cwd: join(import.meta.dirname, '../..'), stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}


async function modeOf(spec: EnsembleSpec, id: number): Promise<string | null> {
  const answer = await fourLetterWord(spec.clientPorts.get(id) as number, 'srvr');
  return /Mode: (\w+)/.exec(answer)?.[1] ?? null;
}

async function waitForLeader(spec: EnsembleSpec, ids: number[]): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const modes = await Promise.all(ids.map((id) => modeOf(spec, id)));
    const leaders = ids.filter((_, index) => modes[index] === 'leader');
    if (leaders.length === 1 && modes.every((mode) => mode === 'leader' || mode === 'follower')) return leaders[0];
    if (Date.now() > deadline) throw new Error(`no leader among ${ids.join(',')}: ${modes.join(',')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a 3-server ensemble of processes', () => {
  test('SIGKILL of the leader elects another and loses no acknowledged write; so does SIGKILL of all', async () => {
    const spec = await planEnsemble(resources, 3);
    const lines = spec.members.map((member) =>
      `server.${member.id}=127.0.0.1:${member.quorumPort}:${member.quorumPort};127.0.0.1:${spec.clientPorts.get(member.id)}`);
    const children: Child[] = [];
    for (const member of spec.members) {
      const dataDir = spec.dataDirs.get(member.id) as string;
      const config = join(dataDir, 'zoo.cfg');
      await writeFile(join(dataDir, 'myid'), `${member.id}\n`);
      await writeFile(config, [`tickTime=${ENSEMBLE_TICK_MS}`, 'initLimit=10', 'syncLimit=5', `dataDir=${dataDir}`, ...lines, ''].join('\n'));
      children.push({ id: member.id, process: spawnServer(config), config });
    }
    resources.add(() => {
      for (const child of children) child.process.kill('SIGKILL');
    });
    const ids = spec.members.map((member) => member.id);
    const leader = await waitForLeader(spec, ids);
    const client = await connectClient(resources, connectStringOf(spec), 4000);
    const acknowledged: number[] = [];
    const write = async (index: number): Promise<void> => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await create(client, `/k${index}`, `${index}`);
          acknowledged.push(index);
          return;
        } catch (error) {
          const code = (error as { code?: number }).code;
          // After a connection loss the create may have committed: NODE_EXISTS then means it did.
          if (code === zookeeper.Exception.NODE_EXISTS) return;
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    for (let index = 0; index < 30; index++) await write(index);
    children[leader - 1].process.kill('SIGKILL');
    const survivors = ids.filter((id) => id !== leader);
    for (let index = 30; index < 60; index++) await write(index);
    const newLeader = await waitForLeader(spec, survivors);
    expect(newLeader).not.toBe(leader);
    const check = async (): Promise<void> => {
      const reader = await connectClient(resources, connectStringOf(spec), 4000);
      await syncThrough(reader);
      for (const index of acknowledged) expect((await getData(reader, `/k${index}`)).toString()).toBe(`${index}`);
      reader.close();
    };
    await check();
    // Every server dies at once; each restarts from its disk alone.
    for (const child of children) child.process.kill('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const child of children) child.process = spawnServer(child.config);
    await waitForLeader(spec, ids);
    await check();
    expect(acknowledged.length).toBeGreaterThanOrEqual(50);
  }, 60_000);
});
