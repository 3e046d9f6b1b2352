import { formatAction, type ClusterState, type ModelAction } from '../model/ClusterState.js';
import { formatTxn } from '../protocol/Txn.js';
import { asArray } from '../protocol/Seq.js';

/** What changed on each server touched by a step, in words: role and phase, epochs, log, commits. */
export function describeChanges(before: ClusterState, after: ClusterState): string[] {
  const out: string[] = [];
  for (let sid = 1; sid < after.servers.length; sid++) {
    const b = before.servers[sid];
    const a = after.servers[sid];
    const bHistory = asArray(b.history);
    const aHistory = asArray(a.history);
    const parts: string[] = [];
    if (before.states[sid] !== after.states[sid]) parts.push(`${before.states[sid]}→${after.states[sid]}`);
    if (b.acceptedEpoch !== a.acceptedEpoch) parts.push(`acceptedEpoch ${b.acceptedEpoch}→${a.acceptedEpoch}`);
    if (b.currentEpoch !== a.currentEpoch) parts.push(`currentEpoch ${b.currentEpoch}→${a.currentEpoch}`);
    const extends_ = bHistory.length <= aHistory.length && bHistory.every((t, k) => aHistory[k] === t);
    if (!extends_) parts.push(`log [${aHistory.map(formatTxn).join(' ')}]`);
    else if (aHistory.length > bHistory.length) parts.push(`logs ${aHistory.slice(bHistory.length).map(formatTxn).join(' ')}`);
    if (a.lastCommitted > b.lastCommitted) parts.push(`delivers ${aHistory.slice(b.lastCommitted, a.lastCommitted).map(formatTxn).join(' ')}`);
    else if (a.lastCommitted < b.lastCommitted) parts.push(`delivered ${b.lastCommitted}→${a.lastCommitted}`);
    if (parts.length > 0) out.push(`s${sid}: ${parts.join(', ')}`);
  }
  if (after.committedLog.length > before.committedLog.length) {
    out.push(`COMMITTED ${after.committedLog.slice(before.committedLog.length).map(formatTxn).join(' ')}`);
  }
  return out;
}

/** One line of `zabstate simulate` or `replay`: the step number, the action and what it changed. */
export function formatStep(index: number, action: ModelAction, before: ClusterState, after: ClusterState): string {
  const changes = describeChanges(before, after);
  return `${String(index).padStart(4)}  ${formatAction(action).padEnd(34)}${changes.length > 0 ? '  ' + changes.join('; ') : ''}`;
}
