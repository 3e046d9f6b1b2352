import { describe, expect, it } from 'vitest';
import { Scenario } from '../support/Scenario.js';
import { isBetterVote } from '../../src/protocol/vote.js';

const vote = (leader: number, epoch: number, counter: number, peerEpoch: number) => ({ leader, zxid: { epoch, counter }, peerEpoch });

describe('votes are ordered by (peerEpoch, zxid, sid)', () => {
  it('a higher peerEpoch wins over a higher zxid and a higher sid', () => {
    expect(isBetterVote(vote(1, 1, 1, 2), vote(3, 1, 9, 1))).toBe(true);
  });
  it('with equal epochs the higher zxid wins, then the higher sid', () => {
    expect(isBetterVote(vote(1, 1, 2, 1), vote(3, 1, 1, 1))).toBe(true);
    expect(isBetterVote(vote(3, 1, 1, 1), vote(2, 1, 1, 1))).toBe(true);
    expect(isBetterVote(vote(2, 1, 1, 1), vote(2, 1, 1, 1))).toBe(false);
  });
});

describe('fast leader election', () => {
  it('three servers start: the highest sid (all else equal) is elected and all reach broadcast', () => {
    const s = new Scenario({ election: 'FLE' }).settle();
    expect([s.role(1), s.role(2), s.role(3)]).toEqual(['FOLLOWING.BROADCAST', 'FOLLOWING.BROADCAST', 'LEADING.BROADCAST']);
    expect(s.state.servers[1].vote.leader).toBe(3);
    expect(s.log.filter((a) => a.startsWith('FLEDecide'))).toHaveLength(3);
  });

  it('after the leader dies, the server with the most recent history wins even against a higher sid', () => {
    const s = new Scenario({ election: 'FLE' }).settle().request(3);
    // Only server 1 logs the proposal before leader 3 crashes: 1 has the higher zxid, 2 the higher sid.
    s.do('FollowerProcessPROPOSAL', 1, 3).do('Crash', 3);
    expect([s.role(1), s.role(2)]).toEqual(['LOOKING', 'LOOKING']);
    s.settle();
    expect(s.role(1)).toBe('LEADING.BROADCAST');
    expect(s.role(2)).toBe('FOLLOWING.BROADCAST');
    expect(s.state.servers[1].currentEpoch).toBe(2);
    // The new leader's log, committed at establishment, reaches the follower.
    expect(s.delivered(2)).toEqual(['<1,1>=1']);
  });

  it('a restarted server joins the established leader through the votes of those out of the election', () => {
    const s = new Scenario({ election: 'FLE' }).settle().do('Crash', 1).do('Restart', 1).settle();
    expect(s.log).toContain('FLEFollowEstablished(1)');
    expect(s.role(1)).toBe('FOLLOWING.BROADCAST');
    expect(s.state.servers[1].leader).toBe(3);
  });

  it('an older round is answered with the current vote, and a newer round resets the tally', () => {
    const s = new Scenario({ election: 'FLE' }).settle();
    // Leader 3 crashes: 1 and 2 look again in round 2. 3 restarts in round 1 (its clock is volatile).
    s.do('Crash', 3);
    expect([s.state.servers[1].round, s.state.servers[2].round]).toEqual([2, 2]);
    s.do('Restart', 3);
    expect(s.state.servers[3].round).toBe(1);
    while (s.channel(3, 1)[0]?.type === 'NOTIFICATION' && (s.channel(3, 1)[0] as { round: number }).round === 1) {
      s.do('FLEReceiveNOTIFICATION', 1, 3);
    }
    // 1 answered the stale round with its own round-2 vote.
    const answer = s.channel(1, 3).at(-1);
    expect(answer?.type === 'NOTIFICATION' && answer.round).toBe(2);
    while (s.channel(1, 3).length > 0) s.do('FLEReceiveNOTIFICATION', 3, 1);
    expect(s.state.servers[3].round).toBe(2);
    expect(s.state.servers[3].recvVotes[1]).not.toBeNull();
  });

  it('a learner that decided for a server which is not leading is refused and looks again', () => {
    const s = new Scenario({ election: 'FLE' });
    // 1 hears 2 and 3 vote for 3 and decides to follow 3 before 3 has decided anything.
    s.do('FLEReceiveNOTIFICATION', 1, 3).do('FLEReceiveNOTIFICATION', 2, 3).do('FLEReceiveNOTIFICATION', 1, 2).do('FLEDecide', 1);
    expect(s.role(1)).toBe('FOLLOWING.DISCOVERY');
    expect(s.channel(1, 3).at(-1)?.type).toBe('CEPOCH');
    // 3 is still LOOKING; its notifications from 1 come first, then the CEPOCH: 3 may refuse it.
    while (s.channel(1, 3)[0]?.type === 'NOTIFICATION') s.do('FLEReceiveNOTIFICATION', 3, 1);
    expect(s.role(3)).toBe('LOOKING');
    s.do('RefuseCEPOCH', 3, 1);
    expect(s.role(1)).toBe('LOOKING');
    expect(s.state.servers[1].round).toBe(2);
  });
});
