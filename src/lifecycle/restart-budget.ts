// How often a crashed node is restarted: after a backoff that doubles with
// every crash in the last minute, and not at all once the minute holds
// `maxRestartsPerMinute` crashes (a crash loop is left down and reported, not
// spun). Time is passed in, so the rule is tested without a clock.

export const RESTART_WINDOW_MS = 60_000;
/** The first restart's delay; each further crash in the window doubles it. */
export const RESTART_BACKOFF_BASE_MS = 50;

export type RestartDecision = { readonly kind: 'restart'; readonly delayMs: number } | { readonly kind: 'crash-loop'; readonly restarts: number };

export class RestartBudget {
  private restartTimesMs: number[] = [];

  constructor(private readonly maxRestartsPerMinute: number) {
    if (!Number.isInteger(maxRestartsPerMinute) || maxRestartsPerMinute < 1) {
      throw new RangeError(`maxRestartsPerMinute must be a positive integer, got ${maxRestartsPerMinute}`);
    }
  }

  /**
   * A restart is wanted at `nowMs`. `counts` is false when the supervisor itself stopped a live node
   * (a fence): on a saturated host a few fences a minute must not leave the node down for good.
   */
  decide(nowMs: number, counts: boolean): RestartDecision {
    this.restartTimesMs = this.restartTimesMs.filter((timeMs) => nowMs - timeMs < RESTART_WINDOW_MS);
    if (counts && this.restartTimesMs.length >= this.maxRestartsPerMinute) return { kind: 'crash-loop', restarts: this.restartTimesMs.length };
    if (counts) this.restartTimesMs.push(nowMs);
    return { kind: 'restart', delayMs: RESTART_BACKOFF_BASE_MS * 2 ** Math.max(0, this.restartTimesMs.length - 1) };
  }

  /** A restart by hand starts the count afresh. */
  reset(): void {
    this.restartTimesMs = [];
  }

  get recentRestarts(): number {
    return this.restartTimesMs.length;
  }
}
