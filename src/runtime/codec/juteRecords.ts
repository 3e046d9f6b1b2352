/**
 * ZooKeeper's jute records that zabstate writes in binary: a txn as its TxnHeader and txn record (what
 * the log keeps and a PROPOSAL carries), a write request as its RequestHeader and request record (what
 * a learner forwards), and their ACLs and ids. Shared by the peer frames (binaryPeerFrames.ts) and the
 * log (logRecord.ts).
 *
 * The writers throw Unfit for a value the binary form cannot carry exactly (a field of the wrong
 * type, a number out of its range, an extra field): the caller then keeps the value as text, so a
 * record decodes to what was encoded. The readers read with FrameReader: every length is checked
 * against the bytes left before anything is allocated, and a malformed record throws an Error.
 */
import { OpCode } from '../../service/OpCode.js';
import type { ACL, Id, MultiOp, SubTxn, Txn, WriteRequest } from '../../service/index.js';
import { FrameReader } from './FrameReader.js';
import { FrameWriter } from './FrameWriter.js';
import { fromJavaLong, toJavaLong } from './javaLong.js';

/** Thrown by the writers when a value does not fit the binary form; the callers catch it. */
class Unfit extends Error {}

const scratch = new FrameWriter();

/**
 * A txn alone (TxnHeader then its record), as the log keeps it: a copy, or null when the txn has a
 * shape the binary form does not hold (the caller writes tagged JSON instead).
 */
export function encodeBinaryTxn(txn: Txn): Buffer | null {
  const known = recentBinaryTxn(txn);
  if (known !== undefined) return known;
  let bytes: Buffer | null;
  try {
    const writer = scratch.reset();
    writeTxn(writer, txn);
    bytes = writer.take();
  } catch {
    bytes = null;
  }
  rememberBinaryTxn(txn, bytes);
  return bytes;
}

/**
 * Reads a txn (as readTxn) and keeps a copy of its bytes for encodeBinaryTxn: a learner decodes a
 * txn from a PROPOSAL and logs it right after, and need not encode it again.
 */
export function readTxnKeepingBytes(reader: FrameReader): Txn {
  const start = reader.position;
  const txn = readTxn(reader);
  rememberBinaryTxn(txn, reader.copyFrom(start));
  return txn;
}

/**
 * The binary form of the last RECENT_TXNS txns encoded or decoded (null: it does not fit), by
 * identity: a leader logs a txn and then writes it into a PROPOSAL, a learner decodes one and then
 * logs it, and each is encoded once. Txns are never changed once made. A small ring, not a WeakMap:
 * the leader keeps txns until a snapshot covers them, and so would a WeakMap keep their bytes. It
 * holds a leader's proposals of one turn (their sends run after the turn's log appends); a miss
 * only costs encoding again.
 */
const RECENT_TXNS = 128;
const recentTxns: (Txn | undefined)[] = new Array<Txn | undefined>(RECENT_TXNS).fill(undefined);
const recentTxnBytes: (Buffer | null)[] = new Array<Buffer | null>(RECENT_TXNS).fill(null);
let newestTxn = 0;

function recentBinaryTxn(txn: Txn): Buffer | null | undefined {
  for (let back = 0, slot = newestTxn; back < RECENT_TXNS; back++, slot = slot === 0 ? RECENT_TXNS - 1 : slot - 1) {
    if (recentTxns[slot] === txn) return recentTxnBytes[slot];
  }
  return undefined;
}

function rememberBinaryTxn(txn: Txn, bytes: Buffer | null): void {
  newestTxn = newestTxn === RECENT_TXNS - 1 ? 0 : newestTxn + 1;
  recentTxns[newestTxn] = txn;
  recentTxnBytes[newestTxn] = bytes;
}

/** The txn encodeBinaryTxn wrote at `start` of `bytes`, which it must fill exactly; throws an Error naming what is wrong. */
export function decodeBinaryTxn(bytes: Buffer, start: number): Txn {
  const reader = new FrameReader(bytes, start);
  const txn = readTxn(reader);
  reader.expectEnd();
  return txn;
}


/** TxnHeader (sessionId, cxid, type) then the txn record, as ZooKeeper logs a txn. */
export function writeTxn(writer: FrameWriter, txn: Txn): void {
  if (!isRecord(txn)) throw new Unfit();
  writer.writeLong(toJavaLong(txn.sessionId)).writeInt(txn.cxid);
  switch (txn.type) {
    case OpCode.multi:
      expectFields(txn, 4);
      writer.writeInt(txn.type);
      writer.writeVector(txn.txns, writeSubTxn);
      return;
    case OpCode.setACL:
      expectFields(txn, 6);
      writer.writeInt(txn.type);
      writer.writeUstring(txn.path);
      writeAcl(writer, txn.acl);
      writer.writeInt(txn.version);
      return;
    case OpCode.createSession:
      expectFields(txn, 4);
      writer.writeInt(txn.type).writeInt(txn.timeOut);
      return;
    case OpCode.closeSession:
      expectFields(txn, 4);
      writer.writeInt(txn.type);
      writer.writeVector(txn.paths2Delete, (w, path: string) => void w.writeUstring(path));
      return;
    default:
      writeSubTxnBody(writer, txn, 2);
  }
}

function writeSubTxn(writer: FrameWriter, txn: SubTxn): void {
  if (!isRecord(txn)) throw new Unfit();
  writeSubTxnBody(writer, txn, 0);
}

/** A txn that may sit in a multi; `headerFields` counts the TxnHeader fields beside it (0 in a multi). */
function writeSubTxnBody(writer: FrameWriter, txn: SubTxn, headerFields: number): void {
  switch (txn.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      expectFields(txn, headerFields + 6);
      writer.writeInt(txn.type).writeUstring(txn.path);
      writer.writeBuffer(txn.data);
      writeAcl(writer, txn.acl);
      writer.writeBool(txn.ephemeral).writeInt(txn.parentCVersion);
      return;
    case OpCode.delete:
      expectFields(txn, headerFields + 2);
      writer.writeInt(txn.type).writeUstring(txn.path);
      return;
    case OpCode.setData:
      expectFields(txn, headerFields + 4);
      writer.writeInt(txn.type).writeUstring(txn.path);
      writer.writeBuffer(txn.data).writeInt(txn.version);
      return;
    case OpCode.check:
      expectFields(txn, headerFields + 3);
      writer.writeInt(txn.type).writeUstring(txn.path).writeInt(txn.version);
      return;
    case OpCode.error:
      expectFields(txn, headerFields + 2);
      writer.writeInt(txn.type).writeInt(txn.err);
      return;
    default:
      throw new Unfit();
  }
}

/** RequestHeader (sessionId, cxid, authInfo, type) then the request record. */
export function writeRequest(writer: FrameWriter, request: WriteRequest): void {
  if (!isRecord(request)) throw new Unfit();
  writer.writeLong(toJavaLong(request.sessionId)).writeInt(request.cxid);
  writer.writeVector(request.authInfo, writeId);
  switch (request.type) {
    case OpCode.multi:
      expectFields(request, 5);
      writer.writeInt(request.type);
      writer.writeVector(request.ops, writeMultiOp);
      return;
    case OpCode.setACL:
      expectFields(request, 7);
      writer.writeInt(request.type).writeUstring(request.path);
      writeAcl(writer, request.acl);
      writer.writeInt(request.version);
      return;
    case OpCode.createSession:
      expectFields(request, 5);
      writer.writeInt(request.type).writeInt(request.timeOut);
      return;
    case OpCode.closeSession:
      expectFields(request, 4);
      writer.writeInt(request.type);
      return;
    default:
      writeMultiOpBody(writer, request, 3);
  }
}

function writeMultiOp(writer: FrameWriter, op: MultiOp): void {
  if (!isRecord(op)) throw new Unfit();
  writeMultiOpBody(writer, op, 0);
}

function writeMultiOpBody(writer: FrameWriter, op: MultiOp, headerFields: number): void {
  switch (op.type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      expectFields(op, headerFields + 5);
      writer.writeInt(op.type).writeUstring(op.path);
      writer.writeBuffer(op.data);
      writeAcl(writer, op.acl);
      writer.writeInt(op.flags);
      return;
    case OpCode.delete:
    case OpCode.check:
      expectFields(op, headerFields + 3);
      writer.writeInt(op.type).writeUstring(op.path).writeInt(op.version);
      return;
    case OpCode.setData:
      expectFields(op, headerFields + 4);
      writer.writeInt(op.type).writeUstring(op.path);
      writer.writeBuffer(op.data).writeInt(op.version);
      return;
    default:
      throw new Unfit();
  }
}

function writeAcl(writer: FrameWriter, acl: readonly ACL[]): void {
  writer.writeVector(acl, (w, entry: ACL) => {
    if (!isRecord(entry) || fieldCount(entry) !== 2) throw new Unfit();
    w.writeInt(entry.perms);
    writeId(w, entry.id);
  });
}

function writeId(writer: FrameWriter, id: Id): void {
  if (!isRecord(id) || fieldCount(id) !== 2) throw new Unfit();
  writer.writeUstring(id.scheme).writeUstring(id.id);
}

export function isRecord(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** Defined own fields: JSON leaves undefined ones out, and so does the binary form. */
function fieldCount(value: object): number {
  const keys = Object.keys(value);
  let count = keys.length;
  for (const key of keys) if ((value as Record<string, unknown>)[key] === undefined) count--;
  return count;
}

export function expectFields(value: object, count: number): void {
  if (fieldCount(value) !== count) throw new Unfit();
}


/** Bytes of the smallest element of each vector: a type, a count, a length, an ACL (perms, two lengths). */
const TYPE_BYTES = 4;
const LENGTH_BYTES = 4;
const ACL_BYTES_MIN = 4 + 2 * LENGTH_BYTES;

export function readTxn(reader: FrameReader): Txn {
  const sessionId = fromJavaLong(reader.readLong('txn.sessionId'));
  const cxid = reader.readInt('txn.cxid');
  const type = reader.readInt('txn.type');
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return {
        sessionId, cxid, type, path: reader.readUstring('txn.path'), data: reader.readBuffer('txn.data'), acl: readAcl(reader, 'txn.acl'),
        ephemeral: reader.readBool('txn.ephemeral'), parentCVersion: reader.readInt('txn.parentCVersion'),
      };
    case OpCode.delete:
      return { sessionId, cxid, type, path: reader.readUstring('txn.path') };
    case OpCode.setData:
      return { sessionId, cxid, type, path: reader.readUstring('txn.path'), data: reader.readBuffer('txn.data'), version: reader.readInt('txn.version') };
    case OpCode.check:
      return { sessionId, cxid, type, path: reader.readUstring('txn.path'), version: reader.readInt('txn.version') };
    case OpCode.error:
      return { sessionId, cxid, type, err: reader.readInt('txn.err') };
    case OpCode.setACL:
      return { sessionId, cxid, type, path: reader.readUstring('txn.path'), acl: readAcl(reader, 'txn.acl'), version: reader.readInt('txn.version') };
    case OpCode.multi: {
      const txns: SubTxn[] = [];
      for (let left = reader.readCount('txn.txns', TYPE_BYTES); left > 0; left--) txns.push(readSubTxn(reader));
      return { sessionId, cxid, type, txns };
    }
    case OpCode.createSession:
      return { sessionId, cxid, type, timeOut: reader.readInt('txn.timeOut') };
    case OpCode.closeSession: {
      const paths2Delete: string[] = [];
      for (let left = reader.readCount('txn.paths2Delete', LENGTH_BYTES); left > 0; left--) paths2Delete.push(reader.readUstring('txn.paths2Delete[]'));
      return { sessionId, cxid, type, paths2Delete };
    }
    default:
      throw new Error(`txn.type: ${type} is not a txn type`);
  }
}

function readSubTxn(reader: FrameReader): SubTxn {
  const type = reader.readInt('txn.txns[].type');
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return {
        type, path: reader.readUstring('txn.txns[].path'), data: reader.readBuffer('txn.txns[].data'), acl: readAcl(reader, 'txn.txns[].acl'),
        ephemeral: reader.readBool('txn.txns[].ephemeral'), parentCVersion: reader.readInt('txn.txns[].parentCVersion'),
      };
    case OpCode.delete:
      return { type, path: reader.readUstring('txn.txns[].path') };
    case OpCode.setData:
      return { type, path: reader.readUstring('txn.txns[].path'), data: reader.readBuffer('txn.txns[].data'), version: reader.readInt('txn.txns[].version') };
    case OpCode.check:
      return { type, path: reader.readUstring('txn.txns[].path'), version: reader.readInt('txn.txns[].version') };
    case OpCode.error:
      return { type, err: reader.readInt('txn.txns[].err') };
    default:
      throw new Error(`txn.txns[].type: ${type} is not a txn type a multi may hold`);
  }
}

export function readRequest(reader: FrameReader): WriteRequest {
  const sessionId = fromJavaLong(reader.readLong('request.sessionId'));
  const cxid = reader.readInt('request.cxid');
  const authInfo: Id[] = [];
  for (let left = reader.readCount('request.authInfo', 2 * LENGTH_BYTES); left > 0; left--) authInfo.push(readId(reader, 'request.authInfo[]'));
  const type = reader.readInt('request.type');
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return {
        sessionId, cxid, authInfo, type, path: reader.readUstring('request.path'), data: reader.readBuffer('request.data'),
        acl: readAcl(reader, 'request.acl'), flags: reader.readInt('request.flags'),
      };
    case OpCode.delete:
    case OpCode.check:
      return { sessionId, cxid, authInfo, type, path: reader.readUstring('request.path'), version: reader.readInt('request.version') };
    case OpCode.setData:
      return {
        sessionId, cxid, authInfo, type, path: reader.readUstring('request.path'), data: reader.readBuffer('request.data'),
        version: reader.readInt('request.version'),
      };
    case OpCode.setACL:
      return { sessionId, cxid, authInfo, type, path: reader.readUstring('request.path'), acl: readAcl(reader, 'request.acl'), version: reader.readInt('request.version') };
    case OpCode.multi: {
      const ops: MultiOp[] = [];
      for (let left = reader.readCount('request.ops', TYPE_BYTES); left > 0; left--) ops.push(readMultiOp(reader));
      return { sessionId, cxid, authInfo, type, ops };
    }
    case OpCode.createSession:
      return { sessionId, cxid, authInfo, type, timeOut: reader.readInt('request.timeOut') };
    case OpCode.closeSession:
      return { sessionId, cxid, authInfo, type };
    default:
      throw new Error(`request.type: ${type} is not a write request type`);
  }
}

function readMultiOp(reader: FrameReader): MultiOp {
  const type = reader.readInt('request.ops[].type');
  switch (type) {
    case OpCode.create:
    case OpCode.create2:
    case OpCode.createContainer:
      return {
        type, path: reader.readUstring('request.ops[].path'), data: reader.readBuffer('request.ops[].data'), acl: readAcl(reader, 'request.ops[].acl'),
        flags: reader.readInt('request.ops[].flags'),
      };
    case OpCode.delete:
    case OpCode.check:
      return { type, path: reader.readUstring('request.ops[].path'), version: reader.readInt('request.ops[].version') };
    case OpCode.setData:
      return { type, path: reader.readUstring('request.ops[].path'), data: reader.readBuffer('request.ops[].data'), version: reader.readInt('request.ops[].version') };
    default:
      throw new Error(`request.ops[].type: ${type} is not a write request type a multi may hold`);
  }
}

function readAcl(reader: FrameReader, field: string): ACL[] {
  const acl: ACL[] = [];
  for (let left = reader.readCount(field, ACL_BYTES_MIN); left > 0; left--) acl.push({ perms: reader.readInt(field), id: readId(reader, field) });
  return acl;
}

function readId(reader: FrameReader, field: string): Id {
  return { scheme: reader.readUstring(field), id: reader.readUstring(field) };
}
