// The `npm start` demo tells the truth: a leader is elected, a different one
// after the crash, and every write the first leader saw commit is in the new
// leader's own log and state. Unpaced, so nothing here depends on time.

import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED, runElectionDemo, type DemoSummary } from '../../examples/election-demo.js';

/** Enough seeds to include split votes and elections that take several terms. */
const SEEDS = Array.from({ length: 25 }, (_, i) => i + 1);
const WRITES_IN_DEMO = 3;

async function quietRun(seed: number, color = false): Promise<{ summary: DemoSummary; lines: string[] }> {
  const lines: string[] = [];
  const summary = await runElectionDemo({ pace: false, seed, color, print: (line) => lines.push(line) });
  return { summary, lines };
}

describe('election demo', () => {
  it.each(SEEDS)('seed %i: a leader, a different leader after the crash, no committed write lost', async (seed) => {
    const { summary } = await quietRun(seed);

    expect(['n1', 'n2', 'n3']).toContain(summary.firstLeader.id);
    expect(summary.firstLeader.term).toBeGreaterThanOrEqual(1);
    expect(summary.secondLeader.id).not.toBe(summary.firstLeader.id);
    expect(summary.secondLeader.term).toBeGreaterThan(summary.firstLeader.term);

    expect(summary.committedWrites).toHaveLength(WRITES_IN_DEMO);
    for (const write of summary.committedWrites) {
      expect(write.term).toBe(summary.firstLeader.term);
      expect(summary.newLeaderLog).toContainEqual(write);
      expect(summary.newLeaderValues[write.key]).toEqual(write.value);
    }
    expect(summary.oldLeaderRejoined).toBe(true);
  });

  it('prints the story it returns, in plain text when colors are off', async () => {
    const { summary, lines } = await quietRun(DEFAULT_SEED);
    const text = lines.join('\n');
    expect(text).not.toMatch(/\x1b\[/);
    expect(text).toContain(`${summary.firstLeader.id} is the leader of term ${summary.firstLeader.term}`);
    expect(text).toContain(`${summary.secondLeader.id} is the leader of term ${summary.secondLeader.term}`);
    for (const write of summary.committedWrites) expect(text).toContain(`committed at index ${write.index}`);
  });

  it('replays the same story for the same seed', async () => {
    const first = await quietRun(DEFAULT_SEED);
    const second = await quietRun(DEFAULT_SEED);
    expect(second.lines).toEqual(first.lines);
  });

  it('colors only when asked', async () => {
    const { lines } = await quietRun(DEFAULT_SEED, true);
    expect(lines.join('\n')).toMatch(/\x1b\[/);
  });
});
