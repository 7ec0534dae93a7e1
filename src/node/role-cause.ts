// Why a node's role changed, in words: the line `replikit node` logs and the
// dashboard's timeline shows with every role change, so no leader change is
// left without a cause.

import type { RoleCause } from '../core/types.js';

export function describeRoleCause(cause: RoleCause, tickMs: number): string {
  switch (cause.kind) {
    case 'start':
      return 'the node started';
    case 'election-timeout':
      return `election timeout: no word from a leader for ${Math.round(cause.silenceTicks * tickMs)} ms`;
    case 'leader-crashed':
      return `leader ${cause.leaderId} crashed (its connection closed and could not be reopened)`;
    case 'transfer':
      return `leadership transferred by ${cause.from}`;
    case 'check-quorum':
      return 'check-quorum: no majority answered within an election timeout';
    case 'higher-term':
      return `${cause.from} is in a newer term (${cause.term})`;
    case 'leader-seen':
      return `${cause.leaderId} leads this term`;
    case 'pre-vote-rejected':
      return 'a majority refused the pre-vote (a leader is alive for them)';
    case 'removed':
      return 'removed from the membership';
  }
}
