// Which values some pending operation is waiting to see. The search uses it to
// skip unknown-outcome ops whose effect nobody could observe next: placing such
// an op is pointless (see linearizability.ts), and without this check every
// dead end would try every pending timed-out write.

import { assert } from '../ground/assert.js';

export class ObserverIndex {
  /** Observers of value v are ops[start[v] .. start[v+1]), sorted by call entry. */
  private readonly start: Int32Array;
  private readonly ops: Int32Array;
  /** Per value: no observer before this index is unplaced (a lower bound, advanced lazily). */
  private readonly firstUnplaced: Int32Array;
  /** Per op: its index in `ops`, or -1 when it observes nothing. */
  private readonly indexOf: Int32Array;
  private readonly valueOf: Int32Array;

  /**
   * `observed[op]` is the value the op needs (-1 for none); `callOf[op]` its
   * call entry, entries being numbered in time order.
   */
  constructor(
    valueCount: number,
    observed: Int32Array,
    private readonly callOf: Int32Array,
  ) {
    const counts = new Int32Array(valueCount + 1);
    for (const v of observed) if (v >= 0) counts[v + 1] = (counts[v + 1] as number) + 1;
    for (let v = 0; v < valueCount; v++) counts[v + 1] = (counts[v + 1] as number) + (counts[v] as number);
    this.start = counts;
    this.ops = new Int32Array(counts[valueCount] as number);
    this.indexOf = new Int32Array(observed.length).fill(-1);
    this.valueOf = observed;
    const byCall = Array.from(observed.keys()).sort((a, b) => (callOf[a] as number) - (callOf[b] as number));
    const fill = counts.slice(0, valueCount);
    for (const op of byCall) {
      const v = observed[op] as number;
      if (v < 0) continue;
      assert(v < valueCount, `observed value ${v} was never interned`);
      const i = fill[v] as number;
      fill[v] = i + 1;
      this.ops[i] = op;
      this.indexOf[op] = i;
    }
    this.firstUnplaced = counts.slice(0, valueCount);
  }

  /** Whether an op not in `placed` needs `value` and was called before entry `beforeEntry`. */
  isWanted(value: number, beforeEntry: number, placed: Uint32Array): boolean {
    const end = this.start[value + 1] as number;
    let i = this.firstUnplaced[value] as number;
    while (i < end && isSet(placed, this.ops[i] as number)) i++;
    this.firstUnplaced[value] = i;
    return i < end && (this.callOf[this.ops[i] as number] as number) < beforeEntry;
  }

  /** Must be called when the search takes `op` back out of the linearization. */
  unplaced(op: number): void {
    const i = this.indexOf[op] as number;
    if (i < 0) return;
    const v = this.valueOf[op] as number;
    if (i < (this.firstUnplaced[v] as number)) this.firstUnplaced[v] = i;
  }
}

function isSet(bits: Uint32Array, i: number): boolean {
  return (((bits[i >>> 5] as number) >>> (i & 31)) & 1) === 1;
}
