import type { ClusterState } from '../model/ClusterState.js';
import type { Message, Vote } from '../protocol/Message.js';
import { MESSAGE_TYPES } from '../protocol/Message.js';
import type { ServerContext } from '../protocol/ServerContext.js';
import type { Txn } from '../protocol/Txn.js';
import type { Zxid } from '../protocol/zxid.js';
import { asArray } from '../protocol/Seq.js';

const MESSAGE_CODE = new Map(MESSAGE_TYPES.map((t, k) => [t, k + 1]));
const STATE_CODE = { LOOKING: 1, FOLLOWING: 2, LEADING: 3, OBSERVING: 4 } as const;

/**
 * Writes a canonical encoding of a state as 32-bit words: two states get the same words exactly
 * when every spec variable is equal. Fields are written in a fixed order with their lengths, so
 * no two different states share an encoding. The writer is reused to avoid garbage on the hot path.
 */
export class StateEncoder {
  private words = new Int32Array(1024);
  private length = 0;
  private readonly stateCode: Map<string, number>;

  constructor(states: readonly string[]) {
    this.stateCode = new Map(states.map((s, k) => [s, k + 1]));
  }

  /**
   * The words of `s`. They are a view of the encoder's own buffer, valid until the next call:
   * fingerprint or copy them before encoding another state.
   */
  encode(s: ClusterState): Int32Array {
    this.reset();
    for (let sid = 1; sid < s.servers.length; sid++) {
      const code = this.stateCode.get(s.states[sid]);
      if (code === undefined) throw new Error(`unknown chart state ${s.states[sid]}`);
      this.push(code);
      this.server(s.servers[sid]);
    }
    for (const channel of s.channels) {
      this.push(channel.length);
      for (const m of channel) this.message(m);
    }
    this.txns(s.proposed);
    this.txns(s.committedLog);
    this.push(s.established.length);
    for (const e of s.established) this.push(e);
    this.push(s.nRequests);
    this.push(s.nCrashes);
    this.push(s.nPartitions);
    return this.words.subarray(0, this.length);
  }

  /** Start a new encoding; the `push*` methods append parts, `view` returns what was written. */
  reset(): void {
    this.length = 0;
  }

  /** The words written since `reset`; valid until the next write. */
  view(): Int32Array {
    return this.words.subarray(0, this.length);
  }

  /** One server: its chart state's code, then its variables. */
  pushServer(state: string, context: ServerContext): void {
    const code = this.stateCode.get(state);
    if (code === undefined) throw new Error(`unknown chart state ${state}`);
    this.push(code);
    this.server(context);
  }

  /** One message, as it is encoded inside a channel (the compact model hashes channels part by part). */
  pushMessage(m: Message): void {
    this.message(m);
  }

  /** A sequence of txns (a log, `proposed` or `committedLog`): its length, then each txn. */
  pushTxns(ts: readonly Txn[]): void {
    this.txns(ts);
  }

  /** One word, growing the buffer when it is full. */
  push(v: number): void {
    if (this.length === this.words.length) {
      const grown = new Int32Array(this.words.length * 2);
      grown.set(this.words);
      this.words = grown;
    }
    this.words[this.length++] = v;
  }

  private zxid(z: Zxid): void {
    this.push(z.epoch);
    this.push(z.counter);
  }

  private vote(v: Vote | null): void {
    if (v === null) {
      this.push(-1);
      return;
    }
    this.push(v.leader);
    this.zxid(v.zxid);
    this.push(v.peerEpoch);
  }

  private txns(ts: readonly Txn[]): void {
    this.push(ts.length);
    for (const t of ts) {
      this.zxid(t.zxid);
      this.push(t.value);
    }
  }

  private server(c: ServerContext): void {
    this.push(c.currentEpoch);
    this.push(c.acceptedEpoch);
    this.txns(asArray(c.history));
    this.push(c.lastCommitted);
    this.push(c.leader);
    this.push(c.learners);
    this.push(c.cepochRecv);
    this.push(c.maxAcceptedEpoch);
    this.push(c.ackeRecv);
    for (const z of c.ackeZxid) {
      if (z === null) this.push(-1);
      else this.zxid(z);
    }
    this.push(c.synced);
    this.push(c.ackldRecv);
    this.push(c.acks.length);
    for (const a of c.acks) this.push(a);
    const p = c.pendingSync;
    if (p === null) this.push(0);
    else {
      this.push(p.snap ? 2 : 1);
      this.txns(p.txns);
    }
    this.push(c.newLeaderEpoch);
    this.push(c.newLeaderStep);
    this.push(c.round);
    this.vote(c.vote);
    for (const v of c.recvVotes) this.vote(v);
    for (const v of c.outOfElection) this.vote(v);
    this.push(c.reportedLeading);
  }

  private message(m: Message): void {
    this.push(MESSAGE_CODE.get(m.type) ?? 0);
    switch (m.type) {
      case 'NOTIFICATION':
        this.vote(m.vote);
        this.push(m.round);
        this.push(STATE_CODE[m.state]);
        return;
      case 'CEPOCH':
        this.push(m.acceptedEpoch);
        return;
      case 'NEWEPOCH':
      case 'NEWLEADER':
      case 'ACKLD':
        this.push(m.epoch);
        return;
      case 'ACKEPOCH':
        this.push(m.currentEpoch);
        this.zxid(m.lastZxid);
        return;
      case 'DIFF':
      case 'SNAP':
        this.txns(m.txns);
        return;
      case 'TRUNC':
        this.zxid(m.truncZxid);
        this.txns(m.txns);
        return;
      case 'UPTODATE':
        this.zxid(m.committedZxid);
        return;
      case 'PROPOSAL':
      case 'INFORM':
        this.zxid(m.txn.zxid);
        this.push(m.txn.value);
        return;
      case 'ACK':
      case 'COMMIT':
        this.zxid(m.zxid);
        return;
    }
  }
}
