import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { explore } from '../checker/explore.js';
import { createModel } from '../model/Model.js';
import { STANDARD_MODEL, type ModelConfig } from '../model/ModelConfig.js';
import { serverActions } from '../protocol/serverActions.js';
import { serverGuards } from '../protocol/serverGuards.js';
import type { ServerImplementations } from '../protocol/serverMachine.js';
import { makeTrace, type TraceFile } from '../trace/Trace.js';

/**
 * A planted bug for the example trace: a leader never notices that a learner is ahead of it (the
 * `isLearnerAhead` guard is always false), so a stale leader is established beside a newer one.
 */
export const LEARNER_AHEAD_IGNORED: ServerImplementations = {
  guards: { ...serverGuards, isLearnerAhead: () => false },
  actions: serverActions,
};

/** The variant name written into the example trace. */
export const EXAMPLE_VARIANT = 'learner-ahead-ignored';

/** The committed example trace, relative to the repository root. */
export const EXAMPLE_TRACE_PATH = 'traces/examples/learner-ahead-ignored.json';

/** The model the example was found in: the standard model with one client request. */
export const EXAMPLE_CONFIG: ModelConfig = Object.freeze({ ...STANDARD_MODEL, maxTxns: 1 });

/** Find the example again: BFS over the planted bug, so the trace is a shortest counterexample. */
export function findExampleTrace(): TraceFile {
  const result = explore(createModel(EXAMPLE_CONFIG, LEARNER_AHEAD_IGNORED), { strategy: 'bfs' });
  if (result.violation === undefined || result.trace === undefined) throw new Error('the planted bug is no longer found: pick another');
  return makeTrace(EXAMPLE_CONFIG, result.trace, result.violation, { variant: EXAMPLE_VARIANT, strategy: 'bfs' });
}

// `npx tsx src/docs/exampleTrace.ts` rewrites the committed example (a few seconds).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const trace = findExampleTrace();
  mkdirSync(dirname(join(root, EXAMPLE_TRACE_PATH)), { recursive: true });
  writeFileSync(join(root, EXAMPLE_TRACE_PATH), JSON.stringify(trace, null, 2) + '\n');
  process.stdout.write(`wrote ${EXAMPLE_TRACE_PATH}: ${trace.steps.length} steps, ${trace.violation.invariant}\n`);
}
