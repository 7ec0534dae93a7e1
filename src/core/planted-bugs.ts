// Deliberately broken rules, reachable only through the simulator's
// `--plant-bug NAME` option. They exist to prove the checkers can fail: a
// checker that never catches a planted bug proves nothing by passing.

export const PLANTED_BUGS = [
  'commit-old-term',
  'vote-twice',
  'no-truncate',
  // A follower serves a linearizable read at its own commit index instead of asking its leader.
  'follower-read-local',
  // Runtime rules (src/node/node-runtime.ts): every message of a Ready leaves before its persist,
  // votes and acknowledgements included, promising what is not on disk yet...
  'send-before-persist',
  // ...and the state machine's batch is written before the persist, even for entries this node has
  // not made durable yet, so the store can get ahead of its own log.
  'apply-before-persist',
] as const;

export type PlantedBug = (typeof PLANTED_BUGS)[number];

export function isPlantedBug(name: string): name is PlantedBug {
  return (PLANTED_BUGS as readonly string[]).includes(name);
}
