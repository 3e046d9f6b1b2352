import type { ClusterState } from '../model/ClusterState.js';
import { formatAction } from '../model/ClusterState.js';
import type { Message } from '../protocol/Message.js';
import type { ReplayedStep } from './replay.js';

function label(m: Message): string {
  switch (m.type) {
    case 'CEPOCH': return `CEPOCH(${m.acceptedEpoch})`;
    case 'NEWEPOCH': case 'NEWLEADER': case 'ACKLD': return `${m.type}(${m.epoch})`;
    case 'ACKEPOCH': return `ACKEPOCH(${m.currentEpoch}, ${m.lastZxid.epoch}.${m.lastZxid.counter})`;
    case 'DIFF': case 'SNAP': return `${m.type}[${m.txns.length}]`;
    case 'TRUNC': return `TRUNC(${m.truncZxid.epoch}.${m.truncZxid.counter})[${m.txns.length}]`;
    case 'PROPOSAL': case 'INFORM': return `${m.type}(${m.txn.zxid.epoch}.${m.txn.zxid.counter})`;
    case 'ACK': case 'COMMIT': return `${m.type}(${m.zxid.epoch}.${m.zxid.counter})`;
    default: return m.type;
  }
}

/** Messages a step put on the wire: for each channel, what is new at its tail. */
export function sentMessages(before: ClusterState, after: ClusterState): { from: number; to: number; msg: Message }[] {
  const width = after.servers.length;
  const out: { from: number; to: number; msg: Message }[] = [];
  for (let k = 0; k < after.channels.length; k++) {
    const b = before.channels[k];
    const a = after.channels[k];
    if (a === b || a.length === 0) continue;
    // A channel grows only at its tail; a delivery removes its head. Find the new tail.
    let kept = b.length;
    while (kept > 0 && !(a.length >= kept && a[0] === b[b.length - kept])) kept--;
    for (const msg of a.slice(kept)) out.push({ from: Math.floor(k / width), to: k % width, msg });
  }
  return out;
}

/** The trace as a Mermaid sequence diagram: one participant per server, one arrow per message sent. */
export function toMermaid(steps: readonly ReplayedStep[], serverCount: number, violation: string | null): string {
  const lines = ['sequenceDiagram'];
  for (let s = 1; s <= serverCount; s++) lines.push(`  participant s${s}`);
  for (const step of steps) {
    const sent = sentMessages(step.before, step.after);
    lines.push(`  Note over s${step.action.i}: ${step.index}. ${formatAction(step.action)}`);
    for (const { from, to, msg } of sent) lines.push(`  s${from}->>s${to}: ${label(msg)}`);
  }
  if (violation !== null) lines.push(`  Note over s1,s${serverCount}: VIOLATED ${violation}`);
  return lines.join('\n') + '\n';
}
