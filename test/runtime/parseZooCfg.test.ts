import { describe, expect, it } from 'vitest';
import { parseMyid, parseZooCfg, ZooCfgError } from '../../src/runtime/config/parseZooCfg.js';

const ENSEMBLE = `# a three-server ensemble with an observer
tickTime=2000
initLimit=10
syncLimit=5
dataDir=/var/lib/zookeeper
dataLogDir=/var/log/zookeeper
clientPort=2181
maxClientCnxns=100
jute.maxbuffer=2097152
server.1=zoo1:2888:3888
server.2=zoo2:2888:3888:participant;2182
server.3=[::1]:2889:3889;127.0.0.1:2183
server.4=zoo4:2888:3888:observer
autopurge.snapRetainCount=3
`;

describe('parseZooCfg', () => {
  it('reads every key of an ensemble configuration', () => {
    const cfg = parseZooCfg(ENSEMBLE);
    expect(cfg).toMatchObject({
      tickTime: 2000, initLimit: 10, syncLimit: 5, dataDir: '/var/lib/zookeeper', dataLogDir: '/var/log/zookeeper',
      clientPort: 2181, clientPortAddress: null, maxClientCnxns: 100, minSessionTimeout: 4000, maxSessionTimeout: 40000,
      juteMaxBuffer: 2097152, extra: { 'autopurge.snapRetainCount': '3' },
    });
    expect(cfg.servers).toEqual([
      { id: 1, host: 'zoo1', quorumPort: 2888, electionPort: 3888, role: 'participant', clientAddress: null, clientPort: null },
      { id: 2, host: 'zoo2', quorumPort: 2888, electionPort: 3888, role: 'participant', clientAddress: null, clientPort: 2182 },
      { id: 3, host: '::1', quorumPort: 2889, electionPort: 3889, role: 'participant', clientAddress: '127.0.0.1', clientPort: 2183 },
      { id: 4, host: 'zoo4', quorumPort: 2888, electionPort: 3888, role: 'observer', clientAddress: null, clientPort: null },
    ]);
  });

  it('uses ZooKeeper defaults: session timeouts from tickTime, dataLogDir = dataDir', () => {
    const cfg = parseZooCfg('tickTime=100\ndataDir=/d\nclientPort=2181\nclientPortAddress=127.0.0.1\nminSessionTimeout=300\n');
    expect(cfg).toMatchObject({ dataLogDir: '/d', minSessionTimeout: 300, maxSessionTimeout: 2000, maxClientCnxns: 60, juteMaxBuffer: 1048576, clientPortAddress: '127.0.0.1' });
  });

  it.each([
    ['dataDir=/d\nclientPort=x\n', /line 2: clientPort must be an integer/],
    ['dataDir=/d\nclientPort=70000\n', /line 2: clientPort must be in 0\.\.65535/],
    ['clientPort=2181\n', /dataDir is not set/],
    ['dataDir=/d\n', /clientPort is not set/],
    ['dataDir=/d\nclientPort=1\nserver.1=h:2888\n', /line 3: server\.1: expected host:quorumPort:electionPort/],
    ['dataDir=/d\nserver.1=h:2888:3888:leader\n', /line 2: server\.1: unknown role "leader"/],
    ['dataDir=/d\nserver.1=h:2888:3888\nserver.1=g:2888:3888\n', /line 3: server\.1 is defined twice/],
    ['dataDir=/d\nserver.x=h:2888:3888\n', /line 2: "server\.x"/],
    ['dataDir=/d\nserver.1=h:0:3888\n', /line 2: server\.1 quorum port must be in 1\.\.65535/],
    ['dataDir=/d\nserver.1=h:2888:3888;abc\n', /line 2: server\.1 client port must be a port number/],
    ['dataDir=/d\nserver.1=h:2888:3888:observer\n', /every server is an observer/],
    ['dataDir=/d\nclientPort=1\nminSessionTimeout=5000\nmaxSessionTimeout=4000\n', /line 3: minSessionTimeout 5000 must not exceed/],
    ['dataDir=/d\nclientPort=1\njunk\n', /line 3: expected key=value/],
  ])('refuses %j', (text, message) => {
    expect(() => parseZooCfg(text)).toThrow(ZooCfgError);
    expect(() => parseZooCfg(text)).toThrow(message);
  });
});

describe('parseMyid', () => {
  it('reads an id and refuses anything else', () => {
    expect(parseMyid('3\n')).toBe(3);
    expect(() => parseMyid('three')).toThrow(/myid/);
    expect(() => parseMyid('256')).toThrow(/0\.\.255/);
  });
});
