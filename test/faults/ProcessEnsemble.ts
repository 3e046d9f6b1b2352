import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePorts } from '../runtime/ensembleFixtures.js';
import { fourLetterWord } from '../support/fourLetterWord.js';

/** Settings of the ensemble, written into each server's zoo.cfg. */
export interface ProcessEnsembleOptions {
  /** Where server.<id>/ (dataDir, zoo.cfg, myid) and server.<id>.log go. */
  readonly directory: string;
  readonly servers: number;
  readonly tickTimeMs: number;
  readonly initLimit: number;
  readonly syncLimit: number;
  /** zoo.cfg snapCount: a snapshot every this many applied txns. */
  readonly snapCount: number;
  /** zoo.cfg commitLogCount: txns a leader keeps for DIFF before it sends SNAP. */
  readonly commitLogCount: number;
  /** Log one line per event (the chart's steps too) to server.<id>.log; else only errors. */
  readonly serverLogs: boolean;
}

/** Why a server process ended, when nobody asked it to. */
export interface UnexpectedExit {
  readonly id: number;
  readonly code: number | null;
  readonly signal: string | null;
}

interface Member {
  readonly id: number;
  readonly quorumPort: number;
  readonly clientPort: number;
  readonly config: string;
  process: ChildProcess | null;
  /** Set before we kill it, so that its exit is expected. */
  killing: boolean;
  /** Stopped with SIGSTOP: it holds its sockets and state but runs nothing until SIGCONT. */
  paused: boolean;
  exited: Promise<void>;
}

const REPOSITORY = join(import.meta.dirname, '../..');

/**
 * A loopback ensemble of `zabstate serve` processes, each with its own zoo.cfg and dataDir, that
 * can be killed with SIGKILL and started again from its disk. A process that exits without having
 * been killed is recorded: a server must never stop by itself.
 */
export class ProcessEnsemble {
  readonly unexpectedExits: UnexpectedExit[] = [];
  private readonly members: Member[];

  private constructor(private readonly options: ProcessEnsembleOptions, members: Member[]) {
    this.members = members;
  }

  static async create(options: ProcessEnsembleOptions): Promise<ProcessEnsemble> {
    if (!(options.servers >= 1)) throw new RangeError(`ProcessEnsemble: servers must be at least 1, got ${options.servers}`);
    const ports = await freePorts(2 * options.servers);
    const members: Member[] = [];
    for (let index = 0; index < options.servers; index++) {
      const id = index + 1;
      members.push({
        id, quorumPort: ports[2 * index], clientPort: ports[2 * index + 1], config: join(options.directory, `server.${id}`, 'zoo.cfg'),
        process: null, killing: false, paused: false, exited: Promise.resolve(),
      });
    }
    const serverLines = members.map((member) => `server.${member.id}=127.0.0.1:${member.quorumPort}:${member.quorumPort};127.0.0.1:${member.clientPort}`);
    for (const member of members) {
      const dataDir = join(options.directory, `server.${member.id}`);
      await mkdir(dataDir, { recursive: true });
      await writeFile(join(dataDir, 'myid'), `${member.id}\n`);
      await writeFile(member.config, [
        `tickTime=${options.tickTimeMs}`, `initLimit=${options.initLimit}`, `syncLimit=${options.syncLimit}`, `dataDir=${dataDir}`,
        `snapCount=${options.snapCount}`, `commitLogCount=${options.commitLogCount}`, 'autopurge.snapRetainCount=3', ...serverLines, '',
      ].join('\n'));
    }
    return new ProcessEnsemble(options, members);
  }

  get ids(): number[] {
    return this.members.map((member) => member.id);
  }

  get connectString(): string {
    return this.members.map((member) => `127.0.0.1:${member.clientPort}`).join(',');
  }

  clientPortOf(id: number): number {
    return this.member(id).clientPort;
  }

  /** The server whose client port is `port`, or null. */
  idOfClientPort(port: number): number | null {
    return this.members.find((member) => member.clientPort === port)?.id ?? null;
  }

  isRunning(id: number): boolean {
    return this.member(id).process !== null;
  }

  get running(): number[] {
    return this.members.filter((member) => member.process !== null).map((member) => member.id);
  }

  /** Starts server `id` from its data directory (it must not be running). */
  start(id: number): void {
    const member = this.member(id);
    if (member.process !== null) throw new Error(`ProcessEnsemble.start: server ${id} is already running`);
    const logFile = openSync(join(this.options.directory, `server.${id}.log`), 'a');
    const args = ['--import', 'tsx', 'src/cli/bin.ts', 'serve', '--config', member.config];
    if (!this.options.serverLogs) args.push('--quiet');
    const child = spawn(process.execPath, args, { cwd: REPOSITORY, stdio: ['ignore', logFile, logFile] });
    closeSync(logFile);
    member.process = child;
    member.killing = false;
    member.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (!member.killing) this.unexpectedExits.push({ id, code, signal });
        if (member.process === child) member.process = null;
        resolve();
      });
    });
  }

  isPaused(id: number): boolean {
    return this.member(id).paused;
  }

  /**
   * SIGSTOP: the server freezes with its connections open. Its peers time it out; when it resumes
   * it acts on what it had (a leader may log proposals nobody will accept) until it learns better.
   */
  pause(id: number): void {
    const member = this.member(id);
    if (member.process === null || member.paused) return;
    member.paused = true;
    member.process.kill('SIGSTOP');
  }

  resume(id: number): void {
    const member = this.member(id);
    if (member.process === null || !member.paused) return;
    member.paused = false;
    member.process.kill('SIGCONT');
  }

  /** SIGKILL: no chance to flush or close anything. Resolves when the process is gone. */
  async kill(id: number): Promise<void> {
    const member = this.member(id);
    const child = member.process;
    if (child === null) return;
    member.killing = true;
    child.kill('SIGKILL');
    await member.exited;
    member.paused = false;
  }

  async killAll(): Promise<void> {
    await Promise.all(this.ids.map((id) => this.kill(id)));
  }

  /** 'leader', 'follower', 'looking'..., or null when the server does not answer srvr. */
  async modeOf(id: number): Promise<string | null> {
    if (!this.isRunning(id)) return null;
    const answer = await fourLetterWord(this.member(id).clientPort, 'srvr');
    return /Mode: (\w+)/.exec(answer)?.[1] ?? null;
  }

  /** The running server that says it leads, when exactly one does. */
  async leader(): Promise<number | null> {
    const running = this.running;
    const modes = await Promise.all(running.map((id) => this.modeOf(id)));
    const leaders = running.filter((_, index) => modes[index] === 'leader');
    return leaders.length === 1 ? leaders[0] : null;
  }

  /** Resolves once every server runs and they are one leader and followers; rejects after `timeoutMs`. */
  async waitForAllServing(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let modes: (string | null)[] = [];
    while (Date.now() < deadline) {
      modes = await Promise.all(this.ids.map((id) => this.modeOf(id)));
      const leaders = modes.filter((mode) => mode === 'leader').length;
      if (leaders === 1 && modes.every((mode) => mode === 'leader' || mode === 'follower')) return this.ids[modes.indexOf('leader')];
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`the ensemble did not recover within ${timeoutMs} ms: modes ${modes.map((mode, index) => `${index + 1}=${mode}`).join(' ')}`);
  }

  private member(id: number): Member {
    const member = this.members.find((candidate) => candidate.id === id);
    if (member === undefined) throw new Error(`ProcessEnsemble: no server ${id}`);
    return member;
  }
}

