// The linearizability search for one key: Wing & Gong's algorithm with Lowe's
// just-in-time linearization and a memo of visited configurations, as in
// Knossos and Porcupine, plus three register-specific shortcuts.
//
// The acknowledged operations are a linked list of call and return entries in
// time order (entry-list.ts). The search walks it from the front: at a call
// whose operation the model allows from the current state, it places that
// operation (takes its call and return out of the list) and starts again from
// the front. Reaching a return means the operation it closes had to be placed
// by then and was not: the last choice is undone and the next candidate tried.
// The history is linearizable once every acknowledged operation is placed.
//
// Operations with an unknown outcome (info, or never completed) never return:
// they may be placed at any point after their call, or never. They sit in a
// second list, tried after the acknowledged candidates. The shortcuts, each of
// which keeps every linearization findable:
// 1. A read that is legal now is placed at once, with no alternatives tried:
//    in any linearization from here it can be moved to the front (it was
//    callable, it changes nothing, and it sees the state it sees now).
// 2. An unknown-outcome op is worth placing only if the very next op placed
//    observes what it left (a read, or a cas expecting it). Otherwise leaving
//    it out changes no other op's state, and leaving it out is allowed. So one
//    is placed only when a pending observer wants its value, and then only a
//    read or cas may follow; one whose value no observer completing after its
//    invoke ever wants is dropped before the search starts.
// 3. The memo treats a configuration as visited when a visited one has the same
//    acknowledged ops and state and a subset of its unknown-outcome ops (see
//    visited-set.ts).
// Without 2 and 3 the search tries every subset of pending timed-out writes at
// every point of the history; without 1 it guesses orders of concurrent writes
// that the reads already settle.

import type { Operation } from './pairing.js';
import { CALL, EntryList, RETURN } from './entry-list.js';
import { ObserverIndex } from './observers.js';
import {
  ABSENT,
  CAS,
  ILLEGAL,
  READ,
  ValueTable,
  compileOperation,
  observedValue,
  producedValue,
  stepRegister,
  type RegisterState,
  type RegisterStep,
  type StepKind,
} from './register-model.js';
import { StuckTracker, type StuckPoint } from './stuck-tracker.js';
import { ADDED, FULL, VisitedSet, bytesPerVisitedEntry, type AddResult } from './visited-set.js';

export type { StuckPoint } from './stuck-tracker.js';

/** Search steps (about one per entry looked at) before giving up with 'unknown'. */
export const DEFAULT_MAX_STEPS = 2_000_000;
/** Memory for the visited set before giving up with 'unknown'. */
export const DEFAULT_MAX_CACHE_BYTES = 256 * 1024 * 1024;

export interface SearchOptions {
  maxSteps?: number;
  maxCacheBytes?: number;
}

export type SearchResult =
  | { result: 'linearizable'; steps: number }
  | { result: 'not-linearizable'; steps: number; stuck: StuckPoint }
  | { result: 'unknown'; steps: number; reason: string };

/**
 * Searches for a linearization of one key's operations (as paired by
 * pairOperations). The stuck point's op indices refer to `ops`.
 */
export function searchLinearization(ops: readonly Operation[], options: SearchOptions = {}): SearchResult {
  return new Search(compile(ops), options).run();
}

/** The ops the search works on, in the model's terms. */
interface Compiled {
  values: ValueTable;
  /** Per searched op: its index in the caller's list. */
  origin: Int32Array;
  timing: Operation[];
  kind: Uint8Array;
  a: Int32Array;
  b: Int32Array;
  observed: Int32Array;
  acknowledged: Uint8Array;
}

function compile(ops: readonly Operation[]): Compiled {
  const values = new ValueTable();
  const steps = ops.map((op) => compileOperation(op, values));
  // Shortcut 2: an unknown-outcome op is only useful if some op needing the
  // value it leaves can be placed after it, i.e. completes after its invoke.
  const lastObserverCompletion = new Float64Array(values.size).fill(Number.NEGATIVE_INFINITY);
  steps.forEach((step, i) => {
    const v = observedValue(step);
    if (v !== ILLEGAL) lastObserverCompletion[v] = Math.max(lastObserverCompletion[v] as number, (ops[i] as Operation).completeTime);
  });
  const kept: number[] = [];
  ops.forEach((op, i) => {
    const produced = producedValue(steps[i] as RegisterStep);
    if (op.outcome === 'ok' || (produced !== ILLEGAL && (lastObserverCompletion[produced] as number) >= op.invokeTime)) kept.push(i);
  });

  const n = kept.length;
  const compiled: Compiled = {
    values,
    origin: Int32Array.from(kept),
    timing: kept.map((i) => ops[i] as Operation),
    kind: new Uint8Array(n),
    a: new Int32Array(n),
    b: new Int32Array(n),
    observed: new Int32Array(n),
    acknowledged: new Uint8Array(n),
  };
  kept.forEach((i, s) => {
    const step = steps[i] as RegisterStep;
    compiled.kind[s] = step.kind;
    compiled.a[s] = step.a;
    compiled.b[s] = step.b;
    compiled.observed[s] = observedValue(step);
    compiled.acknowledged[s] = (ops[i] as Operation).outcome === 'ok' ? 1 : 0;
  });
  return compiled;
}

class Search {
  private readonly maxSteps: number;
  private readonly maxCacheBytes: number;
  private readonly list: EntryList;
  private readonly observers: ObserverIndex;
  private readonly visited: VisitedSet;
  private readonly acknowledgedTotal: number;
  /** Per op: its share of the memo hash; 0 for unknown-outcome ops, which the hash leaves out. */
  private readonly opHash: Uint32Array;

  // The configuration.
  private readonly placed: Uint32Array;
  private placedHash = 0;
  private placedAcknowledged = 0;
  private state: RegisterState = ABSENT;
  /** Set right after placing an unknown-outcome op: the next op must observe it (shortcut 2). */
  private mustObserve = false;

  // The choices that led here, innermost last.
  private depth = 0;
  private readonly choiceOp: Int32Array;
  private readonly choiceStateBefore: Int32Array;
  private readonly choiceMustObserveBefore: Uint8Array;
  /** 1 for a read placed by shortcut 1, which has no alternatives. */
  private readonly choiceForced: Uint8Array;
  private readonly choiceReturnLimit: Int32Array;

  // The cursor over the current configuration's candidates: the acknowledged
  // list up to its first pending return, then the unknown-outcome calls made
  // before that return (`returnLimit`).
  private entry: number;
  private inUnknownList = false;
  private returnLimit = 0;

  private steps = 0;
  private readonly stuck = new StuckTracker();

  constructor(
    private readonly ops: Compiled,
    options: SearchOptions,
  ) {
    this.maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
    this.maxCacheBytes = options.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES;
    const n = ops.kind.length;
    this.list = new EntryList(ops.timing, ops.acknowledged);
    this.observers = new ObserverIndex(ops.values.size, ops.observed, this.list.callOf);
    const words = Math.max(1, Math.ceil(n / 32));
    const acknowledgedMask = new Uint32Array(words);
    this.opHash = new Uint32Array(n);
    let acknowledgedTotal = 0;
    for (let i = 0; i < n; i++) {
      if (!ops.acknowledged[i]) continue;
      acknowledgedTotal++;
      acknowledgedMask[i >>> 5] = (acknowledgedMask[i >>> 5] as number) | (1 << (i & 31));
      this.opHash[i] = mix32(i + 1);
    }
    this.acknowledgedTotal = acknowledgedTotal;
    this.visited = new VisitedSet(acknowledgedMask, Math.floor(this.maxCacheBytes / bytesPerVisitedEntry(words)));
    this.placed = new Uint32Array(words);
    this.choiceOp = new Int32Array(n);
    this.choiceStateBefore = new Int32Array(n);
    this.choiceMustObserveBefore = new Uint8Array(n);
    this.choiceForced = new Uint8Array(n);
    this.choiceReturnLimit = new Int32Array(n);
    this.entry = this.list.head;
  }

  run(): SearchResult {
    const { list } = this;
    // True when the configuration was just entered and its candidates not yet looked at.
    let fresh = true;
    while (this.placedAcknowledged < this.acknowledgedTotal) {
      if (this.steps >= this.maxSteps) {
        return { result: 'unknown', steps: this.steps, reason: `search budget of ${this.maxSteps} steps exhausted` };
      }
      this.steps++;

      if (fresh) {
        fresh = false;
        const read = this.legalRead();
        if (read >= 0) {
          const added = this.place(read, true);
          if (added === FULL) return this.outOfMemory();
          if (added === ADDED) {
            fresh = true;
            continue;
          }
          // Explored before from an equivalent configuration, and it failed;
          // with no alternatives to the read, so does this one.
          if (!this.backtrack()) return this.notLinearizable();
          continue;
        }
        this.entry = list.next[list.head] as number;
        this.inUnknownList = false;
      }

      if (!this.inUnknownList && list.kind[this.entry] === RETURN) {
        this.inUnknownList = true;
        this.returnLimit = this.entry;
        this.entry = list.next[list.unknownHead] as number;
      }

      // Every unplaced acknowledged op still has its return in the list, so the
      // walk meets a return before it reaches the tail. Entries are numbered in
      // time order, so `entry < returnLimit` means "called before that return".
      if (!this.inUnknownList || this.entry < this.returnLimit) {
        const op = list.op[this.entry] as number;
        if (this.isCandidate(op)) {
          const added = this.place(op, false);
          if (added === FULL) return this.outOfMemory();
          if (added === ADDED) {
            fresh = true;
            continue;
          }
        }
        this.entry = list.next[this.entry] as number;
        continue;
      }

      // No candidate left: the op returning at `returnLimit` cannot be placed in
      // time on this branch.
      this.stuck.record(this.returnLimit, list.op[this.returnLimit] as number, this.depth > 0 ? (this.choiceOp[this.depth - 1] as number) : -1, this.state);
      if (!this.backtrack()) return this.notLinearizable();
    }
    return { result: 'linearizable', steps: this.steps };
  }

  /** An unplaced acknowledged read that the current state satisfies (shortcut 1), or -1. */
  private legalRead(): number {
    const { list, ops } = this;
    for (let e = list.next[list.head] as number; list.kind[e] === CALL; e = list.next[e] as number) {
      this.steps++;
      const op = list.op[e] as number;
      if (ops.kind[op] === READ && ops.a[op] === this.state) return op;
    }
    return -1;
  }

  /** Whether the op under the cursor may be placed now (legal reads were handled by `legalRead`). */
  private isCandidate(op: number): boolean {
    const kind = this.ops.kind[op] as StepKind;
    if (kind === READ) return false;
    if (this.mustObserve && kind !== CAS) return false;
    const after = stepRegister(this.state, kind, this.ops.a[op] as number, this.ops.b[op] as number);
    if (after === ILLEGAL) return false;
    return !this.inUnknownList || this.observers.isWanted(after, this.returnLimit, this.placed);
  }

  /** Places `op` unless an equivalent configuration was visited; on ADDED the configuration is the new one. */
  private place(op: number, forced: boolean): AddResult {
    const { ops, placed } = this;
    const after = stepRegister(this.state, ops.kind[op] as StepKind, ops.a[op] as number, ops.b[op] as number);
    const word = op >>> 5;
    const bit = 1 << (op & 31);
    const unknownOutcome = ops.acknowledged[op] === 0;
    placed[word] = (placed[word] as number) | bit;
    this.placedHash ^= this.opHash[op] as number;
    // What the rest of the search can do depends on the state and on mustObserve.
    const memoState = (after << 1) | (unknownOutcome ? 1 : 0);
    const added = this.visited.add(placed, this.placedHash ^ mix32(memoState ^ 0x5bd1e995), memoState);
    if (added !== ADDED) {
      placed[word] = (placed[word] as number) & ~bit;
      this.placedHash ^= this.opHash[op] as number;
      return added;
    }
    const d = this.depth++;
    this.choiceOp[d] = op;
    this.choiceStateBefore[d] = this.state;
    this.choiceMustObserveBefore[d] = this.mustObserve ? 1 : 0;
    this.choiceForced[d] = forced ? 1 : 0;
    this.choiceReturnLimit[d] = this.returnLimit;
    this.state = after;
    this.mustObserve = unknownOutcome;
    this.placedAcknowledged += unknownOutcome ? 0 : 1;
    this.list.lift(op);
    return added;
  }

  /**
   * Undoes choices up to and including the innermost one that has alternatives,
   * and points the cursor just after it. False when there is none: the search
   * is over.
   */
  private backtrack(): boolean {
    const { ops, placed } = this;
    while (this.depth > 0) {
      const d = --this.depth;
      const op = this.choiceOp[d] as number;
      this.state = this.choiceStateBefore[d] as number;
      this.mustObserve = this.choiceMustObserveBefore[d] === 1;
      placed[op >>> 5] = (placed[op >>> 5] as number) & ~(1 << (op & 31));
      this.placedHash ^= this.opHash[op] as number;
      this.placedAcknowledged -= ops.acknowledged[op] as number;
      this.list.unlift(op);
      this.observers.unplaced(op);
      if (this.choiceForced[d]) continue;
      this.inUnknownList = ops.acknowledged[op] === 0;
      this.returnLimit = this.choiceReturnLimit[d] as number;
      this.entry = this.list.next[this.list.callOf[op] as number] as number;
      return true;
    }
    return false;
  }

  private notLinearizable(): SearchResult {
    const stuck = this.stuck.describe(this.ops.values, (op) => this.ops.origin[op] as number);
    return { result: 'not-linearizable', steps: this.steps, stuck };
  }

  private outOfMemory(): SearchResult {
    return { result: 'unknown', steps: this.steps, reason: `visited-state budget of ${this.maxCacheBytes} bytes exhausted` };
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
