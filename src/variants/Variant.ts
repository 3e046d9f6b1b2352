import type { ModelConfig } from '../model/ModelConfig.js';
import { STANDARD_MODEL, validateModelConfig } from '../model/ModelConfig.js';
import type { ServerImplementations } from '../protocol/serverMachine.js';
import { serverGuards, type Guard, type ServerGuardName } from '../protocol/serverGuards.js';
import { serverActions, type Action, type ServerActionName } from '../protocol/serverActions.js';
import { INVARIANTS, ACTION_PROPERTIES } from '../checker/invariants.js';
import { LIVENESS_PROPERTY } from '../checker/liveness.js';

/**
 * A protocol change: named guards and actions of the server chart replaced by others, nothing
 * else. The chart, the model and the invariants stay as they are, so whatever the checker says
 * about the variant is about the change alone.
 */
export interface Variant {
  /** A short name, file-friendly: it names the committed trace `traces/variants/<name>.json`. */
  readonly name: string;
  /** One sentence: what the change does. */
  readonly description: string;
  /** The JIRA id of the real ZooKeeper bug the change reproduces, e.g. 'ZOOKEEPER-4643'. */
  readonly bug?: string;
  /** Replacement guards, by the chart's guard names. */
  readonly guards?: Partial<Record<ServerGuardName, Guard>>;
  /** Replacement actions, by the chart's action names. */
  readonly actions?: Partial<Record<ServerActionName, Action>>;
  /** The bounds the variant needs, on top of the standard model. */
  readonly bounds?: Partial<ModelConfig>;
  /** The property the variant is expected to break: an invariant name, or 'EventuallyBroadcast'. */
  readonly expect?: string;
  /** Safety (BFS over the bounds, the default) or liveness (the bounded liveness check). */
  readonly check?: 'safety' | 'liveness';
}

/** A variant module that cannot be used: the message names what is wrong. */
export class VariantError extends Error {}

/** Every property a variant may say it breaks. */
export function propertyNames(): string[] {
  return [...INVARIANTS.map((i) => i.name), ...ACTION_PROPERTIES.map((p) => p.name), LIVENESS_PROPERTY];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

/** Check one table of replacements (guards or actions) against the chart's names. */
function validateTable(where: string, kind: 'guards' | 'actions', value: unknown, known: readonly string[]): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new VariantError(`${where}: ${kind} must be an object of functions by name, got ${describe(value)}`);
  }
  for (const [name, f] of Object.entries(value)) {
    if (!known.includes(name)) {
      const near = known.filter((k) => k.toLowerCase() === name.toLowerCase());
      const hint = near.length > 0 ? ` (did you mean ${near[0]}?)` : '';
      throw new VariantError(`${where}: unknown ${kind === 'guards' ? 'guard' : 'action'} ${JSON.stringify(name)}${hint}; the chart's ${kind} are ${known.join(', ')}`);
    }
    if (typeof f !== 'function') throw new VariantError(`${where}: ${kind}.${name} must be a function, got ${describe(f)}`);
  }
}

/**
 * Check a value is a usable variant; `where` (a path or a name) starts every message. Refuses a
 * missing or wrongly typed field, an unknown guard or action name, bad bounds, an unknown
 * expected property.
 */
export function validateVariant(value: unknown, where: string): Variant {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new VariantError(`${where}: a variant must be an object, got ${describe(value)}`);
  }
  const v = value as Record<string, unknown>;
  const allowed = ['name', 'description', 'bug', 'guards', 'actions', 'bounds', 'expect', 'check'];
  for (const key of Object.keys(v)) {
    if (!allowed.includes(key)) throw new VariantError(`${where}: unknown field ${JSON.stringify(key)}; a variant has ${allowed.join(', ')}`);
  }
  if (typeof v.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v.name)) {
    throw new VariantError(`${where}: name must be a string of letters, digits, '.', '_' or '-', got ${describe(v.name)}`);
  }
  if (typeof v.description !== 'string' || v.description.length === 0) {
    throw new VariantError(`${where}: description must be a non-empty string, got ${describe(v.description)}`);
  }
  if (v.bug !== undefined && (typeof v.bug !== 'string' || !/^ZOOKEEPER-\d+$/.test(v.bug))) {
    throw new VariantError(`${where}: bug must be a JIRA id like "ZOOKEEPER-4643", got ${describe(v.bug)}`);
  }
  validateTable(where, 'guards', v.guards, Object.keys(serverGuards));
  validateTable(where, 'actions', v.actions, Object.keys(serverActions));
  if (v.bounds !== undefined) {
    if (v.bounds === null || typeof v.bounds !== 'object' || Array.isArray(v.bounds)) {
      throw new VariantError(`${where}: bounds must be an object of model bounds, got ${describe(v.bounds)}`);
    }
    try {
      validateModelConfig(variantConfig({ bounds: v.bounds as Partial<ModelConfig> }));
    } catch (e) {
      throw new VariantError(`${where}: bounds: ${(e as Error).message}`);
    }
  }
  if (v.check !== undefined && v.check !== 'safety' && v.check !== 'liveness') {
    throw new VariantError(`${where}: check must be "safety" or "liveness", got ${describe(v.check)}`);
  }
  if (v.expect !== undefined && (typeof v.expect !== 'string' || !propertyNames().includes(v.expect))) {
    throw new VariantError(`${where}: expect must name a property (${propertyNames().join(', ')}), got ${describe(v.expect)}`);
  }
  return v as unknown as Variant;
}

/** The variant's model: the base bounds with the variant's on top. */
export function variantConfig(variant: Pick<Variant, 'bounds'>, base: ModelConfig = STANDARD_MODEL): ModelConfig {
  return { ...base, ...(variant.bounds ?? {}) };
}

/** The chart's implementations with the variant's replacements merged on top of the defaults. */
export function implementationsOf(variant: Variant): ServerImplementations {
  return {
    guards: { ...serverGuards, ...(variant.guards ?? {}) } as ServerImplementations['guards'],
    actions: { ...serverActions, ...(variant.actions ?? {}) } as ServerImplementations['actions'],
  };
}

/** Type helper for variant modules: `export default defineVariant({ ... })`. */
export function defineVariant(variant: Variant): Variant {
  return variant;
}
