import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Application, type TypeDocOptions } from 'typedoc';
import { launchChromium } from './launchChromium.js';
import { renderMermaidSvg } from './renderMermaidSvg.js';
import { serverStatechartDocument, STATECHART_DIR } from './serverStatechart.js';

/** Which outputs to produce: each can be asked for alone (`--only charts`). */
export type DocsPart = 'charts' | 'svg' | 'api';

export const DOCS_PARTS: readonly DocsPart[] = ['charts', 'svg', 'api'];

/** The public API's entry point and where its docs go. */
export const API_ENTRY = 'src/index.ts';
export const API_DIR = 'docs/api';

function write(root: string, path: string, text: string, log: (line: string) => void): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
  log(`wrote ${path} (${text.length} bytes)`);
}

/**
 * typedoc over the barrel. Every exported symbol must carry a doc comment, so any typedoc warning
 * (an undocumented export, a broken `{@link}`) is an error: nothing is written and the run fails.
 * The check is here and not in `npm test` because typedoc type-checks the whole program first
 * (about 10 s on 2 cores), too slow for a test.
 */
export async function generateApiDocs(root: string, log: (line: string) => void): Promise<void> {
  const options: TypeDocOptions = {
    entryPoints: [join(root, API_ENTRY)],
    tsconfig: join(root, 'tsconfig.json'),
    out: join(root, API_DIR),
    name: 'zabstate',
    readme: 'none',
    excludePrivate: true,
    excludeInternal: true,
    hideGenerator: true,
    githubPages: false,
    sourceLinkTemplate: '../../{path}#L{line}',
    disableGit: true,
    basePath: root,
    validation: { notExported: true, invalidLink: true, notDocumented: true },
    // "Every exported symbol": the module-level exports, their members and methods.
    requiredToBeDocumented: ['Enum', 'Variable', 'Function', 'Class', 'Interface', 'TypeAlias'],
  };
  const app = await Application.bootstrapWithPlugins(options);
  const project = await app.convert();
  if (project === undefined) throw new Error('typedoc could not convert the project (see the errors above)');
  app.validate(project);
  if (app.logger.hasErrors()) throw new Error('typedoc found errors (see above)');
  const warnings = app.logger.warningCount;
  if (warnings > 0) throw new Error(`typedoc reported ${warnings} warning(s) (see above): document every export; ${API_DIR}/ not written`);
  rmSync(join(root, API_DIR), { recursive: true, force: true });
  await app.generateDocs(project, join(root, API_DIR));
  log(`wrote ${API_DIR}/ (0 typedoc warnings)`);
}

/** Generate the chosen parts of docs/ from the code under `root`. */
export async function generateDocs(root: string, parts: readonly DocsPart[], log: (line: string) => void): Promise<void> {
  const server = serverStatechartDocument(root);
  if (parts.includes('charts')) write(root, `${STATECHART_DIR}/server.md`, server.markdown, log);
  if (parts.includes('svg')) {
    const browser = await launchChromium();
    try {
      const [svg] = await renderMermaidSvg(browser.context, [server.mermaid]);
      write(root, `${STATECHART_DIR}/server.svg`, svg + '\n', log);
    } finally {
      await browser.close();
    }
  }
  if (parts.includes('api')) await generateApiDocs(root, log);
}

/** Bad command-line arguments: exit 2 with one line, as the CLI does. */
class UsageError extends Error {}

function partsOf(argv: readonly string[]): DocsPart[] {
  let only: string[] | undefined;
  try {
    only = parseArgs({ args: [...argv], options: { only: { type: 'string', multiple: true } }, strict: true }).values.only;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  for (const part of only ?? []) {
    if (!DOCS_PARTS.includes(part as DocsPart)) throw new UsageError(`--only must be one of ${DOCS_PARTS.join(', ')}, got ${JSON.stringify(part)}`);
  }
  return (only ?? [...DOCS_PARTS]) as DocsPart[];
}

async function main(argv: readonly string[]): Promise<number> {
  const only = partsOf(argv);
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  await generateDocs(root, only, (line) => process.stdout.write(line + '\n'));
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`docs: ${(e as Error).message}\n`);
      process.exitCode = e instanceof UsageError ? 2 : 1;
    },
  );
}
