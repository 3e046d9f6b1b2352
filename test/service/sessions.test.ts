import { describe, expect, it } from 'vitest';
import { Code } from '../../src/service/Code.js';
import { CreateMode } from '../../src/service/CreateMode.js';
import { EventType } from '../../src/service/EventType.js';
import { OpCode } from '../../src/service/OpCode.js';
import { SessionTracker } from '../../src/service/SessionTracker.js';
import { Ensemble, create, setData, zxid } from './ensemble.js';

describe('sessions', () => {
  it('createSession goes through the log and every replica learns the session and its timeout', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession(30);
    expect(ensemble.log[0].txn).toMatchObject({ type: OpCode.createSession, timeOut: 30, sessionId: session });
    for (const replica of ensemble.replicas) expect(replica.sessions.get(session)).toBe(30);
  });

  it('session ids carry the server id in the high byte and are never reused', () => {
    let tracker = SessionTracker.initial(3);
    const first = tracker.createSession(10, 0);
    tracker = first.tracker;
    const second = tracker.createSession(10, 0);
    expect(first.sessionId >> 56n).toBe(3n);
    expect(second.sessionId).toBe(first.sessionId + 1n);
  });

  it('an ephemeral records its owner, and closing the session deletes it in the same txn', () => {
    const ensemble = new Ensemble();
    const owner = ensemble.openSession();
    const other = ensemble.openSession();
    ensemble.write(other, create('/locks'));
    ensemble.write(owner, create('/locks/a', '', CreateMode.EPHEMERAL));
    ensemble.write(owner, create('/locks/b-', '', CreateMode.EPHEMERAL_SEQUENTIAL));
    ensemble.write(other, create('/locks/c', '', CreateMode.EPHEMERAL));
    expect(ensemble.tree.getNode('/locks/a')?.stat.ephemeralOwner).toBe(owner);
    const closed = ensemble.write(owner, { type: OpCode.closeSession }); // zxid 7
    expect(closed.txn).toMatchObject({ type: OpCode.closeSession, paths2Delete: ['/locks/a', '/locks/b-0000000001'] });
    expect(ensemble.tree.getChildren('/locks')).toEqual(['c']);
    expect(ensemble.tree.getNode('/locks')?.stat).toMatchObject({ pzxid: zxid(7), cversion: 3, numChildren: 1 });
    expect(ensemble.tree.sessions.has(owner)).toBe(false);
    expect(ensemble.tree.digest).toBe(ensemble.tree.recomputeDigest());
  });

  it('requests of a closed session are refused with SessionExpired and never logged', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.write(session, { type: OpCode.closeSession });
    const logged = ensemble.log.length;
    expect(ensemble.write(session, create('/x')).err).toBe(Code.SessionExpired);
    expect(ensemble.write(session, { type: OpCode.closeSession }).err).toBe(Code.SessionExpired);
    expect(ensemble.log.length).toBe(logged);
  });

  it('an unknown session is refused with SessionExpired', () => {
    const ensemble = new Ensemble();
    expect(ensemble.write(12345n, create('/x')).err).toBe(Code.SessionExpired);
  });

  it('once its closeSession is prepped, a session is closing: later requests are refused before it commits', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.prep(session, { type: OpCode.closeSession });
    expect(ensemble.prep(session, create('/x'))).toBe(Code.SessionExpired);
  });

  it('a closeSession sees ephemerals whose creates are still outstanding', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    const pendingCreate = ensemble.prep(session, create('/e', '', CreateMode.EPHEMERAL));
    const close = ensemble.prep(session, { type: OpCode.closeSession });
    expect(close).toMatchObject({ paths2Delete: ['/e'] });
    if (typeof pendingCreate === 'number' || typeof close === 'number') throw new Error('both must be txns');
    ensemble.commit(pendingCreate);
    ensemble.commit(close);
    expect(ensemble.tree.getNode('/e')).toBeUndefined();
  });

  it('a session that is not heard from for its timeout expires; pings keep it alive', () => {
    const ensemble = new Ensemble();
    const quiet = ensemble.openSession(10);
    const chatty = ensemble.openSession(10);
    for (const now of [4, 8, 12]) {
      const touched = ensemble.tracker.touchSession(chatty, now);
      if (typeof touched === 'number') throw new Error('chatty must be alive');
      ensemble.tracker = touched;
    }
    expect(ensemble.tracker.expiredSessions(9)).toEqual([]);
    expect(ensemble.tracker.expiredSessions(10)).toEqual([quiet]);
    expect(ensemble.tracker.expiredSessions(22)).toEqual([quiet, chatty]);
  });

  it('expiry closes the session through the log: its ephemerals go and watchers hear NodeDeleted', () => {
    const ensemble = new Ensemble();
    const client = ensemble.openSession(5);
    const watcher = ensemble.openSession(100);
    ensemble.write(client, create('/alive', '', CreateMode.EPHEMERAL));
    ensemble.read(watcher, { type: OpCode.exists, path: '/alive', watch: true });
    ensemble.now = 5;
    const [expired] = ensemble.tracker.expiredSessions(ensemble.now);
    expect(expired).toBe(client);
    const outcome = ensemble.write(expired, { type: OpCode.closeSession });
    expect(outcome.events).toEqual([{ watcher, type: EventType.NodeDeleted, path: '/alive' }]);
    expect(ensemble.tracker.checkSession(client)).toBe(Code.SessionExpired);
    expect(ensemble.write(client, setData('/', 'x')).err).toBe(Code.SessionExpired);
  });

  it('a new leader tracks the sessions of its tree, each with a fresh timeout', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession(10);
    const tracker = SessionTracker.fromTree(ensemble.tree, 2, 100);
    expect(tracker.checkSession(session)).toBe(Code.Ok);
    expect(tracker.expiredSessions(109)).toEqual([]);
    expect(tracker.expiredSessions(110)).toEqual([session]);
    expect(tracker.createSession(10, 100).sessionId).not.toBe(session);
  });
});
