import { Code } from './Code.js';
import type { DataTree } from './DataTree.js';
import { PersistentIdMap } from './PersistentIdMap.js';

/** A session as the leader tracks it. Invariant: timeout > 0 and expiresAt = last touch + timeout. */
export interface TrackedSession {
  readonly timeout: number;
  /** The tick at which the session expires unless touched before. */
  readonly expiresAt: number;
  /** Set once a closeSession has been prepped: the session accepts no more requests. */
  readonly closing: boolean;
}

/**
 * The leader's SessionTrackerImpl, in ticks: every request or ping from a session pushes its expiry
 * to now + timeout, and a session not heard from for its timeout expires (the leader then proposes
 * its closeSession). Immutable. ZooKeeper rounds expiries up to tick buckets; here ticks are already
 * the unit, so a session expires exactly at expiresAt.
 */
export class SessionTracker {
  private constructor(
    readonly sessions: PersistentIdMap<TrackedSession>,
    /** The id the next createSession gets: the server id in the high byte, as ZooKeeper does. */
    readonly nextSessionId: bigint,
  ) {}

  static initial(serverId: number): SessionTracker {
    if (!Number.isInteger(serverId) || serverId < 0 || serverId > 255) {
      throw new Error(`SessionTracker.initial: serverId must be an integer in 0..255, got ${serverId}`);
    }
    return new SessionTracker(PersistentIdMap.empty(), (BigInt(serverId) << 56n) + 1n);
  }

  /** A new leader tracks every session of the tree it leads with, each with a full timeout from now. */
  static fromTree(tree: DataTree, serverId: number, now: number): SessionTracker {
    let tracker = SessionTracker.initial(serverId);
    for (const [sessionId, timeout] of tree.sessions) tracker = tracker.track(sessionId, timeout, now);
    const highest = [...tree.sessions.keys()].reduce((max, id) => (id > max ? id : max), 0n);
    const nextSessionId = highest >= tracker.nextSessionId ? highest + 1n : tracker.nextSessionId;
    return new SessionTracker(tracker.sessions, nextSessionId);
  }

  /** Allocates an id and starts tracking it; the caller then preps a createSession request for it. */
  createSession(timeout: number, now: number): { tracker: SessionTracker; sessionId: bigint } {
    const sessionId = this.nextSessionId;
    const tracked = this.track(sessionId, timeout, now);
    return { tracker: new SessionTracker(tracked.sessions, sessionId + 1n), sessionId };
  }

  /** Starts (or restarts) tracking a session with a full timeout from now. */
  track(sessionId: bigint, timeout: number, now: number): SessionTracker {
    if (!(timeout > 0)) throw new Error(`SessionTracker.track: timeout must be positive, got ${timeout}`);
    return this.withSession(sessionId, { timeout, expiresAt: now + timeout, closing: false });
  }

  /** A request or ping: SessionExpired for an unknown or closing session, else a later expiry. */
  touchSession(sessionId: bigint, now: number): SessionTracker | typeof Code.SessionExpired {
    const session = this.sessions.get(sessionId);
    if (session === undefined || session.closing) return Code.SessionExpired;
    // Most touches come within the tick of the previous one: nothing to copy then.
    if (session.expiresAt === now + session.timeout) return this;
    return this.withSession(sessionId, { ...session, expiresAt: now + session.timeout });
  }

  /** ZooKeeper's checkSession: Ok for a live session, SessionExpired for an unknown or closing one. */
  checkSession(sessionId: bigint): typeof Code.Ok | typeof Code.SessionExpired {
    const session = this.sessions.get(sessionId);
    return session === undefined || session.closing ? Code.SessionExpired : Code.Ok;
  }

  setSessionClosing(sessionId: bigint): SessionTracker {
    const session = this.sessions.get(sessionId);
    if (session === undefined) return this;
    return this.withSession(sessionId, { ...session, closing: true });
  }

  /** Forgets a session once its closeSession is committed. */
  removeSession(sessionId: bigint): SessionTracker {
    return new SessionTracker(this.sessions.delete(sessionId), this.nextSessionId);
  }

  /** Live sessions whose expiry has come, in id order; each needs a closeSession proposal. */
  expiredSessions(now: number): bigint[] {
    const expired: bigint[] = [];
    for (const [sessionId, session] of this.sessions) {
      if (!session.closing && now >= session.expiresAt) expired.push(sessionId);
    }
    return expired.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private withSession(sessionId: bigint, session: TrackedSession): SessionTracker {
    return new SessionTracker(this.sessions.set(sessionId, session), this.nextSessionId);
  }
}
