// What a failed search reports: the furthest completion it could not get past,
// and the register states it was in there. That op is the one a reader should
// look at first.

import { assert } from '../ground/assert.js';
import type { RegisterState, ValueTable } from './register-model.js';

/** Distinct register states kept for the explanation of a failure. */
export const MAX_EXPLAINED_STATES = 8;

/** Where the search got furthest before every branch failed. */
export interface StuckPoint {
  /** Index into the operations searched: the acknowledged op whose completion could not be passed. */
  op: number;
  /** Values (null = absent) the register held, in the branches that reached that completion. */
  states: unknown[];
  /** The op placed last before the first branch got stuck there, or -1 when none had been. */
  lastPlaced: number;
}

export class StuckTracker {
  private position = -1;
  private op = -1;
  private lastPlaced = -1;
  private readonly states: RegisterState[] = [];

  /** `position` orders the completions (larger is later in the history). */
  record(position: number, op: number, lastPlaced: number, state: RegisterState): void {
    if (position > this.position) {
      this.position = position;
      this.op = op;
      this.lastPlaced = lastPlaced;
      this.states.length = 0;
    }
    if (position === this.position && this.states.length < MAX_EXPLAINED_STATES && !this.states.includes(state)) {
      this.states.push(state);
    }
  }

  describe(values: ValueTable, opIndex: (searched: number) => number): StuckPoint {
    assert(this.op >= 0, 'a failed search must have got stuck somewhere');
    return {
      op: opIndex(this.op),
      states: this.states.map((s) => values.valueOf(s)),
      lastPlaced: this.lastPlaced >= 0 ? opIndex(this.lastPlaced) : -1,
    };
  }
}
