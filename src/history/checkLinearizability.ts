import { Bitset } from './Bitset.js';

/**
 * A generic linearizability checker: Wing & Gong's search with Lowe's memoization, the algorithm
 * Porcupine and Knossos use. The history is a list of operations with call and return times; the
 * checker looks for a total order that respects real time (an operation that returned before another
 * was called comes first) and that the sequential model accepts.
 *
 * Time rule: operation A precedes operation B if and only if `A.return < B.call`. Equal times mean
 * "concurrent", so a simulator that stamps a return and the next call with the same tick does not
 * create an order it never observed.
 *
 * Pending operations (`return === null`, `output === undefined`) are those whose outcome the client
 * never learned. As in Porcupine, each may take effect at any point after its call, or never: the
 * search may linearize it anywhere after its call, and the search succeeds as soon as every completed
 * operation is linearized (a pending operation left over is one that never took effect).
 */

/** What the model says about applying one operation to one state. */
export interface StepResult<State> {
  /** Whether the operation, applied to the state, may produce the recorded output. */
  readonly ok: boolean;
  /** The state after the operation; meaningful only when `ok`. */
  readonly next: State;
}

/** One operation of a history, as the generic checker sees it. */
export interface Operation<Input, Output> {
  /** Unique within the history; explanations and linearizations name operations by this id. */
  readonly id: number;
  /** Logical time of the invocation. May be -Infinity for "any time before its return". */
  readonly call: number;
  /** Logical time of the response, or null for a pending operation (outcome never learned). */
  readonly return: number | null;
  readonly input: Input;
  /** The recorded output, or undefined for a pending operation: the model must then accept any output. */
  readonly output: Output | undefined;
}

/** A sequential specification. States must be treated as immutable values. */
export interface Model<State, Input, Output> {
  readonly name: string;
  init(): State;
  /**
   * Apply `input` to `state`. With `output === undefined` (a pending operation) the model should
   * return `ok: true` whenever the operation could take effect at all.
   */
  step(state: State, input: Input, output: Output | undefined): StepResult<State>;
  equal(left: State, right: State): boolean;
  /**
   * Optional: true when this operation, with this output, leaves every state unchanged wherever it
   * is placed (a read, or a write whose reply is an error). The search then places it as soon as the
   * model accepts it, without trying alternatives: moving such an operation earlier changes nothing.
   */
  readOnly?(input: Input, output: Output | undefined): boolean;
  /** Optional: a string that equal states share; speeds up the memoization cache. */
  hash?(state: State): string;
  /**
   * Optional P-compositionality: split the operations into groups that never interact (for a
   * key-value store, one group per key). The history is linearizable if and only if each group is.
   */
  partition?(operations: readonly Operation<Input, Output>[]): readonly (readonly Operation<Input, Output>[])[];
}

export interface LinearizabilityOptions {
  /** Search iterations allowed per partition before the answer is `unknown`. */
  readonly stepLimit?: number;
  /** Use the model's partition function when it has one (default true). */
  readonly partition?: boolean;
}

export const DEFAULT_STEP_LIMIT = 2_000_000;

/** An operation that, by real time, could have been linearized right after the longest prefix. */
export interface FrontierOperation {
  readonly id: number;
  /** Whether the model accepts this operation from the state after the longest prefix. */
  readonly stepOk: boolean;
  readonly pending: boolean;
}

/** Why a history is not linearizable, in terms a person can follow. */
export interface NonLinearizableExplanation<State> {
  /** Ids of the operations of the partition that failed (the whole history when not partitioned). */
  readonly partition: readonly number[];
  /** The longest sequence of operations the search could linearize, in linearization order. */
  readonly longestPrefix: readonly number[];
  readonly stateAfterPrefix: State;
  /** The remaining completed operation that returned first: nothing can be linearized past it. */
  readonly blocking: number;
  /** Operations that real time allows next after the prefix, with the model's verdict on each. */
  readonly frontier: readonly FrontierOperation[];
  /** Completed frontier operations the model rejects from the state after the prefix. */
  readonly unplaced: readonly number[];
}

export type LinearizabilityResult<State> =
  | {
      readonly result: 'ok';
      /** One linearization per partition (pending operations that never took effect are omitted). */
      readonly linearizations: readonly (readonly number[])[];
      readonly steps: number;
    }
  | { readonly result: 'illegal'; readonly explanation: NonLinearizableExplanation<State>; readonly steps: number }
  | {
      readonly result: 'unknown';
      readonly reason: string;
      readonly steps: number;
      readonly stepLimit: number;
    };

/** Check a whole history; partitions are checked one by one in order of their smallest operation id. */
export function checkLinearizability<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<Input, Output>[],
  options: LinearizabilityOptions = {},
): LinearizabilityResult<State> {
  const stepLimit = options.stepLimit ?? DEFAULT_STEP_LIMIT;
  if (!Number.isInteger(stepLimit) || stepLimit <= 0) {
    throw new Error(`checkLinearizability: stepLimit must be a positive integer, got ${stepLimit}`);
  }
  validateOperations(operations);
  const partitions = splitIntoPartitions(model, operations, options.partition ?? true);

  const linearizations: number[][] = [];
  let steps = 0;
  let unknown: { reason: string } | null = null;
  for (const group of partitions) {
    const outcome = searchPartition(model, group, stepLimit);
    steps += outcome.steps;
    if (outcome.result === 'illegal') {
      return { result: 'illegal', explanation: outcome.explanation, steps };
    }
    if (outcome.result === 'unknown') {
      // Keep going: a later partition may still prove the history illegal.
      unknown ??= { reason: `step limit ${stepLimit} exceeded in the partition of operations [${group.map((op) => op.id).join(', ')}]` };
      continue;
    }
    linearizations.push(outcome.linearization);
  }
  if (unknown !== null) return { result: 'unknown', reason: unknown.reason, steps, stepLimit };
  return { result: 'ok', linearizations, steps };
}

function validateOperations<Input, Output>(operations: readonly Operation<Input, Output>[]): void {
  const seen = new Set<number>();
  for (const op of operations) {
    if (seen.has(op.id)) throw new Error(`checkLinearizability: duplicate operation id ${op.id}`);
    seen.add(op.id);
    if (Number.isNaN(op.call) || op.call === Infinity) {
      throw new Error(`checkLinearizability: operation ${op.id} has call time ${op.call}`);
    }
    if (op.return !== null && !(Number.isFinite(op.return) && op.return >= op.call)) {
      throw new Error(`checkLinearizability: operation ${op.id} returns at ${op.return}, before its call at ${op.call}`);
    }
    if (op.return === null && op.output !== undefined) {
      throw new Error(`checkLinearizability: pending operation ${op.id} has an output`);
    }
    if (op.return !== null && op.output === undefined) {
      throw new Error(`checkLinearizability: operation ${op.id} returned without an output; make it pending`);
    }
  }
}

function splitIntoPartitions<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<Input, Output>[],
  usePartition: boolean,
): readonly (readonly Operation<Input, Output>[])[] {
  if (!usePartition || model.partition === undefined) return [operations];
  const groups = model.partition(operations).filter((group) => group.length > 0);
  const total = groups.reduce((sum, group) => sum + group.length, 0);
  const ids = new Set(groups.flatMap((group) => group.map((op) => op.id)));
  if (total !== operations.length || ids.size !== operations.length) {
    throw new Error(`model ${model.name}: partition must place each of the ${operations.length} operations in exactly one group`);
  }
  return [...groups].sort((left, right) => minimumId(left) - minimumId(right));
}

/** Not Math.min(...ids): a group of a long run's operations is more than an argument list holds. */
function minimumId<Input, Output>(group: readonly Operation<Input, Output>[]): number {
  return group.reduce((least, op) => Math.min(least, op.id), Infinity);
}

/** A call or return event in the doubly linked list that the search lifts entries out of. */
interface Entry {
  readonly index: number;
  readonly isCall: boolean;
  readonly time: number;
  match: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

type PartitionOutcome<State> =
  | { readonly result: 'ok'; readonly linearization: number[]; readonly steps: number }
  | { readonly result: 'illegal'; readonly explanation: NonLinearizableExplanation<State>; readonly steps: number }
  | { readonly result: 'unknown'; readonly steps: number };

function buildEntryList<Input, Output>(operations: readonly Operation<Input, Output>[]): Entry {
  const entries: Entry[] = [];
  operations.forEach((op, index) => {
    const call: Entry = { index, isCall: true, time: op.call, match: null, prev: null, next: null };
    const ret: Entry = { index, isCall: false, time: op.return ?? Infinity, match: null, prev: null, next: null };
    call.match = ret;
    entries.push(call, ret);
  });
  // Calls sort before returns at equal times: equal times are concurrent (see the time rule above).
  entries.sort((left, right) => {
    if (left.time !== right.time) return left.time < right.time ? -1 : 1;
    if (left.isCall !== right.isCall) return left.isCall ? -1 : 1;
    return left.index - right.index;
  });
  const head: Entry = { index: -1, isCall: false, time: -Infinity, match: null, prev: null, next: null };
  let previous = head;
  for (const entry of entries) {
    previous.next = entry;
    entry.prev = previous;
    previous = entry;
  }
  return head;
}

/** Remove a call entry and its return entry from the list. */
function lift(call: Entry): void {
  const ret = call.match!;
  call.prev!.next = call.next;
  call.next!.prev = call.prev;
  ret.prev!.next = ret.next;
  if (ret.next !== null) ret.next.prev = ret.prev;
}

/** Put back a lifted call entry and its return entry, exactly where they were. */
function unlift(call: Entry): void {
  const ret = call.match!;
  ret.prev!.next = ret;
  if (ret.next !== null) ret.next.prev = ret;
  call.prev!.next = call;
  call.next!.prev = call;
}

/** Lowe's cache of (linearized set, state) pairs already explored. Returns false if it was there. */
function rememberConfiguration<State>(
  cache: Map<string, State[]>,
  model: Model<State, unknown, unknown>,
  linearized: Bitset,
  state: State,
): boolean {
  const key = model.hash === undefined ? linearized.key() : `${linearized.key()}|${model.hash(state)}`;
  const states = cache.get(key);
  if (states === undefined) {
    cache.set(key, [state]);
    return true;
  }
  if (states.some((known) => model.equal(known, state))) return false;
  states.push(state);
  return true;
}

function searchPartition<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<Input, Output>[],
  stepLimit: number,
): PartitionOutcome<State> {
  const head = buildEntryList(operations);
  const linearized = new Bitset(operations.length);
  const cache = new Map<string, State[]>();
  // `forced`: the operation was read-only, so placing it at once was no choice (see below).
  const calls: { entry: Entry; state: State; forced: boolean }[] = [];
  let state = model.init();
  let completedRemaining = operations.filter((op) => op.return !== null).length;
  let longest: { prefix: number[]; state: State } = { prefix: [], state };
  let entry = head.next;
  let steps = 0;

  /**
   * The current configuration has failed: undo the choice that led to it and return where to resume
   * (null when there is no choice left). A read-only operation that the model accepts can always be
   * moved to the earliest point where real time allows it without changing any state, so if placing
   * it at once failed, its configuration fails too: keep undoing past forced entries.
   */
  const backtrack = (): Entry | null => {
    for (;;) {
      const top = calls.pop();
      if (top === undefined) return null;
      state = top.state;
      linearized.clear(top.entry.index);
      unlift(top.entry);
      if (operations[top.entry.index].return !== null) completedRemaining += 1;
      if (!top.forced) return top.entry.next;
    }
  };

  // Pending operations left over once every completed one is placed simply never took effect.
  while (completedRemaining > 0) {
    steps += 1;
    if (steps > stepLimit) return { result: 'unknown', steps: stepLimit };
    if (entry === null) throw new Error('checkLinearizability: ran off the entry list (a return entry must stop the scan)');
    if (!entry.isCall) {
      // A return entry: its operation must be linearized before anything after it.
      entry = backtrack();
      if (entry === null) return { result: 'illegal', explanation: explain(model, operations, longest), steps };
      continue;
    }
    const op = operations[entry.index];
    const stepped = model.step(state, op.input, op.output);
    if (!stepped.ok) {
      entry = entry.next;
      continue;
    }
    const forced = model.readOnly?.(op.input, op.output) ?? false;
    const candidate = linearized.clone();
    candidate.set(entry.index);
    if (!rememberConfiguration(cache, model as Model<State, unknown, unknown>, candidate, stepped.next)) {
      // Already explored from here and failed. For a forced operation that failure is the
      // current configuration's own.
      entry = forced ? backtrack() : entry.next;
      if (entry === null) return { result: 'illegal', explanation: explain(model, operations, longest), steps };
      continue;
    }
    calls.push({ entry, state, forced });
    state = stepped.next;
    linearized.set(entry.index);
    lift(entry);
    if (op.return !== null) completedRemaining -= 1;
    if (calls.length > longest.prefix.length) longest = { prefix: calls.map((call) => call.entry.index), state };
    entry = head.next;
  }
  return { result: 'ok', linearization: calls.map((call) => operations[call.entry.index].id), steps };
}

function explain<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<Input, Output>[],
  longest: { prefix: number[]; state: State },
): NonLinearizableExplanation<State> {
  const placed = new Set(longest.prefix);
  const remaining = operations.map((op, index) => ({ op, index })).filter(({ index }) => !placed.has(index));
  const completed = remaining.filter(({ op }) => op.return !== null);
  if (completed.length === 0) throw new Error('checkLinearizability: an illegal partition must leave a completed operation unplaced');
  const blocking = completed.reduce((best, candidate) => (candidate.op.return! < best.op.return! ? candidate : best));
  const frontier = remaining
    .filter(({ op }) => op.call <= blocking.op.return!)
    .map(({ op }) => ({
      id: op.id,
      stepOk: model.step(longest.state, op.input, op.output).ok,
      pending: op.return === null,
    }));
  return {
    partition: operations.map((op) => op.id),
    longestPrefix: longest.prefix.map((index) => operations[index].id),
    stateAfterPrefix: longest.state,
    blocking: blocking.op.id,
    frontier,
    unplaced: frontier.filter((item) => !item.stepOk && !item.pending).map((item) => item.id),
  };
}
