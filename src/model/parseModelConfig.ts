import { STANDARD_MODEL, validateModelConfig, type ModelConfig } from './ModelConfig.js';

/** The TLA+ constant behind each ModelConfig field. Sets count their members. */
const CONSTANT_OF: Readonly<Record<string, keyof ModelConfig>> = {
  Server: 'servers',
  Observer: 'observers',
  MaxEpoch: 'maxEpoch',
  MaxTxns: 'maxTxns',
  MaxCrashes: 'maxCrashes',
  MaxPartitions: 'maxPartitions',
  CommitLogCount: 'commitLogCount',
  MaxRounds: 'maxRounds',
  ElectionMode: 'election',
};

/** A TLC model config that cannot be read; the message names the line or the constant. */
export class ModelConfigError extends Error {}

function parseValue(name: string, raw: string, line: number): number | string {
  const v = raw.trim();
  if (/^-?\d+$/.test(v)) return Number(v);
  if (/^"[^"]*"$/.test(v)) return v.slice(1, -1);
  const set = /^\{(.*)\}$/.exec(v);
  if (set !== null) return set[1].trim() === '' ? 0 : set[1].split(',').length;
  throw new ModelConfigError(`line ${line}: cannot read the value of ${name}: ${v}`);
}

/**
 * Read a TLC model config (the `CONSTANT(S)` assignments of a .cfg file) into a ModelConfig, so
 * TLC and zabstate check the very same model. Constants the model does not use (model values
 * such as LOOKING = LOOKING) are skipped; missing ones keep the standard model's value.
 */
export function parseModelConfig(text: string): ModelConfig {
  const out: Record<string, number | string> = { ...STANDARD_MODEL };
  let inConstants = false;
  const lines = text.replace(/\(\*[\s\S]*?\*\)/g, (c) => c.replace(/[^\n]/g, ' ')).split('\n');
  lines.forEach((rawLine, k) => {
    const line = rawLine.replace(/\\\*.*$/, '').trim();
    if (line === '') return;
    const keyword = /^(CONSTANTS?|INIT|NEXT|SPECIFICATION|INVARIANTS?|PROPERTY|PROPERTIES|CONSTRAINTS?|ACTION_CONSTRAINTS?|SYMMETRY|VIEW|CHECK_DEADLOCK|POSTCONDITION|ALIAS)\b(.*)$/.exec(line);
    let body = line;
    if (keyword !== null) {
      inConstants = keyword[1].startsWith('CONSTANT');
      body = keyword[2].trim();
      if (body === '') return;
    }
    if (!inConstants) return;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(=|<-)\s*(.+)$/.exec(body);
    if (m === null) throw new ModelConfigError(`line ${k + 1}: expected Name = value in CONSTANTS, got: ${body}`);
    const field = CONSTANT_OF[m[1]];
    if (field === undefined) return;
    if (m[2] === '<-') throw new ModelConfigError(`line ${k + 1}: ${m[1]} is substituted (<-); assign it a value in the .cfg`);
    out[field] = parseValue(m[1], m[3], k + 1);
  });
  const config = out as unknown as ModelConfig;
  try {
    validateModelConfig(config);
  } catch (e) {
    throw new ModelConfigError((e as Error).message);
  }
  return config;
}
