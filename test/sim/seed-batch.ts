// A batch of seeds: the unit of work handed to one piscina worker, and the
// same function the tests call in-process.

import type { PlantedBug, ReplicationMode } from '../../src/core/index.js';
import { runSeed, type SeedResult } from './run-seed.js';
import { DEFAULT_SIM_OPTIONS, type SimOptions } from './sim-options.js';

export interface SeedBatch {
  readonly seeds: readonly { readonly seed: number; readonly nodes: number }[];
  readonly mode?: ReplicationMode;
  readonly plantedBug?: PlantedBug | null;
  readonly xstate?: boolean;
  readonly chaosTicks?: number;
  readonly weather?: SimOptions['weather'];
  /** Overrides the weather's election timeout (and patience): to show an impatient cluster fail the liveness check. */
  readonly electionTimeoutTicks?: number;
}

export async function runSeedBatch(batch: SeedBatch): Promise<SeedResult[]> {
  const results: SeedResult[] = [];
  for (const { seed, nodes } of batch.seeds) {
    const options: SimOptions = {
      ...DEFAULT_SIM_OPTIONS,
      seed,
      nodes,
      mode: batch.mode ?? DEFAULT_SIM_OPTIONS.mode,
      plantedBug: batch.plantedBug ?? null,
      xstate: batch.xstate ?? DEFAULT_SIM_OPTIONS.xstate,
      chaosTicks: batch.chaosTicks ?? DEFAULT_SIM_OPTIONS.chaosTicks,
      ...(batch.weather ? { weather: batch.weather } : {}),
      ...(batch.electionTimeoutTicks !== undefined ? { electionTimeoutTicks: batch.electionTimeoutTicks } : {}),
    };
    results.push(await runSeed(options));
  }
  return results;
}
