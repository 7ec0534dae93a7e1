// The leaderless simulator tier: a few hundred seeds of weather over 3-9
// cores must end converged with no acknowledged write lost, and each planted
// bug must be caught within 200 seeds (a check that never fails proves
// nothing). `npm run sim:leaderless` runs more seeds and replays one.

import { describe, expect, it } from 'vitest';
import { LEADERLESS_PLANTED_BUGS } from '../../../src/leaderless/index.js';
import { runLeaderlessSeed, type LeaderlessSeedResult } from '../../sim/leaderless/run-seed.js';

const SEEDS = 300;
const BUG_SEED_LIMIT = 200;
const nodeCountOf = (seed: number): number => 3 + (seed % 7);

describe('leaderless simulator', () => {
  it(`${SEEDS} seeds over 3-9 nodes: converged, no acknowledged write lost`, () => {
    const results: LeaderlessSeedResult[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) results.push(runLeaderlessSeed({ seed, nodeCount: nodeCountOf(seed) }));
    const violations = results.flatMap((result) => result.violations.map((violation) => `seed ${result.seed} (${result.nodeCount} nodes): ${violation}`));
    expect(violations).toEqual([]);
    // The weather must have happened, or passing means nothing.
    const sum = (pick: (result: LeaderlessSeedResult) => number): number => results.reduce((total, result) => total + pick(result), 0);
    expect(sum((result) => result.stats.writesAcked)).toBeGreaterThan(SEEDS * 20);
    expect(sum((result) => result.stats.crashes)).toBeGreaterThan(SEEDS);
    expect(sum((result) => result.stats.partitions)).toBeGreaterThan(SEEDS);
    expect(sum((result) => result.stats.messagesDropped)).toBeGreaterThan(0);
    expect(sum((result) => result.stats.failures['timeout'] ?? 0)).toBeGreaterThan(0);
    expect(sum((result) => result.stats.failures['hints-full'] ?? 0)).toBeGreaterThan(0);
  });

  it('a seed replays exactly', () => {
    expect(runLeaderlessSeed({ seed: 42, nodeCount: 5 })).toEqual(runLeaderlessSeed({ seed: 42, nodeCount: 5 }));
  });

  it.each(LEADERLESS_PLANTED_BUGS)(`planted bug %s is caught within ${BUG_SEED_LIMIT} seeds`, (bug) => {
    let caughtAt: number | null = null;
    for (let seed = 1; seed <= BUG_SEED_LIMIT && caughtAt === null; seed++) {
      if (runLeaderlessSeed({ seed, nodeCount: nodeCountOf(seed), plantedBugs: [bug] }).violations.length > 0) caughtAt = seed;
    }
    expect(caughtAt, `${bug} was never caught`).not.toBeNull();
  });
});
