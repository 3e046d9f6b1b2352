import type { AnyStateNode } from 'xstate';
import type { ServerContext } from './ServerContext.js';
import type { ServerEvent, ServerEventType } from './ServerEvent.js';
import type { Action } from './serverActions.js';
import type { Guard } from './serverGuards.js';
import type { ServerImplementations, ServerMachine } from './serverMachine.js';

/** A leaf of the chart, written as its path: 'LOOKING', 'LEADING.DISCOVERY', ... */
export type StateId = string;

/** One transition of the chart, with its implementations resolved by name. */
export interface CompiledTransition {
  readonly event: ServerEventType;
  /** The state node that declares the transition (a leaf or one of its ancestors). */
  readonly source: StateId;
  readonly guardName: string | null;
  readonly guard: Guard | null;
  readonly actionNames: readonly string[];
  readonly actions: readonly Action[];
  /** The leaf entered, or null for a transition that stays. */
  readonly target: StateId | null;
}

/** The server chart as a plain step function over (state, context, event). */
export interface CompiledServerMachine {
  readonly initialState: StateId;
  readonly states: readonly StateId[];
  /** Every transition, in document order. */
  readonly transitions: readonly CompiledTransition[];
  /** The transition `event` takes in `state`, or null if none is enabled (the event is ignored). */
  select(state: StateId, context: ServerContext, event: ServerEvent): CompiledTransition | null;
  /** Take the event; null when no transition is enabled, as XState leaves the snapshot unchanged. */
  step(state: StateId, context: ServerContext, event: ServerEvent): { state: StateId; context: ServerContext } | null;
}

function pathOf(node: AnyStateNode): StateId {
  return node.path.join('.');
}

/** Where entering `node` ends: its initial leaf, recursively. */
function leafOf(node: AnyStateNode): AnyStateNode {
  if (node.type === 'atomic') return node;
  if (node.type !== 'compound') throw new Error(`the server chart may only have atomic and compound states, not ${node.type} at ${node.id}`);
  const initial = node.initial?.target?.[0];
  if (initial === undefined) throw new Error(`compound state ${node.id} has no initial state`);
  return leafOf(initial);
}

function assertPlain(node: AnyStateNode): void {
  if (node.entry.length > 0 || node.exit.length > 0) throw new Error(`state ${node.id} has entry/exit actions; put them on transitions`);
  if (node.always !== undefined && node.always.length > 0) throw new Error(`state ${node.id} has eventless transitions`);
}

function nameOf(item: unknown, what: string, where: string): string {
  if (typeof item === 'string') return item;
  if (item !== null && typeof item === 'object' && 'type' in item && typeof item.type === 'string') return item.type;
  throw new Error(`${what} at ${where} must be named (a string or { type }), got ${typeof item}`);
}

function compileNode(node: AnyStateNode, impl: ServerImplementations): CompiledTransition[] {
  assertPlain(node);
  const out: CompiledTransition[] = [];
  for (const [event, definitions] of node.transitions) {
    for (const definition of definitions) {
      const where = `${node.id} on ${event}`;
      const guardName = definition.guard === undefined ? null : nameOf(definition.guard, 'guard', where);
      const actionNames = definition.actions.map((a: unknown) => nameOf(a, 'action', where));
      const guard = guardName === null ? null : (impl.guards as Record<string, Guard>)[guardName];
      if (guard === undefined) throw new Error(`unknown guard ${guardName} at ${where}`);
      const actions = actionNames.map((n: string) => {
        const a = (impl.actions as Record<string, Action>)[n];
        if (a === undefined) throw new Error(`unknown action ${n} at ${where}`);
        return a;
      });
      const targets = definition.target ?? [];
      if (targets.length > 1) throw new Error(`parallel targets at ${where}`);
      out.push({
        event: event as ServerEventType,
        source: pathOf(node),
        guardName,
        guard,
        actionNames,
        actions,
        target: targets.length === 0 ? null : pathOf(leafOf(targets[0])),
      });
    }
  }
  return out;
}

function walk(node: AnyStateNode, visit: (n: AnyStateNode) => void): void {
  visit(node);
  for (const child of Object.values(node.states) as AnyStateNode[]) walk(child, visit);
}

/**
 * Compile the chart into a table: for each leaf and event, the candidate transitions, the leaf's
 * own first, then its ancestors', in document order — XState's selection order. The explorer steps
 * through this table; a differential test holds it equal to XState's own `transition()`.
 */
export function compileServerMachine(machine: ServerMachine, impl: ServerImplementations): CompiledServerMachine {
  const byNode = new Map<StateId, CompiledTransition[]>();
  const leaves: AnyStateNode[] = [];
  const transitions: CompiledTransition[] = [];
  walk(machine.root, (node) => {
    if (node === machine.root) {
      assertPlain(node);
      if (node.transitions.size > 0) throw new Error('the server chart declares no root-level transitions');
      return;
    }
    const compiled = compileNode(node, impl);
    byNode.set(pathOf(node), compiled);
    transitions.push(...compiled);
    if (node.type === 'atomic') leaves.push(node);
  });
  const table = new Map<StateId, Map<string, CompiledTransition[]>>();
  for (const leaf of leaves) {
    const events = new Map<string, CompiledTransition[]>();
    for (let node: AnyStateNode | undefined = leaf; node !== undefined && node !== machine.root; node = node.parent) {
      for (const t of byNode.get(pathOf(node)) ?? []) {
        const list = events.get(t.event) ?? [];
        list.push(t);
        events.set(t.event, list);
      }
    }
    table.set(pathOf(leaf), events);
  }
  const select = (state: StateId, context: ServerContext, event: ServerEvent): CompiledTransition | null => {
    const candidates = table.get(state)?.get(event.type);
    if (candidates === undefined) return null;
    for (const t of candidates) if (t.guard === null || t.guard(context, event)) return t;
    return null;
  };
  return {
    initialState: pathOf(leafOf(machine.root)),
    states: leaves.map(pathOf),
    transitions,
    select,
    step(state, context, event) {
      const t = select(state, context, event);
      if (t === null) return null;
      let next = context;
      for (const action of t.actions) next = action(next, event);
      return { state: t.target ?? state, context: next };
    },
  };
}
