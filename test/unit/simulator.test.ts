// A few hundred simulator seeds on every run of the tests; the long runs stay
// a command (`npm run sim`). Each planted bug must be caught: a checker that
// never fails proves nothing by passing.

import { describe, expect, it } from 'vitest';
import type { PlantedBug, ReplicationMode } from '../../src/core/index.js';
import type { SeedResult } from '../sim/run-seed.js';
import { runSeedBatch } from '../sim/seed-batch.js';

function run(seeds: number[], nodes: number, options: { mode?: ReplicationMode; plantedBug?: PlantedBug } = {}): Promise<SeedResult[]> {
  return runSeedBatch({ seeds: seeds.map((seed) => ({ seed, nodes })), ...options });
}

function range(first: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => first + i);
}

/** The first seed (in order) whose run satisfies `found`, searching at most `limit` seeds. */
async function firstSeedWhere(limit: number, nodes: number, options: Parameters<typeof run>[2], found: (r: SeedResult) => boolean) {
  for (let seed = 1; seed <= limit; seed++) {
    const [result] = await run([seed], nodes, options);
    if (result && found(result)) return result;
  }
  return undefined;
}

function describeFailures(results: SeedResult[]): string {
  return results
    .filter((result) => result.violations.length > 0)
    .map((result) => `seed ${result.seed} (${result.nodes} nodes): ${result.violations.join('; ')}`)
    .join('\n');
}

describe('deterministic simulation', () => {
  it('is deterministic: a seed replays to the same result', async () => {
    const [first] = await run([7], 5);
    const [second] = await run([7], 5);
    expect(second).toEqual(first);
    expect(first?.stats.ops).toBeGreaterThan(0);
  });

  it.each([
    [3, 120],
    [5, 80],
    [7, 30],
    [9, 20],
  ])('quorum mode keeps every safety property on %i nodes over %i seeds', async (nodes, count) => {
    const results = await run(range(1000 * nodes, count), nodes);
    expect(describeFailures(results)).toBe('');
    // The runs did real work: most operations completed.
    const ok = results.reduce((sum, result) => sum + result.stats.okOps, 0);
    const ops = results.reduce((sum, result) => sum + result.stats.ops, 0);
    expect(ok / ops).toBeGreaterThan(0.3);
  });

  it('sync mode keeps every safety property and linearizability', async () => {
    const results = await run(range(500, 40), 3, { mode: 'sync' });
    expect(describeFailures(results)).toBe('');
  });

  it('async mode acknowledges writes that a leader crash then loses, and the checker shows it', async () => {
    const lossy = await firstSeedWhere(200, 3, { mode: 'async' }, (result) => result.allowedAnomalies > 0);
    expect(lossy, 'no async seed in 200 lost an acknowledged write').toBeDefined();
    // Losing acknowledged writes is what async allows; Raft's own invariants still hold.
    expect(lossy?.violations).toEqual([]);
  });
});

describe('liveness on a busy machine (no crash, no partition, no lost message)', () => {
  const longRun = { weather: 'calm-busy', chaosTicks: 3000 } as const;

  it.each([
    [3, 16],
    [5, 8],
  ])('leadership never moves on %i nodes over %i long seeds, with loops that stall and slow disks', async (nodes, count) => {
    const results = await runSeedBatch({ seeds: range(7000 + 100 * nodes, count).map((seed) => ({ seed, nodes })), ...longRun });
    expect(describeFailures(results)).toBe('');
    const moved = results.filter((result) => result.stats.terms !== 1).map((result) => `seed ${result.seed}: ${result.stats.terms} leaders`);
    expect(moved).toEqual([]);
    // The weather did blow: loops stalled, and clients were served throughout.
    expect(results.every((result) => result.stats.stalls > 0 && result.stats.okOps > 100)).toBe(true);
  });

  it('the check can fail: a cluster whose election timeout is below the stalls loses its leader in the same weather', async () => {
    const results = await runSeedBatch({ seeds: range(7300, 8).map((seed) => ({ seed, nodes: 3 })), ...longRun, electionTimeoutTicks: 3 });
    expect(results.some((result) => result.stats.terms > 1)).toBe(true);
  });
});

describe('planted bugs are caught within 200 seeds', () => {
  it.each<PlantedBug>(['vote-twice', 'no-truncate', 'commit-old-term', 'follower-read-local', 'send-before-persist', 'apply-before-persist'])(
    '%s',
    async (plantedBug) => {
      const caught = await firstSeedWhere(200, 3, { plantedBug }, (result) => result.violations.length > 0);
      expect(caught, `${plantedBug} went unnoticed for 200 seeds`).toBeDefined();
    },
  );
});
