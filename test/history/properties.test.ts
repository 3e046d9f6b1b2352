import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkLinearizability,
  checkOrderedSequentialConsistency,
  checkWriteLinearizability,
  checkZooKeeperHistory,
  zooKeeperModel,
  type ClientOperation,
  type ZooKeeperModelInput,
  type ZooKeeperModelOutput,
  type Operation,
} from '../../src/history/index.js';
import { generatedRun, seedFromEnvironment, type GeneratedRun } from './historyFixtures.js';

const seed = seedFromEnvironment();
const runs = generatedRun({ clients: 4, minLength: 1, maxLength: 40 });

/** Every operation, reads included, as the generic checker sees it (full linearizability). */
function allOperations(operations: readonly ClientOperation[]): Operation<ZooKeeperModelInput, ZooKeeperModelOutput>[] {
  return operations.map((op) =>
    op.outcome.status === 'ok'
      ? { id: op.id, call: op.call, return: op.return, input: op.input, output: op.outcome.result }
      : { id: op.id, call: op.call, return: null, input: op.input, output: undefined },
  );
}

function replaceOutcome(run: GeneratedRun, id: number, outcome: ClientOperation['outcome']): ClientOperation[] {
  return run.operations.map((op) => (op.id === id ? { ...op, outcome } : op));
}

describe('histories generated from a sequential run, widened', () => {
  it('are accepted by every check, and are fully linearizable', () => {
    fc.assert(
      fc.property(runs, (run) => {
        const report = checkZooKeeperHistory({ operations: run.operations, finalTree: run.finalTree, committedZxids: run.committedZxids });
        expect(report.verdicts.filter((verdict) => verdict.result !== 'ok')).toEqual([]);
        expect(checkLinearizability(zooKeeperModel(), allOperations(run.operations)).result).toBe('ok');
      }),
      { seed, numRuns: 150 },
    );
  });

  it('are rejected once a read returns data that no operation ever wrote', () => {
    const withDataRead = runs.filter((run) => run.operations.some((op) => op.outcome.status === 'ok' && op.input.kind === 'getData' && op.outcome.result.code === 'OK'));
    fc.assert(
      fc.property(withDataRead, fc.nat(), (run, pick) => {
        const reads = run.operations.filter((op) => op.outcome.status === 'ok' && op.input.kind === 'getData' && op.outcome.result.code === 'OK');
        const read = reads[pick % reads.length];
        const outcome = read.outcome as { status: 'ok'; result: { code: 'OK'; version?: number } };
        const corrupted = replaceOutcome(run, read.id, { ...outcome, result: { ...outcome.result, data: 'never-written' } });
        expect(checkLinearizability(zooKeeperModel(), allOperations(corrupted)).result).toBe('illegal');
        expect(checkOrderedSequentialConsistency(corrupted).result).toBe('violation');
      }),
      { seed, numRuns: 100 },
    );
  });

  it('are rejected once a setData reply claims a version more setData calls than exist could reach', () => {
    const successfulSetData = (op: ClientOperation) => op.outcome.status === 'ok' && op.input.kind === 'setData' && op.outcome.result.code === 'OK';
    fc.assert(
      fc.property(runs.filter((run) => run.operations.some(successfulSetData)), fc.nat(), (run, pick) => {
        const candidates = run.operations.filter(successfulSetData);
        const target = candidates[pick % candidates.length];
        // Versions start at 0 at each create and grow by one per setData: this one is out of reach.
        const reachable = run.operations.filter((op) => op.input.kind === 'setData' && op.input.path === target.input.path).length;
        const corrupted = replaceOutcome(run, target.id, { status: 'ok', result: { code: 'OK', version: reachable + 1 } });
        expect(checkWriteLinearizability(corrupted).result).toBe('violation');
      }),
      { seed, numRuns: 100 },
    );
  });
});

describe('a 200-operation, 4-client history', () => {
  it('is decided by every check (no unknown); no timing is asserted', () => {
    const [run] = fc.sample(generatedRun({ clients: 4, minLength: 200, maxLength: 200 }), { seed: seed ?? 42, numRuns: 1 });
    expect(run.operations).toHaveLength(200);
    const report = checkZooKeeperHistory({ operations: run.operations, finalTree: run.finalTree, committedZxids: run.committedZxids });
    expect(report.verdicts.map((verdict) => [verdict.check, verdict.result])).toEqual([
      ['writeLinearizability', 'ok'],
      ['clientFifo', 'ok'],
      ['syncReads', 'ok'],
      ['noLostWrites', 'ok'],
      ['orderedSequentialConsistency', 'ok'],
    ]);
    expect(checkLinearizability(zooKeeperModel(), allOperations(run.operations)).result).toBe('ok');
  });
});
