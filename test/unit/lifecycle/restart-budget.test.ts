import { describe, expect, it } from 'vitest';
import { RESTART_BACKOFF_BASE_MS, RESTART_WINDOW_MS, RestartBudget } from '../../../src/lifecycle/restart-budget.js';

describe('the restart budget', () => {
  it('doubles the backoff with every crash in the window, then reports a crash loop', () => {
    const budget = new RestartBudget(3);
    expect(budget.decide(0, true)).toEqual({ kind: 'restart', delayMs: RESTART_BACKOFF_BASE_MS });
    expect(budget.decide(10, true)).toEqual({ kind: 'restart', delayMs: 2 * RESTART_BACKOFF_BASE_MS });
    expect(budget.decide(20, true)).toEqual({ kind: 'restart', delayMs: 4 * RESTART_BACKOFF_BASE_MS });
    expect(budget.decide(30, true)).toEqual({ kind: 'crash-loop', restarts: 3 });
  });

  it('forgets crashes older than the window', () => {
    const budget = new RestartBudget(1);
    expect(budget.decide(0, true).kind).toBe('restart');
    expect(budget.decide(RESTART_WINDOW_MS - 1, true).kind).toBe('crash-loop');
    expect(budget.decide(RESTART_WINDOW_MS, true)).toEqual({ kind: 'restart', delayMs: RESTART_BACKOFF_BASE_MS });
  });

  it("does not count the supervisor's own fences, however many", () => {
    const budget = new RestartBudget(1);
    for (let i = 0; i < 10; i++) expect(budget.decide(i, false).kind).toBe('restart');
    expect(budget.recentRestarts).toBe(0);
    expect(budget.decide(11, true).kind).toBe('restart');
  });

  it('starts afresh after a restart by hand', () => {
    const budget = new RestartBudget(1);
    budget.decide(0, true);
    budget.reset();
    expect(budget.decide(1, true).kind).toBe('restart');
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new RestartBudget(0)).toThrow(/positive integer/);
    expect(() => new RestartBudget(1.5)).toThrow(/positive integer/);
  });
});
