import type { OpCode } from './OpCode.js';
import type { Stat } from './Stat.js';

/** One op's result inside a multi (ZooKeeper's OpResult subclasses). */
export type OpResult =
  | { readonly type: typeof OpCode.create; readonly path: string }
  | { readonly type: typeof OpCode.create2 | typeof OpCode.createContainer; readonly path: string; readonly stat: Stat }
  | { readonly type: typeof OpCode.delete }
  | { readonly type: typeof OpCode.setData; readonly stat: Stat }
  | { readonly type: typeof OpCode.check }
  /** err 0 means "rolled back": the op was valid but an op of the same multi failed. */
  | { readonly type: typeof OpCode.error; readonly err: number };

/** What applying a txn answers to the client that sent it (ZooKeeper's ProcessTxnResult). */
export interface ProcessTxnResult {
  readonly sessionId: bigint;
  readonly cxid: number;
  readonly zxid: bigint;
  readonly type: number;
  /** Ok, or the error of an ErrorTxn, or a failed multi's first real error. */
  readonly err: number;
  readonly path?: string;
  readonly stat?: Stat;
  readonly multiResult?: readonly OpResult[];
}
