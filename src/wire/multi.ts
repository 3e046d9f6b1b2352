/**
 * Multi (opcodes multi 14 and multiRead 22): a run of MultiHeader + record pairs closed by a
 * MultiHeader with done=true (ZooKeeper writes type -1, done true, err -1 as the terminator).
 * The loop is bounded by the frame: every iteration consumes at least one 9-byte MultiHeader.
 */

import { Code } from '../service/Code.js';
import { OpCode } from '../service/OpCode.js';
import { JuteDecodeError, type JuteReader } from './juteReader.js';
import type { JuteWriter } from './juteWriter.js';
import {
  CheckVersionRequestCodec,
  Create2ResponseCodec,
  CreateRequestCodec,
  CreateResponseCodec,
  CreateTTLRequestCodec,
  DeleteRequestCodec,
  ErrorResponseCodec,
  GetChildrenRequestCodec,
  GetChildrenResponseCodec,
  GetDataRequestCodec,
  GetDataResponseCodec,
  MultiHeaderCodec,
  SetDataRequestCodec,
  SetDataResponseCodec,
  type CheckVersionRequest,
  type Create2Response,
  type CreateRequest,
  type CreateResponse,
  type CreateTTLRequest,
  type DeleteRequest,
  type GetChildrenRequest,
  type GetChildrenResponse,
  type GetDataRequest,
  type GetDataResponse,
  type RecordCodec,
  type SetDataRequest,
  type SetDataResponse,
} from './records.js';

export type MultiOp =
  | { op: 'create' | 'create2' | 'createContainer'; request: CreateRequest }
  | { op: 'createTTL'; request: CreateTTLRequest }
  | { op: 'delete'; request: DeleteRequest }
  | { op: 'setData'; request: SetDataRequest }
  | { op: 'check'; request: CheckVersionRequest }
  | { op: 'getChildren'; request: GetChildrenRequest }
  | { op: 'getData'; request: GetDataRequest };
export type MultiOpName = MultiOp['op'];

export interface MultiRequest {
  ops: MultiOp[];
}

export type MultiResult =
  | { op: 'create'; response: CreateResponse }
  | { op: 'create2'; response: Create2Response }
  | { op: 'delete' }
  | { op: 'check' }
  | { op: 'setData'; response: SetDataResponse }
  | { op: 'getChildren'; response: GetChildrenResponse }
  | { op: 'getData'; response: GetDataResponse }
  | { op: 'error'; err: number };

export interface MultiResponse {
  results: MultiResult[];
}

// Indexed by a runtime op name, so the table holds RecordCodec<unknown> (method parameters are
// bivariant); the op/request pairing is restored by the MultiOp union.
const multiOpCodecs: Record<MultiOpName, { opCode: number; codec: RecordCodec<unknown>; isRead: boolean }> = {
  create: { opCode: OpCode.create, codec: CreateRequestCodec, isRead: false },
  create2: { opCode: OpCode.create2, codec: CreateRequestCodec, isRead: false },
  createContainer: { opCode: OpCode.createContainer, codec: CreateRequestCodec, isRead: false },
  createTTL: { opCode: OpCode.createTTL, codec: CreateTTLRequestCodec, isRead: false },
  delete: { opCode: OpCode.delete, codec: DeleteRequestCodec, isRead: false },
  setData: { opCode: OpCode.setData, codec: SetDataRequestCodec, isRead: false },
  check: { opCode: OpCode.check, codec: CheckVersionRequestCodec, isRead: false },
  getChildren: { opCode: OpCode.getChildren, codec: GetChildrenRequestCodec, isRead: true },
  getData: { opCode: OpCode.getData, codec: GetDataRequestCodec, isRead: true },
};
const multiOpNameByOpCode = new Map<number, MultiOpName>(
  (Object.keys(multiOpCodecs) as MultiOpName[]).map((name) => [multiOpCodecs[name].opCode, name]),
);

const TERMINATOR = { type: -1, done: true, err: -1 } as const;

export const MultiRequestCodec: RecordCodec<MultiRequest> = {
  name: 'MultiRequest',
  minByteCount: MultiHeaderCodec.minByteCount,
  read: (r, f) => {
    const ops: MultiOp[] = [];
    let kind: 'read' | 'write' | null = null;
    for (;;) {
      const headerOffset = r.position;
      const header = MultiHeaderCodec.read(r, `${f}.header[${ops.length}]`);
      if (header.done) return { ops };
      const name = multiOpNameByOpCode.get(header.type);
      const field = `${f}.ops[${ops.length}]`;
      if (name === undefined) {
        throw new JuteDecodeError('invalidMultiOp', field, headerOffset, `${field}: opcode ${header.type} cannot appear in a multi`);
      }
      const entry = multiOpCodecs[name];
      const opKind = entry.isRead ? 'read' : 'write';
      if (kind !== null && kind !== opKind) {
        throw new JuteDecodeError('mixedMultiOps', field, headerOffset, `${field}: a multi mixes read and write ops`);
      }
      kind = opKind;
      ops.push({ op: name, request: entry.codec.read(r, field) } as MultiOp);
    }
  },
  write: (w, v) => {
    for (const op of v.ops) {
      const entry = multiOpCodecs[op.op];
      MultiHeaderCodec.write(w, { type: entry.opCode, done: false, err: -1 });
      entry.codec.write(w, op.request);
    }
    MultiHeaderCodec.write(w, TERMINATOR);
  },
};

const resultOpCodes: Record<MultiResult['op'], number> = {
  create: OpCode.create,
  create2: OpCode.create2,
  delete: OpCode.delete,
  check: OpCode.check,
  setData: OpCode.setData,
  getChildren: OpCode.getChildren,
  getData: OpCode.getData,
  error: OpCode.error,
};

export const MultiResponseCodec: RecordCodec<MultiResponse> = {
  name: 'MultiResponse',
  minByteCount: MultiHeaderCodec.minByteCount,
  read: (r, f) => {
    const results: MultiResult[] = [];
    for (;;) {
      const headerOffset = r.position;
      const header = MultiHeaderCodec.read(r, `${f}.header[${results.length}]`);
      if (header.done) return { results };
      results.push(readMultiResult(r, header.type, `${f}.results[${results.length}]`, headerOffset));
    }
  },
  write: (w, v) => {
    for (const result of v.results) {
      const err = result.op === 'error' ? result.err : Code.Ok;
      MultiHeaderCodec.write(w, { type: resultOpCodes[result.op], done: false, err });
      writeMultiResult(w, result);
    }
    MultiHeaderCodec.write(w, TERMINATOR);
  },
};

function readMultiResult(r: JuteReader, type: number, field: string, headerOffset: number): MultiResult {
  switch (type) {
    case OpCode.create:
      return { op: 'create', response: CreateResponseCodec.read(r, field) };
    case OpCode.create2:
      return { op: 'create2', response: Create2ResponseCodec.read(r, field) };
    case OpCode.delete:
      return { op: 'delete' };
    case OpCode.check:
      return { op: 'check' };
    case OpCode.setData:
      return { op: 'setData', response: SetDataResponseCodec.read(r, field) };
    case OpCode.getChildren:
      return { op: 'getChildren', response: GetChildrenResponseCodec.read(r, field) };
    case OpCode.getData:
      return { op: 'getData', response: GetDataResponseCodec.read(r, field) };
    case OpCode.error:
      return { op: 'error', err: ErrorResponseCodec.read(r, field).err };
    default:
      throw new JuteDecodeError('invalidMultiOp', field, headerOffset, `${field}: result type ${type} cannot appear in a multi response`);
  }
}

function writeMultiResult(w: JuteWriter, result: MultiResult): void {
  switch (result.op) {
    case 'create':
      return CreateResponseCodec.write(w, result.response);
    case 'create2':
      return Create2ResponseCodec.write(w, result.response);
    case 'delete':
    case 'check':
      return;
    case 'setData':
      return SetDataResponseCodec.write(w, result.response);
    case 'getChildren':
      return GetChildrenResponseCodec.write(w, result.response);
    case 'getData':
      return GetDataResponseCodec.write(w, result.response);
    case 'error':
      return ErrorResponseCodec.write(w, { err: result.err });
  }
}
