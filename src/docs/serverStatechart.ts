import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileServerMachine } from '../protocol/compileServerMachine.js';
import { createServerMachine, defaultImplementations, type ServerImplementations, type ServerMachine } from '../protocol/serverMachine.js';
import type { SourceText } from './findDefinition.js';
import { chartShapeOf, statechartDocument, type ChartSources, type StatechartDocument } from './statechartDocs.js';

/** The files the server chart's guard and action names are looked up in, in this order. */
export const SERVER_IMPLEMENTATION_FILES: readonly string[] = ['src/protocol/serverActions.ts', 'src/protocol/serverGuards.ts'];

/** The TLA+ spec whose actions name the chart's events. */
export const SPEC_FILE = 'spec/Zab.tla';

/** Where the generated chart pages go, relative to the repository root. */
export const STATECHART_DIR = 'docs/statecharts';

function readSource(root: string, path: string): SourceText {
  return { path, text: readFileSync(join(root, path), 'utf8') };
}

/** The sources the server chart's names are looked up in, read from under `root`. */
export function serverChartSources(root: string): ChartSources {
  return {
    implementations: SERVER_IMPLEMENTATION_FILES.map((path) => readSource(root, path)),
    spec: readSource(root, SPEC_FILE),
  };
}

/**
 * The server chart's page, generated from `machine` (the real chart unless a test passes another),
 * with definitions looked up in `sources` (the files under `root` unless a test passes others).
 */
export function serverStatechartDocument(
  root: string,
  machine: ServerMachine = createServerMachine(defaultImplementations),
  impl: ServerImplementations = defaultImplementations,
  sources: ChartSources = serverChartSources(root),
): StatechartDocument {
  const compiled = compileServerMachine(machine, impl);
  return statechartDocument('server', chartShapeOf(machine, compiled), compiled, sources);
}
