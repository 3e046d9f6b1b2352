import type { Model, Operation, StepResult } from './checkLinearizability.js';
import type { ClientId } from './ClientHistory.js';

/**
 * Wrap a model so that each client's operations take effect in the client's issue order (ZooKeeper's
 * FIFO client order). Each input carries its client and its position in that client's issue order;
 * the state remembers the last position each client has taken effect at.
 *
 * An operation may take effect only once its client's previous completed operation has (the input
 * names it), which keeps the search from running one client ahead of its own unplaced operations.
 * A pending operation that a later operation of its client has already overtaken can no longer take
 * effect: the wrapper then accepts it as a no-op ("it never happened").
 */

export interface ClientOrderedInput<Input> {
  readonly client: ClientId;
  /** Position in the client's issue order; strictly increasing along that order. */
  readonly sequence: number;
  /** Sequence of the client's latest earlier completed operation in the same check, or -1. */
  readonly previousCompleted: number;
  /**
   * Optional: sequence of the client's latest earlier operation of any kind in the same check, or -1.
   * When given and equal to `previousCompleted` (no pending operation of the client in between), a
   * read-only inner operation is read-only here too, and the search need not branch on it.
   */
  readonly previousIncluded?: number;
  readonly inner: Input;
}

export interface ClientOrderedState<State> {
  readonly inner: State;
  /** Client key to the sequence of its last operation that took effect. */
  readonly lastSequence: ReadonlyMap<string, number>;
}

/** Keeps the number 1 and the string "1" apart. */
function clientKey(client: ClientId): string {
  return typeof client === 'number' ? `n${client}` : `s${client}`;
}

function sequencesKey(lastSequence: ReadonlyMap<string, number>): string {
  return [...lastSequence.entries()]
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([client, sequence]) => `${client}=${sequence}`)
    .join(',');
}

export function clientOrderedModel<State, Input, Output>(
  model: Model<State, Input, Output>,
): Model<ClientOrderedState<State>, ClientOrderedInput<Input>, Output> {
  const innerHash = model.hash;
  return {
    name: `clientOrdered(${model.name})`,
    init: () => ({ inner: model.init(), lastSequence: new Map() }),
    step(state, input, output): StepResult<ClientOrderedState<State>> {
      const key = clientKey(input.client);
      const last = state.lastSequence.get(key) ?? -1;
      if (input.previousCompleted >= input.sequence) {
        throw new Error(`clientOrderedModel: previousCompleted ${input.previousCompleted} is not before sequence ${input.sequence}`);
      }
      if (input.sequence <= last) return { ok: output === undefined, next: state };
      if (last < input.previousCompleted) return { ok: false, next: state };
      const stepped = model.step(state.inner, input.inner, output);
      if (!stepped.ok) return { ok: false, next: state };
      const lastSequence = new Map(state.lastSequence);
      lastSequence.set(key, input.sequence);
      return { ok: true, next: { inner: stepped.next, lastSequence } };
    },
    readOnly:
      model.readOnly === undefined
        ? undefined
        : (input, output) => input.previousIncluded === input.previousCompleted && model.readOnly!(input.inner, output),
    equal: (left, right) =>
      sequencesKey(left.lastSequence) === sequencesKey(right.lastSequence) && model.equal(left.inner, right.inner),
    hash: (state) => `${sequencesKey(state.lastSequence)}|${innerHash === undefined ? '' : innerHash(state.inner)}`,
    partition: model.partition === undefined ? undefined : (operations) => partitionSharingClients(model, operations),
  };
}

/** The inner model's groups, merged whenever two groups contain operations of the same client. */
function partitionSharingClients<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<ClientOrderedInput<Input>, Output>[],
): Operation<ClientOrderedInput<Input>, Output>[][] {
  const byId = new Map(operations.map((op) => [op.id, op]));
  const innerGroups = model.partition!(operations.map((op) => ({ ...op, input: op.input.inner })));
  const groupOf: number[] = innerGroups.map((_, index) => index);
  const find = (index: number): number => {
    let root = index;
    while (groupOf[root] !== root) root = groupOf[root];
    groupOf[index] = root;
    return root;
  };
  const groupOfClient = new Map<string, number>();
  innerGroups.forEach((group, index) => {
    for (const op of group) {
      const key = clientKey(byId.get(op.id)!.input.client);
      const other = groupOfClient.get(key);
      if (other === undefined) groupOfClient.set(key, index);
      else groupOf[find(index)] = find(other);
    }
  });
  const merged = new Map<number, Operation<ClientOrderedInput<Input>, Output>[]>();
  innerGroups.forEach((group, index) => {
    const list = merged.get(find(index)) ?? [];
    for (const op of group) list.push(byId.get(op.id)!);
    merged.set(find(index), list);
  });
  return [...merged.values()];
}
