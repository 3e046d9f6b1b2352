/**
 * Snapshots in a quorum: servers snapshot their committed tree and purge the log behind it, restart
 * from snapshot + log, and sync learners whose missing txns the leader no longer has by sending its
 * tree (with a SNAP, or with a DIFF when the leader itself restarted from a snapshot).
 */
import { run } from '../../src/cli/main.js';
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { MemoryLogger } from '../../src/runtime/Logger.js';
import type { QuorumServer, QuorumServerOptions } from '../../src/runtime/quorum/QuorumServer.js';
import { STORAGE_SUBDIRECTORY } from '../../src/runtime/storage/DataStore.js';
import { decodeSnapshot, listSnapshots } from '../../src/runtime/storage/Snapshot.js';
import { call, connectClient, Resources, zookeeper } from './serverFixtures.js';
import { connectStringOf, planEnsemble, startMember, waitFor, type EnsembleSpec } from './ensembleFixtures.js';
import { temporaryDirectory } from './txnFixtures.js';

const resources = new Resources();
afterEach(() => resources.closeAll());

interface Running {
  readonly server: QuorumServer;
  readonly logger: MemoryLogger;
}

async function start(spec: EnsembleSpec, id: number, options: Partial<QuorumServerOptions>): Promise<Running> {
  const logger = new MemoryLogger();
  return { server: await startMember(resources, spec, id, logger, options), logger };
}

/** Writes /<prefix><index> for each index through a client of the given servers. */
async function writeNodes(spec: EnsembleSpec, ids: readonly number[], prefix: string, count: number): Promise<void> {
  const client = await connectClient(resources, connectStringOf(spec, ids));
  for (let index = 0; index < count; index++) await call(client, 'create', `/${prefix}${index}`, Buffer.from(`${prefix}${index}`), zookeeper.CreateMode.PERSISTENT);
  client.close();
}

/** Every running server applied the same last txn, and holds the same tree. */
async function expectSameTrees(running: readonly Running[]): Promise<void> {
  const zxids = () => running.map(({ server }) => server.peer.server.lastProcessedZxid);
  await waitFor('every server at the same zxid', () => new Set(zxids()).size === 1);
  const digests = running.map(({ server }) => server.peer.server.tree.digest);
  expect(new Set(digests).size).toBe(1);
}

const servingAll = (running: readonly Running[]) => () => running.every(({ server }) => server.isServing);

describe('snapshots in a 3-server ensemble', () => {
  test('servers snapshot their tree with its history and purge the log; every server restarts from snapshot + log with every write', async () => {
    const options = { snapshotEveryTxns: 20, commitLogCount: 10, segmentBytesMax: 2048 };
    const spec = await planEnsemble(resources, 3);
    let running = await Promise.all([1, 2, 3].map((id) => start(spec, id, options)));
    await waitFor('every server serving', servingAll(running));
    await writeNodes(spec, [1, 2, 3], 'n', 150);
    await expectSameTrees(running);
    for (const { server, logger } of running) {
      const directory = join(spec.dataDirs.get(server.peer.serverId) as string, STORAGE_SUBDIRECTORY);
      // A snapshot still being taken purges the oldest once written.
      let snapshots = await listSnapshots(directory);
      for (let tries = 0; snapshots.length > 3 && tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        snapshots = await listSnapshots(directory);
      }
      expect(snapshots.length).toBeGreaterThanOrEqual(1);
      expect(snapshots.length).toBeLessThanOrEqual(3);
      const newest = decodeSnapshot(await readFile(join(directory, snapshots[0].name)));
      if ('invalid' in newest) throw new Error(newest.invalid);
      expect(newest.history?.at(-1)?.[2]).toBe(Number(newest.zxid & 0xffff_ffffn));
      expect(logger.named('SnapshotTaken').some((fields) => Number(fields.purgedSegments) > 0)).toBe(true);
    }
    await Promise.all(running.map(({ server }) => server.stop()));

    running = await Promise.all([1, 2, 3].map((id) => start(spec, id, options)));
    for (const { logger } of running) expect(logger.named('QuorumPeerStarted')[0].snapshot).toMatch(/^snapshot\./);
    await waitFor('every server serving again', servingAll(running));
    await writeNodes(spec, [1], 'after', 1);
    await expectSameTrees(running);
    const client = await connectClient(resources, connectStringOf(spec));
    for (let index = 0; index < 150; index++) expect((await call<[Buffer, unknown]>(client, 'getData', `/n${index}`))[0].toString()).toBe(`n${index}`);
  });

  test('a learner that missed more than commitLogCount txns installs the leader\'s tree; so does one a restarted leader can only DIFF without payloads', async () => {
    const options = { snapshotEveryTxns: 4, commitLogCount: 30, segmentBytesMax: 2048 };
    const spec = await planEnsemble(resources, 3);
    const running = new Map<number, Running>();
    for (const id of [1, 2, 3]) running.set(id, await start(spec, id, options));
    await waitFor('every server serving', servingAll([...running.values()]));
    const leader = [...running.values()].find(({ server }) => server.mode === 'leader')?.server.peer.serverId as number;
    const learner = [1, 2, 3].find((id) => id !== leader) as number;
    const others = [1, 2, 3].filter((id) => id !== learner);

    // Far behind: SNAP, and the leader no longer has the payloads, so its tree goes along.
    await running.get(learner)?.server.stop();
    await writeNodes(spec, others, 'far', 80);
    running.set(learner, await start(spec, learner, options));
    await waitFor('the learner serving', servingAll([...running.values()]));
    const far = running.get(learner) as Running;
    expect(far.logger.named('FollowerProcessSNAP').length).toBeGreaterThan(0);
    expect(far.logger.named('TreeInstalled').length).toBe(1);
    await writeNodes(spec, others, 'sync', 1);
    await expectSameTrees([...running.values()]);

    // Just behind a leader that restarted from a snapshot: a DIFF, whose txns before that snapshot travel as the tree.
    await far.server.stop();
    await writeNodes(spec, others, 'near', 15);
    await Promise.all(others.map((id) => running.get(id)?.server.stop()));
    for (const id of others) running.set(id, await start(spec, id, options));
    await waitFor('the restarted pair serving', servingAll(others.map((id) => running.get(id) as Running)));
    running.set(learner, await start(spec, learner, options));
    await waitFor('the learner serving again', servingAll([...running.values()]));
    const near = running.get(learner) as Running;
    expect(near.logger.named('FollowerProcessDIFF').length).toBeGreaterThan(0);
    expect(near.logger.named('TreeInstalled').length).toBe(1);
    await writeNodes(spec, others, 'sync2', 1);
    await expectSameTrees([...running.values()]);
    const client = await connectClient(resources, connectStringOf(spec, [learner]));
    for (const [prefix, count] of [['far', 80], ['near', 15]] as const) {
      for (let index = 0; index < count; index++) expect((await call<[Buffer, unknown]>(client, 'getData', `/${prefix}${index}`))[0].toString()).toBe(`${prefix}${index}`);
    }
  });
});

describe('zoo.cfg', () => {
  test('zabstate serve refuses a snapCount that is not a positive integer: exit 2 and one line naming it', async () => {
    const directory = await temporaryDirectory('zabstate-snapcount-');
    resources.add(directory.remove);
    const config = join(directory.path, 'zoo.cfg');
    await writeFile(config, `tickTime=200\ndataDir=${directory.path}\nclientPort=0\nsnapCount=ten\n`);
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'serve', '--config', config], {
      cwd: join(import.meta.dirname, '../..'), encoding: 'utf8', timeout: 30_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe('zabstate: zoo.cfg: snapCount must be an integer of at least 1, found "ten"');
  });

  test('zabstate serve refuses a malformed or missing zoo.cfg: exit 2 and one line naming the file and the line', async () => {
    const directory = await temporaryDirectory('zabstate-badcfg-');
    resources.add(directory.remove);
    const config = join(directory.path, 'zoo.cfg');
    await writeFile(config, `tickTime=200\ndataDir=${directory.path}\nclientPort=0\ninitLimit=ten\n`);
    for (const [path, message] of [
      [config, `zabstate: ${config}: zoo.cfg line 4: initLimit must be an integer, found "ten"`],
      [join(directory.path, 'absent.cfg'), `zabstate: cannot read ${join(directory.path, 'absent.cfg')}: ENOENT`],
    ]) {
      const errors: string[] = [];
      expect(await run(['serve', '--config', path], () => {}, (line) => errors.push(line), false)).toBe(2);
      expect(errors).toHaveLength(1);
      expect(errors[0].slice(0, message.length)).toBe(message);
    }
  });
});
