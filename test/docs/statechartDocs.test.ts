import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { compileServerMachine } from '../../src/protocol/compileServerMachine.js';
import { createServerMachine, defaultImplementations, type ServerMachine } from '../../src/protocol/serverMachine.js';
import { findTlaDefinition, findTypeScriptDefinition } from '../../src/docs/findDefinition.js';
import { serverChartSources, serverStatechartDocument, STATECHART_DIR } from '../../src/docs/serverStatechart.js';
import { chartShapeOf, toStateDiagram } from '../../src/docs/statechartDocs.js';

const root = join(import.meta.dirname, '../..');

/** The real chart with one transition changed: DISCOVERY's quorum of ACKEPOCH now skips to BROADCAST. */
function chartWithChangedTransition(): ServerMachine {
  const machine = createServerMachine(defaultImplementations);
  // The state tree is plain data (guards and actions by name); the context factory is kept as is.
  const states = JSON.parse(JSON.stringify(machine.config.states)) as Record<string, { states: Record<string, { on: Record<string, { guard?: string; target?: string }[]> }> }>;
  const config = { ...machine.config, states };
  const candidates = config.states.LEADING.states.DISCOVERY.on.LeaderProcessACKEPOCH;
  const quorum = candidates.find((t) => t.guard === 'isAckEpochQuorum');
  if (quorum === undefined) throw new Error('the chart changed: pick another transition for this test');
  quorum.target = 'BROADCAST';
  return createMachine(config as never, machine.implementations as never) as unknown as ServerMachine;
}

describe('generated statechart docs', () => {
  it('docs/statecharts/server.md is what the chart produces (run `npm run docs` after changing the chart)', () => {
    const committed = readFileSync(join(root, STATECHART_DIR, 'server.md'), 'utf8');
    const generated = serverStatechartDocument(root).markdown;
    expect(committed, 'docs/statecharts/server.md is stale: run `npm run docs` (or `npx tsx src/docs/generateDocs.ts --only charts`) and commit it').toBe(generated);
  });

  it('a chart with one transition changed does not match the committed page, so `npm test` fails until the docs are regenerated', () => {
    const committed = readFileSync(join(root, STATECHART_DIR, 'server.md'), 'utf8');
    const changed = serverStatechartDocument(root, chartWithChangedTransition());
    expect(changed.markdown).not.toBe(committed);
    expect(committed).toContain('LEADING_DISCOVERY --> LEADING_SYNCHRONIZATION : LeaderProcessACKEPOCH [isAckEpochQuorum]');
    expect(changed.mermaid).toContain('LEADING_DISCOVERY --> LEADING_BROADCAST : LeaderProcessACKEPOCH [isAckEpochQuorum]');
    expect(changed.markdown).toContain('| LEADING.DISCOVERY | LEADING.BROADCAST | `isAckEpochQuorum` |');
  });

  it('an edit that only moves lines in the sources (a comment added on top) leaves the page as it is', () => {
    const sources = serverChartSources(root);
    const banner = '// an unrelated comment\n// on two lines\n';
    const moved = {
      implementations: sources.implementations.map((source) => ({ ...source, text: banner + source.text })),
      spec: { ...sources.spec, text: '\\* an unrelated comment\n' + sources.spec.text },
    };
    const real = serverStatechartDocument(root);
    const afterEdit = serverStatechartDocument(root, undefined, undefined, moved);
    expect(findTypeScriptDefinition('leaveLeader', moved.implementations)?.line).toBe((findTypeScriptDefinition('leaveLeader', sources.implementations)?.line ?? 0) + 2);
    expect(afterEdit.markdown).toBe(real.markdown);
  });

  it('a guard or action the sources no longer define is marked on the page', () => {
    const sources = serverChartSources(root);
    const [actions, ...rest] = sources.implementations;
    const renamed = { ...actions, text: actions.text.replace(/^(\s+)recordAckEpoch: /m, '$1recordTheAckEpoch: ') };
    expect(renamed.text).not.toBe(actions.text);
    const page = serverStatechartDocument(root, undefined, undefined, { ...sources, implementations: [renamed, ...rest] }).markdown;
    expect(page).toContain('`recordAckEpoch` (not found)');
  });

  it('draws every transition of the compiled chart, phases nested in their roles', () => {
    const machine = createServerMachine(defaultImplementations);
    const compiled = compileServerMachine(machine, defaultImplementations);
    const diagram = toStateDiagram(chartShapeOf(machine, compiled), compiled.transitions);
    expect(diagram.startsWith('stateDiagram-v2\n')).toBe(true);
    for (const role of ['LEADING', 'FOLLOWING', 'OBSERVING']) {
      expect(diagram).toContain(`  state ${role} {\n    [*] --> ${role}_DISCOVERY\n`);
      for (const phase of ['DISCOVERY', 'SYNCHRONIZATION', 'BROADCAST']) expect(diagram).toContain(`    state "${phase}" as ${role}_${phase}\n`);
    }
    for (const t of compiled.transitions) {
      expect(diagram).toContain(t.guardName === null ? t.event : `${t.event} [${t.guardName}]`);
    }
    // Entering a role points at the role, not at its initial phase.
    expect(diagram).toMatch(/\n  LOOKING --> LEADING : [^\n]*ElectLeader \[isElectedLeader\]/);
  });

  it('links every spec action to the spec and names the file of every guard and action, without line numbers', () => {
    const { markdown } = serverStatechartDocument(root);
    expect(markdown).not.toContain('(not found)');
    expect(markdown).not.toContain('(not in the spec)');
    expect(markdown).not.toMatch(/#L\d/);
    expect(markdown).toContain('| [LeaderProcessACKEPOCH](../../spec/Zab.tla) | LEADING.DISCOVERY | LEADING.SYNCHRONIZATION | `isAckEpochQuorum` | `recordAckEpoch`, `startSync` | [src/protocol/serverGuards.ts](../../src/protocol/serverGuards.ts)<br>[src/protocol/serverActions.ts](../../src/protocol/serverActions.ts) |');
    const spec = { path: 'spec/Zab.tla', text: readFileSync(join(root, 'spec/Zab.tla'), 'utf8') };
    const line = findTlaDefinition('LeaderProcessACKEPOCH', spec)?.line ?? 0;
    expect(spec.text.split('\n')[line - 1]).toMatch(/^LeaderProcessACKEPOCH\(i, j\) ==/);
    const actions = { path: 'src/protocol/serverActions.ts', text: readFileSync(join(root, 'src/protocol/serverActions.ts'), 'utf8') };
    const leave = findTypeScriptDefinition('leaveLeader', [actions]);
    expect(actions.text.split('\n')[(leave?.line ?? 0) - 1]).toMatch(/^\s+leaveLeader: /);
    expect(findTypeScriptDefinition('noSuchAction', [actions])).toBeNull();
  });
});
