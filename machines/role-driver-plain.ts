// The role machine as a hand-written switch, for benchmarking the core without
// XState in the path. It must behave exactly like role-machine.ts (same next
// state, same actions in the same order); the agreement test in
// test/unit/role-machine.test.ts checks every reachable state x every event.
// Every step is a frozen constant built once, so `send` never allocates unless
// it is handed a copy of a state rather than one of the shared objects.

import { InvariantError } from '../src/ground/assert.js';
import type { RoleAction, RoleDriver, RoleState, RoleStep } from './role-driver.js';
import type { RoleEvent } from './role-events.js';
import { CANDIDATE, FOLLOWER, LEADER_SERVING, LEADER_TRANSFERRING, PRE_CANDIDATE, canonicalRoleState } from './role-states.js';

function go(from: RoleState, to: RoleState, ...actions: RoleAction[]): RoleStep {
  return Object.freeze({ state: to, actions: Object.freeze(actions), changed: to !== from });
}

const fromFollower = {
  stay: go(FOLLOWER, FOLLOWER),
  toPreCandidate: go(FOLLOWER, PRE_CANDIDATE, 'becomePreCandidate'),
  toCandidate: go(FOLLOWER, CANDIDATE, 'becomeCandidate'),
};

const fromPreCandidate = {
  stay: go(PRE_CANDIDATE, PRE_CANDIDATE),
  reenter: go(PRE_CANDIDATE, PRE_CANDIDATE, 'becomePreCandidate'),
  toCandidate: go(PRE_CANDIDATE, CANDIDATE, 'becomeCandidate'),
  toFollower: go(PRE_CANDIDATE, FOLLOWER, 'becomeFollower'),
};

const fromCandidate = {
  stay: go(CANDIDATE, CANDIDATE),
  toPreCandidate: go(CANDIDATE, PRE_CANDIDATE, 'becomePreCandidate'),
  reenter: go(CANDIDATE, CANDIDATE, 'becomeCandidate'),
  toLeader: go(CANDIDATE, LEADER_SERVING, 'becomeLeader'),
  toFollower: go(CANDIDATE, FOLLOWER, 'becomeFollower'),
};

const fromServing = {
  stay: go(LEADER_SERVING, LEADER_SERVING),
  toTransferring: go(LEADER_SERVING, LEADER_TRANSFERRING, 'beginTransfer'),
  toFollower: go(LEADER_SERVING, FOLLOWER, 'becomeFollower'),
};

// `endTransfer` is the exit action of `transferring`: it runs on every way out, first.
const fromTransferring = {
  stay: go(LEADER_TRANSFERRING, LEADER_TRANSFERRING),
  toServing: go(LEADER_TRANSFERRING, LEADER_SERVING, 'endTransfer'),
  toFollower: go(LEADER_TRANSFERRING, FOLLOWER, 'endTransfer', 'becomeFollower'),
};

// ELECTION_TIMEOUT (and LEADER_CRASHED in a follower): only a voter campaigns; pre-vote first when enabled.
function campaign(
  event: { readonly preVote: boolean; readonly promotable: boolean },
  steps: { readonly stay: RoleStep; readonly withPreVote: RoleStep; readonly withoutPreVote: RoleStep },
): RoleStep {
  if (!event.promotable) return steps.stay;
  return event.preVote ? steps.withPreVote : steps.withoutPreVote;
}

const campaignFromFollower = {
  stay: fromFollower.stay,
  withPreVote: fromFollower.toPreCandidate,
  withoutPreVote: fromFollower.toCandidate,
};
const campaignFromPreCandidate = {
  stay: fromPreCandidate.stay,
  withPreVote: fromPreCandidate.reenter,
  withoutPreVote: fromPreCandidate.toCandidate,
};
const campaignFromCandidate = {
  stay: fromCandidate.stay,
  withPreVote: fromCandidate.toPreCandidate,
  withoutPreVote: fromCandidate.reenter,
};

function stepFrom(from: RoleState, event: RoleEvent): RoleStep {
  switch (from) {
    case FOLLOWER:
      switch (event.type) {
        case 'ELECTION_TIMEOUT':
        case 'LEADER_CRASHED':
          return campaign(event, campaignFromFollower);
        case 'TIMEOUT_NOW':
          return event.promotable ? fromFollower.toCandidate : fromFollower.stay;
        default:
          return fromFollower.stay;
      }
    case PRE_CANDIDATE:
      switch (event.type) {
        case 'ELECTION_TIMEOUT':
          return campaign(event, campaignFromPreCandidate);
        case 'PRE_VOTE_QUORUM':
          return fromPreCandidate.toCandidate;
        case 'TIMEOUT_NOW':
          return event.promotable ? fromPreCandidate.toCandidate : fromPreCandidate.stay;
        case 'PRE_VOTE_REJECTED':
        case 'LEADER_SEEN':
        case 'HIGHER_TERM':
          return fromPreCandidate.toFollower;
        default:
          return fromPreCandidate.stay;
      }
    case CANDIDATE:
      switch (event.type) {
        case 'ELECTION_TIMEOUT':
          return campaign(event, campaignFromCandidate);
        case 'VOTE_QUORUM':
          return fromCandidate.toLeader;
        case 'LEADER_SEEN':
        case 'HIGHER_TERM':
          return fromCandidate.toFollower;
        default:
          return fromCandidate.stay;
      }
    case LEADER_SERVING:
      switch (event.type) {
        case 'TRANSFER_LEADERSHIP':
          return fromServing.toTransferring;
        case 'HIGHER_TERM':
        case 'CHECK_QUORUM_FAILED':
        case 'STEP_DOWN':
          return fromServing.toFollower;
        default:
          return fromServing.stay;
      }
    case LEADER_TRANSFERRING:
      switch (event.type) {
        case 'TRANSFER_ENDED':
          return fromTransferring.toServing;
        case 'HIGHER_TERM':
        case 'CHECK_QUORUM_FAILED':
        case 'STEP_DOWN':
          return fromTransferring.toFollower;
        default:
          return fromTransferring.stay;
      }
    default:
      // canonicalRoleState only returns the five objects above.
      throw new InvariantError(`not a canonical role state: ${JSON.stringify(from)}`);
  }
}

export function createPlainRoleDriver(): RoleDriver {
  return {
    name: 'plain',
    initial: () => FOLLOWER,
    send(sent: RoleState, event: RoleEvent): RoleStep {
      const step = stepFrom(canonicalRoleState(sent), event);
      // A copy of a state stays that same object when nothing changes.
      if (step.changed || step.state === sent) return step;
      return { state: sent, actions: step.actions, changed: false };
    },
  };
}
