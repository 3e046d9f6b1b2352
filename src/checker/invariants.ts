import type { ClusterState } from '../model/ClusterState.js';
import type { Model } from '../model/Model.js';
import { formatTxn, txnEquals, type Txn } from '../protocol/Txn.js';
import type { ServerContext } from '../protocol/ServerContext.js';
import { compareZxid } from '../protocol/zxid.js';
import { popcount, members } from '../protocol/quorum.js';
import { asArray } from '../protocol/Seq.js';

/** Why an invariant fails: a sentence, and the values that break it (for the trace file). */
export interface Violation {
  readonly invariant: string;
  readonly message: string;
  readonly values: Record<string, unknown>;
}

/**
 * What the built-in invariants read of a server's chart state: whether it leads in
 * SYNCHRONIZATION (1) or BROADCAST (2), else 0. With its history, lastCommitted and currentEpoch,
 * and the ghosts, that is all they read: the explorer reuses a verdict for equal inputs.
 */
export function invariantStateClass(state: string): number {
  return state === 'LEADING.BROADCAST' ? 2 : state === 'LEADING.SYNCHRONIZATION' ? 1 : 0;
}

/** A named safety property: `always` in Stateright's words. Null when it holds. */
export interface Invariant {
  readonly name: string;
  /** One line, as in spec/README.md. */
  readonly description: string;
  /** null when the invariant holds in `state`, else the violation with the offending values. */
  check(model: Model, state: ClusterState): Violation | null;
}

/** A property of one step (the spec's [][...]_vars), checked on every transition. */
export interface ActionProperty {
  readonly name: string;
  readonly description: string;
  /** null when the step from `before` to `after` keeps the property, else the violation with the offending values. */
  check(model: Model, before: ClusterState, after: ClusterState): Violation | null;
  /**
   * Set when the property reads one server at a time: it holds for a step exactly when this holds
   * for every server whose variables changed (so the explorer looks at those only).
   */
  holdsForServer?(before: ServerContext, after: ServerContext): boolean;
}

/** The delivered txns of a server: the committed prefix of its log. */
export function delivered(state: ClusterState, sid: number): readonly Txn[] {
  const c = state.servers[sid];
  return asArray(c.history).slice(0, c.lastCommitted);
}

function indexOfTxn(seq: readonly Txn[], t: Txn): number {
  for (let k = 0; k < seq.length; k++) if (txnEquals(seq[k], t)) return k;
  return -1;
}

function violation(invariant: string, message: string, values: Record<string, unknown>): Violation {
  return { invariant, message, values };
}

const show = (seq: readonly Txn[]) => seq.map(formatTxn);

function isSyncingOrBroadcastingLeader(state: string): boolean {
  return state === 'LEADING.SYNCHRONIZATION' || state === 'LEADING.BROADCAST';
}

/** Loop over ordered pairs of servers; the first violation found wins. */
function pairs(model: Model, f: (i: number, j: number) => Violation | null): Violation | null {
  for (const i of model.sids) for (const j of model.sids) {
    const v = f(i, j);
    if (v !== null) return v;
  }
  return null;
}

/** The invariants of spec/Zab.tla, with the same names. */
export const INVARIANTS: readonly Invariant[] = [
  {
    name: 'ZxidMonotonicity',
    description: "Each server's log has strictly increasing zxids, and a leader in BROADCAST logs none above its epoch.",
    check(model, s) {
      for (const i of model.sids) {
        const h = asArray(s.servers[i].history);
        const last = h[h.length - 1];
        if (s.states[i] === 'LEADING.BROADCAST' && last !== undefined && last.zxid.epoch > s.servers[i].currentEpoch) {
          return violation('ZxidMonotonicity', `leader ${i} of epoch ${s.servers[i].currentEpoch} logs ${formatTxn(last)}`, { server: i, history: show(h) });
        }
        for (let k = 1; k < h.length; k++) {
          if (compareZxid(h[k - 1].zxid, h[k].zxid) >= 0) {
            return violation('ZxidMonotonicity', `server ${i}'s log is out of zxid order at ${k + 1}`, { server: i, history: show(h) });
          }
        }
      }
      return null;
    },
  },
  {
    name: 'Leadership',
    description: 'At most one leader is established per epoch: ever (ghost), and among live leaders in SYNCHRONIZATION or BROADCAST.',
    check(model, s) {
      for (let e = 0; e < s.established.length; e++) {
        if (popcount(s.established[e]) > 1) {
          return violation('Leadership', `epoch ${e} has leaders ${members(s.established[e]).join(', ')}`, { epoch: e, leaders: members(s.established[e]) });
        }
      }
      for (const i of model.sids) {
        if (!isSyncingOrBroadcastingLeader(s.states[i])) continue;
        for (const j of model.sids) {
          if (j > i && isSyncingOrBroadcastingLeader(s.states[j]) && s.servers[i].currentEpoch === s.servers[j].currentEpoch) {
            return violation('Leadership', `servers ${i} and ${j} both lead epoch ${s.servers[i].currentEpoch}`, { epoch: s.servers[i].currentEpoch, leaders: [i, j], states: [s.states[i], s.states[j]] });
          }
        }
      }
      return null;
    },
  },
  {
    name: 'Integrity',
    description: 'Every delivered txn was proposed, with the same zxid and value.',
    check(model, s) {
      for (const i of model.sids) {
        for (const t of delivered(s, i)) {
          if (indexOfTxn(s.proposed, t) < 0) return violation('Integrity', `server ${i} delivered ${formatTxn(t)}, never proposed`, { server: i, txn: formatTxn(t), proposed: show(s.proposed) });
        }
      }
      return null;
    },
  },
  {
    name: 'TotalOrder',
    description: 'If a is before b in D(i) and b is in D(j), then a is in D(j) before b.',
    check(model, s) {
      return pairs(model, (i, j) => {
        const di = delivered(s, i);
        const dj = delivered(s, j);
        for (let q = 0; q < di.length; q++) {
          const bj = indexOfTxn(dj, di[q]);
          if (bj < 0) continue;
          for (let p = 0; p < q; p++) {
            const aj = indexOfTxn(dj, di[p]);
            if (aj < 0 || aj >= bj) {
              return violation('TotalOrder', `${formatTxn(di[p])} precedes ${formatTxn(di[q])} on ${i} but not on ${j}`, { i, j, [`D(${i})`]: show(di), [`D(${j})`]: show(dj) });
            }
          }
        }
        return null;
      });
    },
  },
  {
    name: 'Agreement',
    description: 'For a in D(i) and b in D(j): a is in D(j) or b is in D(i).',
    check(model, s) {
      return pairs(model, (i, j) => {
        const di = delivered(s, i);
        const dj = delivered(s, j);
        for (const a of di) {
          if (indexOfTxn(dj, a) >= 0) continue;
          for (const b of dj) {
            if (indexOfTxn(di, b) < 0) {
              return violation('Agreement', `${i} delivered ${formatTxn(a)} and ${j} delivered ${formatTxn(b)}, neither has the other`, { i, j, [`D(${i})`]: show(di), [`D(${j})`]: show(dj) });
            }
          }
        }
        return null;
      });
    },
  },
  {
    name: 'LocalPrimaryOrder',
    description: 'If a and b were proposed in one epoch, a first, whoever delivers b delivered a before it.',
    check(model, s) {
      for (const i of model.sids) {
        const d = delivered(s, i);
        for (let q = 0; q < d.length; q++) {
          const b = d[q];
          const bp = indexOfTxn(s.proposed, b);
          for (let p = 0; p < bp; p++) {
            const a = s.proposed[p];
            if (a.zxid.epoch !== b.zxid.epoch) continue;
            const ad = indexOfTxn(d, a);
            if (ad < 0 || ad > q) {
              return violation('LocalPrimaryOrder', `server ${i} delivered ${formatTxn(b)} without ${formatTxn(a)} before it`, { server: i, delivered: show(d), proposed: show(s.proposed) });
            }
          }
        }
      }
      return null;
    },
  },
  {
    name: 'GlobalPrimaryOrder',
    description: "Each server delivers an older epoch's txns before a newer epoch's.",
    check(model, s) {
      for (const i of model.sids) {
        const d = delivered(s, i);
        for (let k = 1; k < d.length; k++) {
          if (d[k - 1].zxid.epoch > d[k].zxid.epoch) {
            return violation('GlobalPrimaryOrder', `server ${i} delivered ${formatTxn(d[k - 1])} before ${formatTxn(d[k])}`, { server: i, delivered: show(d) });
          }
        }
      }
      return null;
    },
  },
  {
    name: 'PrimaryIntegrity',
    description: 'A leader in BROADCAST of epoch e has delivered every txn of an older epoch that any server delivered.',
    check(model, s) {
      for (const l of model.sids) {
        if (s.states[l] !== 'LEADING.BROADCAST') continue;
        const e = s.servers[l].currentEpoch;
        const dl = delivered(s, l);
        for (const j of model.sids) {
          for (const t of delivered(s, j)) {
            if (t.zxid.epoch < e && indexOfTxn(dl, t) < 0) {
              return violation('PrimaryIntegrity', `leader ${l} of epoch ${e} lacks ${formatTxn(t)} delivered by ${j}`, { leader: l, epoch: e, [`D(${l})`]: show(dl), [`D(${j})`]: show(delivered(s, j)) });
            }
          }
        }
      }
      return null;
    },
  },
  {
    name: 'PrefixConsistency',
    description: "Any two servers' delivered sequences agree up to the shorter one.",
    check(model, s) {
      return pairs(model, (i, j) => {
        if (j <= i) return null;
        const di = delivered(s, i);
        const dj = delivered(s, j);
        const n = Math.min(di.length, dj.length);
        for (let k = 0; k < n; k++) {
          if (!txnEquals(di[k], dj[k])) {
            return violation('PrefixConsistency', `servers ${i} and ${j} differ at position ${k + 1}`, { i, j, [`D(${i})`]: show(di), [`D(${j})`]: show(dj) });
          }
        }
        return null;
      });
    },
  },
  {
    name: 'CommittedNotLost',
    description: 'A leader in BROADCAST of epoch e has in its log every quorum-committed txn of epoch at most e.',
    check(model, s) {
      for (const l of model.sids) {
        if (s.states[l] !== 'LEADING.BROADCAST') continue;
        const c = s.servers[l];
        for (const t of s.committedLog) {
          if (t.zxid.epoch <= c.currentEpoch && indexOfTxn(asArray(c.history), t) < 0) {
            return violation('CommittedNotLost', `leader ${l} of epoch ${c.currentEpoch} lost committed ${formatTxn(t)}`, { leader: l, history: show(asArray(c.history)), committedLog: show(s.committedLog) });
          }
        }
      }
      return null;
    },
  },
  {
    name: 'ProposedOnlyDiscarded',
    description: 'No server delivers a txn that a newer epoch already skipped (committed past it).',
    check(model, s) {
      for (const i of model.sids) {
        for (const a of delivered(s, i)) {
          const at = indexOfTxn(s.committedLog, a);
          const before = at < 0 ? s.committedLog : s.committedLog.slice(0, at);
          const skipper = before.find((b) => b.zxid.epoch > a.zxid.epoch);
          if (skipper !== undefined) {
            return violation('ProposedOnlyDiscarded', `server ${i} delivered ${formatTxn(a)}, skipped by ${formatTxn(skipper)} of a newer epoch`, { server: i, txn: formatTxn(a), committedLog: show(s.committedLog) });
          }
        }
      }
      return null;
    },
  },
];

function epochsMonotonic(b: ServerContext, a: ServerContext): boolean {
  return a.acceptedEpoch >= b.acceptedEpoch && a.currentEpoch >= b.currentEpoch && a.currentEpoch <= a.acceptedEpoch;
}

/** The step properties of spec/Zab.tla (EpochMonotonicity). */
export const ACTION_PROPERTIES: readonly ActionProperty[] = [
  {
    name: 'EpochMonotonicity',
    description: 'acceptedEpoch and currentEpoch never decrease, crashes included, and currentEpoch <= acceptedEpoch.',
    holdsForServer: epochsMonotonic,
    check(model, before, after) {
      for (const i of model.sids) {
        const b = before.servers[i];
        const a = after.servers[i];
        if (!epochsMonotonic(b, a)) {
          return violation('EpochMonotonicity', `server ${i}: acceptedEpoch ${b.acceptedEpoch}→${a.acceptedEpoch}, currentEpoch ${b.currentEpoch}→${a.currentEpoch}`, {
            server: i,
            before: { acceptedEpoch: b.acceptedEpoch, currentEpoch: b.currentEpoch },
            after: { acceptedEpoch: a.acceptedEpoch, currentEpoch: a.currentEpoch },
          });
        }
      }
      return null;
    },
  },
];

/** The first invariant that fails on `state`, or null. */
export function checkInvariants(model: Model, state: ClusterState, invariants: readonly Invariant[] = INVARIANTS): Violation | null {
  for (const inv of invariants) {
    const v = inv.check(model, state);
    if (v !== null) return v;
  }
  return null;
}

/** The first step property that fails from `before` to `after`, or null. */
export function checkActionProperties(model: Model, before: ClusterState, after: ClusterState): Violation | null {
  for (const p of ACTION_PROPERTIES) {
    const v = p.check(model, before, after);
    if (v !== null) return v;
  }
  return null;
}
