/**
 * Random bytes and mutated valid frames sent to a running server: each connection either gets
 * answers or is closed, the server never stops, and another client's session is unaffected.
 * Replay with ZABSTATE_SEED=<seed>.
 */
import fc from 'fast-check';
import { afterEach, expect, it } from 'vitest';
import { encodeClientRequest } from '../../src/wire/index.js';
import { runs, testSeed } from '../support/seed.js';
import { call, connectClient, rawSocket, Resources, startServer, zookeeper } from './serverFixtures.js';

const resources = new Resources();
afterEach(() => resources.closeAll());

const CONNECT = Buffer.from(encodeClientRequest({
  kind: 'connect', request: { protocolVersion: 0, lastZxidSeen: 0n, timeOut: 2000, sessionId: 0n, passwd: new Uint8Array(16), readOnly: false },
}));
const CREATE = Buffer.from(encodeClientRequest({
  kind: 'operation', op: 'create', header: { xid: 1, type: 1 }, body: { path: '/fuzz', data: new Uint8Array([1, 2]), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], flags: 0 },
}));

it('survives random and mutated input on other connections', async () => {
  const { server } = await startServer(resources, { juteMaxBuffer: 65536 });
  const bystander = await connectClient(resources, server.connectString);
  await call(bystander, 'create', '/bystander', Buffer.alloc(0), zookeeper.ACL.OPEN_ACL_UNSAFE, zookeeper.CreateMode.PERSISTENT);
  const input = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 200 }),
    fc.tuple(fc.nat(CONNECT.length + CREATE.length - 1), fc.integer({ min: 1, max: 255 }), fc.boolean()).map(([at, xor, withConnect]) => {
      const bytes = Buffer.concat(withConnect ? [CONNECT, CREATE] : [CREATE, CONNECT]);
      bytes[at] ^= xor;
      return new Uint8Array(bytes);
    }),
  );
  await fc.assert(
    fc.asyncProperty(input, async (bytes) => {
      const { socket, closed } = await rawSocket(resources, server.port);
      socket.write(bytes);
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 20))]);
      socket.destroy();
      await closed;
    }),
    { seed: testSeed(), numRuns: runs(60, 1000) },
  );
  expect(await call(bystander, 'exists', '/bystander')).not.toBeNull();
  const [children] = await call(bystander, 'getChildren', '/');
  expect(children).toContain('bystander');
}, 30_000);
