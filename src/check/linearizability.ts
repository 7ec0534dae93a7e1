// The linearizability search for one key: Wing & Gong's algorithm with Lowe's
// just-in-time linearization and a memo of visited configurations, as in
// Knossos and Porcupine.
//
// The acknowledged operations become a doubly linked list of call and return
// entries sorted by time. The search walks the list from the front: at a call
// whose operation the model allows from the current state, it places that
// operation (takes its call and return out of the list) and starts again from
// the front. Reaching a return means the operation it closes must already have
// been placed and was not, so after the unknown-outcome candidates (below) the
// last choice is undone and the next candidate tried. The history is
// linearizable once every acknowledged operation is placed.
//
// Operations with an unknown outcome (info, or never completed) never return:
// they may be placed at any point after their call, or never. They sit in a
// second list and are tried only after the acknowledged candidates, because
// most of them either never took effect or are soon overwritten, and trying
// them last lets the memo prune them (see visited-set.ts). And an
// unknown-outcome op is only worth placing if the very next op placed observes
// its effect (a read or a cas): if the next one is a blind write or delete, or
// there is no next one, leaving it out gives the same states for every other
// op, and leaving it out is always allowed. So the search places one only when
// a pending read or cas wants the value it leaves, and then considers only
// reads and cas. Without this rule the search would try every subset of
// pending timed-out writes at every point of the history.

import { assert } from '../core/assert.js';
import type { Operation } from './pairing.js';
import {
  ABSENT,
  CAS,
  ILLEGAL,
  READ,
  ValueTable,
  compileOperation,
  observedValue,
  stepRegister,
  type RegisterState,
  type StepKind,
} from './register-model.js';
import { ObserverIndex } from './observers.js';
import { ADDED, FULL, VisitedSet, bytesPerVisitedEntry } from './visited-set.js';

/** Search steps (one per candidate considered) before giving up with 'unknown'. */
export const DEFAULT_MAX_STEPS = 2_000_000;
/** Memory for the visited set before giving up with 'unknown'. */
export const DEFAULT_MAX_CACHE_BYTES = 256 * 1024 * 1024;
/** Distinct register states kept for the explanation of a failure. */
export const MAX_EXPLAINED_STATES = 8;

export interface SearchOptions {
  maxSteps?: number;
  maxCacheBytes?: number;
}

/** Where the search got furthest before every branch failed. */
export interface StuckPoint {
  /** Index into the operations searched: the acknowledged op whose completion could not be passed. */
  op: number;
  /** Values (null = absent) the register held, in the branches that reached that completion. */
  states: unknown[];
  /** The op placed last before the first branch got stuck there, or -1 when none had been. */
  lastPlaced: number;
}

export type SearchResult =
  | { result: 'linearizable'; steps: number }
  | { result: 'not-linearizable'; steps: number; stuck: StuckPoint }
  | { result: 'unknown'; steps: number; reason: string };

/** Calls sort before returns at equal times: an op that returns when another is invoked is concurrent with it. */
const CALL = 0;
const RETURN = 1;

export function searchLinearization(ops: readonly Operation[], options: SearchOptions = {}): SearchResult {
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const maxCacheBytes = options.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES;
  const n = ops.length;

  // The model's view of each op.
  const values = new ValueTable();
  const kinds = new Uint8Array(n);
  const argA = new Int32Array(n);
  const argB = new Int32Array(n);
  const observed = new Int32Array(n);
  const acknowledged = new Uint8Array(n);
  let acknowledgedTotal = 0;
  for (let i = 0; i < n; i++) {
    const op = ops[i] as Operation;
    const step = compileOperation(op, values);
    kinds[i] = step.kind;
    argA[i] = step.a;
    argB[i] = step.b;
    observed[i] = observedValue(step);
    if (op.outcome === 'ok') {
      assert(op.completeTime >= op.invokeTime, `op #${i} completes before it is invoked`);
      acknowledged[i] = 1;
      acknowledgedTotal++;
    }
  }
  if (acknowledgedTotal === 0) return { result: 'linearizable', steps: 0 };

  const list = EntryList.build(ops, acknowledged);
  const observers = new ObserverIndex(values.size, observed, list.callOf);
  const words = Math.max(1, Math.ceil(n / 32));
  const acknowledgedMask = new Uint32Array(words);
  // The memo's hash covers the acknowledged ops only, so that entries that
  // differ in unknown-outcome ops share a bucket and can dominate each other.
  const opHash = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    if (!acknowledged[i]) continue;
    acknowledgedMask[i >>> 5] = (acknowledgedMask[i >>> 5] as number) | (1 << (i & 31));
    opHash[i] = mix32(i + 1);
  }
  const visited = new VisitedSet(acknowledgedMask, Math.floor(maxCacheBytes / bytesPerVisitedEntry(words)));
  const placed = new Uint32Array(words);
  let placedHash = 0;

  // The choices made so far: which op, the state before it, and for an
  // unknown-outcome op the first pending return when it was chosen.
  const choiceOp = new Int32Array(n);
  const choiceStateBefore = new Int32Array(n);
  const choiceReturnLimit = new Int32Array(n);
  const choiceMustObserveBefore = new Uint8Array(n);
  let depth = 0;

  let state: RegisterState = ABSENT;
  // Set right after placing an unknown-outcome op: the next op must observe it.
  let mustObserve = false;
  let placedAcknowledged = 0;
  let steps = 0;
  const stuck = new StuckTracker();

  // The cursor: walking the acknowledged list, or (after it reached the first
  // pending return, `returnLimit`) the unknown-outcome calls made before it.
  let inUnknownList = false;
  let returnLimit = 0;
  let entry = list.next[list.head] as number;

  while (placedAcknowledged < acknowledgedTotal) {
    if (steps >= maxSteps) {
      return { result: 'unknown', steps, reason: `search budget of ${maxSteps} steps exhausted` };
    }
    steps++;

    if (!inUnknownList) {
      // Every unplaced acknowledged op still has its return in the list, so the
      // walk meets a return before it can run off the end.
      assert(entry !== list.tail, 'linearizability search ran past the last entry with acknowledged ops unplaced');
      if (list.kind[entry] === RETURN) {
        inUnknownList = true;
        returnLimit = entry;
        entry = list.next[list.unknownHead] as number;
      }
    }

    // Entries are numbered in time order, so `entry < returnLimit` means "called before that return".
    if (!inUnknownList || entry < returnLimit) {
      const op = list.op[entry] as number;
      const kind = kinds[op] as StepKind;
      let after = mustObserve && kind !== READ && kind !== CAS ? ILLEGAL : stepRegister(state, kind, argA[op] as number, argB[op] as number);
      if (after !== ILLEGAL && inUnknownList && !observers.isWanted(after, returnLimit, placed)) after = ILLEGAL;
      if (after !== ILLEGAL) {
        const word = op >>> 5;
        const bit = 1 << (op & 31);
        placed[word] = (placed[word] as number) | bit;
        placedHash ^= opHash[op] as number;
        // What the rest of the search can do depends on the state and on mustObserve.
        const memoState = (after << 1) | (acknowledged[op] ? 0 : 1);
        const added = visited.add(placed, placedHash ^ mix32(memoState ^ 0x5bd1e995), memoState);
        if (added === FULL) {
          return { result: 'unknown', steps, reason: `visited-state budget of ${maxCacheBytes} bytes exhausted` };
        }
        if (added === ADDED) {
          choiceOp[depth] = op;
          choiceStateBefore[depth] = state;
          choiceReturnLimit[depth] = returnLimit;
          choiceMustObserveBefore[depth] = mustObserve ? 1 : 0;
          depth++;
          state = after;
          mustObserve = !acknowledged[op];
          placedAcknowledged += acknowledged[op] as number;
          list.lift(op);
          inUnknownList = false;
          entry = list.next[list.head] as number;
          continue;
        }
        placed[word] = (placed[word] as number) & ~bit;
        placedHash ^= opHash[op] as number;
      }
      entry = list.next[entry] as number;
      continue;
    }

    // No candidate left: the op returning at `returnLimit` cannot be placed in
    // time on this branch. Undo the last choice and try the candidates after it.
    stuck.record(returnLimit, list.op[returnLimit] as number, depth > 0 ? (choiceOp[depth - 1] as number) : -1, state);
    if (depth === 0) {
      return { result: 'not-linearizable', steps, stuck: stuck.describe(values) };
    }
    depth--;
    const undone = choiceOp[depth] as number;
    state = choiceStateBefore[depth] as number;
    mustObserve = choiceMustObserveBefore[depth] === 1;
    placed[undone >>> 5] = (placed[undone >>> 5] as number) & ~(1 << (undone & 31));
    placedHash ^= opHash[undone] as number;
    placedAcknowledged -= acknowledged[undone] as number;
    list.unlift(undone);
    observers.unplaced(undone);
    inUnknownList = !acknowledged[undone];
    returnLimit = choiceReturnLimit[depth] as number;
    entry = list.next[list.callOf[undone] as number] as number;
  }
  return { result: 'linearizable', steps };
}

/**
 * The entries as array-backed doubly linked lists (dancing links): one list of
 * acknowledged calls and returns, one of unknown-outcome calls. Entries
 * 1..k are numbered in time order; the four sentinels come after them.
 */
class EntryList {
  private constructor(
    readonly next: Int32Array,
    readonly prev: Int32Array,
    /** Per entry: the op it belongs to. */
    readonly op: Int32Array,
    /** Per entry: CALL or RETURN. */
    readonly kind: Uint8Array,
    /** Per op: its call entry. */
    readonly callOf: Int32Array,
    /** Per op: its return entry, or -1 when its outcome is unknown (it never returns). */
    readonly returnOf: Int32Array,
    readonly head: number,
    readonly tail: number,
    readonly unknownHead: number,
  ) {}

  static build(ops: readonly Operation[], acknowledged: Uint8Array): EntryList {
    const order: { time: number; kind: number; op: number }[] = [];
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i] as Operation;
      order.push({ time: op.invokeTime, kind: CALL, op: i });
      if (acknowledged[i]) order.push({ time: op.completeTime, kind: RETURN, op: i });
    }
    order.sort((a, b) => a.time - b.time || a.kind - b.kind || a.op - b.op);

    const k = order.length;
    const head = 0;
    const unknownHead = k + 1;
    const tail = k + 2;
    const unknownTail = k + 3;
    const size = k + 4;
    const next = new Int32Array(size);
    const prev = new Int32Array(size);
    const opOf = new Int32Array(size).fill(-1);
    const kind = new Uint8Array(size);
    const callOf = new Int32Array(ops.length);
    const returnOf = new Int32Array(ops.length).fill(-1);
    let lastAcknowledged = head;
    let lastUnknown = unknownHead;
    const append = (last: number, e: number): number => {
      next[last] = e;
      prev[e] = last;
      return e;
    };
    order.forEach((item, i) => {
      const e = i + 1;
      opOf[e] = item.op;
      kind[e] = item.kind;
      if (item.kind === CALL) callOf[item.op] = e;
      else returnOf[item.op] = e;
      if (acknowledged[item.op]) lastAcknowledged = append(lastAcknowledged, e);
      else lastUnknown = append(lastUnknown, e);
    });
    append(lastAcknowledged, tail);
    append(lastUnknown, unknownTail);
    next[tail] = tail;
    next[unknownTail] = unknownTail;
    return new EntryList(next, prev, opOf, kind, callOf, returnOf, head, tail, unknownHead);
  }

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

/**
 * Remembers the furthest completion the search failed to pass, and the states
 * it was in there: that op is the one a reader should look at first.
 */
class StuckTracker {
  private position = -1;
  private op = -1;
  private lastPlaced = -1;
  private readonly states: RegisterState[] = [];

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

  describe(values: ValueTable): StuckPoint {
    assert(this.op >= 0, 'a failed search must have got stuck somewhere');
    return { op: this.op, states: this.states.map((s) => values.valueOf(s)), lastPlaced: this.lastPlaced };
  }
}

/** murmur3's finalizer: spreads a small integer over 32 bits, deterministically. */
function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
