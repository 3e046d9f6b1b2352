import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel } from '../../src/model/Model.js';
import { replay } from '../../src/trace/replay.js';
import { fromFileStep, validateTrace } from '../../src/trace/Trace.js';
import { livenessConfig, replayLasso, LIVENESS_PROPERTY } from '../../src/checker/liveness.js';
import { CORPUS } from '../../src/variants/corpus/index.js';
import { implementationsOf, validateVariant, VariantError } from '../../src/variants/Variant.js';
import { loadVariant } from '../../src/variants/loadVariant.js';
import { runVariant } from '../../src/variants/runVariant.js';
import { run } from '../../src/cli/main.js';

const root = join(import.meta.dirname, '..', '..');
const caught = CORPUS.filter((v) => v.expect !== undefined);

describe('committed variant traces', () => {
  // Replaying is fast; re-exploring every variant is `zabstate check --all-variants`.
  for (const variant of caught) {
    const path = join(root, 'traces', 'variants', `${variant.name}.json`);
    it(`${variant.name}: the committed trace still breaks ${variant.expect}`, () => {
      expect(existsSync(path), `${path} is missing: run zabstate check --all-variants`).toBe(true);
      const trace = validateTrace(JSON.parse(readFileSync(path, 'utf8')));
      expect(trace.variant).toBe(variant.name);
      expect(trace.violation.invariant).toBe(variant.expect);
      const model = createModel(trace.config, implementationsOf(variant));
      if (variant.expect === LIVENESS_PROPERTY) {
        const loopStart = Number((trace.violation.values as { loopStart: number }).loopStart);
        const r = replayLasso(createModel(livenessConfig(trace.config), implementationsOf(variant)), trace.steps.map(fromFileStep), loopStart);
        expect(r).toEqual({ closes: true, neverBroadcast: true, faultFree: true, divergence: null });
      } else {
        const r = replay(model, trace);
        expect(r.divergence).toBeNull();
        expect(r.violation?.invariant).toBe(variant.expect);
      }
    });
  }
});

describe('the variant API', () => {
  it('every corpus variant is valid and has a unique name', () => {
    for (const v of CORPUS) expect(validateVariant(v, v.name)).toBe(v);
    expect(new Set(CORPUS.map((v) => v.name)).size).toBe(CORPUS.length);
  });

  it('refuses unknown guard and action names, wrong types, bad bounds, naming what is wrong', () => {
    const base = { name: 'x', description: 'y' };
    const cases: [unknown, RegExp][] = [
      [null, /must be an object/],
      [{ description: 'y' }, /name must be a string/],
      [{ ...base, guards: { isLeaderAlive: () => true } }, /unknown guard "isLeaderAlive"/],
      [{ ...base, actions: { followerprocessdiff: () => null } }, /unknown action "followerprocessdiff" \(did you mean followerProcessDIFF\?\)/],
      [{ ...base, guards: { isQuorumLost: true } }, /guards\.isQuorumLost must be a function, got boolean/],
      [{ ...base, actions: [] }, /actions must be an object/],
      [{ ...base, bounds: { servers: 9 } }, /bounds: servers must be/],
      [{ ...base, expect: 'Safety' }, /expect must name a property/],
      [{ ...base, bug: '4643' }, /bug must be a JIRA id/],
      [{ ...base, guard: {} }, /unknown field "guard"/],
    ];
    for (const [value, message] of cases) expect(() => validateVariant(value, 'm.ts')).toThrow(message);
    expect(() => validateVariant(null, 'm.ts')).toThrow(VariantError);
  });

  it('loads a TypeScript variant with tsx and a JavaScript one with import()', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zabstate-variant-'));
    const ts = join(dir, 'change.ts');
    writeFileSync(ts, `import { serverGuards } from '${join(root, 'src/protocol/serverGuards.js')}';\nconst learnerNeverAhead: typeof serverGuards.isLearnerAhead = () => false;\nexport default { name: 'never-ahead', description: 'a leader never gives up', guards: { isLearnerAhead: learnerNeverAhead }, expect: 'CommittedNotLost' as const };\n`);
    const loaded = await loadVariant(ts);
    expect(loaded.variant.name).toBe('never-ahead');
    const js = join(dir, 'change.mjs');
    writeFileSync(js, `export default { name: 'js', description: 'wraps nothing', guards: {} };\n`);
    expect((await loadVariant(js)).variant.name).toBe('js');
    const none = join(dir, 'none.mjs');
    writeFileSync(none, `export const variant = {};\n`);
    await expect(loadVariant(none)).rejects.toThrow(/no default export \(found variant\)/);
    await expect(loadVariant(join(dir, 'missing.ts'))).rejects.toThrow(/no such file/);
  });

  it('the CLI exits 2 with one line for a bad module, and checks a good one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zabstate-variant-cli-'));
    const bad = join(dir, 'bad.mjs');
    writeFileSync(bad, `export default { name: 'bad', description: 'd', actions: { nope: () => null } };\n`);
    const lines: string[] = [];
    const errors: string[] = [];
    expect(await run(['check', '--variant', bad], (l) => lines.push(l), (l) => errors.push(l), false)).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^zabstate: --variant .*bad\.mjs: unknown action "nope"/);
    const good = join(dir, 'good.mjs');
    writeFileSync(good, `export default { name: 'never-ahead', description: 'd', guards: { isLearnerAhead: () => false } };\n`);
    const out: string[] = [];
    const code = await run(['check', '--variant', good, '--max-txns', '1', '--max-partitions', '0', '--traces-dir', dir, '--json'], (l) => out.push(l), () => {}, false);
    expect(code).toBe(1);
    const summary = JSON.parse(out[0]);
    const trace = JSON.parse(readFileSync(summary.trace, 'utf8'));
    expect(trace.variant).toBe(`never-ahead@${good}`);
    const replayed: string[] = [];
    expect(await run(['replay', '--variant', good, summary.trace], (l) => replayed.push(l), () => {}, false)).toBe(0);
    expect(await run(['replay', summary.trace], () => {}, (l) => replayed.push(l), false)).toBe(2);
    expect(replayed.at(-1)).toMatch(/made with variant never-ahead@.*pass --variant/);
  });

  it('a variant that changes nothing observable is reported safe, with the unchanged state count', () => {
    const noop = CORPUS.find((v) => v.name === 'noop-wrapped-action')!;
    const small = { bounds: { maxEpoch: 2, maxTxns: 1, maxCrashes: 1, maxPartitions: 0 } };
    const withNoop = runVariant({ ...noop, ...small });
    const unchanged = runVariant({ name: 'unchanged', description: 'd', ...small });
    expect(withNoop.verdict).toBe('pass');
    expect(withNoop.asExpected).toBe(true);
    expect(withNoop.states).toBe(unchanged.states);
  });
});
