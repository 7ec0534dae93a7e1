import { describe, expect, it } from 'vitest';
import { HINT_RETRY_TICKS, HintQueues, MAX_HANDOFFS_PER_TICK_PER_TARGET } from '../../../src/leaderless/hints.js';
import { sameClock } from '../../../src/leaderless/clocks.js';
import * as dvv from '../../../src/convergence/dvv-set.js';
import * as tombstones from '../../../src/convergence/dvv-tombstones.js';
import * as vv from '../../../src/convergence/version-vector.js';
import type { KeyClock } from '../../../src/leaderless/index.js';

describe('hint queues', () => {
  it('bound hints per target; a key already hinted joins its hint', () => {
    const hints = new HintQueues(2);
    expect(hints.add('p', 'k1')).toBe(true);
    expect(hints.add('p', 'k1')).toBe(false);
    expect(hints.add('p', 'k2')).toBe(true);
    expect(hints.canAccept('p', 'k3')).toBe(false);
    expect(hints.canAccept('p', 'k1')).toBe(true);
    expect(hints.canAccept('q', 'k3')).toBe(true);
    expect(() => hints.add('p', 'k3')).toThrow(/maxPerTarget/);
    expect(hints.remove('p', 'k1')).toBe(true);
    expect(hints.canAccept('p', 'k3')).toBe(true);
    expect(hints.all()).toEqual([{ target: 'p', key: 'k2' }]);
  });

  it('hand off each hint once per retry interval, a bounded number per tick', () => {
    const keys = Array.from({ length: MAX_HANDOFFS_PER_TICK_PER_TARGET + 3 }, (_, index) => `k${index}`);
    const hints = new HintQueues(
      100,
      keys.map((key) => ({ target: 'p', key })),
    );
    expect(hints.takeDue('p', 1)).toHaveLength(MAX_HANDOFFS_PER_TICK_PER_TARGET);
    expect(hints.takeDue('p', 2)).toEqual(keys.slice(MAX_HANDOFFS_PER_TICK_PER_TARGET));
    expect(hints.takeDue('p', HINT_RETRY_TICKS)).toEqual([]);
    expect(hints.takeDue('p', 1 + HINT_RETRY_TICKS)).toHaveLength(MAX_HANDOFFS_PER_TICK_PER_TARGET);
  });

  it('a target coming back, or a newer write joining a hint, makes it due at once', () => {
    const hints = new HintQueues(10, [
      { target: 'p', key: 'a' },
      { target: 'p', key: 'b' },
    ]);
    expect(hints.takeDue('p', 1)).toEqual(['a', 'b']);
    hints.add('p', 'a');
    expect(hints.takeDue('p', 2)).toEqual(['a']);
    hints.makeDue('p');
    expect(hints.takeDue('p', 3)).toEqual(['a', 'b']);
  });
});

describe('sameClock', () => {
  const write = (clock: KeyClock, value: string, actor: string, context: vv.VersionVector = vv.empty()): KeyClock => {
    const result = tombstones.put(clock, context, value, actor);
    if (!result.ok) throw new Error('refused');
    return result.clock;
  };
  const one = write(dvv.empty(), 'x', 'a');
  const siblings = write(one, 'y', 'b');
  const resolved = write(siblings, 'z', 'a', dvv.join(siblings));

  it.each([
    ['a clock and itself', one, one, true],
    ['a clock and its sync with itself', siblings, dvv.sync(siblings, siblings), true],
    ['one value and two siblings', one, siblings, false],
    ['two siblings and their resolution', siblings, resolved, false],
    ['an empty clock and one value', dvv.empty(), one, false],
  ] as const)('%s', (_name, a, b, same) => {
    expect(sameClock(a as KeyClock, b as KeyClock)).toBe(same);
  });
});
