import type { Message } from '../protocol/Message.js';
import type { ServerContext } from '../protocol/ServerContext.js';
import type { StateId } from '../protocol/compileServerMachine.js';
import type { Txn } from '../protocol/Txn.js';

/**
 * The whole ensemble: each server's chart state and variables, the FIFO channels between every
 * ordered pair, the ghost variables of verification and the fault counters. Arrays indexed by sid
 * keep slot 0 unused so that sids read as in the spec.
 */
export interface ClusterState {
  readonly states: readonly StateId[];
  readonly servers: readonly ServerContext[];
  /** channels[from * (n + 1) + to]: the messages in flight from `from` to `to`, head first. */
  readonly channels: readonly (readonly Message[])[];
  /** Ghost: every proposal ever made, in the order made. */
  readonly proposed: readonly Txn[];
  /** Ghost: every txn committed by a quorum, in commit order. */
  readonly committedLog: readonly Txn[];
  /** Ghost: established[e] is the set (bitmask) of servers established as leader in epoch e. */
  readonly established: readonly number[];
  readonly nRequests: number;
  readonly nCrashes: number;
  readonly nPartitions: number;
}

/** One step of the model, as the spec writes it: an action name and its parameters. */
export interface ModelAction {
  readonly name: string;
  /** The server that acts (the receiver, for a message). */
  readonly i: number;
  /** The other server: the sender of a message, the leader joined, the peer disconnected. */
  readonly j?: number;
  /** ElectLeader's quorum, as a bitmask. */
  readonly q?: number;
}

/** `Name(i, j, {quorum})`, as traces print an action. */
export function formatAction(a: ModelAction): string {
  const args = [a.i, a.j, a.q === undefined ? undefined : `{${maskToList(a.q).join(',')}}`].filter((x) => x !== undefined);
  return `${a.name}(${args.join(', ')})`;
}

/** The sids in a bitmask, ascending. */
export function maskToList(mask: number): number[] {
  const out: number[] = [];
  for (let s = 1; s < 31; s++) if (mask & (1 << s)) out.push(s);
  return out;
}
