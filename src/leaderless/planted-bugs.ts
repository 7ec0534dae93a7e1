// Deliberately broken rules of the leaderless core, reachable only when a
// caller (the simulator) names them. They prove the simulator's checks can
// fail: a check that never catches a planted bug proves nothing by passing.

export const LEADERLESS_PLANTED_BUGS = [
  // Merging two replicas keeps their history but only the siblings of the newest actor: concurrent writes vanish.
  'merge-drops-sibling',
  // A fallback takes a write for a down primary and keeps no hint: the primary never hears of it.
  'no-hint',
  // Hints are kept in memory only, never persisted: a fallback that restarts forgets what it owes.
  'volatile-hints',
  // A read never repairs the replicas that answered stale or missing.
  'no-read-repair',
  // The stamping replica numbers the write from the client's context alone, not from its own replica
  // of the key: a blind write reuses a dot the node already gave another write.
  'stamp-ignores-replica',
] as const;

export type LeaderlessPlantedBug = (typeof LEADERLESS_PLANTED_BUGS)[number];

export function isLeaderlessPlantedBug(name: string): name is LeaderlessPlantedBug {
  return (LEADERLESS_PLANTED_BUGS as readonly string[]).includes(name);
}
