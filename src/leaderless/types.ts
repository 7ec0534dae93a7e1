// The vocabulary every leaderless file shares: node ids, the per-key clock
// (a DVV set of values and tombstones), and the values clients store.

import type { DvvSet } from '../convergence/dvv-set.js';
import type { Stored } from '../convergence/dvv-tombstones.js';
import type { JsonValue } from '../convergence/json.js';

/** A node's id is also its actor id in every version vector it stamps. */
export type NodeId = string;

/** What a client stores under a key: plain JSON, so msgpackr and JSON carry it unchanged. */
export type Value = JsonValue;

/** One sibling: a value, or the tombstone of a delete. */
export type Sibling = Stored<Value>;

/** Every replica's state of one key: its siblings and the causal history that says which writes they replaced. */
export type KeyClock = DvvSet<Sibling>;
