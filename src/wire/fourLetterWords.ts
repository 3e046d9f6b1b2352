/**
 * Four-letter words: ZooKeeper reads the first 4 bytes of a connection as a frame length, and if
 * that int spells a command it knows, it answers the command in plain text and closes. A 4-byte
 * word it does not know stays a length (almost always above jute.maxbuffer: the connection closes).
 * Detection and text formatting only: writing the text and closing is the runtime's job.
 */

/** The words zabstate answers. */
export type SupportedFourLetterWord = 'ruok' | 'srvr' | 'stat' | 'mntr';
const SUPPORTED: readonly SupportedFourLetterWord[] = ['ruok', 'srvr', 'stat', 'mntr'];

/** Words ZooKeeper (3.8, plus icfg/sysp from later releases) knows but zabstate does not answer. */
const KNOWN_UNSUPPORTED: readonly string[] = [
  'conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'gtmk', 'hash', 'icfg', 'isro',
  'srst', 'stmk', 'sysp', 'wchc', 'wchp', 'wchs',
];

/** The bytes telnet sends when it closes (IAC DO TIMING-MARK...); ZooKeeper closes silently. */
const TELNET_CLOSE = 0xfff4fffd | 0;

export type FourLetterWordDetection =
  | { kind: 'supported'; command: SupportedFourLetterWord }
  /** ZooKeeper knows it; zabstate answers it like a word left out of 4lw.commands.whitelist. */
  | { kind: 'unsupported'; command: string }
  /** Close without writing anything. */
  | { kind: 'telnetClose' };

/** Classifies the first 4 bytes of a connection; null means they are a frame length. */
export function detectFourLetterWord(firstBytes: Uint8Array): FourLetterWordDetection | null {
  if (firstBytes.byteLength < 4) {
    throw new RangeError(`detectFourLetterWord needs 4 bytes, got ${firstBytes.byteLength}`);
  }
  const asInt = new DataView(firstBytes.buffer, firstBytes.byteOffset, 4).getInt32(0, false);
  if (asInt === TELNET_CLOSE) return { kind: 'telnetClose' };
  const word = String.fromCharCode(firstBytes[0], firstBytes[1], firstBytes[2], firstBytes[3]);
  const supported = SUPPORTED.find((candidate) => candidate === word);
  if (supported !== undefined) return { kind: 'supported', command: supported };
  if (KNOWN_UNSUPPORTED.includes(word)) return { kind: 'unsupported', command: word };
  return null;
}

/**
 * ZooKeeper's 4lw.commands.whitelist: "*" enables all; srvr is always enabled (zkServer.sh needs it).
 * ZooKeeper's default whitelist is just srvr.
 */
export function isFourLetterWordEnabled(command: string, whitelist: readonly string[]): boolean {
  if (command === 'srvr') return true;
  return whitelist.includes('*') || whitelist.includes(command);
}

export const RUOK_RESPONSE = 'imok';
export const NOT_SERVING_RESPONSE = 'This ZooKeeper instance is not currently serving requests\n';

export function formatNotInWhitelist(command: string): string {
  return `${command} is not executed because it is not in the whitelist.\n`;
}

/** One line of `stat`'s client list (ServerCnxn.dumpConnectionInfo, brief form). */
export interface ConnectionSummary {
  /** As Java prints an InetSocketAddress: "/127.0.0.1:54321". */
  remoteAddress: string;
  /** NIO interest ops (1 = read, 4 = write, 5 = both; 0 while throttled). */
  interestOps: number;
  queued: number;
  received: number;
  sent: number;
}

export interface ServerStatValues {
  /** Version.getFullVersion(), e.g. "3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c, built on 2024-02-12 22:16 UTC". */
  version: string;
  /** A read-only server prints an extra line. */
  readOnly: boolean;
  latencyMinMs: number;
  /** Printed as a Java double ("0.0", "1.25"). */
  latencyAvgMs: number;
  latencyMaxMs: number;
  packetsReceived: number;
  packetsSent: number;
  connections: number;
  outstanding: number;
  lastProcessedZxid: bigint;
  /** "leader", "follower", "observer", "standalone" or "read-only". */
  mode: string;
  nodeCount: number;
  /** Printed only when mode is "leader" (ZooKeeper prints -1/-1/-1 before the first proposal). */
  proposalSizes?: { last: number; min: number; max: number };
}

/** `srvr`: StatCommand without the client list. */
export function formatSrvr(values: ServerStatValues): string {
  return formatServerStat(values, null);
}

/** `stat`: StatCommand with the client list. */
export function formatStat(values: ServerStatValues, clients: readonly ConnectionSummary[]): string {
  return formatServerStat(values, clients);
}

function formatServerStat(values: ServerStatValues, clients: readonly ConnectionSummary[] | null): string {
  const lines: string[] = [`Zookeeper version: ${values.version}\n`];
  if (values.readOnly) lines.push('READ-ONLY mode; serving only read-only clients\n');
  if (clients !== null) {
    lines.push('Clients:\n');
    for (const client of clients) lines.push(`${formatConnectionSummary(client)}\n`);
    lines.push('\n');
  }
  lines.push(
    `Latency min/avg/max: ${javaLong(values.latencyMinMs)}/${javaDoubleToString(values.latencyAvgMs)}/${javaLong(values.latencyMaxMs)}\n`,
    `Received: ${javaLong(values.packetsReceived)}\n`,
    `Sent: ${javaLong(values.packetsSent)}\n`,
    `Connections: ${javaLong(values.connections)}\n`,
    `Outstanding: ${javaLong(values.outstanding)}\n`,
    `Zxid: 0x${javaLongToHexString(values.lastProcessedZxid)}\n`,
    `Mode: ${values.mode}\n`,
    `Node count: ${javaLong(values.nodeCount)}\n`,
  );
  if (values.mode === 'leader' && values.proposalSizes !== undefined) {
    const sizes = values.proposalSizes;
    lines.push(`Proposal sizes last/min/max: ${sizes.last}/${sizes.min}/${sizes.max}\n`);
  }
  return lines.join('');
}

export function formatConnectionSummary(client: ConnectionSummary): string {
  const ops = client.interestOps === 0 ? '0' : (client.interestOps >>> 0).toString(16);
  return ` ${client.remoteAddress}[${ops}](queued=${client.queued},recved=${client.received},sent=${client.sent})`;
}

/**
 * `mntr`: one "zk_<key>\t<value>" line per entry, in the object's order. ZooKeeper 3.8 starts with
 * version and server_state, then its metrics. Integers print as integers; other numbers as Java
 * doubles; pass a string to print a double that happens to be integral ("1.0").
 */
export type MntrValue = number | bigint | string | null;
export function formatMntr(values: Readonly<Record<string, MntrValue>>): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    lines.push(`zk_${key}\t${formatMntrValue(value)}\n`);
  }
  return lines.join('');
}

function formatMntrValue(value: MntrValue): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint' || typeof value === 'string') return String(value);
  return Number.isInteger(value) ? String(value) : javaDoubleToString(value);
}

function javaLong(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`expected an integer, got ${value}`);
  return String(value);
}

/** Long.toHexString: the unsigned 64-bit hex of a signed long. */
export function javaLongToHexString(value: bigint): string {
  return BigInt.asUintN(64, value).toString(16);
}

/** Double.toString for finite and special values: "0.0", "1.25", "1.0E7", "1.0E-4", "NaN". */
export function javaDoubleToString(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split('e');
  const javaMantissa = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${javaMantissa}E${exponent.startsWith('+') ? exponent.slice(1) : exponent}`;
}
