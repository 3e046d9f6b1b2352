import { describe, expect, it } from 'vitest';
import { Scenario } from '../support/Scenario.js';

describe('an elected leader and its quorum', () => {
  it('agree on a new epoch, synchronise and reach broadcast', () => {
    const s = new Scenario().elect(3, [1, 2, 3]).settle();
    expect([s.role(1), s.role(2), s.role(3)]).toEqual(['FOLLOWING.BROADCAST', 'FOLLOWING.BROADCAST', 'LEADING.BROADCAST']);
    expect(s.model.sids.map((i) => s.state.servers[i].currentEpoch)).toEqual([1, 1, 1]);
    expect(s.state.established[1]).toBe(1 << 3);
  });
});

describe('the leader crashes', () => {
  it('a new leader is elected in a higher epoch and no committed txn is lost', () => {
    const s = new Scenario().elect(3, [1, 2, 3]).settle().request(3, 2).settle();
    expect(s.delivered(1)).toEqual(['<1,1>=1', '<1,2>=2']);
    s.do('Crash', 3).elect(1, [1, 2]).settle();
    expect(s.role(1)).toBe('LEADING.BROADCAST');
    expect(s.state.servers[1].currentEpoch).toBe(2);
    expect(s.delivered(2)).toEqual(['<1,1>=1', '<1,2>=2']);
    s.request(1).settle();
    expect(s.delivered(2)).toEqual(['<1,1>=1', '<1,2>=2', '<2,1>=3']);
  });
});

describe('synchronisation', () => {
  it('a lagging follower is synced with DIFF carrying the txns it missed', () => {
    const s = new Scenario({ commitLogCount: 5 }).elect(3, [1, 2, 3]).settle();
    s.do('Disconnect', 1, 3).request(3, 2).settle();
    s.do('JoinLeader', 1, 3).settleAmong([1, 3]);
    expect(s.log).toContain('FollowerProcessDIFF(1, 3)');
    expect(s.delivered(1)).toEqual(['<1,1>=1', '<1,2>=2']);
  });

  it('a leader gives up when a follower is more up to date than itself', () => {
    const s = new Scenario().elect(3, [1, 2, 3]).settle().request(3);
    // Only follower 1 logs the proposal before the leader dies.
    s.do('FollowerProcessPROPOSAL', 1, 3).do('Crash', 3);
    expect(s.history(1)).toEqual(['<1,1>=1']);
    s.elect(2, [1, 2]).do('LeaderProcessCEPOCH', 2, 1).do('FollowerProcessNEWEPOCH', 1, 2);
    // 1 holds <1,1> which 2 lacks, in the same currentEpoch: 2 must not lead, as in ZooKeeper.
    s.do('LeaderProcessACKEPOCH', 2, 1);
    expect(s.role(2)).toBe('LOOKING');
    expect(s.role(1)).toBe('LOOKING');
  });

  it('a follower holding an uncommitted txn of a dead leader is sent TRUNC', () => {
    const s = new Scenario().elect(1, [1, 2, 3]).settle().request(1);
    // Only the leader logged <1,1>; it crashes, and 2 leads epoch 2 with 3.
    s.do('Crash', 1).elect(2, [2, 3]).settle();
    expect(s.role(2)).toBe('LEADING.BROADCAST');
    // 1 comes back with <1,1> in its log, currentEpoch 1: older than the leader's epoch 2.
    s.do('Restart', 1).do('JoinLeader', 1, 2).settle();
    expect(s.log).toContain('FollowerProcessTRUNC(1, 2)');
    expect(s.history(1)).toEqual([]);
    s.request(2).settle();
    expect(s.delivered(1)).toEqual(['<2,1>=2']);
  });

  it('a follower older than the leader retains sends SNAP', () => {
    const s = new Scenario({ commitLogCount: 1 }).elect(3, [2, 3]).settle().request(3, 2).settle();
    s.do('JoinLeader', 1, 3).settle();
    expect(s.log).toContain('FollowerProcessSNAP(1, 3)');
    expect(s.delivered(1)).toEqual(['<1,1>=1', '<1,2>=2']);
  });
});

describe('broadcast', () => {
  it('a txn commits only after a quorum of ACKs, the leader counting itself', () => {
    const s = new Scenario().elect(1, [1, 2, 3]).settle().request(1);
    expect(s.state.servers[1].lastCommitted).toBe(0);
    s.do('FollowerProcessPROPOSAL', 2, 1);
    expect(s.state.committedLog).toEqual([]);
    s.do('LeaderProcessACK', 1, 2);
    expect(s.delivered(1)).toEqual(['<1,1>=1']);
    expect(s.state.committedLog.length).toBe(1);
  });

  it('commits go out in zxid order even when a later txn is acked first', () => {
    const s = new Scenario().elect(1, [1, 2, 3]).settle().request(1, 2);
    s.do('FollowerProcessPROPOSAL', 2, 1).do('FollowerProcessPROPOSAL', 2, 1);
    // Both ACKs are queued from 2 in order; take the first only to see the second wait for it.
    s.do('LeaderProcessACK', 1, 2);
    expect(s.delivered(1)).toEqual(['<1,1>=1']);
    s.do('LeaderProcessACK', 1, 2);
    expect(s.delivered(1)).toEqual(['<1,1>=1', '<1,2>=2']);
    s.settle();
    expect(s.delivered(3)).toEqual(['<1,1>=1', '<1,2>=2']);
  });
});

describe('observers', () => {
  it('receive INFORM, never ACK, and do not count toward a quorum', () => {
    const s = new Scenario({ observers: 1 }).elect(1, [1, 2]).settle();
    s.do('JoinLeader', 4, 1).settle();
    expect(s.role(4)).toBe('OBSERVING.BROADCAST');
    s.do('Crash', 3).request(1).settle();
    expect(s.delivered(4)).toEqual(['<1,1>=1']);
    // No ACK ever travels from the observer.
    expect(s.log.filter((a) => a.startsWith('LeaderProcessACK(1, 4)'))).toEqual([]);
    expect(s.log).toContain('ObserverProcessINFORM(4, 1)');
  });

  it('a leader with one follower and one observer, of three voters, cannot commit', () => {
    const s = new Scenario({ observers: 1 }).elect(1, [1, 2, 3]).settle();
    s.do('JoinLeader', 4, 1).settle();
    s.do('Disconnect', 1, 2);
    // The leader now has voter 3 and observer 4: 2 of 3 voters, still a quorum.
    s.do('Disconnect', 1, 3);
    // Voter 1 alone with observer 4: it may still propose, but nothing commits, and it must step down.
    s.request(1).settle();
    expect(s.history(1)).toEqual(['<1,1>=1']);
    expect(s.state.committedLog).toEqual([]);
    expect(s.delivered(4)).toEqual([]);
    expect(s.enabledNames()).toContain('LeaderTimeout(1)');
    s.do('LeaderTimeout', 1);
    expect(s.role(1)).toBe('LOOKING');
    expect(s.role(4)).toBe('LOOKING');
  });

  it('an observer with a proposal in flight does not make it commit', () => {
    const s = new Scenario({ observers: 1 }).elect(1, [1, 2, 3]).settle();
    s.do('JoinLeader', 4, 1).settle().request(1);
    s.settle((a) => a.i === 4 || a.j === 4);
    expect(s.state.committedLog).toEqual([]);
  });
});

describe('discovery', () => {
  it('a follower offered an epoch lower than its acceptedEpoch goes back to LOOKING', () => {
    const s = new Scenario({ servers: 5 });
    // Twice, 4 leads {3, 4, 5} far enough that 4 and 5 accept a new epoch, then loses its quorum.
    for (const epoch of [1, 2]) {
      s.elect(4, [3, 4, 5]).do('LeaderProcessCEPOCH', 4, 5).do('LeaderProcessCEPOCH', 4, 3).do('FollowerProcessNEWEPOCH', 5, 4);
      expect(s.state.servers[5].acceptedEpoch).toBe(epoch);
      s.do('Disconnect', 4, 5).do('Disconnect', 3, 4).do('LeaderTimeout', 4);
    }
    // 1 leads {1, 2, 3}, none of which accepted anything: its new epoch is 1.
    s.elect(1, [1, 2, 3]).do('LeaderProcessCEPOCH', 1, 2).do('LeaderProcessCEPOCH', 1, 3);
    expect(s.state.servers[1].acceptedEpoch).toBe(1);
    // 5 joins late and is offered epoch 1 < its acceptedEpoch 2: it refuses and looks again.
    s.do('JoinLeader', 5, 1).do('LeaderProcessCEPOCH', 1, 5).do('FollowerProcessNEWEPOCH', 5, 1);
    expect(s.role(5)).toBe('LOOKING');
    expect(s.state.servers[5].acceptedEpoch).toBe(2);
    expect(s.state.servers[1].learners & (1 << 5)).toBe(0);
  });

  it('a follower offered exactly its acceptedEpoch accepts it, as ZooKeeper does', () => {
    const s = new Scenario();
    s.elect(2, [2, 3]).do('LeaderProcessCEPOCH', 2, 3).do('FollowerProcessNEWEPOCH', 3, 2);
    s.do('JoinLeader', 1, 2).do('LeaderProcessCEPOCH', 2, 1).do('FollowerProcessNEWEPOCH', 1, 2);
    expect(s.role(1)).toBe('FOLLOWING.SYNCHRONIZATION');
    expect(s.state.servers[1].acceptedEpoch).toBe(1);
  });
});
