/**
 * Jute records of the ZooKeeper client protocol, field for field as zookeeper.jute declares them
 * (modules org.apache.zookeeper.data and org.apache.zookeeper.proto). Every jute `long` is a signed
 * 64-bit bigint; every `buffer` is a Uint8Array or null (-1); ustrings a record cannot do without
 * (paths, schemes, child names) decode -1 as a 'nullField' error.
 */
import type { JuteReader } from './juteReader.js';
import type { JuteWriter } from './juteWriter.js';

/** A record's reader and writer side by side, plus the fewest bytes its encoding can take. */
export interface RecordCodec<T> {
  readonly name: string;
  readonly minByteCount: number;
  read(reader: JuteReader, field: string): T;
  write(writer: JuteWriter, value: T): void;
}

// ---- org.apache.zookeeper.data ----

export interface Id {
  scheme: string;
  id: string;
}
export interface ACL {
  perms: number;
  id: Id;
}
export interface Stat {
  czxid: bigint;
  mzxid: bigint;
  ctime: bigint;
  mtime: bigint;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: bigint;
}

export const IdCodec: RecordCodec<Id> = {
  name: 'Id',
  minByteCount: 8,
  read: (r, f) => ({ scheme: r.readRequiredUstring(`${f}.scheme`), id: r.readRequiredUstring(`${f}.id`) }),
  write: (w, v) => void w.writeUstring(v.scheme).writeUstring(v.id),
};

export const ACLCodec: RecordCodec<ACL> = {
  name: 'ACL',
  minByteCount: 4 + IdCodec.minByteCount,
  read: (r, f) => ({ perms: r.readInt(`${f}.perms`), id: IdCodec.read(r, `${f}.id`) }),
  write: (w, v) => {
    w.writeInt(v.perms, 'ACL.perms');
    IdCodec.write(w, v.id);
  },
};

export const StatCodec: RecordCodec<Stat> = {
  name: 'Stat',
  minByteCount: 8 * 4 + 4 * 3 + 8 + 4 * 2 + 8,
  read: (r, f) => ({
    czxid: r.readLong(`${f}.czxid`),
    mzxid: r.readLong(`${f}.mzxid`),
    ctime: r.readLong(`${f}.ctime`),
    mtime: r.readLong(`${f}.mtime`),
    version: r.readInt(`${f}.version`),
    cversion: r.readInt(`${f}.cversion`),
    aversion: r.readInt(`${f}.aversion`),
    ephemeralOwner: r.readLong(`${f}.ephemeralOwner`),
    dataLength: r.readInt(`${f}.dataLength`),
    numChildren: r.readInt(`${f}.numChildren`),
    pzxid: r.readLong(`${f}.pzxid`),
  }),
  write: (w, v) => {
    w.writeLong(v.czxid, 'Stat.czxid').writeLong(v.mzxid, 'Stat.mzxid');
    w.writeLong(v.ctime, 'Stat.ctime').writeLong(v.mtime, 'Stat.mtime');
    w.writeInt(v.version, 'Stat.version').writeInt(v.cversion, 'Stat.cversion').writeInt(v.aversion, 'Stat.aversion');
    w.writeLong(v.ephemeralOwner, 'Stat.ephemeralOwner');
    w.writeInt(v.dataLength, 'Stat.dataLength').writeInt(v.numChildren, 'Stat.numChildren');
    w.writeLong(v.pzxid, 'Stat.pzxid');
  },
};

function readAclList(r: JuteReader, f: string): ACL[] {
  return r.readRequiredVector(f, ACLCodec.minByteCount, (reader, ef) => ACLCodec.read(reader, ef));
}
function writeAclList(w: JuteWriter, acl: readonly ACL[]): void {
  w.writeVector(acl, (writer, a) => ACLCodec.write(writer, a));
}
function readPathList(r: JuteReader, f: string): string[] {
  return r.readRequiredVector(f, 4, (reader, ef) => reader.readRequiredUstring(ef));
}
function writePathList(w: JuteWriter, paths: readonly string[]): void {
  w.writeVector(paths, (writer, p) => void writer.writeUstring(p));
}

// ---- session establishment ----

export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: bigint;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array | null;
  /**
   * The trailing boolean 3.3+ clients append (not in zookeeper.jute; the server reads it separately).
   * null: the client did not send it (an "old client", e.g. node-zookeeper-client); the server must
   * then also leave readOnly out of its ConnectResponse.
   */
  readOnly: boolean | null;
}

export const ConnectRequestCodec: RecordCodec<ConnectRequest> = {
  name: 'ConnectRequest',
  minByteCount: 4 + 8 + 4 + 8 + 4,
  read: (r, f) => ({
    protocolVersion: r.readInt(`${f}.protocolVersion`),
    lastZxidSeen: r.readLong(`${f}.lastZxidSeen`),
    timeOut: r.readInt(`${f}.timeOut`),
    sessionId: r.readLong(`${f}.sessionId`),
    passwd: r.readBuffer(`${f}.passwd`),
    readOnly: r.remainingByteCount > 0 ? r.readBool(`${f}.readOnly`) : null,
  }),
  write: (w, v) => {
    w.writeInt(v.protocolVersion, 'ConnectRequest.protocolVersion').writeLong(v.lastZxidSeen, 'lastZxidSeen');
    w.writeInt(v.timeOut, 'ConnectRequest.timeOut').writeLong(v.sessionId, 'sessionId').writeBuffer(v.passwd);
    if (v.readOnly !== null) w.writeBool(v.readOnly);
  },
};

export interface ConnectResponse {
  protocolVersion: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Uint8Array | null;
  /** null: left off the wire, as the server does when the client sent no readOnly flag. */
  readOnly: boolean | null;
}

export const ConnectResponseCodec: RecordCodec<ConnectResponse> = {
  name: 'ConnectResponse',
  minByteCount: 4 + 4 + 8 + 4,
  read: (r, f) => ({
    protocolVersion: r.readInt(`${f}.protocolVersion`),
    timeOut: r.readInt(`${f}.timeOut`),
    sessionId: r.readLong(`${f}.sessionId`),
    passwd: r.readBuffer(`${f}.passwd`),
    readOnly: r.remainingByteCount > 0 ? r.readBool(`${f}.readOnly`) : null,
  }),
  write: (w, v) => {
    w.writeInt(v.protocolVersion, 'ConnectResponse.protocolVersion').writeInt(v.timeOut, 'ConnectResponse.timeOut');
    w.writeLong(v.sessionId, 'ConnectResponse.sessionId').writeBuffer(v.passwd);
    if (v.readOnly !== null) w.writeBool(v.readOnly);
  },
};

// ---- headers ----

export interface RequestHeader {
  xid: number;
  type: number;
}
export const RequestHeaderCodec: RecordCodec<RequestHeader> = {
  name: 'RequestHeader',
  minByteCount: 8,
  read: (r, f) => ({ xid: r.readInt(`${f}.xid`), type: r.readInt(`${f}.type`) }),
  write: (w, v) => void w.writeInt(v.xid, 'RequestHeader.xid').writeInt(v.type, 'RequestHeader.type'),
};

export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}
export const ReplyHeaderCodec: RecordCodec<ReplyHeader> = {
  name: 'ReplyHeader',
  minByteCount: 16,
  read: (r, f) => ({ xid: r.readInt(`${f}.xid`), zxid: r.readLong(`${f}.zxid`), err: r.readInt(`${f}.err`) }),
  write: (w, v) => void w.writeInt(v.xid, 'ReplyHeader.xid').writeLong(v.zxid, 'ReplyHeader.zxid').writeInt(v.err, 'ReplyHeader.err'),
};

export interface MultiHeader {
  type: number;
  done: boolean;
  err: number;
}
export const MultiHeaderCodec: RecordCodec<MultiHeader> = {
  name: 'MultiHeader',
  minByteCount: 9,
  read: (r, f) => ({ type: r.readInt(`${f}.type`), done: r.readBool(`${f}.done`), err: r.readInt(`${f}.err`) }),
  write: (w, v) => void w.writeInt(v.type, 'MultiHeader.type').writeBool(v.done).writeInt(v.err, 'MultiHeader.err'),
};

// ---- requests ----

export interface CreateRequest {
  path: string;
  data: Uint8Array | null;
  acl: ACL[];
  flags: number;
}
export const CreateRequestCodec: RecordCodec<CreateRequest> = {
  name: 'CreateRequest',
  minByteCount: 4 + 4 + 4 + 4,
  read: (r, f) => ({
    path: r.readRequiredUstring(`${f}.path`),
    data: r.readBuffer(`${f}.data`),
    acl: readAclList(r, `${f}.acl`),
    flags: r.readInt(`${f}.flags`),
  }),
  write: (w, v) => {
    w.writeUstring(v.path).writeBuffer(v.data);
    writeAclList(w, v.acl);
    w.writeInt(v.flags, 'CreateRequest.flags');
  },
};

export interface CreateTTLRequest extends CreateRequest {
  ttl: bigint;
}
export const CreateTTLRequestCodec: RecordCodec<CreateTTLRequest> = {
  name: 'CreateTTLRequest',
  minByteCount: CreateRequestCodec.minByteCount + 8,
  read: (r, f) => ({ ...CreateRequestCodec.read(r, f), ttl: r.readLong(`${f}.ttl`) }),
  write: (w, v) => {
    CreateRequestCodec.write(w, v);
    w.writeLong(v.ttl, 'CreateTTLRequest.ttl');
  },
};

/** DeleteRequest and CheckVersionRequest: path + version. */
export interface PathVersionRequest {
  path: string;
  version: number;
}
function pathVersionCodec(name: string): RecordCodec<PathVersionRequest> {
  return {
    name,
    minByteCount: 8,
    read: (r, f) => ({ path: r.readRequiredUstring(`${f}.path`), version: r.readInt(`${f}.version`) }),
    write: (w, v) => void w.writeUstring(v.path).writeInt(v.version, `${name}.version`),
  };
}
export type DeleteRequest = PathVersionRequest;
export type CheckVersionRequest = PathVersionRequest;
export const DeleteRequestCodec = pathVersionCodec('DeleteRequest');
export const CheckVersionRequestCodec = pathVersionCodec('CheckVersionRequest');

/** ExistsRequest, GetDataRequest, GetChildrenRequest, GetChildren2Request: path + watch. */
export interface PathWatchRequest {
  path: string;
  watch: boolean;
}
function pathWatchCodec(name: string): RecordCodec<PathWatchRequest> {
  return {
    name,
    minByteCount: 5,
    read: (r, f) => ({ path: r.readRequiredUstring(`${f}.path`), watch: r.readBool(`${f}.watch`) }),
    write: (w, v) => void w.writeUstring(v.path).writeBool(v.watch),
  };
}
export type ExistsRequest = PathWatchRequest;
export type GetDataRequest = PathWatchRequest;
export type GetChildrenRequest = PathWatchRequest;
export type GetChildren2Request = PathWatchRequest;
export const ExistsRequestCodec = pathWatchCodec('ExistsRequest');
export const GetDataRequestCodec = pathWatchCodec('GetDataRequest');
export const GetChildrenRequestCodec = pathWatchCodec('GetChildrenRequest');
export const GetChildren2RequestCodec = pathWatchCodec('GetChildren2Request');

/** GetACLRequest, SyncRequest (and SyncResponse, CreateResponse): a single path. */
export interface PathRecord {
  path: string;
}
function pathCodec(name: string): RecordCodec<PathRecord> {
  return {
    name,
    minByteCount: 4,
    read: (r, f) => ({ path: r.readRequiredUstring(`${f}.path`) }),
    write: (w, v) => void w.writeUstring(v.path),
  };
}
export type GetACLRequest = PathRecord;
export type SyncRequest = PathRecord;
export type SyncResponse = PathRecord;
export type CreateResponse = PathRecord;
export const GetACLRequestCodec = pathCodec('GetACLRequest');
export const SyncRequestCodec = pathCodec('SyncRequest');
export const SyncResponseCodec = pathCodec('SyncResponse');
export const CreateResponseCodec = pathCodec('CreateResponse');

export interface SetDataRequest {
  path: string;
  data: Uint8Array | null;
  version: number;
}
export const SetDataRequestCodec: RecordCodec<SetDataRequest> = {
  name: 'SetDataRequest',
  minByteCount: 12,
  read: (r, f) => ({
    path: r.readRequiredUstring(`${f}.path`),
    data: r.readBuffer(`${f}.data`),
    version: r.readInt(`${f}.version`),
  }),
  write: (w, v) => void w.writeUstring(v.path).writeBuffer(v.data).writeInt(v.version, 'SetDataRequest.version'),
};

export interface SetACLRequest {
  path: string;
  acl: ACL[];
  version: number;
}
export const SetACLRequestCodec: RecordCodec<SetACLRequest> = {
  name: 'SetACLRequest',
  minByteCount: 12,
  read: (r, f) => ({ path: r.readRequiredUstring(`${f}.path`), acl: readAclList(r, `${f}.acl`), version: r.readInt(`${f}.version`) }),
  write: (w, v) => {
    w.writeUstring(v.path);
    writeAclList(w, v.acl);
    w.writeInt(v.version, 'SetACLRequest.version');
  },
};

export interface SetWatches {
  relativeZxid: bigint;
  dataWatches: string[];
  existWatches: string[];
  childWatches: string[];
}
export const SetWatchesCodec: RecordCodec<SetWatches> = {
  name: 'SetWatches',
  minByteCount: 8 + 3 * 4,
  read: (r, f) => ({
    relativeZxid: r.readLong(`${f}.relativeZxid`),
    dataWatches: readPathList(r, `${f}.dataWatches`),
    existWatches: readPathList(r, `${f}.existWatches`),
    childWatches: readPathList(r, `${f}.childWatches`),
  }),
  write: (w, v) => {
    w.writeLong(v.relativeZxid, 'SetWatches.relativeZxid');
    writePathList(w, v.dataWatches);
    writePathList(w, v.existWatches);
    writePathList(w, v.childWatches);
  },
};

export interface SetWatches2 extends SetWatches {
  persistentWatches: string[];
  persistentRecursiveWatches: string[];
}
export const SetWatches2Codec: RecordCodec<SetWatches2> = {
  name: 'SetWatches2',
  minByteCount: SetWatchesCodec.minByteCount + 2 * 4,
  read: (r, f) => ({
    ...SetWatchesCodec.read(r, f),
    persistentWatches: readPathList(r, `${f}.persistentWatches`),
    persistentRecursiveWatches: readPathList(r, `${f}.persistentRecursiveWatches`),
  }),
  write: (w, v) => {
    SetWatchesCodec.write(w, v);
    writePathList(w, v.persistentWatches);
    writePathList(w, v.persistentRecursiveWatches);
  },
};

export interface AuthPacket {
  type: number;
  scheme: string;
  auth: Uint8Array | null;
}
export const AuthPacketCodec: RecordCodec<AuthPacket> = {
  name: 'AuthPacket',
  minByteCount: 12,
  read: (r, f) => ({ type: r.readInt(`${f}.type`), scheme: r.readRequiredUstring(`${f}.scheme`), auth: r.readBuffer(`${f}.auth`) }),
  write: (w, v) => void w.writeInt(v.type, 'AuthPacket.type').writeUstring(v.scheme).writeBuffer(v.auth),
};

export interface AddWatchRequest {
  path: string;
  mode: number;
}
export const AddWatchRequestCodec: RecordCodec<AddWatchRequest> = {
  name: 'AddWatchRequest',
  minByteCount: 8,
  read: (r, f) => ({ path: r.readRequiredUstring(`${f}.path`), mode: r.readInt(`${f}.mode`) }),
  write: (w, v) => void w.writeUstring(v.path).writeInt(v.mode, 'AddWatchRequest.mode'),
};

// ---- responses ----

export interface Create2Response {
  path: string;
  stat: Stat;
}
export const Create2ResponseCodec: RecordCodec<Create2Response> = {
  name: 'Create2Response',
  minByteCount: 4 + StatCodec.minByteCount,
  read: (r, f) => ({ path: r.readRequiredUstring(`${f}.path`), stat: StatCodec.read(r, `${f}.stat`) }),
  write: (w, v) => {
    w.writeUstring(v.path);
    StatCodec.write(w, v.stat);
  },
};

/** ExistsResponse, SetDataResponse, SetACLResponse: a single Stat. */
export interface StatResponse {
  stat: Stat;
}
function statResponseCodec(name: string): RecordCodec<StatResponse> {
  return {
    name,
    minByteCount: StatCodec.minByteCount,
    read: (r, f) => ({ stat: StatCodec.read(r, `${f}.stat`) }),
    write: (w, v) => StatCodec.write(w, v.stat),
  };
}
export type ExistsResponse = StatResponse;
export type SetDataResponse = StatResponse;
export type SetACLResponse = StatResponse;
export const ExistsResponseCodec = statResponseCodec('ExistsResponse');
export const SetDataResponseCodec = statResponseCodec('SetDataResponse');
export const SetACLResponseCodec = statResponseCodec('SetACLResponse');

export interface GetDataResponse {
  data: Uint8Array | null;
  stat: Stat;
}
export const GetDataResponseCodec: RecordCodec<GetDataResponse> = {
  name: 'GetDataResponse',
  minByteCount: 4 + StatCodec.minByteCount,
  read: (r, f) => ({ data: r.readBuffer(`${f}.data`), stat: StatCodec.read(r, `${f}.stat`) }),
  write: (w, v) => {
    w.writeBuffer(v.data);
    StatCodec.write(w, v.stat);
  },
};

export interface GetChildrenResponse {
  children: string[];
}
export const GetChildrenResponseCodec: RecordCodec<GetChildrenResponse> = {
  name: 'GetChildrenResponse',
  minByteCount: 4,
  read: (r, f) => ({ children: readPathList(r, `${f}.children`) }),
  write: (w, v) => writePathList(w, v.children),
};

export interface GetChildren2Response {
  children: string[];
  stat: Stat;
}
export const GetChildren2ResponseCodec: RecordCodec<GetChildren2Response> = {
  name: 'GetChildren2Response',
  minByteCount: 4 + StatCodec.minByteCount,
  read: (r, f) => ({ children: readPathList(r, `${f}.children`), stat: StatCodec.read(r, `${f}.stat`) }),
  write: (w, v) => {
    writePathList(w, v.children);
    StatCodec.write(w, v.stat);
  },
};

export interface GetACLResponse {
  acl: ACL[];
  stat: Stat;
}
export const GetACLResponseCodec: RecordCodec<GetACLResponse> = {
  name: 'GetACLResponse',
  minByteCount: 4 + StatCodec.minByteCount,
  read: (r, f) => ({ acl: readAclList(r, `${f}.acl`), stat: StatCodec.read(r, `${f}.stat`) }),
  write: (w, v) => {
    writeAclList(w, v.acl);
    StatCodec.write(w, v.stat);
  },
};

export interface ErrorResponse {
  err: number;
}
export const ErrorResponseCodec: RecordCodec<ErrorResponse> = {
  name: 'ErrorResponse',
  minByteCount: 4,
  read: (r, f) => ({ err: r.readInt(`${f}.err`) }),
  write: (w, v) => void w.writeInt(v.err, 'ErrorResponse.err'),
};

export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}
export const WatcherEventCodec: RecordCodec<WatcherEvent> = {
  name: 'WatcherEvent',
  minByteCount: 12,
  read: (r, f) => ({ type: r.readInt(`${f}.type`), state: r.readInt(`${f}.state`), path: r.readRequiredUstring(`${f}.path`) }),
  write: (w, v) => void w.writeInt(v.type, 'WatcherEvent.type').writeInt(v.state, 'WatcherEvent.state').writeUstring(v.path),
};
