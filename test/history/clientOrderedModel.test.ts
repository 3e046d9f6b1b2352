import { describe, expect, it } from 'vitest';
import { checkLinearizability, clientOrderedModel, type Model, type Operation } from '../../src/history/index.js';

// A counter: add(n) returns the new total. Client order on top of it.
const counter: Model<number, number, number> = {
  name: 'counter',
  init: () => 0,
  step: (state, amount, output) => ({ ok: output === undefined || output === state + amount, next: state + amount }),
  equal: (left, right) => left === right,
  hash: String,
};
const ordered = clientOrderedModel(counter);

function add(id: number, client: string, sequence: number, previousCompleted: number, amount: number, call: number, ret: number | null, total?: number) {
  return { id, call, return: ret, input: { client, sequence, previousCompleted, inner: amount }, output: ret === null ? undefined : total } as Operation<
    { client: string; sequence: number; previousCompleted: number; inner: number },
    number
  >;
}

describe('clientOrderedModel', () => {
  it('forbids a client its second operation before its first, even when they overlap', () => {
    // Both calls overlap; the totals say +10 went first, but the client issued +1 first.
    const history = [add(0, 'a', 0, -1, 1, 0, 10, 11), add(1, 'a', 1, 0, 10, 1, 11, 10)];
    expect(checkLinearizability(counter, history.map((op) => ({ ...op, input: op.input.inner }))).result).toBe('ok');
    expect(checkLinearizability(ordered, history).result).toBe('illegal');
  });

  it('lets different clients interleave freely', () => {
    const history = [add(0, 'a', 0, -1, 1, 0, 10, 11), add(1, 'b', 0, -1, 10, 1, 11, 10)];
    expect(checkLinearizability(ordered, history).result).toBe('ok');
  });

  it('lets a pending operation take effect before the next one, or never', () => {
    const tookEffect = [add(0, 'a', 0, -1, 5, 0, null), add(1, 'a', 1, -1, 1, 2, 3, 6)];
    const neverDid = [add(0, 'a', 0, -1, 5, 0, null), add(1, 'a', 1, -1, 1, 2, 3, 1)];
    const tooLate = [add(0, 'a', 0, -1, 5, 0, null), add(1, 'a', 1, -1, 1, 2, 3, 1), add(2, 'b', 0, -1, 0, 4, 5, 6)];
    expect(checkLinearizability(ordered, tookEffect).result).toBe('ok');
    expect(checkLinearizability(ordered, neverDid).result).toBe('ok');
    // Once the client's next operation took effect without it, the pending one cannot happen later.
    expect(checkLinearizability(ordered, tooLate).result).toBe('illegal');
  });

  it('merges partitions that share a client', () => {
    const keyed: Model<number, number, number> = {
      ...counter,
      partition: (operations) => operations.map((op) => [op]),
    };
    const history = [add(0, 'a', 0, -1, 1, 0, 1, 1), add(1, 'a', 1, 0, 1, 2, 3, 2), add(2, 'b', 0, -1, 1, 0, 1, 1)];
    const result = checkLinearizability(clientOrderedModel(keyed), history);
    expect(result).toMatchObject({ result: 'ok', linearizations: [[0, 1], [2]] });
  });
});
