import { describe, expect, it } from 'vitest';
import { EffectLanes } from '../../src/runtime/quorum/EffectLanes.js';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('effect lanes: a server\'s sends and deliveries after its disk caught up', () => {
  it('runs a lane\'s jobs in the order added, each once what it waits for is durable, lanes independently', async () => {
    const lanes = new EffectLanes(2, (error) => { throw error; }, () => false);
    const first = deferred();
    const second = deferred();
    const ran: string[] = [];
    lanes.add(0, first.promise, () => ran.push('a1'));
    lanes.add(0, second.promise, () => ran.push('a2'));
    lanes.add(0, first.promise, () => ran.push('a3'));
    lanes.add(1, second.promise, () => ran.push('b1'));
    await settle();
    expect(ran).toEqual([]);
    // a2 waits for second; a3 waits for a2, though what it waits for is durable.
    first.resolve();
    await settle();
    expect(ran).toEqual(['a1']);
    second.resolve();
    await settle();
    expect(ran.filter((job) => job.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(ran).toContain('b1');
    await lanes.whenIdle();
  });

  it('a job added by a job runs after it; whenIdle waits for every lane', async () => {
    const lanes = new EffectLanes(1, (error) => { throw error; }, () => false);
    const ran: number[] = [];
    const durable = deferred();
    lanes.add(0, durable.promise, () => {
      ran.push(1);
      lanes.add(0, Promise.resolve(), () => ran.push(3));
    });
    lanes.add(0, durable.promise, () => ran.push(2));
    const idle = lanes.whenIdle().then(() => ran.push(4));
    durable.resolve();
    await idle;
    expect(ran).toEqual([1, 2, 3, 4]);
  });

  it('a failed write or a throwing job is reported; the lane goes on; nothing runs once stopped', async () => {
    const errors: string[] = [];
    let stopped = false;
    const lanes = new EffectLanes(1, (error) => errors.push(error.message), () => stopped);
    const ran: string[] = [];
    const failed = deferred();
    lanes.add(0, failed.promise, () => ran.push('never: its write failed'));
    lanes.add(0, Promise.resolve(), () => { throw new Error('job threw'); });
    lanes.add(0, Promise.resolve(), () => ran.push('after the throw'));
    failed.reject(new Error('fsync failed'));
    await lanes.whenIdle();
    expect(errors).toEqual(['fsync failed', 'job threw']);
    expect(ran).toEqual(['after the throw']);
    stopped = true;
    lanes.add(0, Promise.resolve(), () => ran.push('after stop'));
    await lanes.whenIdle();
    expect(ran).toEqual(['after the throw']);
    expect(() => lanes.add(1, Promise.resolve(), () => undefined)).toThrow(/no lane 1/);
  });
});
