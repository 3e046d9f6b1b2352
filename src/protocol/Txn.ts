import type { Zxid } from './zxid.js';

/**
 * A proposal as it is logged: its zxid and the client value it carries. Values are the ordinal
 * of the client request in the whole run (1, 2, ...), so two txns are never equal by accident.
 */
export interface Txn {
  readonly zxid: Zxid;
  readonly value: number;
}

/** Same zxid and same value. */
export function txnEquals(a: Txn, b: Txn): boolean {
  return a.zxid.epoch === b.zxid.epoch && a.zxid.counter === b.zxid.counter && a.value === b.value;
}

/** `<epoch,counter>=value`, as traces and logs print a txn. */
export function formatTxn(t: Txn): string {
  return `<${t.zxid.epoch},${t.zxid.counter}>=${t.value}`;
}
