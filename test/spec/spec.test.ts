import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpec, nextActionNames } from '../../src/spec/readSpec.js';
import { createServerMachine, defaultImplementations } from '../../src/protocol/serverMachine.js';
import { compileServerMachine } from '../../src/protocol/compileServerMachine.js';
import { INVARIANTS, ACTION_PROPERTIES } from '../../src/checker/invariants.js';
import { parseModelConfig } from '../../src/model/parseModelConfig.js';
import { STANDARD_MODEL } from '../../src/model/ModelConfig.js';
import { readFileSync } from 'node:fs';

const specDir = new URL('../../spec/', import.meta.url).pathname;

describe('spec/', () => {
  const files = readdirSync(specDir).filter((f) => f.endsWith('.tla'));

  it('has Zab.tla and MCZab.tla', () => {
    expect(files).toEqual(expect.arrayContaining(['Zab.tla', 'MCZab.tla']));
  });

  it.each(files)('%s parses with the TLA+ grammar without a syntax error', async (file) => {
    const spec = await parseSpec(join(specDir, file));
    expect(spec.firstError, `first error in ${file}`).toBeNull();
    expect(spec.hasError).toBe(false);
  });

  it('the grammar does flag a broken module (the parse check can fail)', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'zabstate-'));
    const broken = readFileSync(join(specDir, 'Zab.tla'), 'utf8').replace('Next ==', 'Next == /\\ /\\ (');
    writeFileSync(join(dir, 'Broken.tla'), broken);
    expect((await parseSpec(join(dir, 'Broken.tla'))).hasError).toBe(true);
  });
});

describe('the spec and the charts share one vocabulary', () => {
  it('every Next action of Zab.tla is a chart transition, and every chart transition is a Next action', async () => {
    const spec = await parseSpec(join(specDir, 'Zab.tla'));
    const specActions = new Set(nextActionNames(spec));
    const compiled = compileServerMachine(createServerMachine(), defaultImplementations);
    const chartEvents = new Set(compiled.transitions.map((t) => t.event));
    const onlyInSpec = [...specActions].filter((a) => !chartEvents.has(a as never));
    const onlyInCharts = [...chartEvents].filter((e) => !specActions.has(e));
    expect({ onlyInSpec, onlyInCharts }).toEqual({ onlyInSpec: [], onlyInCharts: [] });
  });

  it('every invariant the checker knows is defined in Zab.tla under the same name, and MCZab.cfg checks it', async () => {
    const spec = await parseSpec(join(specDir, 'Zab.tla'));
    const defined = new Set(spec.root.descendantsOfType('operator_definition').map((d) => d?.childForFieldName('name')?.text));
    const cfg = readFileSync(join(specDir, 'MCZab.cfg'), 'utf8');
    for (const name of [...INVARIANTS, ...ACTION_PROPERTIES].map((i) => i.name)) {
      expect(defined.has(name), `${name} defined in Zab.tla`).toBe(true);
      expect(cfg, `${name} checked by MCZab.cfg`).toMatch(new RegExp(`\\b${name}\\b`));
    }
  });

  it('MCZab.cfg is the standard model', () => {
    expect(parseModelConfig(readFileSync(join(specDir, 'MCZab.cfg'), 'utf8'))).toEqual(STANDARD_MODEL);
  });
});
