import { Code } from '../service/Code.js';
import { formatZxid } from '../protocol/zxid.js';
import { maskToList } from '../model/ClusterState.js';
import { OPERATION_KINDS } from './randomOperation.js';
import type { OperationRecord } from './ServiceRecords.js';
import type { ServiceSimResult } from './simulateService.js';
import { formatServiceOptions } from './ServiceSimOptions.js';

type Tally = { ok: number; failed: number; unknown: number; pending: number };

/** ok: success; failed: an error reply or a refusal (no effect); unknown: connection or session lost; pending: no reply by the end. */
function tallyOf(op: OperationRecord): keyof Tally {
  const done = op.completion;
  if (done === null) return 'pending';
  if (done.status === 'unknown') return 'unknown';
  if (done.status === 'refused' || done.err !== Code.Ok) return 'failed';
  return 'ok';
}

/** The run's summary, one line each; no clocks or timings, so a seed always prints the same bytes. */
export function formatServiceSummary(run: ServiceSimResult): string[] {
  const sim = run.simulator;
  const state = sim.state;
  const lines: string[] = [`zabstate simulate --service: ${formatServiceOptions(run.options)}`];
  lines.push(`steps: ${run.safetySteps} with faults, then ${run.drainSteps} healed (${run.quiet ? 'quiet' : 'step limit reached'}); ${sim.counters.protocolSteps} protocol steps, ${sim.counters.ticks} ticks`);
  const tallies = new Map<string, Tally>();
  for (const kind of OPERATION_KINDS) tallies.set(kind, { ok: 0, failed: 0, unknown: 0, pending: 0 });
  const total: Tally = { ok: 0, failed: 0, unknown: 0, pending: 0 };
  for (const op of sim.operations) {
    const key = tallyOf(op);
    tallies.get(op.kind)![key]++;
    total[key]++;
  }
  lines.push(`ops: ${sim.operations.length} (ok ${total.ok}, failed ${total.failed}, unknown ${total.unknown}, pending ${total.pending}); ${run.history.operations.length} in the checked history`);
  for (const [kind, t] of tallies) {
    if (t.ok + t.failed + t.unknown + t.pending === 0) continue;
    lines.push(`  ${kind}: ok ${t.ok}, failed ${t.failed}, unknown ${t.unknown}, pending ${t.pending}`);
  }
  const c = sim.counters;
  lines.push(`sessions: created ${c.sessionsCreated}, closed by clients ${c.sessionsClosed}, expiries proposed ${c.expiriesProposed}, expiries seen by clients ${c.sessionsExpiredSeen}; requests refused ${c.refusedRequests}`);
  lines.push(`clients: ${run.options.clients}, connects ${c.connects}, connection losses ${c.connectionLosses}`);
  lines.push(`faults: crashes ${state.nCrashes}, restarts ${c.restarts}, partitions ${state.nPartitions}`);
  const leaders = state.established
    .map((mask, epoch) => ({ mask, epoch }))
    .filter((e) => e.mask !== 0)
    .map((e) => `epoch ${e.epoch}: s${maskToList(e.mask).join('+s')}`);
  lines.push(`leaders: ${leaders.length === 0 ? 'none' : leaders.join(', ')}`);
  const last = state.committedLog[state.committedLog.length - 1];
  lines.push(`txns: proposed ${state.proposed.length}, committed ${state.committedLog.length}${last === undefined ? '' : ` (last ${formatZxid(last.zxid)})`}`);
  lines.push(`final: ${sim.model.sids.map((s) => `s${s} ${state.states[s]} delivered ${state.servers[s].lastCommitted} digest ${sim.replicas[s].tree.digest.toString(16)}`).join('; ')}`);
  lines.push('checks:');
  for (const v of run.report.verdicts) lines.push(`  ${v.check}: ${v.result}: ${v.message}`);
  for (const v of run.serviceVerdicts) lines.push(`  ${v.check}: ${v.result}: ${v.message}`);
  for (const finding of run.modelFindings) lines.push(`model finding: ${finding}`);
  const passed = [...run.report.verdicts, ...run.serviceVerdicts].filter((v) => v.result === 'ok').length;
  const count = run.report.verdicts.length + run.serviceVerdicts.length;
  lines.push(`result: ${run.result} (${passed} of ${count} checks passed)`);
  return lines;
}
