// Each node's replication lag (as its leader reports it) over the last
// SAMPLES_KEPT snapshots: what the sparkline on its card draws.

import type { NodeId } from '../protocol.js';

export const SAMPLES_KEPT = 60;

export interface LagSample {
  readonly lagMs: number;
  readonly lagEntries: number;
}

export interface LagHistory {
  /** sample: null when the node is not a follower of a known leader (the line breaks there). */
  push(id: NodeId, sample: LagSample | null): void;
  /** Oldest first, at most SAMPLES_KEPT. */
  of(id: NodeId): readonly (LagSample | null)[];
  forget(id: NodeId): void;
}

export function createLagHistory(): LagHistory {
  const samples = new Map<NodeId, (LagSample | null)[]>();
  return {
    push(id, sample) {
      let list = samples.get(id);
      if (!list) {
        list = [];
        samples.set(id, list);
      }
      list.push(sample);
      if (list.length > SAMPLES_KEPT) list.splice(0, list.length - SAMPLES_KEPT);
    },
    of: (id) => samples.get(id) ?? [],
    forget(id) {
      samples.delete(id);
    },
  };
}
