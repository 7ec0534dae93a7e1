// The search's memo: the configurations (set of placed ops, model state) it
// has already entered. Reaching an equivalent configuration again by another
// order cannot lead anywhere new, so that branch is pruned. This is what keeps
// the search from being exponential on histories with many concurrent ops.
//
// "Equivalent" is slightly wider than "equal": a configuration is pruned when a
// visited one has the same state, the same acknowledged ops placed, and a
// subset of its unknown-outcome ops placed. Unknown-outcome ops have no return,
// so placing one never enables anything; the visited configuration can do
// everything this one can (it still has those ops in hand), so if it led to a
// linearization the search already found it, and if it is still on the search
// path, whatever this one could reach is reachable from it too. Without this,
// every subset of timed-out writes would be a separate configuration.
//
// Storage is flat typed arrays (one bitset row per entry, chained hash buckets)
// rather than one object per entry: the set can grow to hundreds of thousands of
// entries and per-object overhead would dominate. Its size is bounded by
// `maxEntries`, which the caller derives from a byte budget.

import { assert } from '../ground/assert.js';

export const ADDED = 0;
export const ALREADY_VISITED = 1;
export const FULL = 2;
export type AddResult = typeof ADDED | typeof ALREADY_VISITED | typeof FULL;

const INITIAL_ENTRIES = 1024;
const EMPTY = -1;

/** Bytes one entry costs, counting its share of the bucket table at the worst load factor. */
export function bytesPerVisitedEntry(wordsPerSet: number): number {
  return 4 * wordsPerSet + 4 /* hash */ + 4 /* state */ + 4 /* chain */ + 16; /* up to 4 bucket slots */
}

/** A power of two (so a mask picks the bucket) with at least two slots per entry, so chains stay short. */
function bucketCountFor(capacity: number): number {
  let count = 2;
  while (count < capacity * 2) count *= 2;
  return count;
}

export class VisitedSet {
  private capacity: number;
  private count = 0;
  private hashes: Uint32Array;
  private states: Int32Array;
  private chain: Int32Array;
  private sets: Uint32Array;
  private buckets: Int32Array;
  private bucketMask: number;

  private readonly wordsPerSet: number;

  /**
   * `exactMask` marks the ops that must match exactly (the acknowledged ones);
   * the others may be a subset in the visited entry. The hash given to `add`
   * must depend only on the exact ops and the state.
   */
  constructor(
    private readonly exactMask: Uint32Array,
    private readonly maxEntries: number,
  ) {
    this.wordsPerSet = exactMask.length;
    assert(this.wordsPerSet >= 1, 'a visited set needs at least one word per bitset');
    this.capacity = Math.max(1, Math.min(INITIAL_ENTRIES, maxEntries));
    this.hashes = new Uint32Array(this.capacity);
    this.states = new Int32Array(this.capacity);
    this.chain = new Int32Array(this.capacity);
    this.sets = new Uint32Array(this.capacity * this.wordsPerSet);
    this.buckets = new Int32Array(bucketCountFor(this.capacity)).fill(EMPTY);
    this.bucketMask = this.buckets.length - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Adds (set, state) unless it or a configuration that dominates it is present. */
  add(set: Uint32Array, hash: number, state: number): AddResult {
    const h = hash >>> 0;
    for (let e = this.buckets[h & this.bucketMask] as number; e !== EMPTY; e = this.chain[e] as number) {
      if (this.hashes[e] === h && this.states[e] === state && this.dominates(e, set)) return ALREADY_VISITED;
    }
    if (this.count >= this.maxEntries) return FULL;
    if (this.count === this.capacity) this.grow();
    const e = this.count++;
    this.hashes[e] = h;
    this.states[e] = state;
    this.sets.set(set, e * this.wordsPerSet);
    const bucket = h & this.bucketMask;
    this.chain[e] = this.buckets[bucket] as number;
    this.buckets[bucket] = e;
    return ADDED;
  }

  /** Same exact ops, and every other op placed in the entry is placed in `set`. */
  private dominates(entry: number, set: Uint32Array): boolean {
    const base = entry * this.wordsPerSet;
    for (let w = 0; w < this.wordsPerSet; w++) {
      const visited = this.sets[base + w] as number;
      const current = set[w] as number;
      if ((visited & ~current) !== 0) return false;
      if ((current & ~visited & (this.exactMask[w] as number)) !== 0) return false;
    }
    return true;
  }

  private grow(): void {
    const capacity = Math.min(this.capacity * 2, this.maxEntries);
    assert(capacity > this.capacity, 'visited set grown past its budget');
    const hashes = new Uint32Array(capacity);
    hashes.set(this.hashes);
    const states = new Int32Array(capacity);
    states.set(this.states);
    const sets = new Uint32Array(capacity * this.wordsPerSet);
    sets.set(this.sets);
    this.hashes = hashes;
    this.states = states;
    this.sets = sets;
    this.chain = new Int32Array(capacity);
    this.capacity = capacity;
    this.buckets = new Int32Array(bucketCountFor(capacity)).fill(EMPTY);
    this.bucketMask = this.buckets.length - 1;
    for (let e = 0; e < this.count; e++) {
      const bucket = (this.hashes[e] as number) & this.bucketMask;
      this.chain[e] = this.buckets[bucket] as number;
      this.buckets[bucket] = e;
    }
  }
}
