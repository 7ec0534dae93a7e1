// The search's view of a history: call and return entries in time order, kept
// as array-backed doubly linked lists (dancing links) so that placing an
// operation (taking its entries out) and undoing it are O(1).

import { assert } from '../ground/assert.js';

export const CALL = 0;
export const RETURN = 1;

export interface TimedOp {
  readonly invokeTime: number;
  /** Ignored for ops without a return. */
  readonly completeTime: number;
}

/**
 * One list holds the acknowledged ops' calls and returns, the other the calls of
 * ops with unknown outcome (they never return). Entries 1..k are numbered in
 * time order, calls before returns at equal times (an op that returns when
 * another is invoked is concurrent with it), so comparing two entries compares
 * their times. The four sentinels come after them.
 */
export class EntryList {
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /** Per entry: the op it belongs to. */
  readonly op: Int32Array;
  /** Per entry: CALL or RETURN. */
  readonly kind: Uint8Array;
  /** Per op: its call entry. */
  readonly callOf: Int32Array;
  /** Per op: its return entry, or -1 when it never returns. */
  readonly returnOf: Int32Array;
  readonly head: number;
  readonly tail: number;
  readonly unknownHead: number;
  readonly unknownTail: number;

  /** `returns[i]` says whether op i has a return (its outcome is known). */
  constructor(ops: readonly TimedOp[], returns: Uint8Array) {
    const order: { time: number; kind: number; op: number }[] = [];
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i] as TimedOp;
      order.push({ time: op.invokeTime, kind: CALL, op: i });
      if (returns[i]) {
        assert(op.completeTime >= op.invokeTime, `op #${i} completes before it is invoked`);
        order.push({ time: op.completeTime, kind: RETURN, op: i });
      }
    }
    order.sort((a, b) => a.time - b.time || a.kind - b.kind || a.op - b.op);

    const k = order.length;
    this.head = 0;
    this.unknownHead = k + 1;
    this.tail = k + 2;
    this.unknownTail = k + 3;
    const size = k + 4;
    this.next = new Int32Array(size);
    this.prev = new Int32Array(size);
    this.op = new Int32Array(size).fill(-1);
    this.kind = new Uint8Array(size);
    this.callOf = new Int32Array(ops.length);
    this.returnOf = new Int32Array(ops.length).fill(-1);
    let lastKnown = this.head;
    let lastUnknown = this.unknownHead;
    order.forEach((item, i) => {
      const e = i + 1;
      this.op[e] = item.op;
      this.kind[e] = item.kind;
      if (item.kind === CALL) this.callOf[item.op] = e;
      else this.returnOf[item.op] = e;
      if (returns[item.op]) lastKnown = this.link(lastKnown, e);
      else lastUnknown = this.link(lastUnknown, e);
    });
    this.link(lastKnown, this.tail);
    this.link(lastUnknown, this.unknownTail);
    this.next[this.tail] = this.tail;
    this.next[this.unknownTail] = this.unknownTail;
  }

  /** Takes the op's call and return out of their list. */
  lift(op: number): void {
    this.remove(this.callOf[op] as number);
    const ret = this.returnOf[op] as number;
    if (ret >= 0) this.remove(ret);
  }

  /** Exactly undoes the matching `lift`; lifts and unlifts must nest. */
  unlift(op: number): void {
    const ret = this.returnOf[op] as number;
    if (ret >= 0) this.restore(ret);
    this.restore(this.callOf[op] as number);
  }

  private link(last: number, e: number): number {
    this.next[last] = e;
    this.prev[e] = last;
    return e;
  }

  private remove(e: number): void {
    const before = this.prev[e] as number;
    const after = this.next[e] as number;
    this.next[before] = after;
    this.prev[after] = before;
  }

  private restore(e: number): void {
    this.next[this.prev[e] as number] = e;
    this.prev[this.next[e] as number] = e;
  }
}
