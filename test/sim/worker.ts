// The piscina worker: runs one batch of seeds and returns plain results.

import { runSeedBatch, type SeedBatch } from './seed-batch.js';

export default function runBatch(batch: SeedBatch): ReturnType<typeof runSeedBatch> {
  return runSeedBatch(batch);
}
