import { readFileSync } from 'node:fs';
import { parseModelConfig } from '../model/parseModelConfig.js';
import { STANDARD_MODEL, validateModelConfig, type ModelConfig } from '../model/ModelConfig.js';
import { UsageError } from './CliError.js';

/** The bound flags shared by `check` and `simulate`: each overrides one ModelConfig field. */
export const BOUND_FLAGS = {
  config: { type: 'string' },
  servers: { type: 'string' },
  observers: { type: 'string' },
  'max-epoch': { type: 'string' },
  'max-txns': { type: 'string' },
  'max-crashes': { type: 'string' },
  'max-partitions': { type: 'string' },
  'commit-log-count': { type: 'string' },
  'max-rounds': { type: 'string' },
  election: { type: 'string' },
} as const;

const FIELD_OF_FLAG: Record<string, keyof ModelConfig> = {
  servers: 'servers',
  observers: 'observers',
  'max-epoch': 'maxEpoch',
  'max-txns': 'maxTxns',
  'max-crashes': 'maxCrashes',
  'max-partitions': 'maxPartitions',
  'commit-log-count': 'commitLogCount',
  'max-rounds': 'maxRounds',
};

export function wholeNumber(flag: string, raw: string): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${flag} must be a whole number, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** Base config (file, or `base`), then each bound flag on top; validated, errors name the flag. */
export function modelConfigFromFlags(values: Record<string, unknown>, base: ModelConfig = STANDARD_MODEL): ModelConfig {
  let config: ModelConfig = base;
  if (typeof values.config === 'string') {
    let text: string;
    try {
      text = readFileSync(values.config, 'utf8');
    } catch {
      throw new UsageError(`cannot read model config ${values.config}`);
    }
    try {
      config = parseModelConfig(text);
    } catch (e) {
      throw new UsageError(`${values.config}: ${(e as Error).message}`);
    }
  }
  const overrides: Record<string, unknown> = {};
  for (const [flag, field] of Object.entries(FIELD_OF_FLAG)) {
    const raw = values[flag];
    if (typeof raw === 'string') overrides[field] = wholeNumber(flag, raw);
  }
  if (typeof values.election === 'string') overrides.election = values.election;
  config = { ...config, ...overrides } as ModelConfig;
  try {
    validateModelConfig(config);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return config;
}
