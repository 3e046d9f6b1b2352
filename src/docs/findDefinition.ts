/** A source file's path (relative to the repository root) and its text. */
export interface SourceText {
  readonly path: string;
  readonly text: string;
}

/** Where a name is defined: a file and a 1-based line. */
export interface Definition {
  readonly path: string;
  readonly line: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function firstLineMatching(text: string, pattern: RegExp): number | null {
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) if (pattern.test(lines[k])) return k + 1;
  return null;
}

/**
 * Where a guard or action implementation is defined. An implementation is a property of an object
 * such as `serverActions = { name: (context, event) => ... }`, so an indented `name:` wins over a
 * helper function of the same name (`function leaveLeader`), which is the fallback.
 */
export function findTypeScriptDefinition(name: string, sources: readonly SourceText[]): Definition | null {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new Error(`not an identifier: ${JSON.stringify(name)}`);
  const property = new RegExp(`^\\s+${escapeRegExp(name)}\\s*[:(]`);
  const declaration = new RegExp(`^\\s*(?:export\\s+)?(?:function\\s+|const\\s+|let\\s+)${escapeRegExp(name)}\\b`);
  for (const pattern of [property, declaration]) {
    for (const source of sources) {
      const line = firstLineMatching(source.text, pattern);
      if (line !== null) return { path: source.path, line };
    }
  }
  return null;
}

/** The line where a TLA+ operator is defined: `Name(args) ==` or `Name ==` at the start of a line. */
export function findTlaDefinition(name: string, spec: SourceText): Definition | null {
  if (!/^[A-Za-z_]\w*$/.test(name)) throw new Error(`not a TLA+ identifier: ${JSON.stringify(name)}`);
  const line = firstLineMatching(spec.text, new RegExp(`^${escapeRegExp(name)}\\s*(?:\\([^)]*\\))?\\s*==`));
  return line === null ? null : { path: spec.path, line };
}
