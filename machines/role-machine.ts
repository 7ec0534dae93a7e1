// A node's role as an XState v5 statechart. The Raft core drives it only
// through XState's pure API (`initialTransition` / `transition`), never an
// interpreted actor, so the simulator stays deterministic. The action
// implementations below are deliberately empty: `transition` returns the
// actions by name and the core runs its own code for each name (see
// role-driver.ts). The same definition is walked to draw the statechart
// (describe.ts), so the picture is always the machine that runs.
//
// Action rules:
// - each role's entry action (`becomeX`) runs every time the role is entered,
//   including a re-entry of the same role (a new campaign, `reenter: true`);
// - `becomeLeader` runs once on entering `leader`, not on serving <-> transferring;
// - `beginTransfer` is the entry action of `leader.transferring`, and
//   `endTransfer` its EXIT action: it runs whenever a transfer stops for any
//   reason (TRANSFER_ENDED, a higher term, a failed check-quorum, a step-down),
//   so the core clears its transfer bookkeeping in exactly one place. On leaving
//   the leader from `transferring` it runs before `becomeFollower`.
//
// Deliberately unhandled (the state and the actions stay unchanged):
// HIGHER_TERM in follower (the core adopts the term itself; re-running
// `becomeFollower` would be noise), ELECTION_TIMEOUT / TIMEOUT_NOW in leader,
// TIMEOUT_NOW in candidate (already campaigning), TRANSFER_LEADERSHIP while
// transferring (the core rejects it with 'transfer-in-progress').

import { setup } from 'xstate';
import type { RoleEvent } from './role-events.js';

/** Names of the actions the core implements. */
export type RoleActionName = 'becomeFollower' | 'becomePreCandidate' | 'becomeCandidate' | 'becomeLeader' | 'beginTransfer' | 'endTransfer';

// Learners and removed nodes never campaign: only a voter may become a candidate.
function isPromotable(event: RoleEvent): boolean {
  return (event.type === 'ELECTION_TIMEOUT' || event.type === 'LEADER_CRASHED' || event.type === 'TIMEOUT_NOW') && event.promotable;
}

function wantsPreVote(event: RoleEvent): boolean {
  return (event.type === 'ELECTION_TIMEOUT' || event.type === 'LEADER_CRASHED') && event.preVote;
}

// The core runs its own code for each action name; nothing runs here.
const effectImplementedByCore = (): void => {};

// A new campaign: to preCandidate with pre-vote, else straight to candidate.
// `reenter: true` so a preCandidate or candidate that times out again re-runs
// its entry action (a fresh pre-vote round, a new term) instead of idling.
const campaign = [
  { guard: 'promotableWithPreVote', target: 'preCandidate', reenter: true },
  { guard: 'promotableWithoutPreVote', target: 'candidate', reenter: true },
] as const;

export const roleMachine = setup({
  types: {
    events: {} as RoleEvent,
  },
  guards: {
    promotable: ({ event }) => isPromotable(event),
    promotableWithPreVote: ({ event }) => isPromotable(event) && wantsPreVote(event),
    promotableWithoutPreVote: ({ event }) => isPromotable(event) && !wantsPreVote(event),
  },
  actions: {
    becomeFollower: effectImplementedByCore,
    becomePreCandidate: effectImplementedByCore,
    becomeCandidate: effectImplementedByCore,
    becomeLeader: effectImplementedByCore,
    beginTransfer: effectImplementedByCore,
    endTransfer: effectImplementedByCore,
  } satisfies Record<RoleActionName, () => void>,
}).createMachine({
  id: 'role',
  initial: 'follower',
  states: {
    follower: {
      entry: 'becomeFollower',
      on: {
        ELECTION_TIMEOUT: campaign,
        // Only a follower has a leader to lose; a campaigner is already looking for a new one.
        LEADER_CRASHED: campaign,
        TIMEOUT_NOW: { guard: 'promotable', target: 'candidate' },
      },
    },
    preCandidate: {
      entry: 'becomePreCandidate',
      on: {
        ELECTION_TIMEOUT: campaign,
        PRE_VOTE_QUORUM: { target: 'candidate' },
        TIMEOUT_NOW: { guard: 'promotable', target: 'candidate' },
        PRE_VOTE_REJECTED: { target: 'follower' },
        LEADER_SEEN: { target: 'follower' },
        HIGHER_TERM: { target: 'follower' },
      },
    },
    candidate: {
      entry: 'becomeCandidate',
      on: {
        ELECTION_TIMEOUT: campaign,
        VOTE_QUORUM: { target: 'leader' },
        LEADER_SEEN: { target: 'follower' },
        HIGHER_TERM: { target: 'follower' },
      },
    },
    leader: {
      entry: 'becomeLeader',
      initial: 'serving',
      // On the compound state, so both substates leave the same way.
      on: {
        HIGHER_TERM: { target: 'follower' },
        CHECK_QUORUM_FAILED: { target: 'follower' },
        STEP_DOWN: { target: 'follower' },
      },
      states: {
        serving: {
          on: { TRANSFER_LEADERSHIP: { target: 'transferring' } },
        },
        transferring: {
          entry: 'beginTransfer',
          exit: 'endTransfer',
          on: { TRANSFER_ENDED: { target: 'serving' } },
        },
      },
    },
  },
});

export type RoleMachine = typeof roleMachine;
