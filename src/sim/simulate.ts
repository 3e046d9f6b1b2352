import type { ClusterState, ModelAction } from '../model/ClusterState.js';
import type { Model } from '../model/Model.js';
import { successors } from '../model/Model.js';
import { Random } from './Random.js';

/** How often faults are chosen relative to protocol steps (a fault-heavy run elects often). */
export interface FaultWeights {
  /** Weight of Crash, Disconnect and LeaderTimeout against 1 for every other action. */
  readonly fault: number;
}

/** Faults at 1/20 of the weight of a protocol step. */
export const DEFAULT_WEIGHTS: FaultWeights = { fault: 0.05 };

/** One step of a simulated run. */
export interface SimulationStep {
  readonly index: number;
  readonly action: ModelAction;
  readonly before: ClusterState;
  readonly after: ClusterState;
}

const FAULTS = new Set(['Crash', 'Disconnect', 'LeaderTimeout']);

/**
 * A seeded random schedule through the model: at each step one enabled action is drawn, faults
 * with a lower weight. Pure: the same model, seed and step count give the same run.
 */
export function* simulate(model: Model, seed: number, steps: number, weights: FaultWeights = DEFAULT_WEIGHTS): Generator<SimulationStep> {
  const random = new Random(seed);
  let state = model.init();
  for (let index = 1; index <= steps; index++) {
    const choices = successors(model, state);
    if (choices.length === 0) return;
    let total = 0;
    for (const c of choices) total += FAULTS.has(c.action.name) ? weights.fault : 1;
    let pick = random.float() * total;
    let chosen = choices[choices.length - 1];
    for (const c of choices) {
      pick -= FAULTS.has(c.action.name) ? weights.fault : 1;
      if (pick < 0) {
        chosen = c;
        break;
      }
    }
    yield { index, action: chosen.action, before: state, after: chosen.state };
    state = chosen.state;
  }
}
