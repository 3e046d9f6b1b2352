import { createModel, type Model } from '../../src/model/Model.js';
import { STANDARD_MODEL, type ModelConfig } from '../../src/model/ModelConfig.js';
import { formatAction, type ClusterState, type ModelAction } from '../../src/model/ClusterState.js';
import { checkInvariants } from '../../src/checker/invariants.js';
import { delivered } from '../../src/checker/invariants.js';
import { formatTxn } from '../../src/protocol/Txn.js';

const FAULTS = new Set(['Crash', 'Restart', 'Disconnect', 'LeaderTimeout', 'RefuseCEPOCH', 'ElectLeader', 'JoinLeader', 'LeaderProcessRequest']);

/**
 * A scenario drives the model step by step with spec action names, as a story: "elect 3 with
 * {1,2,3}", "settle", "crash 3". Every step asserts the invariants, so a scenario is also a check.
 */
export class Scenario {
  readonly model: Model;
  state: ClusterState;
  readonly log: string[] = [];

  constructor(config: Partial<ModelConfig> = {}) {
    this.model = createModel({ ...STANDARD_MODEL, maxEpoch: 10, maxTxns: 10, maxCrashes: 10, maxPartitions: 10, maxRounds: 10, ...config });
    this.state = this.model.init();
  }

  /** Take one action by name; fails the test if it is not enabled. */
  do(name: string, i: number, j?: number, quorum?: number[]): this {
    const q = quorum?.reduce((m, s) => m | (1 << s), 0);
    const action: ModelAction = { name, i, ...(j === undefined ? {} : { j }), ...(q === undefined ? {} : { q }) };
    const enabled = this.model.actions(this.state).some((a) => a.name === name && a.i === i && a.j === action.j && a.q === action.q);
    if (!enabled) throw new Error(`${formatAction(action)} is not enabled; enabled: ${this.enabledNames().join(', ')}`);
    return this.step(action);
  }

  elect(leader: number, quorum: number[]): this {
    return this.do('ElectLeader', leader, undefined, quorum);
  }

  request(leader: number, count = 1): this {
    for (let k = 0; k < count; k++) this.do('LeaderProcessRequest', leader);
    return this;
  }

  /** Deliver messages and take internal steps, first enabled first, until only faults, elections and requests remain. */
  settle(filter: (a: ModelAction) => boolean = () => true): this {
    for (let guard = 0; guard < 10_000; guard++) {
      const next = this.model.actions(this.state).find((a) => !FAULTS.has(a.name) && filter(a));
      if (next === undefined) return this;
      this.step(next);
    }
    throw new Error('settle did not converge in 10,000 steps');
  }

  /** Deliver only the messages on channels into or out of the given servers. */
  settleAmong(servers: number[]): this {
    return this.settle((a) => servers.includes(a.i) && (a.j === undefined || servers.includes(a.j)));
  }

  enabledNames(): string[] {
    return this.model.actions(this.state).map(formatAction);
  }

  role(sid: number): string {
    return this.state.states[sid];
  }

  delivered(sid: number): string[] {
    return delivered(this.state, sid).map(formatTxn);
  }

  history(sid: number): string[] {
    return this.state.servers[sid].history.map(formatTxn);
  }

  channel(from: number, to: number) {
    return this.state.channels[from * this.state.servers.length + to];
  }

  private step(action: ModelAction): this {
    const next = this.model.next(this.state, action);
    this.log.push(formatAction(action));
    const violation = checkInvariants(this.model, next);
    if (violation !== null) throw new Error(`${violation.invariant} violated after ${this.log.join(' → ')}: ${violation.message}`);
    this.state = next;
    return this;
  }
}
