import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import zookeeper from 'node-zookeeper-client';
import {
  checkNoLostWrites, checkOrderedSequentialConsistency, checkWriteLinearizability, EMPTY_TREE, toTraceJson,
  type CheckVerdict, type ClientOperation, type HistoryReport, type ZooKeeperTree,
} from '../../src/history/index.js';
import { Random } from '../../src/sim/Random.js';
import { HistoryRecorder, LoadClient } from './LoadClient.js';
import { ProcessEnsemble, type UnexpectedExit } from './ProcessEnsemble.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface FaultRunOptions {
  /** Names the run: the fault schedule and every client's choice of operations follow from it. */
  readonly seed: number;
  /** How long faults are injected under load (the heal and the check come after). */
  readonly durationMs: number;
  readonly directory: string;
  readonly clients: number;
  readonly keys: number;
  readonly thinkTimeMsMax: number;
  readonly tickTimeMs: number;
  readonly snapCount: number;
  readonly commitLogCount: number;
  /** Pause between two faults, drawn from [min, max]. */
  readonly faultGapMsMin: number;
  readonly faultGapMsMax: number;
  readonly serverLogs: boolean;
  /**
   * Also ask the history checker about the reads (ordered sequential consistency: one search over
   * the whole history, feasible for a few hundred operations only). The reads are always checked
   * directly (HistoryRecorder.readViolations).
   */
  readonly checkReads: boolean;
  readonly log: (line: string) => void;
}

export interface FaultRunResult {
  readonly seed: number;
  readonly faultMs: number;
  readonly kills: number;
  readonly restarts: number;
  readonly pauses: number;
  readonly schedule: readonly string[];
  readonly operations: readonly ClientOperation[];
  readonly counts: { readonly ok: number; readonly unknown: number; readonly pending: number; readonly writesAcknowledged: number };
  readonly unexpectedExits: readonly UnexpectedExit[];
  readonly readViolations: readonly string[];
  /** Null when every server ended with the same tree; else which differ. */
  readonly replicaDisagreement: string | null;
  /** Null when the ensemble recovered after the faults. */
  readonly recoveryFailure: string | null;
  readonly finalTree: ZooKeeperTree | null;
  readonly report: HistoryReport | null;
  readonly checkMs: number;
  /** One sentence per thing that went wrong: a crash, no recovery, disagreement, a verdict other than ok. */
  readonly failures: readonly string[];
  /** Everything went right: no violation, no unknown verdict, no crash, recovery, agreement. */
  readonly passed: boolean;
  /** Where the history was written (always, so a passing run can be re-checked too). */
  readonly historyFile: string;
}

const SESSION_TIMEOUT_MS = 4000;
const OPERATION_TIMEOUT_MS = 8000;
const RECOVERY_TIMEOUT_MS = 90_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Kills and restarts servers of a real 3-server ensemble (separate `zabstate serve` processes,
 * SIGKILL) while node-zookeeper-client clients write and read a few keys, then heals the ensemble,
 * reads every replica's final tree, and checks the clients' history with src/history: the writes
 * linearizable, no acknowledged write lost (the final tree explained by the writes, each
 * acknowledged one included), and, optionally, the reads.
 */
export async function runFaults(options: FaultRunOptions): Promise<FaultRunResult> {
  const log = options.log;
  const ensemble = await ProcessEnsemble.create({
    directory: options.directory, servers: 3, tickTimeMs: options.tickTimeMs, initLimit: 10, syncLimit: 5,
    snapCount: options.snapCount, commitLogCount: options.commitLogCount, serverLogs: options.serverLogs,
  });
  const schedule: string[] = [];
  const started = Date.now();
  const note = (line: string): void => {
    const stamped = `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s ${line}`;
    schedule.push(stamped);
    log(stamped);
  };
  try {
    for (const id of ensemble.ids) ensemble.start(id);
    await ensemble.waitForAllServing(RECOVERY_TIMEOUT_MS);
    note(`ensemble up (${ensemble.connectString})`);
    const recorder = new HistoryRecorder();
    const keys = Array.from({ length: options.keys }, (_, index) => `/k${index}`);
    const clients = Array.from({ length: options.clients }, (_, index) => new LoadClient(`c${index}`, {
      connectString: ensemble.connectString, keys, sessionTimeoutMs: SESSION_TIMEOUT_MS, operationTimeoutMs: OPERATION_TIMEOUT_MS,
      thinkTimeMsMax: options.thinkTimeMsMax, serverOfPort: (port) => ensemble.idOfClientPort(port),
    }, new Random((options.seed + 1 + index) >>> 0), recorder));
    let loadStopped = false;
    const load = Promise.all(clients.map((client) => client.run(() => loadStopped)));

    const faults = await injectFaults(ensemble, options, note);
    const faultMs = Date.now() - started;
    note(`faults over: ${faults.kills} kills, ${faults.restarts} restarts, ${faults.pauses} pauses; healing`);
    for (const id of ensemble.ids) {
      if (!ensemble.isRunning(id)) ensemble.start(id);
      ensemble.resume(id);
    }
    loadStopped = true;
    let recoveryFailure: string | null = null;
    try {
      await ensemble.waitForAllServing(RECOVERY_TIMEOUT_MS);
    } catch (error) {
      recoveryFailure = (error as Error).message;
    }
    await load;
    note(`load stopped: ${recorder.size} operations`);

    let finalTree: ZooKeeperTree | null = null;
    let replicaDisagreement: string | null = null;
    if (recoveryFailure === null) {
      const trees = await Promise.all(ensemble.ids.map((id) => readFinalTree(`127.0.0.1:${ensemble.clientPortOf(id)}`, keys, id)));
      finalTree = trees[0];
      const differing = ensemble.ids.filter((_, index) => JSON.stringify(trees[index]) !== JSON.stringify(trees[0]));
      if (differing.length > 0) replicaDisagreement = `server(s) ${differing.join(', ')} end with a tree other than server 1's`;
    }

    const operations = recorder.operations();
    const counts = countOutcomes(operations);
    note(`history: ${operations.length} operations (${counts.ok} answered, ${counts.unknown} unknown, ${counts.pending} pending, ${counts.writesAcknowledged} acknowledged writes)`);
    const checkStarted = Date.now();
    const history = { operations, initialTree: EMPTY_TREE, finalTree: finalTree ?? undefined, checkReads: options.checkReads };
    const report = checkHistory(history);
    const checkMs = Date.now() - checkStarted;
    for (const verdict of report.verdicts) note(`check ${verdict.check}: ${verdict.result} — ${verdict.message}`);
    const readViolations = recorder.readViolations();
    note(`reads: ${readViolations.length === 0 ? 'each from a write called before it returned, none going back' : readViolations.join('; ')}`);
    note(`checked in ${(checkMs / 1000).toFixed(1)} s`);

    const failures = [
      ...ensemble.unexpectedExits.map((exit) => `server ${exit.id} exited by itself (code ${exit.code}, signal ${exit.signal}); see server.${exit.id}.log`),
      ...(recoveryFailure === null ? [] : [`no recovery: ${recoveryFailure}`]),
      ...(replicaDisagreement === null ? [] : [`replicas disagree: ${replicaDisagreement}`]),
      ...report.verdicts.filter((verdict) => verdict.result !== 'ok').map((verdict) => `${verdict.check} ${verdict.result}: ${verdict.message.slice(0, 1000)}`),
      ...readViolations.map((violation) => `reads: ${violation}`),
    ];
    for (const failure of failures) note(`FAILURE ${failure}`);
    const passed = failures.length === 0;
    const historyFile = join(options.directory, 'history.json');
    await writeFile(historyFile, JSON.stringify({
      seed: options.seed, options: { ...options, log: undefined }, passed, failures, schedule, unexpectedExits: ensemble.unexpectedExits, readViolations,
      replicaDisagreement, recoveryFailure, history: toTraceJson(history, report),
    }, null, 1));
    return {
      seed: options.seed, faultMs, kills: faults.kills, restarts: faults.restarts, pauses: faults.pauses, schedule, operations, counts,
      unexpectedExits: [...ensemble.unexpectedExits], readViolations, replicaDisagreement, recoveryFailure, finalTree, report, checkMs, failures, passed, historyFile,
    };
  } finally {
    await ensemble.killAll();
  }
}

/**
 * The nemesis. Every step draws the same random numbers whatever it does with them, so that a seed
 * names one sequence of decisions. After a pause: with servers down, restart them all, restart one,
 * or (one down) kill a second, so the ensemble loses its quorum; with all up, kill the leader, a
 * follower, the leader and a follower at once, or all three (each then restarts from its disk
 * alone), or freeze the leader or a follower (SIGSTOP) for a few seconds: a frozen leader's peers
 * elect another, and when it thaws it logs the proposals it still had queued, which the new leader
 * makes it truncate.
 */
async function injectFaults(ensemble: ProcessEnsemble, options: FaultRunOptions, note: (line: string) => void) {
  const random = new Random(options.seed >>> 0);
  const deadline = Date.now() + options.durationMs;
  let kills = 0;
  let restarts = 0;
  let pauses = 0;
  let exitsNoted = 0;
  const thaws: Promise<void>[] = [];
  const kill = async (ids: readonly number[], why: string): Promise<void> => {
    await Promise.all(ids.map((id) => ensemble.kill(id)));
    kills += ids.length;
    note(`kill ${ids.join(', ')}${why}`);
  };
  const freeze = (id: number, ms: number, why: string): void => {
    ensemble.pause(id);
    pauses += 1;
    note(`freeze ${id}${why} for ${ms} ms`);
    thaws.push(sleep(ms).then(() => {
      if (!ensemble.isPaused(id)) return;
      ensemble.resume(id);
      note(`thaw ${id}`);
    }));
  };
  while (Date.now() < deadline) {
    const gap = options.faultGapMsMin + random.below(options.faultGapMsMax - options.faultGapMsMin + 1);
    const roll = random.below(100);
    const pick = random.nextUint32();
    const freezeMs = 1500 + random.below(3000);
    await sleep(Math.min(gap, Math.max(0, deadline - Date.now())));
    if (Date.now() >= deadline) break;
    for (const exit of ensemble.unexpectedExits.slice(exitsNoted)) note(`server ${exit.id} EXITED BY ITSELF (code ${exit.code}, signal ${exit.signal})`);
    exitsNoted = ensemble.unexpectedExits.length;
    const down = ensemble.ids.filter((id) => !ensemble.isRunning(id));
    const up = ensemble.running.filter((id) => !ensemble.isPaused(id));
    if (down.length > 0) {
      if (down.length === 1 && roll < 20 && up.length > 0) {
        await kill([up[pick % up.length]], ' (quorum lost)');
      } else if (roll < 60) {
        for (const id of down) ensemble.start(id);
        restarts += down.length;
        note(`restart ${down.join(', ')}`);
      } else {
        const id = down[pick % down.length];
        ensemble.start(id);
        restarts += 1;
        note(`restart ${id}`);
      }
      continue;
    }
    if (up.length < ensemble.ids.length) continue;
    if (roll < 8) {
      await kill(up, ' (all)');
      continue;
    }
    const leader = await ensemble.leader();
    const followers = up.filter((id) => id !== leader);
    if (leader !== null && roll < 38) await kill([leader], ' (leader)');
    else if (leader !== null && roll < 53) await kill([leader, followers[pick % followers.length]], ' (leader and a follower)');
    else if (leader !== null && roll < 73) freeze(leader, freezeMs, ' (leader)');
    else if (roll < 80) freeze(followers[pick % followers.length], freezeMs, leader === null ? ' (no leader)' : ' (follower)');
    else await kill([followers[pick % followers.length]], leader === null ? ' (no leader)' : ' (follower)');
  }
  await Promise.all(thaws);
  return { kills, restarts, pauses };
}

/**
 * The checks the run asks src/history for: the writes linearizable, and (with the final tree) no
 * acknowledged write lost. Not clientFifo: every session has one operation outstanding at a time,
 * so its issue order is real-time order, which writeLinearizability already holds the writes to;
 * and clientFifo's search joins the partitions of paths that share a client (here all of them),
 * which a history of thousands of writes with unknown outcomes does not finish.
 */
function checkHistory(history: { operations: readonly ClientOperation[]; initialTree: ZooKeeperTree; finalTree?: ZooKeeperTree; checkReads: boolean }): HistoryReport {
  const verdicts: CheckVerdict[] = [checkWriteLinearizability(history.operations, history)];
  if (history.finalTree !== undefined) verdicts.push(checkNoLostWrites(history.operations, history));
  if (history.checkReads) verdicts.push(checkOrderedSequentialConsistency(history.operations, history));
  const failed = verdicts.find((verdict) => verdict.result === 'violation');
  const result = failed !== undefined ? 'violation' : verdicts.some((verdict) => verdict.result === 'unknown') ? 'unknown' : 'ok';
  return { result, failedCheck: failed?.check ?? null, verdicts };
}

/** The modeled keys as server `id` holds them once it has applied a write of its own client. */
async function readFinalTree(connectString: string, keys: readonly string[], id: number): Promise<ZooKeeperTree> {
  const client = zookeeper.createClient(connectString, { sessionTimeout: SESSION_TIMEOUT_MS, spinDelay: 100, retries: 0 });
  const call = <T>(operation: (done: (error: any, ...results: any[]) => void) => void): Promise<any[]> =>
    new Promise((resolve, reject) => operation((error, ...results) => (error && error.code !== -101 ? reject(error) : resolve([error, ...results]))));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server ${id}: no session within 20 s`)), 20_000);
      client.once('connected', () => {
        clearTimeout(timer);
        resolve();
      });
      client.connect();
    });
    // The reply to a write comes after this server applied it, so it has applied everything before.
    await call((done) => client.create(`/final-marker-${id}`, Buffer.alloc(0), zookeeper.CreateMode.EPHEMERAL, done));
    const tree: Record<string, { data: string; version: number }> = { '/': { ...EMPTY_TREE['/'] } };
    for (const path of keys) {
      const [error, data, stat] = await call((done) => client.getData(path, done));
      if (error === null) tree[path] = { data: data === undefined || data === null ? '' : data.toString(), version: stat.version };
    }
    return tree;
  } finally {
    client.close();
  }
}

function countOutcomes(operations: readonly ClientOperation[]) {
  let ok = 0;
  let unknown = 0;
  let pending = 0;
  let writesAcknowledged = 0;
  for (const op of operations) {
    if (op.outcome.status === 'ok') ok += 1;
    else if (op.outcome.status === 'unknown') unknown += 1;
    else pending += 1;
    if (op.outcome.status === 'ok' && op.input.kind !== 'getData' && op.input.kind !== 'exists') writesAcknowledged += 1;
  }
  return { ok, unknown, pending, writesAcknowledged };
}
