/**
 * What a server does after the disk has caught up (sends to each peer, its own deliveries), in lanes
 * that keep each peer's frames in the order the chart emitted them: a job runs once the promise it
 * waits for has resolved and every job queued before it in its lane has run. Consecutive jobs that
 * wait for the same promise run in one go, so a lane costs one promise reaction per promise waited
 * for, not a chain of promises per job (which was a tenth of a leader's allocations).
 *
 * A job that throws, or a promise that rejects, is reported to `onError` (the server then stops);
 * the lane goes on with the next job. No job runs once `stopped` says so.
 */
export class EffectLanes {
  private readonly queues: Job[][];
  private readonly waiting: boolean[];
  private idleWaiters: (() => void)[] = [];

  constructor(laneCount: number, private readonly onError: (error: Error) => void, private readonly stopped: () => boolean) {
    this.queues = Array.from({ length: laneCount }, () => []);
    this.waiting = new Array<boolean>(laneCount).fill(false);
  }

  /** Runs `job` in `lane` after `after`, and after every job added to the lane before it. */
  add(lane: number, after: Promise<void>, job: () => void): void {
    const queue = this.queues[lane];
    if (queue === undefined) throw new RangeError(`EffectLanes: no lane ${lane}`);
    queue.push({ after, job });
    if (!this.waiting[lane]) this.waitForHead(lane);
  }

  /** Resolves once every lane has run every job added so far. */
  whenIdle(): Promise<void> {
    if (!this.waiting.includes(true)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private waitForHead(lane: number): void {
    const queue = this.queues[lane];
    const after = queue[0].after;
    this.waiting[lane] = true;
    after.then(() => this.runReady(lane, after, null), (error: Error) => this.runReady(lane, after, error));
  }

  /** Runs the head jobs that waited for `after` (resolved, or rejected with `error`), then waits for the next. */
  private runReady(lane: number, after: Promise<void>, error: Error | null): void {
    const queue = this.queues[lane];
    let ran = 0;
    while (ran < queue.length && queue[ran].after === after) {
      const { job } = queue[ran];
      ran += 1;
      if (error !== null || this.stopped()) continue;
      try {
        job();
      } catch (thrown) {
        this.onError(thrown instanceof Error ? thrown : new Error(String(thrown)));
      }
    }
    if (error !== null) this.onError(error);
    queue.splice(0, ran);
    if (queue.length > 0) {
      this.waitForHead(lane);
      return;
    }
    this.waiting[lane] = false;
    if (!this.waiting.includes(true)) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

interface Job {
  readonly after: Promise<void>;
  readonly job: () => void;
}
