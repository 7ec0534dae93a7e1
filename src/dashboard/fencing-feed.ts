// Fencings on the dashboard's timeline. One fencing reaches a dashboard by up
// to three routes: pushed by the serving node's own endpoint, pushed among
// the dev supervisor's events, and listed in the fenced node's /status
// (`recentFencing`) at every snapshot for as long as it is recent. The last
// is the only route from another host, and the only one for what happened
// before the page opened. Each fencing is identified by its own fields (the
// supervisor's wall-clock time, reason and term), so it is shown once
// whichever route brings it first.

import type { NodeId } from '../core/types.js';
import { MAX_FENCING_DETAIL_CHARS, MAX_FENCING_READ_PER_NODE, MAX_FENCINGS_REMEMBERED } from './limits.js';

/** A fencing as the dashboard takes it: from a peer the reason is any short word, not only the ones this version knows. */
export interface FencingView {
  readonly atMs: number;
  readonly reason: string;
  readonly term: number;
  readonly detail: string;
}

/** Longer reasons are not reasons: the entry is skipped. */
const MAX_REASON_CHARS = 40;

/** A fencing from untrusted JSON (a peer's status entry, a supervisor event), or null when it is not one. */
export function fencingFrom(value: unknown): FencingView | null {
  if (typeof value !== 'object' || value === null) return null;
  const { atMs, reason, term, detail } = value as Record<string, unknown>;
  if (typeof atMs !== 'number' || !Number.isFinite(atMs)) return null;
  if (typeof reason !== 'string' || reason.length === 0 || reason.length > MAX_REASON_CHARS) return null;
  if (typeof term !== 'number' || !Number.isInteger(term) || term < 0) return null;
  return { atMs, reason, term, detail: typeof detail === 'string' ? detail.slice(0, MAX_FENCING_DETAIL_CHARS) : '' };
}

/** The `recentFencing` list of a /status body: its newest entries that parse, oldest first. */
export function recentFencingOf(statusBody: unknown): FencingView[] {
  const list = typeof statusBody === 'object' && statusBody !== null ? (statusBody as Record<string, unknown>)['recentFencing'] : undefined;
  if (!Array.isArray(list)) return [];
  return list
    .slice(-MAX_FENCING_READ_PER_NODE)
    .map(fencingFrom)
    .filter((fencing): fencing is FencingView => fencing !== null);
}

/** Which fencings were shown already; bounded, forgetting the oldest first. */
export class SeenFencings {
  private readonly keys = new Set<string>();

  /** True the first time this fencing of this node is offered. */
  firstSight(id: NodeId, fencing: FencingView): boolean {
    const key = `${id}|${fencing.atMs}|${fencing.reason}|${fencing.term}`;
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > MAX_FENCINGS_REMEMBERED) {
      const oldest = this.keys.values().next().value;
      if (oldest !== undefined) this.keys.delete(oldest);
    }
    return true;
  }
}
