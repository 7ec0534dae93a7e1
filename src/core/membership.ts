// Membership arithmetic: the one-server-at-a-time changes (add a learner,
// promote it, remove a node) that keep any two majorities of consecutive
// configurations overlapping. The quorum questions are in quorum.ts.

import type { Membership, MembershipChange, NodeId } from './types.js';

export function isVoter(membership: Membership, id: NodeId): boolean {
  return membership.voters.includes(id);
}

export function isMember(membership: Membership, id: NodeId): boolean {
  return membership.voters.includes(id) || membership.learners.includes(id);
}

export function allMembers(membership: Membership): NodeId[] {
  return [...membership.voters, ...membership.learners];
}

export type ChangeResult = { ok: true; membership: Membership } | { ok: false; problem: string };

export function applyMembershipChange(membership: Membership, change: MembershipChange): ChangeResult {
  const { voters, learners } = membership;
  switch (change.type) {
    case 'add-learner':
      if (isMember(membership, change.node)) return { ok: false, problem: `${change.node} is already a member` };
      return { ok: true, membership: { voters, learners: [...learners, change.node] } };
    case 'promote':
      if (!learners.includes(change.node)) return { ok: false, problem: `${change.node} is not a learner` };
      return {
        ok: true,
        membership: { voters: [...voters, change.node], learners: learners.filter((id) => id !== change.node) },
      };
    case 'remove':
      if (!isMember(membership, change.node)) return { ok: false, problem: `${change.node} is not a member` };
      if (voters.length === 1 && voters[0] === change.node) {
        return { ok: false, problem: `${change.node} is the last voter` };
      }
      return {
        ok: true,
        membership: {
          voters: voters.filter((id) => id !== change.node),
          learners: learners.filter((id) => id !== change.node),
        },
      };
  }
}
