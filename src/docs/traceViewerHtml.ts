import type { TraceFile } from '../trace/Trace.js';
import type { ReplayResult } from '../trace/replay.js';
import { escapeXml, sequenceDiagramSvg } from './sequenceDiagramSvg.js';
import { traceViewerData, type ViewerData } from './traceViewerData.js';

const STYLE = `
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d232a; background: #f6f7f9; }
header { padding: 12px 20px; background: #1d2f4a; color: #fff; }
header h1 { margin: 0 0 4px; font-size: 19px; }
header p { margin: 0; font-size: 12px; opacity: .85; }
main { display: grid; grid-template-columns: 270px 1fr; gap: 14px; padding: 14px 20px; }
nav { background: #fff; border: 1px solid #d8dde3; border-radius: 6px; padding: 8px; max-height: calc(100vh - 120px); overflow: auto; }
nav ol { list-style: none; margin: 0; padding: 0; font: 12px ui-monospace, monospace; }
nav li { padding: 3px 6px; border-radius: 4px; cursor: pointer; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
nav li:hover { background: #eef2f7; }
nav li.current { background: #2f6fdb; color: #fff; }
nav li.last.violation { border-left: 4px solid #c62828; }
.controls { display: flex; align-items: center; gap: 10px; margin-bottom: 10px; }
.controls input[type=range] { flex: 1; }
.controls button { font-size: 13px; padding: 3px 10px; }
#step-label { font-weight: 600; min-width: 120px; }
section.panel { background: #fff; border: 1px solid #d8dde3; border-radius: 6px; padding: 10px 12px; margin-bottom: 12px; }
section.panel h2 { font-size: 14px; margin: 0 0 8px; }
#action { font: 600 15px ui-monospace, monospace; }
#changes { margin: 4px 0 0; padding-left: 18px; font: 12px ui-monospace, monospace; color: #44505c; }
table { border-collapse: collapse; width: 100%; font: 12px ui-monospace, monospace; }
th, td { border: 1px solid #e1e5ea; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f0f3f6; }
td.changed { background: #fff3b0; font-weight: 600; }
tr.offending td:first-child { box-shadow: inset 4px 0 #c62828; }
tr.actor td:first-child { font-weight: 700; }
.txn { display: inline-block; padding: 0 4px; margin: 1px 2px 1px 0; border-radius: 3px; background: #e9edf2; }
.txn.committed { background: #d7f0dc; color: #155d27; font-weight: 600; }
.txn.new { outline: 2px solid #e0a800; }
.commit-point { display: inline-block; width: 2px; height: 14px; background: #155d27; vertical-align: middle; margin: 0 3px; }
.role-LEADING { color: #8a3ffc; font-weight: 700; } .role-DOWN { color: #999; } .role-LOOKING { color: #b15c00; }
#diagram { overflow: auto; max-height: 46vh; }
#sequence .lifeline { stroke: #9aa5b1; stroke-dasharray: 4 3; }
#sequence .participant { fill: #e8eef8; stroke: #5b7bb2; }
#sequence .participant-text, #sequence .note-text, #sequence .message-text, #sequence .verdict-band text { text-anchor: middle; font: 12px ui-monospace, monospace; }
#sequence .participant-text { font-weight: 700; font-size: 13px; }
#sequence .note { fill: #fff8d6; stroke: #d1b74a; }
#sequence .message { stroke: #2b3a4a; stroke-width: 1.3; }
#sequence .step.current .note { fill: #2f6fdb; stroke: #2f6fdb; }
#sequence .step.current .note-text { fill: #fff; font-weight: 700; }
#sequence .step.current .message { stroke: #2f6fdb; stroke-width: 2; }
#sequence .verdict-band rect { fill: #fde0e0; stroke: #c62828; }
#sequence .verdict-band text { fill: #b71c1c; font-weight: 700; }
#verdict.violation { border: 2px solid #c62828; background: #fff5f5; }
#verdict.divergence { border: 2px solid #e0a800; background: #fffbea; }
#verdict h2.invariant-name { color: #b71c1c; font-size: 18px; }
#verdict pre { margin: 6px 0 0; white-space: pre-wrap; font: 12px ui-monospace, monospace; }
.hint { color: #66717d; font-size: 12px; }
`;

/* The page's script: plain ES2017 without template literals, so it can sit inside this string. */
const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('trace-data').textContent);
  var steps = data.steps;
  var last = steps.length - 1;
  var slider = document.getElementById('step-slider');
  var items = document.querySelectorAll('#step-list li');
  var groups = document.querySelectorAll('#sequence g.step');
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function historyCell(server, before) {
    var td = el('td');
    var oldLength = before ? before.history.length : server.history.length;
    server.history.forEach(function (txn, k) {
      if (k === server.lastCommitted) td.appendChild(el('span', 'commit-point'));
      var cls = 'txn' + (k < server.lastCommitted ? ' committed' : '') + (k >= oldLength || (before && before.history[k] !== txn) ? ' new' : '');
      td.appendChild(el('span', cls, txn));
    });
    if (server.history.length === server.lastCommitted && server.history.length > 0) td.appendChild(el('span', 'commit-point'));
    if (server.history.length === 0) td.appendChild(el('span', 'hint', 'empty'));
    return td;
  }
  function renderServers(k) {
    var step = steps[k];
    var before = k > 0 ? steps[k - 1] : null;
    var body = document.querySelector('#servers tbody');
    body.textContent = '';
    step.servers.forEach(function (s, n) {
      var tr = el('tr');
      if (k === last && data.verdict.servers.indexOf(s.sid) >= 0) tr.className += ' offending';
      if (s.sid === step.actor) tr.className += ' actor';
      tr.appendChild(el('td', '', 's' + s.sid));
      var changed = {};
      s.changed.forEach(function (f) { changed[f] = true; });
      var role = el('td', 'role-' + s.role + (changed.role ? ' changed' : ''), s.role);
      tr.appendChild(role);
      tr.appendChild(el('td', changed.phase ? 'changed' : '', s.phase || '—'));
      tr.appendChild(el('td', changed.acceptedEpoch ? 'changed' : '', String(s.acceptedEpoch)));
      tr.appendChild(el('td', changed.currentEpoch ? 'changed' : '', String(s.currentEpoch)));
      var h = historyCell(s, before ? before.servers[n] : null);
      if (changed.history) h.className = 'changed';
      tr.appendChild(h);
      tr.appendChild(el('td', changed.lastCommitted ? 'changed' : '', String(s.lastCommitted)));
      tr.appendChild(el('td', changed.leader ? 'changed' : '', s.leader === 0 ? '—' : 's' + s.leader));
      body.appendChild(tr);
    });
  }
  function show(k) {
    k = Math.max(0, Math.min(last, k));
    slider.value = String(k);
    document.getElementById('step-label').textContent = 'step ' + k + ' of ' + last;
    var step = steps[k];
    document.getElementById('action').textContent = step.action;
    var changes = document.getElementById('changes');
    changes.textContent = '';
    step.changes.forEach(function (c) { changes.appendChild(el('li', '', c)); });
    items.forEach(function (li, n) { li.classList.toggle('current', n === k); });
    var currentGroup = null;
    groups.forEach(function (g) {
      var n = Number(g.getAttribute('data-step'));
      g.style.display = n <= k ? '' : 'none';
      var isCurrent = n === k && !g.classList.contains('verdict-band');
      g.classList.toggle('current', isCurrent);
      if (isCurrent) currentGroup = g;
    });
    if (currentGroup) {
      var box = document.getElementById('diagram');
      var bb = currentGroup.getBBox();
      box.scrollTop = Math.max(0, bb.y + bb.height - box.clientHeight + 40);
    }
    if (items[k]) items[k].scrollIntoView({ block: 'nearest' });
    renderServers(k);
    var verdict = document.getElementById('verdict');
    verdict.hidden = k !== last;
    document.getElementById('verdict-hint').hidden = k === last;
  }
  slider.addEventListener('input', function () { show(Number(slider.value)); });
  items.forEach(function (li, n) { li.addEventListener('click', function () { show(n); }); });
  document.getElementById('prev').addEventListener('click', function () { show(Number(slider.value) - 1); });
  document.getElementById('next').addEventListener('click', function () { show(Number(slider.value) + 1); });
  document.getElementById('last').addEventListener('click', function () { show(last); });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') { show(Number(slider.value) + 1); e.preventDefault(); }
    if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') { show(Number(slider.value) - 1); e.preventDefault(); }
  });
  show(0);
})();
`;

/** JSON that can sit inside a <script> element: no `</script>`, no HTML comment openers. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function verdictSection(data: ViewerData): string {
  const v = data.verdict;
  const heading = v.kind === 'violation' ? `<h2 class="invariant-name">${escapeXml(v.title)}</h2>` : `<h2>${escapeXml(v.title)}</h2>`;
  const label = v.kind === 'violation' ? '<div class="hint">invariant violated at the last step</div>' : '';
  const values = Object.keys(v.values).length === 0 ? '' : `<pre id="violation-values">${escapeXml(JSON.stringify(v.values, null, 2))}</pre>`;
  return `<section id="verdict" class="panel ${v.kind}" hidden>${label}${heading}<p id="verdict-message">${escapeXml(v.message)}</p>${values}</section>`;
}

function stepList(data: ViewerData): string {
  const last = data.steps.length - 1;
  const items = data.steps.map((step, k) => {
    const cls = k === last ? ` class="last ${data.verdict.kind}"` : '';
    return `<li${cls} data-step="${step.index}">${step.index}. ${escapeXml(step.action)}</li>`;
  });
  return `<ol id="step-list">${items.join('')}</ol>`;
}

/** The viewer page for already computed data: self-contained HTML, no network, no external files. */
export function renderViewerHtml(data: ViewerData): string {
  const last = Math.max(0, data.steps.length - 1);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>zabstate trace: ${escapeXml(data.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>zabstate trace: ${escapeXml(data.title)}</h1>${data.summary.map((line) => `<p>${escapeXml(line)}</p>`).join('')}</header>
<main>
<nav>${stepList(data)}</nav>
<div>
<div class="controls">
<button id="prev" title="previous step (←)">◀</button>
<input id="step-slider" type="range" min="0" max="${last}" value="0" aria-label="step">
<button id="next" title="next step (→)">▶</button>
<button id="last">last step</button>
<span id="step-label"></span>
</div>
<section class="panel"><div id="action"></div><ul id="changes"></ul></section>
${verdictSection(data)}
<p id="verdict-hint" class="hint">The last step shows ${data.verdict.kind === 'violation' ? `the violated invariant, ${escapeXml(data.verdict.title)}` : 'how the replay ended'}.</p>
<section class="panel"><h2>Servers</h2>
<table id="servers"><thead><tr><th>server</th><th>role</th><th>phase</th><th>acceptedEpoch</th><th>currentEpoch</th><th>history (│ commit point)</th><th>lastCommitted</th><th>leader</th></tr></thead><tbody></tbody></table>
<p class="hint">Highlighted: changed by this step. Green txns are delivered; the bar is the commit point.</p>
</section>
<section class="panel"><h2>Messages so far</h2><div id="diagram">${sequenceDiagramSvg(data)}</div></section>
</div>
</main>
<script type="application/json" id="trace-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/**
 * The trace viewer: one self-contained HTML page for a trace and its replay. The caller replays
 * (with whatever implementations the trace was found with) and passes the result in.
 */
export function renderTraceHtml(trace: TraceFile, result: ReplayResult): string {
  return renderViewerHtml(traceViewerData(trace, result));
}
