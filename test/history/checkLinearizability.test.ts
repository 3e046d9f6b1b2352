import { describe, expect, it } from 'vitest';
import { checkLinearizability, type Model, type Operation } from '../../src/history/index.js';

// A single register: write(v) returns nothing, read() returns the value. The classic example.
type RegisterInput = { readonly kind: 'write'; readonly value: number } | { readonly kind: 'read' };
type RegisterOutput = { readonly value?: number };

const register: Model<number, RegisterInput, RegisterOutput> = {
  name: 'register',
  init: () => 0,
  step(state, input, output) {
    if (input.kind === 'write') return { ok: true, next: input.value };
    return { ok: output === undefined || output.value === state, next: state };
  },
  equal: (left, right) => left === right,
  hash: (state) => String(state),
};

// A map of registers by key, with P-compositionality: one partition per key.
type KeyedInput = RegisterInput & { readonly key: string };
const keyedRegisters: Model<Readonly<Record<string, number>>, KeyedInput, RegisterOutput> = {
  name: 'keyedRegisters',
  init: () => ({}),
  step(state, input, output) {
    if (input.kind === 'write') return { ok: true, next: { ...state, [input.key]: input.value } };
    return { ok: output === undefined || output.value === (state[input.key] ?? 0), next: state };
  },
  equal: (left, right) => JSON.stringify(left) === JSON.stringify(right),
  partition(operations) {
    const groups = new Map<string, Operation<KeyedInput, RegisterOutput>[]>();
    for (const op of operations) groups.set(op.input.key, [...(groups.get(op.input.key) ?? []), op]);
    return [...groups.values()];
  },
};

let nextId = 0;
function write(value: number, call: number, ret: number | null): Operation<RegisterInput, RegisterOutput> {
  return { id: nextId++, call, return: ret, input: { kind: 'write', value }, output: ret === null ? undefined : {} };
}
function read(value: number, call: number, ret: number): Operation<RegisterInput, RegisterOutput> {
  return { id: nextId++, call, return: ret, input: { kind: 'read' }, output: { value } };
}
function fresh(): void {
  nextId = 0;
}

describe('checkLinearizability on a register', () => {
  it('accepts a read that overlaps a write and sees either value', () => {
    fresh();
    // write(1) spans [0, 10]; a read inside it may see the old 0 or the new 1.
    for (const seen of [0, 1]) {
      fresh();
      const verdict = checkLinearizability(register, [write(1, 0, 10), read(seen, 2, 5)]);
      expect(verdict.result).toBe('ok');
    }
  });

  it('rejects a read that returns the old value after a newer write completed', () => {
    fresh();
    const history = [write(1, 0, 2), write(2, 3, 5), read(1, 6, 8)];
    const verdict = checkLinearizability(register, history);
    expect(verdict.result).toBe('illegal');
    if (verdict.result !== 'illegal') return;
    // The longest prefix places both writes; the read, blocked, cannot see 1 any more.
    expect(verdict.explanation.longestPrefix).toEqual([0, 1]);
    expect(verdict.explanation.stateAfterPrefix).toBe(2);
    expect(verdict.explanation.blocking).toBe(2);
    expect(verdict.explanation.unplaced).toEqual([2]);
  });

  it('treats equal call and return times as concurrent', () => {
    fresh();
    // write(1) returns at 5, the read is called at 5: they may be in either order.
    expect(checkLinearizability(register, [write(1, 0, 5), read(0, 5, 7)]).result).toBe('ok');
    fresh();
    expect(checkLinearizability(register, [write(1, 0, 4), read(0, 5, 7)]).result).toBe('illegal');
  });

  it('lets a pending write take effect late, or never', () => {
    fresh();
    // A write whose outcome the client never learned, followed by reads that see it, then do not...
    const seenLate = [write(7, 0, null), read(0, 10, 12), read(7, 20, 22)];
    expect(checkLinearizability(register, seenLate).result).toBe('ok');
    fresh();
    const neverSeen = [write(7, 0, null), read(0, 10, 12), read(0, 20, 22)];
    expect(checkLinearizability(register, neverSeen).result).toBe('ok');
    fresh();
    // ...but once seen, a pending write cannot be un-done.
    const flickers = [write(7, 0, null), read(7, 10, 12), read(0, 20, 22)];
    expect(checkLinearizability(register, flickers).result).toBe('illegal');
  });

  it('cannot place a pending write before its call', () => {
    fresh();
    expect(checkLinearizability(register, [read(7, 0, 2), write(7, 5, null)]).result).toBe('illegal');
  });

  it('answers unknown when the step limit is reached, instead of searching on', () => {
    fresh();
    // Many concurrent writes and a final read of a value never written: the search must try many
    // orders before giving up, more than a tiny budget allows.
    const history = [...Array.from({ length: 12 }, (_, index) => write(index + 1, 0, 100)), read(99, 200, 201)];
    const verdict = checkLinearizability(register, history, { stepLimit: 50 });
    expect(verdict.result).toBe('unknown');
    if (verdict.result === 'unknown') expect(verdict.steps).toBe(50);
    expect(checkLinearizability(register, history).result).toBe('illegal');
  });

  it('checks partitions independently and names the failing one', () => {
    fresh();
    const ops: Operation<KeyedInput, RegisterOutput>[] = [
      { id: 0, call: 0, return: 2, input: { kind: 'write', key: 'x', value: 1 }, output: {} },
      { id: 1, call: 0, return: 2, input: { kind: 'write', key: 'y', value: 1 }, output: {} },
      { id: 2, call: 3, return: 4, input: { kind: 'read', key: 'x' }, output: { value: 1 } },
      { id: 3, call: 3, return: 4, input: { kind: 'read', key: 'y' }, output: { value: 0 } },
    ];
    const verdict = checkLinearizability(keyedRegisters, ops);
    expect(verdict.result).toBe('illegal');
    if (verdict.result === 'illegal') expect(verdict.explanation.partition).toEqual([1, 3]);
    const fixed = ops.map((op) => (op.id === 3 ? { ...op, output: { value: 1 } } : op));
    const accepted = checkLinearizability(keyedRegisters, fixed);
    expect(accepted).toMatchObject({ result: 'ok', linearizations: [[0, 2], [1, 3]] });
  });

  it('refuses malformed histories loudly', () => {
    fresh();
    expect(() => checkLinearizability(register, [write(1, 5, 4)])).toThrow(/before its call/);
    fresh();
    expect(() => checkLinearizability(register, [write(1, 0, 1), { ...write(2, 0, 1), id: 0 }])).toThrow(/duplicate/);
    fresh();
    expect(() => checkLinearizability(register, [{ ...write(1, 0, null), output: {} }])).toThrow(/pending operation 0 has an output/);
  });
});
