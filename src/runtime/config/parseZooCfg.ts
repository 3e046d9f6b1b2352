/**
 * ZooKeeper's zoo.cfg (a Java properties file of `key=value` lines) and the `myid` file. Pure: the
 * caller reads the files. Unknown keys are kept in `extra` (ZooKeeper passes them on as system
 * properties); malformed values throw a ZooCfgError naming the line.
 */
export interface ServerSpec {
  readonly id: number;
  readonly host: string;
  readonly quorumPort: number;
  readonly electionPort: number;
  readonly role: 'participant' | 'observer';
  /** From `;[clientAddress:]clientPort`, when given. */
  readonly clientAddress: string | null;
  readonly clientPort: number | null;
}

export interface ZooCfg {
  readonly tickTime: number;
  readonly initLimit: number;
  readonly syncLimit: number;
  readonly dataDir: string;
  readonly dataLogDir: string;
  readonly clientPort: number | null;
  readonly clientPortAddress: string | null;
  readonly maxClientCnxns: number;
  readonly minSessionTimeout: number;
  readonly maxSessionTimeout: number;
  readonly juteMaxBuffer: number;
  /** By id, in id order. */
  readonly servers: readonly ServerSpec[];
  readonly extra: Readonly<Record<string, string>>;
}

export class ZooCfgError extends Error {
  constructor(readonly line: number, message: string) {
    super(line > 0 ? `zoo.cfg line ${line}: ${message}` : `zoo.cfg: ${message}`);
    this.name = 'ZooCfgError';
  }
}

const INTEGER_KEYS = ['tickTime', 'initLimit', 'syncLimit', 'clientPort', 'maxClientCnxns', 'minSessionTimeout', 'maxSessionTimeout', 'jute.maxbuffer'] as const;

export function parseZooCfg(text: string): ZooCfg {
  const values = new Map<string, { value: string; line: number }>();
  const servers: ServerSpec[] = [];
  const extra: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const line = lines[index].trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const separator = line.search(/[=:]/);
    if (separator <= 0) throw new ZooCfgError(lineNumber, `expected key=value, found "${line}"`);
    const key = line.slice(0, separator).trim();
    const value = line.slice(separator + 1).trim();
    if (/^server\.\d+$/.test(key)) {
      const spec = parseServerLine(Number(key.slice('server.'.length)), value, lineNumber);
      if (servers.some((server) => server.id === spec.id)) throw new ZooCfgError(lineNumber, `server.${spec.id} is defined twice`);
      servers.push(spec);
    } else if (key.startsWith('server.')) {
      throw new ZooCfgError(lineNumber, `"${key}": a server id must be a non-negative integer`);
    } else if ((INTEGER_KEYS as readonly string[]).includes(key) || ['dataDir', 'dataLogDir', 'clientPortAddress'].includes(key)) {
      values.set(key, { value, line: lineNumber });
    } else {
      extra[key] = value;
    }
  }
  return buildConfig(values, servers, extra);
}

function buildConfig(values: Map<string, { value: string; line: number }>, servers: ServerSpec[], extra: Record<string, string>): ZooCfg {
  const integer = (key: string, fallback: number | null, min: number, max = 0x7fff_ffff): number | null => {
    const entry = values.get(key);
    if (entry === undefined) return fallback;
    if (!/^-?\d+$/.test(entry.value)) throw new ZooCfgError(entry.line, `${key} must be an integer, found "${entry.value}"`);
    const parsed = Number(entry.value);
    if (parsed < min || parsed > max) throw new ZooCfgError(entry.line, `${key} must be in ${min}..${max}, found ${parsed}`);
    return parsed;
  };
  const tickTime = integer('tickTime', 3000, 1) as number;
  const dataDirEntry = values.get('dataDir');
  if (dataDirEntry === undefined || dataDirEntry.value === '') throw new ZooCfgError(0, 'dataDir is not set');
  const minSessionTimeout = integer('minSessionTimeout', 2 * tickTime, 0) as number;
  const maxSessionTimeout = integer('maxSessionTimeout', 20 * tickTime, 0) as number;
  if (minSessionTimeout > maxSessionTimeout) {
    throw new ZooCfgError(values.get('minSessionTimeout')?.line ?? values.get('maxSessionTimeout')?.line ?? 0,
      `minSessionTimeout ${minSessionTimeout} must not exceed maxSessionTimeout ${maxSessionTimeout}`);
  }
  const clientPort = integer('clientPort', null, 0, 65535);
  const participants = servers.filter((server) => server.role === 'participant');
  if (servers.length > 0 && participants.length === 0) throw new ZooCfgError(0, 'every server is an observer; a quorum needs participants');
  if (clientPort === null && servers.length === 0) throw new ZooCfgError(0, 'clientPort is not set');
  return {
    tickTime,
    initLimit: integer('initLimit', 10, 1) as number,
    syncLimit: integer('syncLimit', 5, 1) as number,
    dataDir: dataDirEntry.value,
    dataLogDir: values.get('dataLogDir')?.value || dataDirEntry.value,
    clientPort,
    clientPortAddress: values.get('clientPortAddress')?.value ?? null,
    maxClientCnxns: integer('maxClientCnxns', 60, 0) as number,
    minSessionTimeout,
    maxSessionTimeout,
    juteMaxBuffer: integer('jute.maxbuffer', 1_048_576, 1) as number,
    servers: [...servers].sort((a, b) => a.id - b.id),
    extra,
  };
}

/** `host:quorumPort:electionPort[:observer|:participant][;[clientAddress:]clientPort]` */
function parseServerLine(id: number, value: string, line: number): ServerSpec {
  if (!Number.isSafeInteger(id) || id > 255) throw new ZooCfgError(line, `server id ${id} must be in 0..255`);
  const [addressPart, clientPart, ...rest] = value.split(';');
  if (rest.length > 0) throw new ZooCfgError(line, `server.${id}: more than one ";" in "${value}"`);
  const { host, fields } = splitHost(addressPart.trim(), line, id);
  if (fields.length < 2 || fields.length > 3) {
    throw new ZooCfgError(line, `server.${id}: expected host:quorumPort:electionPort[:observer|:participant], found "${addressPart}"`);
  }
  const quorumPort = parsePort(fields[0], line, `server.${id} quorum port`);
  const electionPort = parsePort(fields[1], line, `server.${id} election port`);
  const roleText = fields[2] ?? 'participant';
  if (roleText !== 'participant' && roleText !== 'observer') throw new ZooCfgError(line, `server.${id}: unknown role "${roleText}"`);
  let clientAddress: string | null = null;
  let clientPort: number | null = null;
  if (clientPart !== undefined) {
    const client = clientPart.trim();
    const colon = client.lastIndexOf(':');
    if (colon >= 0) {
      clientAddress = client.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
      if (clientAddress === '') throw new ZooCfgError(line, `server.${id}: empty client address`);
    }
    clientPort = parsePort(client.slice(colon + 1), line, `server.${id} client port`);
  }
  return { id, host, quorumPort, electionPort, role: roleText, clientAddress, clientPort };
}

/** A host may be an [IPv6] literal; the rest splits on ":". */
function splitHost(text: string, line: number, id: number): { host: string; fields: string[] } {
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0 || text[end + 1] !== ':') throw new ZooCfgError(line, `server.${id}: bad IPv6 address in "${text}"`);
    return { host: text.slice(1, end), fields: text.slice(end + 2).split(':') };
  }
  const [host, ...fields] = text.split(':');
  if (host === '') throw new ZooCfgError(line, `server.${id}: empty host`);
  return { host, fields };
}

function parsePort(text: string, line: number, what: string): number {
  if (!/^\d+$/.test(text.trim())) throw new ZooCfgError(line, `${what} must be a port number, found "${text}"`);
  const port = Number(text.trim());
  if (port < 1 || port > 65535) throw new ZooCfgError(line, `${what} must be in 1..65535, found ${port}`);
  return port;
}

/** The `myid` file: one server id, optionally followed by whitespace. */
export function parseMyid(text: string): number {
  const trimmed = text.trim();
  if (!/^\d{1,3}$/.test(trimmed) || Number(trimmed) > 255) throw new Error(`myid: expected a server id in 0..255, found ${JSON.stringify(text.slice(0, 20))}`);
  return Number(trimmed);
}
