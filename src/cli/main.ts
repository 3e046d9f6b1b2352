import { simulateCommand } from './simulateCommand.js';
import { checkCommand } from './checkCommand.js';
import { replayCommand } from './replayCommand.js';
import { UsageError } from './CliError.js';
import { serveCommand } from './serveCommand.js';
import { ensembleCommand } from './ensembleCommand.js';

const USAGE = `usage: zabstate <command> [options]
  check     [--strategy bfs|dfs|random|swarm] [--workers N] [--table-log2 N] [--depth N] [--seed S] [--runs N] [--json]
            [--traces-dir D] [--variant NAME|./change.ts] [--liveness] [--all-variants] [bound flags]
  simulate  --seed S [--steps N] [--service [--trace out.json]] [bound flags]
  replay    <trace.json> [--format text|mermaid] [--html out.html] [--variant NAME|./change.ts]
  serve     --config zoo.cfg [--quiet]
  ensemble  [--servers 3] [--observers 0] [--dir zabstate-ensemble] [--tick-time 2000] [--base-port P]
            [--max-client-cnxns 60 (per client address, 0: no limit)] [--quiet]
bound flags: [--config spec/MCZab.cfg] [--servers N] [--observers N] [--max-epoch N] [--max-txns N] [--max-crashes N]
             [--max-partitions N] [--commit-log-count N] [--max-rounds N] [--election Oracle|FLE]`;

/** Runs one CLI command; returns the exit code (0 ok, 1 violation or finding, 2 bad usage). */
export async function run(argv: string[], out: (line: string) => void, err: (line: string) => void, isTTY: boolean): Promise<number> {
  const [command, ...rest] = argv;
  // `zabstate <command> --help` shows the usage, as `zabstate help` does, before any option is parsed.
  if (command !== undefined && (rest.includes('--help') || rest.includes('-h'))) {
    out(USAGE);
    return 0;
  }
  try {
    switch (command) {
      case 'simulate':
        return simulateCommand(rest, out);
      case 'check':
        return await checkCommand(rest, out, err, isTTY);
      case 'replay':
        return await replayCommand(rest, out);
      case 'serve':
        return serveCommand(rest, out, err);
      case 'ensemble':
        return ensembleCommand(rest, out, err);
      case undefined:
      case 'help':
      case '--help':
        out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}; try zabstate help`);
    }
  } catch (e) {
    const known = e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (!known) throw e;
    err(`zabstate: ${(e as Error).message.split('\n')[0]}`);
    return 2;
  }
}

