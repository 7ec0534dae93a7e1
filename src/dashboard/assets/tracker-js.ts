// Browser module: what role each node is in, from two sources that race each
// other: events pushed the moment a role changes, and snapshots sampled every
// ~250 ms. Each observation carries the server time it describes (an event:
// when it was received; a sample: when its request was sent), and an
// observation older than the newest one known for that node is ignored, so a
// slow snapshot never drags a card back to the role it had before an event.

export const TRACKER_JS = String.raw`
export function createRoleTracker(onChange) {
  const known = new Map();

  return {
    /**
     * role: follower | pre-candidate | candidate | leader | down.
     * cause: what saw it ('event', 'snapshot', 'crash'); live: false for replayed history;
     * detail: why a node shows as down, or why its role changed, when known.
     */
    observe(id, role, term, atMs, cause, live, detail) {
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
    roleOf(id) {
      const entry = known.get(id);
      return entry ? entry.role : 'down';
    },
    termOf(id) {
      const entry = known.get(id);
      return entry ? entry.term : 0;
    },
    forget(id) {
      known.delete(id);
    },
  };
}
`;
