// Which of the machine's transitions a node took between two roles, read from
// GET /dashboard/machine.json. Role changes are seen as state paths
// ('leader.serving'); a transition may be declared on a compound ('leader'),
// which covers every state inside it.

import type { MachineTransitionView, MachineView } from '../protocol.js';

/** True when the state at `path` is `id` or inside it. */
export function within(path: string, id: string): boolean {
  return path === id || path.startsWith(`${id}.`);
}

export function transitionsJoining(machine: MachineView, fromPath: string, toPath: string): MachineTransitionView[] {
  return machine.transitions.filter((t) => within(fromPath, t.from) && within(toPath, t.to));
}

/** The events of these transitions, each once, in order. */
export function uniqueEvents(transitions: readonly MachineTransitionView[]): string[] {
  return [...new Set(transitions.map((t) => t.event))];
}
