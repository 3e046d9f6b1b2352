import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { validateVariant, VariantError, type Variant } from './Variant.js';
import { UsageError } from '../cli/CliError.js';
import { corpusVariant } from './corpus/index.js';

function isVariantPath(flag: string): boolean {
  return corpusVariant(flag) === undefined;
}

/** A variant as loaded from a file: the module's default export, checked, and where it came from. */
export interface LoadedVariant {
  readonly variant: Variant;
  /** The path as given, recorded in traces. */
  readonly path: string;
}

const TYPESCRIPT = /\.(ts|mts|cts|tsx)$/;
const JAVASCRIPT = /\.(js|mjs|cjs)$/;

/**
 * Import a variant module (TypeScript through tsx's ESM API, JavaScript with import()) and check
 * its default export. Every failure is a VariantError whose first line names what is wrong.
 */
export async function loadVariant(path: string): Promise<LoadedVariant> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new VariantError(`${path}: no such file`);
  if (!TYPESCRIPT.test(absolute) && !JAVASCRIPT.test(absolute)) {
    throw new VariantError(`${path}: a variant is a .ts or .js module`);
  }
  let module: Record<string, unknown>;
  try {
    if (TYPESCRIPT.test(absolute)) {
      const { tsImport } = await import('tsx/esm/api');
      module = (await tsImport(pathToFileURL(absolute).href, import.meta.url)) as Record<string, unknown>;
    } else {
      module = (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
    }
  } catch (e) {
    throw new VariantError(`${path}: cannot import: ${String((e as Error).message ?? e).split('\n')[0]}`);
  }
  // tsx may wrap a TypeScript module's default export once more when it compiles it as CommonJS.
  let value = module.default;
  if (value !== null && typeof value === 'object' && 'default' in value && !('name' in value)) value = (value as { default: unknown }).default;
  if (value === undefined) {
    const names = Object.keys(module).filter((k) => k !== 'default');
    throw new VariantError(`${path}: no default export (found ${names.length === 0 ? 'no exports' : names.join(', ')}); write \`export default { name, description, guards, actions }\``);
  }
  return { variant: validateVariant(value, path), path };
}

/**
 * For the CLI: load `--variant`'s file, or nothing when it names a built-in variant. A bad
 * module is a UsageError, so the CLI prints its one line and exits 2.
 */
export async function loadVariantForCli(flag: string): Promise<LoadedVariant | undefined> {
  if (!isVariantPath(flag)) return undefined;
  try {
    return await loadVariant(flag);
  } catch (e) {
    if (e instanceof VariantError) throw new UsageError(`--variant ${e.message}`);
    throw e;
  }
}
