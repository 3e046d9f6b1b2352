import { describe, expect, it } from 'vitest';
import {
  RUOK_RESPONSE,
  detectFourLetterWord,
  formatMntr,
  formatNotInWhitelist,
  formatSrvr,
  formatStat,
  isFourLetterWordEnabled,
  javaDoubleToString,
  type ServerStatValues,
} from '../../src/wire/fourLetterWords.js';
import { fromHex } from './fastCheckParameters.js';

const ascii = (word: string): Uint8Array => new TextEncoder().encode(word);

const standalone: ServerStatValues = {
  version: '3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c, built on 2024-02-12 22:16 UTC',
  readOnly: false,
  latencyMinMs: 0,
  latencyAvgMs: 0.5,
  latencyMaxMs: 3,
  packetsReceived: 12,
  packetsSent: 11,
  connections: 1,
  outstanding: 0,
  lastProcessedZxid: 0x1_0000_0004n,
  mode: 'standalone',
  nodeCount: 5,
};

describe('four-letter words', () => {
  it('detects the supported words, knows the others ZooKeeper answers, and leaves the rest as lengths', () => {
    for (const word of ['ruok', 'srvr', 'stat', 'mntr']) {
      expect(detectFourLetterWord(ascii(word))).toEqual({ kind: 'supported', command: word });
    }
    expect(detectFourLetterWord(ascii('cons'))).toEqual({ kind: 'unsupported', command: 'cons' });
    expect(detectFourLetterWord(fromHex('fff4fffd'))).toEqual({ kind: 'telnetClose' });
    expect(detectFourLetterWord(ascii('RUOK'))).toBeNull();
    expect(detectFourLetterWord(fromHex('0000002c'))).toBeNull();
  });

  it('applies the whitelist as ZooKeeper does: srvr always, * for all', () => {
    expect(isFourLetterWordEnabled('srvr', [])).toBe(true);
    expect(isFourLetterWordEnabled('ruok', [])).toBe(false);
    expect(isFourLetterWordEnabled('ruok', ['ruok'])).toBe(true);
    expect(isFourLetterWordEnabled('mntr', ['*'])).toBe(true);
    expect(formatNotInWhitelist('mntr')).toBe('mntr is not executed because it is not in the whitelist.\n');
    expect(RUOK_RESPONSE).toBe('imok');
  });

  it('formats srvr as ZooKeeper 3.8 prints it', () => {
    expect(formatSrvr(standalone)).toBe(
      'Zookeeper version: 3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c, built on 2024-02-12 22:16 UTC\n' +
        'Latency min/avg/max: 0/0.5/3\n' +
        'Received: 12\n' +
        'Sent: 11\n' +
        'Connections: 1\n' +
        'Outstanding: 0\n' +
        'Zxid: 0x100000004\n' +
        'Mode: standalone\n' +
        'Node count: 5\n',
    );
  });

  it('formats stat with the client list, and a leader with its proposal sizes', () => {
    const leader = { ...standalone, mode: 'leader', latencyAvgMs: 0, proposalSizes: { last: -1, min: -1, max: -1 } };
    const clients = [{ remoteAddress: '/127.0.0.1:50412', interestOps: 1, queued: 0, received: 3, sent: 2 }];
    expect(formatStat(leader, clients)).toBe(
      'Zookeeper version: 3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c, built on 2024-02-12 22:16 UTC\n' +
        'Clients:\n' +
        ' /127.0.0.1:50412[1](queued=0,recved=3,sent=2)\n' +
        '\n' +
        'Latency min/avg/max: 0/0.0/3\n' +
        'Received: 12\n' +
        'Sent: 11\n' +
        'Connections: 1\n' +
        'Outstanding: 0\n' +
        'Zxid: 0x100000004\n' +
        'Mode: leader\n' +
        'Node count: 5\n' +
        'Proposal sizes last/min/max: -1/-1/-1\n',
    );
    expect(formatSrvr({ ...standalone, readOnly: true, mode: 'read-only' })).toContain('\nREAD-ONLY mode; serving only read-only clients\nLatency');
  });

  it('formats mntr as zk_<key> TAB value lines', () => {
    expect(formatMntr({ version: standalone.version, server_state: 'follower', avg_latency: 0.1234, max_latency: 3, packets_received: 12n, approximate_data_size: '27' })).toBe(
      `zk_version\t${standalone.version}\nzk_server_state\tfollower\nzk_avg_latency\t0.1234\nzk_max_latency\t3\nzk_packets_received\t12\nzk_approximate_data_size\t27\n`,
    );
  });

  it('prints doubles the way Java does', () => {
    expect(javaDoubleToString(0)).toBe('0.0');
    expect(javaDoubleToString(2)).toBe('2.0');
    expect(javaDoubleToString(0.3333)).toBe('0.3333');
    expect(javaDoubleToString(1e7)).toBe('1.0E7');
    expect(javaDoubleToString(1.5e-4)).toBe('1.5E-4');
    expect(javaDoubleToString(Number.NaN)).toBe('NaN');
  });
});
