// What role each node is in, from two sources that race each other: events
// pushed the moment a role changes, and snapshots sampled every ~250 ms. Each
// observation carries the server time it describes (an event: when it was
// received; a sample: when its request was sent), and an observation older
// than the newest one known for that node is ignored, so a slow snapshot never
// drags a card back to the role it had before an event.

import type { NodeId, ShownRole } from '../protocol.js';

/** What saw it: a pushed role event, a sampled snapshot, or the supervisor's crash report. */
export type ObservationCause = 'event' | 'snapshot' | 'crash';

export interface Observation {
  readonly id: NodeId;
  readonly role: ShownRole;
  readonly term: number;
  /** Server time the observation describes. */
  readonly atMs: number;
  readonly cause: ObservationCause;
  /** False for history replayed when the page connects. */
  readonly live: boolean;
  /** Why a node shows as down, or why its role changed, when known. */
  readonly detail?: string | undefined;
}

export interface RoleChange {
  readonly id: NodeId;
  /** null the first time a node is seen. */
  readonly from: ShownRole | null;
  readonly to: ShownRole;
  /** A node that went down keeps the term it had. */
  readonly term: number;
  readonly atMs: number;
  readonly cause: ObservationCause;
  readonly live: boolean;
  readonly detail?: string | undefined;
}

export interface RoleTracker {
  observe(observation: Observation): void;
  /** 'down' for a node never seen. */
  roleOf(id: NodeId): ShownRole;
  termOf(id: NodeId): number;
  forget(id: NodeId): void;
}

interface Known {
  readonly role: ShownRole;
  readonly term: number;
  readonly atMs: number;
}

export function createRoleTracker(onChange: (change: RoleChange) => void): RoleTracker {
  const known = new Map<NodeId, Known>();

  return {
    observe({ id, role, term, atMs, cause, live, detail }) {
      const previous = known.get(id);
      if (previous) {
        if (atMs < previous.atMs) return;
        if (role !== 'down' && previous.role !== 'down' && term < previous.term) return;
      }
      const keptTerm = role === 'down' && previous ? previous.term : term;
      known.set(id, { role, term: keptTerm, atMs });
      if (!previous) {
        onChange({ id, from: null, to: role, term: keptTerm, atMs, cause, live, detail });
        return;
      }
      // A candidate whose term moved on timed out and started over: a transition to itself.
      const restarted = role === 'candidate' && previous.role === 'candidate' && term > previous.term;
      if (previous.role !== role || restarted) {
        onChange({ id, from: previous.role, to: role, term: keptTerm, atMs, cause, live, detail });
      }
    },
    roleOf: (id) => known.get(id)?.role ?? 'down',
    termOf: (id) => known.get(id)?.term ?? 0,
    forget(id) {
      known.delete(id);
    },
  };
}
