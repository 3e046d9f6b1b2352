import type { CompiledServerMachine, CompiledTransition, StateId } from '../protocol/compileServerMachine.js';
import type { ServerMachine } from '../protocol/serverMachine.js';
import { findTlaDefinition, findTypeScriptDefinition, type Definition, type SourceText } from './findDefinition.js';

/** What the diagram needs beyond the transition table: where each compound state starts. */
export interface ChartShape {
  /** Leaves in document order, as compileServerMachine lists them. */
  readonly leaves: readonly StateId[];
  /** The chart's initial leaf. */
  readonly initial: StateId;
  /** Each compound state's path, in document order, and the path of its initial child. */
  readonly initialChild: ReadonlyMap<StateId, StateId>;
}

/** One row of the transition table, with the places its names are defined. */
export interface TransitionRow {
  readonly transition: CompiledTransition;
  /** The spec action of the same name in spec/Zab.tla, or null if the spec has none. */
  readonly spec: Definition | null;
  readonly guard: Definition | null;
  /** One entry per action name, in order. */
  readonly actions: readonly (Definition | null)[];
}

/** The files a chart's names are looked up in. */
export interface ChartSources {
  /** Where guard and action implementations live, searched in order. */
  readonly implementations: readonly SourceText[];
  /** The TLA+ spec whose actions the events are named after. */
  readonly spec: SourceText;
}

/** A generated chart document: the Mermaid source and the whole Markdown page around it. */
export interface StatechartDocument {
  readonly mermaid: string;
  readonly markdown: string;
}

/**
 * The compound states and their initial children, looked up by id in the machine (the transitions
 * themselves come from compileServerMachine, which already walked the state nodes).
 */
export function chartShapeOf(machine: ServerMachine, compiled: CompiledServerMachine): ChartShape {
  const initialChild = new Map<StateId, StateId>();
  for (const leaf of compiled.states) {
    const parts = leaf.split('.');
    for (let depth = 1; depth < parts.length; depth++) {
      const path = parts.slice(0, depth).join('.');
      if (initialChild.has(path)) continue;
      const node = machine.getStateNodeById(`${machine.root.id}.${path}`);
      const first = node.initial?.target?.[0];
      if (first === undefined) throw new Error(`compound state ${path} has no initial state`);
      initialChild.set(path, first.path.join('.'));
    }
  }
  return { leaves: compiled.states, initial: compiled.initialState, initialChild };
}

function mermaidId(path: StateId): string {
  return path.replace(/\./g, '_');
}

function parentOf(path: StateId): StateId | null {
  const cut = path.lastIndexOf('.');
  return cut < 0 ? null : path.slice(0, cut);
}

function isWithin(path: StateId, ancestor: StateId): boolean {
  return path === ancestor || path.startsWith(ancestor + '.');
}

/**
 * Where an arrow points. The compiled target is always a leaf; when the leaf is where a compound
 * state starts and the arrow comes from outside that compound, point at the compound, as the chart
 * declares it (`target: 'LEADING'`), so the picture shows phases being entered, not leaves.
 */
function arrowTarget(shape: ChartShape, transition: CompiledTransition): StateId {
  if (transition.target === null) return transition.source;
  let target = transition.target;
  for (let parent = parentOf(target); parent !== null; parent = parentOf(parent)) {
    if (shape.initialChild.get(parent) !== target || isWithin(transition.source, parent)) break;
    target = parent;
  }
  return target;
}

function transitionLabel(transition: CompiledTransition): string {
  return transition.guardName === null ? transition.event : `${transition.event} [${transition.guardName}]`;
}

/** Declarations of the states below `parent` (null: the top level), compounds as nested blocks. */
function stateLines(shape: ChartShape, parent: StateId | null, indent: string): string[] {
  const children: StateId[] = [];
  for (const path of [...shape.initialChild.keys(), ...shape.leaves]) {
    if (parentOf(path) === parent && !children.includes(path)) children.push(path);
  }
  children.sort((a, b) => firstLeafIndex(shape, a) - firstLeafIndex(shape, b));
  const lines: string[] = [];
  for (const child of children) {
    const label = child.slice(child.lastIndexOf('.') + 1);
    const id = mermaidId(child);
    lines.push(`${indent}state "${label}" as ${id}`);
    const initial = shape.initialChild.get(child);
    if (initial === undefined) continue;
    lines.push(`${indent}state ${id} {`);
    lines.push(`${indent}  [*] --> ${mermaidId(initial)}`);
    lines.push(...stateLines(shape, child, indent + '  '));
    lines.push(`${indent}}`);
  }
  return lines;
}

function firstLeafIndex(shape: ChartShape, path: StateId): number {
  const index = shape.leaves.findIndex((leaf) => isWithin(leaf, path));
  if (index < 0) throw new Error(`state ${path} has no leaf`);
  return index;
}

/**
 * The chart as a Mermaid `stateDiagram-v2`: compound states nest their phases, every transition
 * is labelled `Event [guard]` on the arrow between its states (one arrow per pair of states, a
 * line per transition), and a transition without a target is a loop on its source.
 */
export function toStateDiagram(shape: ChartShape, transitions: readonly CompiledTransition[]): string {
  const initialTop = shape.initial.split('.')[0];
  const lines = ['stateDiagram-v2', '  direction LR', `  [*] --> ${mermaidId(initialTop)}`, ...stateLines(shape, null, '  ')];
  // Mermaid draws parallel arrows on top of each other, hiding all labels but one: one arrow per
  // pair of states, its label a line per transition, in document order.
  const arrows = new Map<string, string[]>();
  for (const transition of transitions) {
    const key = `${mermaidId(transition.source)} --> ${mermaidId(arrowTarget(shape, transition))}`;
    const labels = arrows.get(key) ?? [];
    labels.push(transitionLabel(transition));
    arrows.set(key, labels);
  }
  for (const [key, labels] of arrows) lines.push(`  ${key} : ${labels.join('<br/>')}`);
  return lines.join('\n') + '\n';
}

/** Resolve every name of every transition to where it is defined. */
export function transitionRows(transitions: readonly CompiledTransition[], sources: ChartSources): TransitionRow[] {
  return transitions.map((transition) => ({
    transition,
    spec: findTlaDefinition(transition.event, sources.spec),
    guard: transition.guardName === null ? null : findTypeScriptDefinition(transition.guardName, sources.implementations),
    actions: transition.actionNames.map((name) => findTypeScriptDefinition(name, sources.implementations)),
  }));
}

/**
 * A spec action linked to the spec. No line number: an unrelated edit that moves the
 * definition must not change the page (the staleness test would fail on every edit of the file),
 * while moving it to another file, or a missing definition, does.
 */
function link(text: string, definition: Definition | null, linkBase: string): string {
  if (definition === null) return `${text} (not found)`;
  return `[${text}](${linkBase}${definition.path})`;
}

/** A guard or action name; its file is in the Source file column. */
function named(name: string, definition: Definition | null): string {
  return definition === null ? `\`${name}\` (not found)` : `\`${name}\``;
}

/** The files defining a transition's guard and actions, each once, in the order first named. */
function sourceFiles(row: TransitionRow, linkBase: string): string {
  const paths: string[] = [];
  for (const definition of [row.guard, ...row.actions]) {
    if (definition !== null && !paths.includes(definition.path)) paths.push(definition.path);
  }
  return paths.length === 0 ? '—' : paths.map((path) => `[${path}](${linkBase}${path})`).join('<br>');
}

function tableLines(rows: readonly TransitionRow[], linkBase: string): string[] {
  const lines = [
    '| Spec action | Source state | Target state | Guard | Actions | Source file |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const t = row.transition;
    const spec = row.spec === null ? `${t.event} (not in the spec)` : link(t.event, row.spec, linkBase);
    const guard = t.guardName === null ? '—' : named(t.guardName, row.guard);
    const actions = t.actionNames.length === 0 ? '—' : t.actionNames.map((name, k) => named(name, row.actions[k])).join(', ');
    lines.push(`| ${spec} | ${t.source} | ${t.target ?? '(stays)'} | ${guard} | ${actions} | ${sourceFiles(row, linkBase)} |`);
  }
  return lines;
}

/**
 * The Markdown page of one chart: the diagram (Mermaid source, and a link to the rendered SVG) and
 * a table of every transition. Links are relative to the page, `linkBase` leading to the repo root.
 */
export function statechartDocument(
  name: string,
  shape: ChartShape,
  compiled: CompiledServerMachine,
  sources: ChartSources,
  linkBase = '../../',
): StatechartDocument {
  const mermaid = toStateDiagram(shape, compiled.transitions);
  const rows = transitionRows(compiled.transitions, sources);
  const markdown = [
    `# The ${name} statechart`,
    '',
    '<!-- Generated by `npm run docs` from the chart itself (compileServerMachine); do not edit by hand. -->',
    '<!-- test/docs fails when this file differs from what the chart produces: run `npm run docs`. -->',
    '',
    `Every event is a spec action of [spec/Zab.tla](${linkBase}spec/Zab.tla). A state's transitions are tried`,
    'in order; the first whose guard holds is taken. An arrow from a phase box is declared on the role',
    '(it applies in every phase); a loop is a transition that changes variables but not the state.',
    `Rendered: [${name}.svg](${name}.svg).`,
    '',
    '```mermaid',
    mermaid.trimEnd(),
    '```',
    '',
    '## Transitions',
    '',
    `All ${rows.length} transitions in document order, which is also the order XState tries them in.`,
    'Source file is where the guard and actions are defined. Links carry no line numbers, so this page',
    'changes when the chart changes, not when an edit elsewhere in those files moves a line.',
    '',
    ...tableLines(rows, linkBase),
    '',
  ].join('\n');
  return { mermaid, markdown };
}
