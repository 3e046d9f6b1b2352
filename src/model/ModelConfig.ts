/** How leaders are chosen: an oracle (as Apache's protocol-level Zab.tla) or fast leader election. */
export type ElectionMode = 'Oracle' | 'FLE';

/** The bounds of a model: the TLA+ model config's CONSTANTS, one field each. */
export interface ModelConfig {
  /** Voting servers, sids 1..servers. */
  readonly servers: number;
  /** Observers, sids servers+1..servers+observers. */
  readonly observers: number;
  readonly maxEpoch: number;
  /** Client requests the leaders may turn into proposals, over the whole run. */
  readonly maxTxns: number;
  readonly maxCrashes: number;
  readonly maxPartitions: number;
  /** Txns a leader retains for DIFF; a learner missing more gets SNAP. */
  readonly commitLogCount: number;
  /** FLE only: the highest election round (logicalclock) a server may reach. */
  readonly maxRounds: number;
  readonly election: ElectionMode;
}

/** The standard model: three voters, big enough to measure, small enough to finish in seconds. */
export const STANDARD_MODEL: ModelConfig = Object.freeze({
  servers: 3,
  observers: 0,
  maxEpoch: 2,
  maxTxns: 2,
  maxCrashes: 1,
  maxPartitions: 1,
  commitLogCount: 1,
  maxRounds: 2,
  election: 'Oracle',
});

/** Refuse a config that names an impossible model; the message names the field. */
export function validateModelConfig(config: ModelConfig): void {
  const whole = (name: keyof ModelConfig, min: number, max: number) => {
    const v = config[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`${name} must be a whole number from ${min} to ${max}, got ${String(v)}`);
    }
  };
  whole('servers', 1, 7);
  whole('observers', 0, 4);
  whole('maxEpoch', 1, 1000);
  whole('maxTxns', 0, 100000);
  whole('maxCrashes', 0, 1000);
  whole('maxPartitions', 0, 1000);
  whole('commitLogCount', 0, 100000);
  whole('maxRounds', 1, 1000);
  if (config.election !== 'Oracle' && config.election !== 'FLE') {
    throw new RangeError(`election must be Oracle or FLE, got ${String(config.election)}`);
  }
}
