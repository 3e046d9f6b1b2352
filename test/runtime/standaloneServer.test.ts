/**
 * A standalone server driven by a real third-party client (node-zookeeper-client), plus a raw
 * client built on src/wire for what that client cannot send. Every server runs on an ephemeral
 * loopback port with a temporary dataDir; everything is closed in afterEach.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Code, EventType } from '../../src/service/index.js';
import { encodeClientRequest } from '../../src/wire/index.js';
import { RawClient } from './RawClient.js';
import { call, codeOf, connectClient, rawSocket, Resources, startServer, TICK_MS, waitFor, zookeeper } from './serverFixtures.js';

const resources = new Resources();
afterEach(() => resources.closeAll());

const { CreateMode, ACL, Id, Permission } = zookeeper;
const OPEN = ACL.OPEN_ACL_UNSAFE;
const TEST_TIMEOUT_MS = 10_000;

async function rawClient(port: number, timeOut = 2000) {
  const { client, response } = await RawClient.connect(port, { timeOut });
  resources.add(() => client.destroy());
  return { client, response };
}

describe('operations and error codes (node-zookeeper-client)', () => {
  it('create, getData, setData, exists, getChildren, remove, with their errors', async () => {
    const { server } = await startServer(resources);
    const client = await connectClient(resources, server.connectString);
    expect(await call(client, 'create', '/app', Buffer.from('v0'), OPEN, CreateMode.PERSISTENT)).toBe('/app');
    expect(await codeOf(call(client, 'create', '/app', Buffer.from('x'), OPEN, CreateMode.PERSISTENT))).toBe(Code.NodeExists);
    expect(await codeOf(call(client, 'create', '/missing/child', Buffer.from('x'), OPEN, CreateMode.PERSISTENT))).toBe(Code.NoNode);
    const [data, stat] = await call(client, 'getData', '/app');
    expect(data.toString()).toBe('v0');
    expect(stat.version).toBe(0);
    const updated = await call(client, 'setData', '/app', Buffer.from('v1'), 0);
    expect(updated.version).toBe(1);
    expect(await codeOf(call(client, 'setData', '/app', Buffer.from('v2'), 0))).toBe(Code.BadVersion);
    expect(await codeOf(call(client, 'getData', '/nope'))).toBe(Code.NoNode);
    expect(await call(client, 'exists', '/nope')).toBeNull();
    expect((await call(client, 'exists', '/app')).version).toBe(1);
    await call(client, 'create', '/app/b', Buffer.alloc(0), OPEN, CreateMode.PERSISTENT);
    await call(client, 'create', '/app/a', Buffer.alloc(0), OPEN, CreateMode.PERSISTENT);
    const [children, parentStat] = await call(client, 'getChildren', '/app');
    expect([...children].sort()).toEqual(['a', 'b']);
    expect(parentStat.numChildren).toBe(2);
    expect(await codeOf(call(client, 'remove', '/app', -1))).toBe(Code.NotEmpty);
    expect(await codeOf(call(client, 'remove', '/app/a', 5))).toBe(Code.BadVersion);
    await call(client, 'remove', '/app/a', -1);
    expect(await codeOf(call(client, 'remove', '/app/a', -1))).toBe(Code.NoNode);
    await call(client, 'create', '/eph', Buffer.alloc(0), OPEN, CreateMode.EPHEMERAL);
    expect(await codeOf(call(client, 'create', '/eph/child', Buffer.alloc(0), OPEN, CreateMode.PERSISTENT))).toBe(Code.NoChildrenForEphemerals);
  }, TEST_TIMEOUT_MS);

  it('digest auth, ACLs, getACL and setACL', async () => {
    const { server } = await startServer(resources);
    const owner = await connectClient(resources, server.connectString);
    const stranger = await connectClient(resources, server.connectString);
    owner.addAuthInfo('digest', Buffer.from('alice:secret'));
    await call(owner, 'create', '/private', Buffer.from('s'), ACL.CREATOR_ALL_ACL, CreateMode.PERSISTENT);
    expect(await codeOf(call(stranger, 'getData', '/private'))).toBe(Code.NoAuth);
    expect(await codeOf(call(stranger, 'setData', '/private', Buffer.from('x'), -1))).toBe(Code.NoAuth);
    const [acls] = await call(owner, 'getACL', '/private');
    expect(acls).toHaveLength(1);
    expect(acls[0].id.scheme).toBe('digest');
    expect(acls[0].id.id).toMatch(/^alice:/);
    expect(await codeOf(call(stranger, 'create', '/creator', Buffer.alloc(0), ACL.CREATOR_ALL_ACL, CreateMode.PERSISTENT))).toBe(Code.InvalidACL);
    const readOnly = [new ACL(Permission.READ, new Id('world', 'anyone'))];
    const aclStat = await call(owner, 'setACL', '/private', readOnly, 0);
    expect(aclStat.aversion).toBe(1);
    expect(await codeOf(call(owner, 'setACL', '/private', OPEN, 0))).toBe(Code.NoAuth);
    const [data] = await call(stranger, 'getData', '/private');
    expect(data.toString()).toBe('s');
    const badAuth = zookeeper.createClient(server.connectString, { sessionTimeout: 2000, spinDelay: 50 });
    resources.add(() => badAuth.close());
    const failed = new Promise<void>((resolve) => badAuth.once('authenticationFailed', resolve));
    badAuth.addAuthInfo('kerberos', Buffer.from('x'));
    badAuth.connect();
    await failed;
  }, TEST_TIMEOUT_MS);

  it('sequential names, and multi via transaction(): all or nothing', async () => {
    const { server } = await startServer(resources);
    const client = await connectClient(resources, server.connectString);
    await call(client, 'create', '/q', Buffer.alloc(0), OPEN, CreateMode.PERSISTENT);
    const names = [];
    for (let index = 0; index < 3; index++) names.push(await call(client, 'create', '/q/item-', Buffer.alloc(0), OPEN, index === 1 ? CreateMode.EPHEMERAL_SEQUENTIAL : CreateMode.PERSISTENT_SEQUENTIAL));
    expect(names).toEqual(['/q/item-0000000000', '/q/item-0000000001', '/q/item-0000000002']);

    const results = await call(client.transaction().create('/t', Buffer.from('1')).check('/t', 0).setData('/t', Buffer.from('2'), 0).create('/t/c'), 'commit');
    expect(results.map((result: { type: number }) => result.type)).toEqual([1, 13, 5, 1]);
    const [data, stat] = await call(client, 'getData', '/t');
    expect(data.toString()).toBe('2');
    expect(stat.version).toBe(1);
    const failure = call(client.transaction().create('/u').check('/t', 99).remove('/t/c'), 'commit');
    expect(await codeOf(failure)).toBe(Code.BadVersion);
    expect(await call(client, 'exists', '/u')).toBeNull();
    expect(await call(client, 'exists', '/t/c')).not.toBeNull();
  }, TEST_TIMEOUT_MS);
});

describe('sessions', () => {
  it('ephemeral nodes vanish when their session closes', async () => {
    const { server } = await startServer(resources);
    const watcher = await connectClient(resources, server.connectString);
    const owner = await connectClient(resources, server.connectString);
    await call(owner, 'create', '/lock', Buffer.alloc(0), OPEN, CreateMode.EPHEMERAL);
    const stat = await call(watcher, 'exists', '/lock');
    expect(stat.ephemeralOwner.toString('hex')).toBe(owner.getSessionId().toString('hex'));
    const deleted = new Promise((resolve) => watcher.exists('/lock', resolve, () => undefined));
    owner.close();
    const event = (await deleted) as { getType(): number };
    expect(event.getType()).toBe(EventType.NodeDeleted);
    expect(await call(watcher, 'exists', '/lock')).toBeNull();
  }, TEST_TIMEOUT_MS);

  it('ephemeral nodes vanish when their session expires, and the expired session cannot re-attach', async () => {
    const { server, logger } = await startServer(resources);
    const { client: owner, response } = await rawClient(server.port, 2 * TICK_MS);
    expect(response.timeOut).toBe(2 * TICK_MS);
    const created = await owner.request('create', { path: '/ephemeral', data: null, acl: [...OPEN].map(toWireAcl), flags: 1 });
    expect(created.header.err).toBe(Code.Ok);
    const watcher = await connectClient(resources, server.connectString);
    const deleted = new Promise((resolve) => watcher.exists('/ephemeral', resolve, () => undefined));
    owner.destroy(); // no closeSession: the session must expire
    await deleted;
    expect(logger.named('SessionExpired').map((fields) => fields.session)).toContain(response.sessionId);
    const again = await RawClient.connect(server.port, { sessionId: response.sessionId, passwd: response.passwd });
    resources.add(() => again.client.destroy());
    expect(again.response.timeOut).toBe(0);
    await again.client.closed;
  }, TEST_TIMEOUT_MS);

  it('a server with myid 200 gives out session ids of 2^63 and up, as Java longs: they re-attach and own ephemerals', async () => {
    const { server } = await startServer(resources, { serverId: 200 });
    const { client, response } = await rawClient(server.port, 1000);
    // Java sees the id (0xc8 in the high byte) as a negative long.
    expect(response.sessionId).toBeLessThan(0n);
    expect(BigInt.asUintN(64, response.sessionId) >> 56n).toBe(200n);
    const created = await client.request('create', { path: '/mine', data: null, acl: [...OPEN].map(toWireAcl), flags: 1 });
    expect(created.header.err).toBe(Code.Ok);
    const again = await RawClient.connect(server.port, { sessionId: response.sessionId, passwd: response.passwd });
    resources.add(() => again.client.destroy());
    expect(again.response.sessionId).toBe(response.sessionId);
    const exists = await again.client.request('exists', { path: '/mine', watch: false });
    expect(exists.body?.stat.ephemeralOwner).toBe(response.sessionId);
  }, TEST_TIMEOUT_MS);

  it('answers pipelined requests in the order sent, each read seeing the writes sent before it', async () => {
    const { server } = await startServer(resources);
    const { client } = await rawClient(server.port, 1000);
    const acl = [...OPEN].map(toWireAcl);
    const answered: number[] = [];
    const track = <T extends { header: { xid: number } }>(reply: Promise<T>): Promise<T> => reply.then((settled) => {
      answered.push(settled.header.xid);
      return settled;
    });
    // Sent back to back, without waiting: reads (answered at once) between writes (answered on commit).
    const [created, firstRead, , secondRead, missing, , present] = await Promise.all([
      track(client.request('create', { path: '/pipelined', data: Buffer.from('one'), acl, flags: 0 })),
      track(client.request('getData', { path: '/pipelined', watch: false })),
      track(client.request('setData', { path: '/pipelined', data: Buffer.from('two'), version: -1 })),
      track(client.request('getData', { path: '/pipelined', watch: false })),
      track(client.request('exists', { path: '/later', watch: false })),
      track(client.request('create', { path: '/later', data: null, acl, flags: 0 })),
      track(client.request('exists', { path: '/later', watch: false })),
    ]);
    expect(answered).toEqual([...answered].sort((a, b) => a - b));
    expect(created.header.err).toBe(Code.Ok);
    expect(Buffer.from(firstRead.body?.data ?? []).toString()).toBe('one');
    expect(Buffer.from(secondRead.body?.data ?? []).toString()).toBe('two');
    expect(missing.header.err).toBe(Code.NoNode);
    expect(present.header.err).toBe(Code.Ok);
  }, TEST_TIMEOUT_MS);

  it('negotiates the timeout into [2, 20] ticks and refuses a wrong password', async () => {
    const { server } = await startServer(resources);
    expect((await rawClient(server.port, 1)).response.timeOut).toBe(2 * TICK_MS);
    expect((await rawClient(server.port, 1_000_000)).response.timeOut).toBe(20 * TICK_MS);
    const { response } = await rawClient(server.port, 1000);
    expect(response.timeOut).toBe(1000);
    const wrong = await RawClient.connect(server.port, { sessionId: response.sessionId, passwd: new Uint8Array(16).fill(7) });
    resources.add(() => wrong.client.destroy());
    expect(wrong.response.timeOut).toBe(0);
    const right = await RawClient.connect(server.port, { sessionId: response.sessionId, passwd: response.passwd });
    resources.add(() => right.client.destroy());
    expect(right.response.sessionId).toBe(response.sessionId);
    expect((await right.client.request('ping', null, -2)).header.err).toBe(Code.Ok);
  }, TEST_TIMEOUT_MS);
});

describe('watches', () => {
  it('fire once, for data, existence and children', async () => {
    const { server } = await startServer(resources);
    const client = await connectClient(resources, server.connectString);
    const writer = await connectClient(resources, server.connectString);
    const events: string[] = [];
    const record = (event: { getType(): number; getPath(): string }) => events.push(`${event.getType()} ${event.getPath()}`);
    await call(client, 'exists', '/w', record);
    await call(writer, 'create', '/w', Buffer.from('0'), OPEN, CreateMode.PERSISTENT);
    await waitFor('NodeCreated', () => events.length === 1);
    await call(client, 'getData', '/w', record);
    await call(client, 'getChildren', '/w', record);
    await call(writer, 'setData', '/w', Buffer.from('1'), -1);
    await call(writer, 'setData', '/w', Buffer.from('2'), -1);
    await call(writer, 'create', '/w/c', Buffer.alloc(0), OPEN, CreateMode.PERSISTENT);
    await call(writer, 'create', '/w/d', Buffer.alloc(0), OPEN, CreateMode.PERSISTENT);
    await call(client, 'getData', '/w'); // a round trip: every notification is in by now
    expect(events).toEqual([`${EventType.NodeCreated} /w`, `${EventType.NodeDataChanged} /w`, `${EventType.NodeChildrenChanged} /w`]);
  }, TEST_TIMEOUT_MS);

  it('are delivered before the reply of the write that fired them', async () => {
    const { server } = await startServer(resources);
    const { client } = await rawClient(server.port);
    await client.request('create', { path: '/n', data: null, acl: [...OPEN].map(toWireAcl), flags: 0 });
    await client.request('getData', { path: '/n', watch: true });
    const reply = client.request('setData', { path: '/n', data: new Uint8Array([1]), version: -1 });
    let notificationsAtReply = -1;
    await reply.then(() => {
      notificationsAtReply = client.notifications.length;
    });
    expect(notificationsAtReply).toBe(1);
    expect(client.notifications[0]).toMatchObject({ type: EventType.NodeDataChanged, path: '/n' });
  }, TEST_TIMEOUT_MS);

  it('setWatches re-registers watches and fires at once for changes past relativeZxid', async () => {
    const { server } = await startServer(resources);
    const { client } = await rawClient(server.port);
    const acl = [...OPEN].map(toWireAcl);
    await client.request('create', { path: '/same', data: null, acl, flags: 0 });
    const before = await client.request('create', { path: '/changed', data: null, acl, flags: 0 });
    await client.request('create', { path: '/exists', data: null, acl, flags: 0 });
    await client.request('setData', { path: '/changed', data: new Uint8Array([1]), version: -1 });
    const relativeZxid = before.header.zxid;
    const reply = await client.request('setWatches2', {
      relativeZxid, dataWatches: ['/same', '/changed', '/gone'], existWatches: ['/exists', '/later'], childWatches: ['/same'],
      persistentWatches: [], persistentRecursiveWatches: [],
    }, -8);
    expect(reply.header.err).toBe(Code.Ok);
    expect(client.notifications.map((event) => `${event.type} ${event.path}`)).toEqual([
      `${EventType.NodeDataChanged} /changed`, `${EventType.NodeDeleted} /gone`, `${EventType.NodeCreated} /exists`,
    ]);
    await client.request('create', { path: '/later', data: null, acl, flags: 0 });
    await client.request('setData', { path: '/same', data: null, version: -1 });
    await client.request('create', { path: '/same/kid', data: null, acl, flags: 0 });
    expect(client.notifications.slice(3).map((event) => `${event.type} ${event.path}`)).toEqual([
      `${EventType.NodeCreated} /later`, `${EventType.NodeDataChanged} /same`, `${EventType.NodeChildrenChanged} /same`,
    ]);
  }, TEST_TIMEOUT_MS);

  it('survive a reconnect of node-zookeeper-client (it re-sends them with setWatches)', async () => {
    const { server } = await startServer(resources);
    const client = await connectClient(resources, server.connectString);
    const writer = await connectClient(resources, server.connectString);
    await call(writer, 'create', '/r', Buffer.from('0'), OPEN, CreateMode.PERSISTENT);
    const events: number[] = [];
    await call(client, 'getData', '/r', (event: { getType(): number }) => events.push(event.getType()));
    const sessionId = client.getSessionId().readBigInt64BE(0);
    const reconnected = new Promise((resolve) => client.once('connected', resolve));
    [...server.server.connections].find((connection) => connection.sessionId === sessionId)?.close('test drops the connection');
    await reconnected;
    await call(writer, 'setData', '/r', Buffer.from('1'), -1);
    await waitFor('the watch to fire', () => events.length === 1);
    await call(writer, 'setData', '/r', Buffer.from('2'), -1);
    await call(client, 'exists', '/r');
    expect(events).toEqual([EventType.NodeDataChanged]);
  }, TEST_TIMEOUT_MS);
});

describe('operations only the raw client sends', () => {
  it('create2, containers, getChildren, check, sync, multiRead, and Unimplemented for TTL nodes', async () => {
    const { server } = await startServer(resources);
    const { client } = await rawClient(server.port);
    const acl = [...OPEN].map(toWireAcl);
    const created = await client.request('create2', { path: '/c2', data: new Uint8Array([9]), acl, flags: 0 });
    expect(created.body).toMatchObject({ path: '/c2', stat: { dataLength: 1, version: 0 } });
    const container = await client.request('createContainer', { path: '/box', data: null, acl, flags: 4 });
    expect(container.body?.stat.ephemeralOwner).toBe(-(2n ** 63n));
    await client.request('create', { path: '/box/item', data: null, acl, flags: 0 });
    expect((await client.request('getChildren', { path: '/', watch: false })).body?.children).toEqual(['box', 'c2']);
    expect((await client.request('check', { path: '/c2', version: 0 })).header.err).toBe(Code.Ok);
    expect((await client.request('check', { path: '/c2', version: 3 })).header.err).toBe(Code.BadVersion);
    const synced = await client.request('sync', { path: '/c2' });
    expect(synced.body).toEqual({ path: '/c2' });
    const read = await client.request('multiRead', { ops: [{ op: 'getData', request: { path: '/c2', watch: false } }, { op: 'getChildren', request: { path: '/nope', watch: false } }] });
    expect(read.body?.results.map((result) => result.op)).toEqual(['getData', 'error']);
    const ttl = await client.request('createTTL', { path: '/ttl', data: null, acl, flags: 5, ttl: 1000n });
    expect(ttl.header.err).toBe(Code.Unimplemented);
    const bad = await client.request('create', { path: 'no-slash', data: null, acl, flags: 0 });
    expect(bad.header.err).toBe(Code.BadArguments);
  }, TEST_TIMEOUT_MS);
});

describe('robustness', () => {
  it('a malformed or oversize frame closes only that connection, with a logged reason', async () => {
    const { server, logger } = await startServer(resources, { juteMaxBuffer: 4096 });
    const client = await connectClient(resources, server.connectString);
    await call(client, 'create', '/alive', Buffer.alloc(0), OPEN, CreateMode.PERSISTENT);

    const negative = await rawSocket(resources, server.port);
    negative.socket.write(Buffer.from([0xff, 0xff, 0xff, 0x00, 1, 2, 3]));
    await negative.closed;
    const oversize = await rawSocket(resources, server.port);
    const header = Buffer.alloc(4);
    header.writeInt32BE(4097);
    oversize.socket.write(header);
    await oversize.closed;
    const garbage = await rawSocket(resources, server.port);
    garbage.socket.write(Buffer.from([0, 0, 0, 3, 1, 2, 3]));
    await garbage.closed;
    const { client: raw } = await rawClient(server.port);
    const tooBig = raw.request('setData', { path: '/alive', data: new Uint8Array(5000), version: -1 });
    await expect(tooBig).rejects.toThrow(/closed/);

    const reasons = logger.named('ConnectionClosed').map((fields) => String(fields.reason));
    expect(reasons.some((reason) => /malformed frame: frame length -256 is negative/.test(reason))).toBe(true);
    expect(reasons.filter((reason) => /exceeds jute.maxbuffer 4096/.test(reason))).toHaveLength(2);
    expect(reasons.some((reason) => /malformed ConnectRequest/.test(reason))).toBe(true);
    expect(await call(client, 'exists', '/alive')).not.toBeNull();
  }, TEST_TIMEOUT_MS);

  it('a bad request body is answered with MarshallingError and the connection goes on', async () => {
    const { server } = await startServer(resources);
    const { client } = await rawClient(server.port);
    const frame = Buffer.from(encodeClientRequest({ kind: 'operation', op: 'getData', header: { xid: 5, type: 4 }, body: { path: '/', watch: false } }));
    const truncated = frame.subarray(0, frame.length - 3);
    truncated.writeInt32BE(truncated.length - 4);
    const reply = await client.requestRaw('getData', 5, truncated);
    expect(reply.header.err).toBe(Code.MarshallingError);
    expect((await client.request('exists', { path: '/', watch: false })).header.err).toBe(Code.Ok);
  }, TEST_TIMEOUT_MS);

  it('answers ruok, srvr, stat and mntr', async () => {
    const { server } = await startServer(resources);
    await connectClient(resources, server.connectString);
    const ask = async (word: string) => {
      const { socket, received, closed } = await rawSocket(resources, server.port);
      socket.write(word);
      await closed;
      return Buffer.concat(received).toString();
    };
    expect(await ask('ruok')).toBe('imok');
    expect(await ask('srvr')).toMatch(/^Zookeeper version: 3\.8\.4-zabstate[^\n]*\nLatency min\/avg\/max: \d+\/[\d.]+\/\d+\n[\s\S]*Mode: standalone\nNode count: 1\n$/);
    expect(await ask('stat')).toMatch(/Clients:\n \/127\.0\.0\.1:\d+\[1\]\(queued=0,recved=\d+,sent=\d+\)\n/);
    const mntr = await ask('mntr');
    expect(mntr).toMatch(/^zk_version\t3\.8\.4-zabstate/);
    expect(mntr).toContain('zk_server_state\tstandalone\n');
    expect(mntr).toContain('zk_znode_count\t1\n');
  }, TEST_TIMEOUT_MS);
});

describe('durability', () => {
  it('a restarted server has every acknowledged write, in a new epoch, from snapshots and the log', async () => {
    const first = await startServer(resources, { snapshotEveryTxns: 25 });
    const client = await connectClient(resources, first.server.connectString);
    await call(client, 'create', '/kept', Buffer.alloc(0), OPEN, CreateMode.PERSISTENT);
    await Promise.all(Array.from({ length: 60 }, (_, index) =>
      call(client, 'create', `/kept/n${index}`, Buffer.from(`v${index}`), OPEN, CreateMode.PERSISTENT)));
    await call(client, 'setData', '/kept/n7', Buffer.from('changed'), -1);
    await call(client, 'create', '/gone', Buffer.alloc(0), OPEN, CreateMode.EPHEMERAL);
    const digest = first.server.server.tree.digest;
    const lastZxid = first.server.server.lastProcessedZxid;
    client.close();
    await waitFor('the session to close', () => first.server.server.tree.getNode('/gone') === undefined);
    const treeBeforeStop = first.server.server.tree;
    await first.server.stop();
    expect(first.server.dataStore.snapshotsTaken).toBeGreaterThanOrEqual(1);

    const second = await startServer(resources, { dataDir: first.dataDir });
    expect(second.server.recovery.snapshot).not.toBeNull();
    // Whatever the snapshot covers, the log replays the rest (counted by zxid within epoch 1).
    const recovered = second.server.recovery;
    expect(BigInt(recovered.replayedTxnCount) + ((recovered.snapshot?.zxid ?? 0n) & 0xffffffffn)).toBe(recovered.lastZxid & 0xffffffffn);
    expect(second.server.recovery.lastZxid).toBeGreaterThan(lastZxid);
    expect(second.server.recovery.logTruncation).toBeNull();
    expect(second.server.server.tree.digest).toBe(treeBeforeStop.digest);
    expect(digest).not.toBe(treeBeforeStop.digest);
    const reader = await connectClient(resources, second.server.connectString);
    const [children] = await call(reader, 'getChildren', '/kept');
    expect(children).toHaveLength(60);
    const [data] = await call(reader, 'getData', '/kept/n7');
    expect(data.toString()).toBe('changed');
    expect(await call(reader, 'exists', '/gone')).toBeNull();
    const created = await call(reader, 'exists', '/kept');
    expect(created.czxid.readBigInt64BE(0) >> 32n).toBe(1n);
    await call(reader, 'create', '/epoch2', Buffer.alloc(0), OPEN, CreateMode.PERSISTENT);
    expect((await call(reader, 'exists', '/epoch2')).czxid.readBigInt64BE(0) >> 32n).toBe(2n);
  }, 20_000);
});

function toWireAcl(acl: { permission: number; id: { scheme: string; id: string } }) {
  return { perms: acl.permission, id: { scheme: acl.id.scheme, id: acl.id.id } };
}
