import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { testSeed } from '../support/seed.js';
import { runFaults } from './runFaults.js';

/**
 * The fault run: SIGKILL and restart (and SIGSTOP, then SIGCONT) random servers of a 3-process ensemble for a while under
 * node-zookeeper-client load, then check the clients' history. `npm run test:faults` runs it for
 * minutes (ZABSTATE_FAULT_SECONDS, default 180); `npm test` runs a short one.
 * ZABSTATE_FAULT_SEED replays a schedule of faults; ZABSTATE_FAULT_DIR keeps the run's files there.
 */
function integerFromEnvironment(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}

const seconds = integerFromEnvironment('ZABSTATE_FAULT_SECONDS', 20);
/** A fixed seed unless ZABSTATE_FAULT_SEED names one, or is "random" (test:faults: a new schedule each run). */
function faultSeed(): number {
  if (process.env.ZABSTATE_FAULT_SEED === 'random') return Math.floor(Math.random() * 0x1_0000_0000);
  return integerFromEnvironment('ZABSTATE_FAULT_SEED', testSeed());
}

const seed = faultSeed();

test(`kills and restarts servers for ${seconds} s under load; the history is linearizable and loses no acknowledged write (seed ${seed})`, async () => {
  const keep = process.env.ZABSTATE_FAULT_DIR;
  const directory = keep !== undefined && keep !== '' ? keep : await mkdtemp(join(tmpdir(), 'zabstate-faults-'));
  console.log(`fault run: seed ${seed} (ZABSTATE_FAULT_SEED=${seed} to replay the schedule), ${seconds} s, files in ${directory}`);
  const result = await runFaults({
    seed, durationMs: seconds * 1000, directory, clients: 6, keys: 12, thinkTimeMsMax: 20, tickTimeMs: 200,
    snapCount: 200, commitLogCount: 100, faultGapMsMin: 1000, faultGapMsMax: 4000, serverLogs: true, checkReads: false,
    log: (line) => console.log(`fault run: ${line}`),
  });
  console.log(`fault run: seed ${seed}: ${result.kills} kills, ${result.restarts} restarts, ${result.pauses} freezes in ${(result.faultMs / 1000).toFixed(0)} s; `
    + `${result.operations.length} operations; checked in ${(result.checkMs / 1000).toFixed(1)} s; ${result.passed ? 'passed' : `FAILED, history in ${result.historyFile}`}`);
  expect(result.failures).toEqual([]);
  expect(result.kills).toBeGreaterThan(0);
  expect(result.counts.writesAcknowledged).toBeGreaterThan(0);
  if (result.passed && (keep === undefined || keep === '')) await rm(directory, { recursive: true, force: true });
}, (seconds + 300) * 1000);
