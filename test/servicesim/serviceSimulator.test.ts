import { describe, expect, it } from 'vitest';
import { historyFromTraceJson } from '../../src/history/toTraceJson.js';
import { checkZooKeeperHistory } from '../../src/history/zooKeeperChecks.js';
import { simulateCommand } from '../../src/cli/simulateCommand.js';
import { formatServiceSummary } from '../../src/servicesim/formatServiceSummary.js';
import { serviceOptionsFromSeed } from '../../src/servicesim/ServiceSimOptions.js';
import { simulateService, type ServiceSimResult } from '../../src/servicesim/simulateService.js';
import { runs, testSeed } from '../support/seed.js';

/** Every verdict that is not ok, one line each, for assertion messages. */
function failures(run: ServiceSimResult): string {
  return [...run.report.verdicts, ...run.serviceVerdicts]
    .filter((verdict) => verdict.result !== 'ok')
    .map((verdict) => `${verdict.check}: ${verdict.result}: ${verdict.message}`)
    .join('\n');
}

const HISTORY_CHECKS = ['writeLinearizability', 'clientFifo', 'syncReads', 'noLostWrites', 'replicaDigests', 'orderedSequentialConsistency'];
const SERVICE_CHECKS = ['deliveredPrefixesAgree', 'acknowledgedWritesCommitted', 'sequentialNamesUnique', 'digestBookkeeping', 'convergence'];

describe('service simulator: determinism', () => {
  it('prints the same summary and records the same history for the same seed', () => {
    const seed = testSeed(11);
    const first = simulateService(serviceOptionsFromSeed(seed));
    const second = simulateService(serviceOptionsFromSeed(seed));
    expect(formatServiceSummary(second), `seed ${seed}`).toEqual(formatServiceSummary(first));
    expect(JSON.stringify(second.history.operations), `seed ${seed}`).toBe(JSON.stringify(first.history.operations));
    expect(second.simulator.digests.map(String), `seed ${seed}`).toEqual(first.simulator.digests.map(String));
  });

  it('gives different runs for different seeds', () => {
    const lines = [1, 2, 3].map((seed) => formatServiceSummary(simulateService(serviceOptionsFromSeed(seed))).slice(1).join('\n'));
    expect(new Set(lines).size).toBe(3);
  });

  it('runs every check by name and exercises every kind of operation over a few seeds', () => {
    const kinds = new Set<string>();
    for (let seed = 1; seed <= 10; seed++) {
      const run = simulateService(serviceOptionsFromSeed(seed));
      expect(run.report.verdicts.map((verdict) => verdict.check), `seed ${seed}`).toEqual(HISTORY_CHECKS);
      expect(run.serviceVerdicts.map((verdict) => verdict.check), `seed ${seed}`).toEqual(SERVICE_CHECKS);
      for (const op of run.simulator.operations) if (op.completion?.status === 'ok') kinds.add(op.kind);
    }
    expect([...kinds].sort()).toEqual([
      'closeSession', 'create', 'createEphemeral', 'createEphemeralSequential', 'createSequential', 'createSession',
      'delete', 'exists', 'getChildren', 'getData', 'multi', 'setData', 'sync',
    ]);
  });
});

describe('service simulator: a broken replica is caught', () => {
  it('finds a replica that drops one setData, names the check, and writes a replayable trace', () => {
    let caught = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const options = { ...serviceOptionsFromSeed(seed, 400), testHooks: { skipFirstSetDataOn: 2 } };
      const run = simulateService(options);
      if (run.simulator.skippedValue === null) continue;
      caught++;
      expect(run.result, `seed ${seed}: the dropped setData went unnoticed`).toBe('violation');
      const failed = run.report.verdicts.filter((verdict) => verdict.result === 'violation').map((verdict) => verdict.check);
      expect(failed, `seed ${seed}`).toContain('replicaDigests');
      const trace = JSON.parse(JSON.stringify(run.trace));
      expect(trace.kind, `seed ${seed}`).toBe('servicesim');
      expect(trace.replay, `seed ${seed}`).toBe(`zabstate simulate --service --seed ${seed} --steps ${options.steps}`);
      expect(trace.options.testHooks, `seed ${seed}`).toEqual({ skipFirstSetDataOn: 2 });
      const replayed = checkZooKeeperHistory(historyFromTraceJson(trace.history));
      expect(replayed.failedCheck, `seed ${seed}: the trace does not replay the violation`).toBe(run.report.failedCheck);
    }
    expect(caught).toBeGreaterThanOrEqual(5);
  });

  it('the same runs pass without the bug', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const run = simulateService(serviceOptionsFromSeed(seed, 400));
      expect(run.result, `seed ${seed}:\n${failures(run)}`).not.toBe('violation');
      expect(run.trace, `seed ${seed}`).toBeNull();
    }
  });
});

describe('service simulator: seeded runs keep ZooKeeper\'s guarantees', () => {
  const count = runs(100, 1000);
  const base = testSeed(1000);
  it(`${count} runs from seed ${base}: every history check passes; no service check finds a violation`, () => {
    for (let seed = base; seed < base + count; seed++) {
      const run = simulateService(serviceOptionsFromSeed(seed));
      expect(run.report.result, `seed ${seed} (replay: zabstate simulate --service --seed ${seed}):\n${failures(run)}`).toBe('ok');
      expect(run.result, `seed ${seed} (replay: zabstate simulate --service --seed ${seed}):\n${failures(run)}`).not.toBe('violation');
    }
  }, 600_000);
});

describe('zabstate simulate --service', () => {
  const run = (args: string[]) => {
    const lines: string[] = [];
    const code = simulateCommand(args, (line) => lines.push(line));
    return { code, text: lines.join('\n') };
  };

  it('prints a summary with ops, sessions, faults, leaders and each check, byte for byte the same per seed', () => {
    const first = run(['--service', '--seed', '7', '--steps', '300']);
    const second = run(['--service', '--seed', '7', '--steps', '300']);
    expect(first.code).toBe(0);
    expect(second.text).toBe(first.text);
    for (const part of ['ops: ', 'sessions: ', 'faults: crashes', 'leaders: ', 'checks:', ...HISTORY_CHECKS.map((name) => `  ${name}: ok`), 'result: ']) {
      expect(first.text).toContain(part);
    }
  });

  it('refuses bound flags, which the seed decides under --service', () => {
    expect(() => run(['--service', '--seed', '7', '--max-crashes', '3'])).toThrow(/--max-crashes is not accepted/);
  });
});
