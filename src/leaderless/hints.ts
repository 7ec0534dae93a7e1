// Hinted handoff: a fallback that took a write for a down primary remembers
// (target, key) and hands its replica of the key to the target once the
// target is back. A hint is only a pointer: what is handed off is the
// fallback's current replica of the key, so two hinted writes of one key
// make one hint. Hints are durable (the core reports each change to
// persist) and bounded per target: a fallback whose hints for a target are
// full refuses further hinted writes for it rather than taking writes it
// might never hand on.

import { assert } from '../ground/assert.js';
import type { NodeId } from './types.js';

/** Riak bounds handoff work per vnode too; ten thousand keys owed to one node is an outage to repair by anti-entropy, not by hints. */
export const MAX_HINTS_PER_TARGET = 10_000;

/** A handoff not acknowledged within this many ticks is sent again. */
export const HINT_RETRY_TICKS = 20;

/** Handoffs sent to one target per tick at most, so a returning node is not flooded while it also serves clients. */
export const MAX_HANDOFFS_PER_TICK_PER_TARGET = 16;

interface HintState {
  /** When the last handoff for it left; null: not sent since it was added or its target came back. */
  lastSentTick: number | null;
}

export interface Hint {
  readonly target: NodeId;
  readonly key: string;
}

export class HintQueues {
  private readonly byTarget = new Map<NodeId, Map<string, HintState>>();

  constructor(
    readonly maxPerTarget: number = MAX_HINTS_PER_TARGET,
    hints: Iterable<Hint> = [],
  ) {
    assert(Number.isSafeInteger(maxPerTarget) && maxPerTarget > 0, 'maxPerTarget must be a positive integer');
    for (const hint of hints) this.add(hint.target, hint.key);
  }

  has(target: NodeId, key: string): boolean {
    return this.byTarget.get(target)?.has(key) ?? false;
  }

  /** True when a hinted write of `key` for `target` can be taken: it joins an existing hint, or there is room. */
  canAccept(target: NodeId, key: string): boolean {
    return this.has(target, key) || this.count(target) < this.maxPerTarget;
  }

  /** Adds the hint; false when it was already there (nothing new to persist). */
  add(target: NodeId, key: string): boolean {
    let hints = this.byTarget.get(target);
    if (hints === undefined) this.byTarget.set(target, (hints = new Map()));
    const existing = hints.get(key);
    if (existing !== undefined) {
      // A newer write joined the hint: hand it off again rather than wait for the retry of the older one.
      existing.lastSentTick = null;
      return false;
    }
    assert(hints.size < this.maxPerTarget, `hints for ${target} over maxPerTarget (${this.maxPerTarget}); check canAccept first`);
    hints.set(key, { lastSentTick: null });
    return true;
  }

  remove(target: NodeId, key: string): boolean {
    const hints = this.byTarget.get(target);
    if (hints === undefined || !hints.delete(key)) return false;
    if (hints.size === 0) this.byTarget.delete(target);
    return true;
  }

  count(target: NodeId): number {
    return this.byTarget.get(target)?.size ?? 0;
  }

  total(): number {
    let total = 0;
    for (const hints of this.byTarget.values()) total += hints.size;
    return total;
  }

  targets(): NodeId[] {
    return [...this.byTarget.keys()].sort();
  }

  all(): Hint[] {
    return this.targets().flatMap((target) => [...(this.byTarget.get(target) as Map<string, HintState>).keys()].map((key) => ({ target, key })));
  }

  /** The target is back: every hint for it is due at once. */
  makeDue(target: NodeId): void {
    for (const state of this.byTarget.get(target)?.values() ?? []) state.lastSentTick = null;
  }

  /** Up to `limit` keys for `target` never sent or not acknowledged for HINT_RETRY_TICKS; marks them sent at `nowTick`. */
  takeDue(target: NodeId, nowTick: number, limit: number = MAX_HANDOFFS_PER_TICK_PER_TARGET): string[] {
    const due: string[] = [];
    for (const [key, state] of this.byTarget.get(target) ?? []) {
      if (due.length >= limit) break;
      if (state.lastSentTick !== null && nowTick - state.lastSentTick < HINT_RETRY_TICKS) continue;
      state.lastSentTick = nowTick;
      due.push(key);
    }
    return due;
  }
}
