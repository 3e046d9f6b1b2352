import { describe, expect, it } from 'vitest';
import { eventsFromOperations, operationsFromEvents, type HistoryEvent } from '../../src/history/index.js';
import { create, getData, history, OK, NO_NODE, zxid } from './historyFixtures.js';

describe('the client-history format', () => {
  // A simulator emits events as they happen; alice's create times out, bob's read never completes.
  const events: HistoryEvent[] = [
    { type: 'invoke', operationId: 0, time: 1, client: 'alice', server: 1, input: create('/x') },
    { type: 'invoke', operationId: 1, time: 2, client: 'bob', server: 2, input: getData('/x') },
    { type: 'invoke', operationId: 2, time: 3, client: 'carol', server: 3, input: getData('/x') },
    { type: 'complete', operationId: 2, time: 4, outcome: { status: 'ok', result: NO_NODE, zxid: zxid(1, 0) } },
    { type: 'complete', operationId: 0, time: 9, outcome: { status: 'unknown', reason: 'timeout' } },
  ];

  it('folds invocation and completion events into operations', () => {
    expect(operationsFromEvents(events)).toEqual([
      { id: 0, client: 'alice', server: 1, input: create('/x'), call: 1, return: 9, outcome: { status: 'unknown', reason: 'timeout' } },
      { id: 1, client: 'bob', server: 2, input: getData('/x'), call: 2, return: null, outcome: { status: 'pending' } },
      { id: 2, client: 'carol', server: 3, input: getData('/x'), call: 3, return: 4, outcome: { status: 'ok', result: NO_NODE, zxid: zxid(1, 0) } },
    ]);
  });

  it('turns operations back into the same events', () => {
    expect(eventsFromOperations(operationsFromEvents(events))).toEqual(events);
    const built = history({ client: 'a', call: 1, return: 2, input: create('/y'), result: OK });
    expect(operationsFromEvents(eventsFromOperations(built))).toEqual(built);
  });

  it('rejects malformed event lists', () => {
    const invoke = events[0];
    const complete: HistoryEvent = { type: 'complete', operationId: 0, time: 5, outcome: { status: 'ok', result: OK } };
    expect(() => operationsFromEvents([invoke, invoke])).toThrow(/invoked twice/);
    expect(() => operationsFromEvents([complete])).toThrow(/before it was invoked/);
    expect(() => operationsFromEvents([invoke, complete, complete])).toThrow(/completed twice/);
    expect(() => operationsFromEvents([{ ...invoke, time: 7 }, complete])).toThrow(/before its call/);
    expect(() => operationsFromEvents([{ ...invoke, time: 1.5 }])).toThrow(/non-integer/);
  });
});
