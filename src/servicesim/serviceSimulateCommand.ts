import { formatServiceSummary } from './formatServiceSummary.js';
import { serviceOptionsFromSeed } from './ServiceSimOptions.js';
import { simulateService, type ServiceTrace } from './simulateService.js';

/** What `zabstate simulate --service` prints and returns; the CLI writes the trace (this module does no I/O). */
export interface ServiceCommandResult {
  readonly lines: readonly string[];
  /** 0 when no check found a violation, 1 when one did. */
  readonly exitCode: 0 | 1;
  /** A replayable trace of a violating run, else null. */
  readonly trace: ServiceTrace | null;
}

export function serviceSimulateCommand(seed: number, steps: number | undefined): ServiceCommandResult {
  const run = simulateService(serviceOptionsFromSeed(seed, steps));
  return { lines: formatServiceSummary(run), exitCode: run.result === 'violation' ? 1 : 0, trace: run.trace };
}

/** Where a violating run's trace goes unless --trace names a file. */
export function defaultServiceTracePath(seed: number): string {
  return `zabstate-service-${seed}.trace.json`;
}
