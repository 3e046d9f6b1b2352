import type { Roots } from '../../checker/explore.js';

/** Words of the control block; each worker's mailbox state has a cache line of its own. */
const NEXT_ROOT = 0;
/** 1 once a worker found a violation: everyone stops. */
const STOP = 1;
/** Workers waiting for work. */
const IDLE = 2;
/** 1 once every worker waited at once: the exploration is complete. */
const DONE = 3;
const stateWord = (worker: number) => 16 * (worker + 1);

/** A worker's mailbox: it works, waits for states, is being handed some, or has them to take. */
const WORKING = 0;
const WAITING = 1;
const FILLING = 2;
const FULL = 3;

/** Words a mailbox holds: [path count, then per path its length and action indexes]. */
const MAILBOX_WORDS = 1 << 18;

/** The shared buffers of a pool: what each worker is given. */
export interface WorkPoolBuffers {
  readonly control: SharedArrayBuffer;
  readonly mailboxes: readonly SharedArrayBuffer[];
  /** The first roots (the prefix's frontier), taken in turn. */
  readonly rootPaths: readonly (readonly number[])[];
}

/**
 * How worker threads share one exploration's work. Each takes the prefix's roots in turn; one
 * that runs dry waits, and a busy worker that notices hands it part of its queue as paths from
 * the initial state (a worker's state ids are its own, paths are common ground). When every
 * worker waits at once, nothing is left: the exploration is over.
 */
export class WorkPool implements Roots {
  private readonly control: Int32Array;
  private readonly mailbox: Int32Array;
  private readonly received: (readonly number[])[] = [];

  /**
   * `onIdle` runs before this worker waits and `onBusy` when it has work again: a waiting worker
   * must not hold up the others (the shared seen-set's resize waits for every active worker).
   */
  constructor(
    private readonly buffers: WorkPoolBuffers,
    private readonly worker: number,
    private readonly onIdle: () => void,
    private readonly onBusy: () => void,
  ) {
    if (!(worker >= 0 && worker < buffers.mailboxes.length)) throw new RangeError(`no worker ${worker} in a pool of ${buffers.mailboxes.length}`);
    this.control = new Int32Array(buffers.control);
    this.mailbox = new Int32Array(buffers.mailboxes[worker]);
  }

  static allocate(workers: number, rootPaths: readonly (readonly number[])[]): WorkPoolBuffers {
    return {
      control: new SharedArrayBuffer(4 * stateWord(workers)),
      mailboxes: Array.from({ length: workers }, () => new SharedArrayBuffer(4 * MAILBOX_WORDS)),
      rootPaths,
    };
  }

  /** Words a hand-over may fill (what `give`'s paths may add up to, one more a path). */
  get shareWords(): number {
    return MAILBOX_WORDS - 1;
  }

  get stopped(): boolean {
    return Atomics.load(this.control, STOP) === 1;
  }

  /** Tell every worker to stop (a violation was found). */
  stop(): void {
    Atomics.store(this.control, STOP, 1);
    this.wakeAll();
  }

  next(): readonly number[] | null {
    const got = this.received.pop();
    if (got !== undefined) return got;
    const k = Atomics.add(this.control, NEXT_ROOT, 1);
    if (k < this.buffers.rootPaths.length) return this.buffers.rootPaths[k];
    return this.waitForWork();
  }

  reserveTaker(): number {
    if (Atomics.load(this.control, IDLE) === 0) return -1;
    for (let w = 0; w < this.buffers.mailboxes.length; w++) {
      if (w === this.worker) continue;
      if (Atomics.compareExchange(this.control, stateWord(w), WAITING, FILLING) === WAITING) {
        // Counted busy from now on, so that nobody sees everyone idle while it has work coming.
        Atomics.sub(this.control, IDLE, 1);
        return w;
      }
    }
    return -1;
  }

  give(taker: number, paths: readonly (readonly number[])[]): void {
    if (Atomics.load(this.control, stateWord(taker)) !== FILLING) throw new Error(`worker ${taker} was not reserved`);
    const box = new Int32Array(this.buffers.mailboxes[taker]);
    let at = 1;
    for (const path of paths) {
      if (at + 1 + path.length > MAILBOX_WORDS) throw new Error(`a hand-over of ${paths.length} paths does not fit a mailbox`);
      box[at++] = path.length;
      box.set(path, at);
      at += path.length;
    }
    box[0] = paths.length;
    Atomics.store(this.control, stateWord(taker), FULL);
    Atomics.notify(this.control, stateWord(taker));
  }

  /** Wait until another worker hands over states (returns the first) or nothing is left (null). */
  private waitForWork(): readonly number[] | null {
    this.onIdle();
    const word = stateWord(this.worker);
    for (;;) {
      Atomics.store(this.control, word, WAITING);
      if (Atomics.add(this.control, IDLE, 1) + 1 === this.buffers.mailboxes.length) {
        Atomics.store(this.control, DONE, 1);
        this.wakeAll();
      }
      for (;;) {
        const state = Atomics.load(this.control, word);
        if (state === FULL) break;
        // A worker reserved as taker gets its states even if the exploration is stopping.
        if (state === WAITING && (Atomics.load(this.control, DONE) === 1 || this.stopped)) return null;
        Atomics.wait(this.control, word, state, 100);
      }
      const count = this.mailbox[0];
      let at = 1;
      for (let k = 0; k < count; k++) {
        const length = this.mailbox[at++];
        this.received.push(Array.from(this.mailbox.subarray(at, at + length)));
        at += length;
      }
      Atomics.store(this.control, word, WORKING);
      // An empty hand-over (the giver's states did not fit): wait again, counted idle again.
      if (count === 0) continue;
      this.onBusy();
      return this.received.pop() ?? null;
    }
  }

  private wakeAll(): void {
    for (let w = 0; w < this.buffers.mailboxes.length; w++) Atomics.notify(this.control, stateWord(w));
  }
}
