import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Language, Parser, type Node } from 'web-tree-sitter';

/** A parsed TLA+ module: its syntax tree and whether tree-sitter found an error in it. */
export interface ParsedSpec {
  readonly path: string;
  readonly hasError: boolean;
  /** Line and column (1-based) of the first error or missing node, if any. */
  readonly firstError: { line: number; column: number; text: string } | null;
  readonly root: Node;
}

let parser: Promise<Parser> | null = null;

async function tlaParser(): Promise<Parser> {
  if (parser === null) {
    parser = (async () => {
      await Parser.init();
      const require = createRequire(import.meta.url);
      const wasm = require.resolve('@tlaplus/tree-sitter-tlaplus/tree-sitter-tlaplus.wasm');
      const p = new Parser();
      p.setLanguage(await Language.load(wasm));
      return p;
    })();
  }
  return parser;
}

function findError(node: Node): Node | null {
  if (node.isError || node.isMissing) return node;
  if (!node.hasError) return null;
  for (const child of node.children) {
    if (child === null) continue;
    const found = findError(child);
    if (found !== null) return found;
  }
  return node;
}

/** Parse a .tla file with the TLA+ tree-sitter grammar (the same grammar editors use). */
export async function parseSpec(path: string): Promise<ParsedSpec> {
  const tree = (await tlaParser()).parse(readFileSync(path, 'utf8'));
  if (tree === null) throw new Error(`tree-sitter could not parse ${path}`);
  const error = findError(tree.rootNode);
  return {
    path,
    hasError: tree.rootNode.hasError,
    firstError: error === null ? null : { line: error.startPosition.row + 1, column: error.startPosition.column + 1, text: error.text.slice(0, 60) },
    root: tree.rootNode,
  };
}

/** The names of the actions `Next` is a disjunction of: `\E i : Action(i)` gives `Action`. */
export function nextActionNames(spec: ParsedSpec, operator = 'Next'): string[] {
  const definition = spec.root
    .descendantsOfType('operator_definition')
    .find((d) => d?.childForFieldName('name')?.text === operator);
  if (definition === undefined || definition === null) throw new Error(`${spec.path} defines no ${operator}`);
  const body = definition.childForFieldName('definition');
  if (body === null || body.type !== 'disj_list') throw new Error(`${operator} in ${spec.path} is not a disjunction list`);
  const names: string[] = [];
  for (const item of body.namedChildren) {
    if (item === null || item.type !== 'disj_item') continue;
    let expression: Node | null = item.namedChildren.find((c) => c !== null && c.type !== 'bullet_disj') ?? null;
    while (expression !== null && expression.type === 'bounded_quantification') expression = expression.childForFieldName('expression');
    const name = expression?.type === 'bound_op' ? expression.childForFieldName('name')?.text : expression?.type === 'identifier_ref' ? expression.text : undefined;
    if (name === undefined) throw new Error(`cannot read the action of a ${operator} disjunct: ${item.text}`);
    names.push(name);
  }
  return names;
}
