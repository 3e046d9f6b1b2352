import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/model/Model.js';
import { replay } from '../../src/trace/replay.js';
import { validateTrace } from '../../src/trace/Trace.js';
import { run } from '../../src/cli/main.js';
import { CHROMIUM_PATH, launchChromium, type Chromium } from '../../src/docs/launchChromium.js';
import { EXAMPLE_TRACE_PATH, LEARNER_AHEAD_IGNORED } from '../../src/docs/exampleTrace.js';
import { renderMermaidSvg } from '../../src/docs/renderMermaidSvg.js';
import { serverStatechartDocument } from '../../src/docs/serverStatechart.js';
import { renderTraceHtml } from '../../src/docs/traceViewerHtml.js';

const root = join(import.meta.dirname, '../..');
const trace = validateTrace(JSON.parse(readFileSync(join(root, EXAMPLE_TRACE_PATH), 'utf8')));
const out = mkdtempSync(join(tmpdir(), 'zabstate-viewer-'));

function exampleHtml(): string {
  return renderTraceHtml(trace, replay(createModel(trace.config, LEARNER_AHEAD_IGNORED), trace));
}

describe('trace viewer page', () => {
  it('replays the committed example with its planted bug to the violation it records', () => {
    const result = replay(createModel(trace.config, LEARNER_AHEAD_IGNORED), trace);
    expect(result.divergence).toBeNull();
    expect(result.violation?.invariant).toBe(trace.violation.invariant);
    expect(result.steps.length).toBe(trace.steps.length);
  });

  it('is one self-contained file: inline script and style, nothing fetched', () => {
    const html = exampleHtml();
    expect(html).not.toMatch(/<script[^>]+src=|<link |@import|url\(http/);
    expect(html.match(/https?:\/\/[^"\s]*/g) ?? []).toEqual(['http://www.w3.org/2000/svg']);
    expect(html).toContain(`default-src 'none'`);
    expect(html).toContain(`<h2 class="invariant-name">${trace.violation.invariant}</h2>`);
  });

  it('zabstate replay --html writes the page with the planted bug as a variant, and refuses the trace without it', async () => {
    const path = join(out, 'cli.html');
    const lines: string[] = [];
    const variant = join(root, 'traces/examples/learner-ahead-ignored.variant.ts');
    const code = await run(['replay', join(root, EXAMPLE_TRACE_PATH), '--variant', variant, '--html', path], (l) => lines.push(l), (l) => lines.push(l), false);
    expect(lines[0]).toBe(`wrote ${path}: the trace viewer (open it in a browser)`);
    expect(code).toBe(0);
    expect(readFileSync(path, 'utf8')).toContain(`<h2 class="invariant-name">${trace.violation.invariant}</h2>`);
    const refused: string[] = [];
    expect(await run(['replay', join(root, EXAMPLE_TRACE_PATH), '--html', path], (l) => refused.push(l), (l) => refused.push(l), false)).toBe(2);
    expect(refused).toEqual([expect.stringMatching(/^zabstate: .*learner-ahead-ignored/)]);
  });
});

describe('in Chromium', () => {
  let browser: Chromium;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: run \`bash scripts/setup-chromium.sh\` (Debian's chromium package)`);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('steps through the example trace and shows the violated invariant on the last step', async () => {
    const path = join(out, 'viewer.html');
    writeFileSync(path, exampleHtml());
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) errors.push(`fetched ${r.url()}`);
    });
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(pathToFileURL(path).href);
    const last = trace.steps.length;
    expect(await page.textContent('#step-label')).toBe(`step 0 of ${last}`);
    expect(await page.isHidden('#verdict')).toBe(true);
    expect(await page.locator('#sequence g.step:visible').count()).toBe(0);

    await page.click('#next');
    expect(await page.textContent('#action')).toBe('ElectLeader(1, {1,2})');
    expect(await page.locator('#servers td.changed').count()).toBeGreaterThan(0);
    expect(await page.locator('#sequence g.step.current').count()).toBe(1);
    await page.keyboard.press('ArrowRight');
    await page.click('#step-list li:nth-child(5)');
    expect(await page.textContent('#step-label')).toBe(`step 4 of ${last}`);
    expect(await page.locator('#sequence g.step:visible').count()).toBe(4);

    await page.locator('#step-slider').fill(String(last));
    expect(await page.textContent('#step-label')).toBe(`step ${last} of ${last}`);
    expect(await page.isVisible('#verdict')).toBe(true);
    expect(await page.textContent('#verdict .invariant-name')).toBe(trace.violation.invariant);
    expect(await page.textContent('#violation-values')).toContain('"committedLog"');
    expect(await page.locator('#servers tr.offending').count()).toBeGreaterThan(0);
    expect(await page.isVisible('#sequence .verdict-band')).toBe(true);

    const screenshot = process.env.ZABSTATE_UPDATE_SCREENSHOT === '1' ? join(root, 'docs/trace-viewer.png') : join(out, 'trace-viewer.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(existsSync(screenshot)).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders the server chart\'s Mermaid source to SVG (mermaid loaded from node_modules)', async () => {
    const [svg] = await renderMermaidSvg(browser.context, [serverStatechartDocument(root).mermaid]);
    expect(svg).toMatch(/^<svg[^>]*aria-roledescription="stateDiagram"/);
    for (const label of ['LOOKING', 'DISCOVERY', 'SYNCHRONIZATION', 'BROADCAST', 'ElectLeader']) expect(svg).toContain(label);
    expect(svg).not.toContain('Syntax error');
  });
});
