import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkLinearizability,
  checkOrderedSequentialConsistency,
  checkWriteLinearizability,
  checkZooKeeperHistory,
  clientOrderedModel,
  operationsByClient,
  zooKeeperModel,
  type ClientOperation,
  type Model,
  type ZooKeeperResult,
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

describe('placing read-only operations without branching', () => {
  // The pruning must never change a verdict: compare against the same model without `readOnly`,
  // on generated histories with one arbitrary result replaced by an arbitrary other one.
  const anyResult = fc.constantFrom<ZooKeeperResult>(
    { code: 'OK' },
    { code: 'OK', version: 1 },
    { code: 'OK', data: 'x', version: 0 },
    { code: 'OK', data: 'y', version: 1 },
    { code: 'NoNode' },
    { code: 'NodeExists' },
    { code: 'BadVersion' },
  );
  const withoutPruning = <State, Input, Output>(model: Model<State, Input, Output>): Model<State, Input, Output> => ({ ...model, readOnly: undefined });

  it('gives the same answers as the plain search, with and without client order', () => {
    fc.assert(
      fc.property(generatedRun({ clients: 3, minLength: 1, maxLength: 14 }), fc.nat(), anyResult, (run, pick, result) => {
        const target = run.operations[pick % run.operations.length];
        const operations = target.outcome.status === 'ok' ? replaceOutcome(run, target.id, { status: 'ok', result }) : run.operations;
        const plain = allOperations(operations);
        expect(checkLinearizability(zooKeeperModel(), plain).result).toBe(checkLinearizability(withoutPruning(zooKeeperModel()), plain).result);
        const ordered = clientOrdered(operations);
        const pruned = checkLinearizability(clientOrderedModel(zooKeeperModel()), ordered).result;
        expect(pruned).toBe(checkLinearizability(clientOrderedModel(withoutPruning(zooKeeperModel())), ordered).result);
      }),
      { seed, numRuns: 300 },
    );
  });
});

/** All operations with client order, reads free to be stale: what orderedSequentialConsistency checks. */
function clientOrdered(operations: readonly ClientOperation[]) {
  return [...operationsByClient(operations)].flatMap(([client, list]) => {
    let previousCompleted = -1;
    let previousIncluded = -1;
    return list.map((op, sequence) => {
      const base = allOperations([op])[0];
      const read = op.input.kind === 'getData' || op.input.kind === 'exists';
      const item = { ...base, call: read ? -Infinity : base.call, input: { client, sequence, previousCompleted, previousIncluded, inner: base.input } };
      if (base.return !== null) previousCompleted = sequence;
      previousIncluded = sequence;
      return item;
    });
  });
}
