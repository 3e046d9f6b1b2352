import type { ViewerData } from './traceViewerData.js';

const COLUMN_WIDTH = 170;
const MARGIN_LEFT = 40;
const HEADER_HEIGHT = 44;
const NOTE_HEIGHT = 22;
const MESSAGE_HEIGHT = 24;
const GAP = 6;

/** Escape text for SVG and HTML. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function x(sid: number): number {
  return MARGIN_LEFT + (sid - 0.5) * COLUMN_WIDTH;
}

/**
 * The message sequence diagram of a trace as one SVG: a lifeline per server, and per step a group
 * `<g class="step" data-step="k">` holding the step's note and the arrows of the messages it sent.
 * The page shows the groups up to the current step, so the diagram grows as the slider moves.
 */
export function sequenceDiagramSvg(data: ViewerData): string {
  const width = MARGIN_LEFT * 2 + data.serverCount * COLUMN_WIDTH;
  const groups: string[] = [];
  let y = HEADER_HEIGHT + GAP;
  for (const step of data.steps) {
    if (step.index === 0) continue;
    const parts: string[] = [];
    const noteWidth = Math.min(COLUMN_WIDTH * 2.4, 16 + (String(step.index).length + 2 + step.action.length) * 7.3);
    const noteX = Math.max(4, Math.min(width - noteWidth - 4, x(step.actor) - noteWidth / 2));
    parts.push(`<rect class="note" x="${noteX.toFixed(1)}" y="${y}" width="${noteWidth.toFixed(1)}" height="${NOTE_HEIGHT - 4}" rx="3"/>`);
    parts.push(`<text class="note-text" x="${(noteX + noteWidth / 2).toFixed(1)}" y="${y + 13}">${step.index}. ${escapeXml(step.action)}</text>`);
    y += NOTE_HEIGHT;
    for (const message of step.sent) {
      const x1 = x(message.from);
      const x2 = x(message.to);
      const arrowY = y + MESSAGE_HEIGHT - 6;
      parts.push(`<line class="message" x1="${x1}" y1="${arrowY}" x2="${x2 + (x2 > x1 ? -2 : 2)}" y2="${arrowY}" marker-end="url(#arrowhead)"/>`);
      parts.push(`<text class="message-text" x="${((x1 + x2) / 2).toFixed(1)}" y="${arrowY - 5}">${escapeXml(message.label)}</text>`);
      y += MESSAGE_HEIGHT;
    }
    y += GAP;
    groups.push(`<g class="step" data-step="${step.index}">${parts.join('')}</g>`);
  }
  const last = data.steps.length === 0 ? 0 : data.steps[data.steps.length - 1].index;
  if (data.verdict.kind !== 'holds') {
    groups.push(
      `<g class="step verdict-band" data-step="${last}"><rect x="4" y="${y}" width="${width - 8}" height="24" rx="3"/>` +
        `<text x="${width / 2}" y="${y + 16}">${data.verdict.kind === 'violation' ? 'VIOLATED ' : ''}${escapeXml(data.verdict.title)}</text></g>`,
    );
    y += 30;
  }
  const height = y + GAP;
  const heads: string[] = [];
  for (let sid = 1; sid <= data.serverCount; sid++) {
    heads.push(`<line class="lifeline" x1="${x(sid)}" y1="${HEADER_HEIGHT - 8}" x2="${x(sid)}" y2="${height}"/>`);
    heads.push(`<rect class="participant" x="${x(sid) - 40}" y="6" width="80" height="${HEADER_HEIGHT - 14}" rx="4"/>`);
    heads.push(`<text class="participant-text" x="${x(sid)}" y="${HEADER_HEIGHT - 17}">s${sid}</text>`);
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" id="sequence" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    '<defs><marker id="arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">' +
    '<path d="M0,0 L10,5 L0,10 z"/></marker></defs>' +
    heads.join('') +
    groups.join('') +
    '</svg>'
  );
}
