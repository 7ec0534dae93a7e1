// The five role states a node can be in, as shared frozen objects. Both drivers
// hand out only these, so "unchanged" is an identity check and a step never
// allocates a state. The machine has no context, so a RoleState determines the
// XState snapshot completely; that is what lets the XState driver keep one
// snapshot per canonical state instead of one per object it ever returned.

import { assert, unreachable } from '../src/ground/assert.js';
import type { RoleState } from './role-driver.js';

function freezeState(role: RoleState['role'], transferring: boolean): RoleState {
  return Object.freeze({ role, transferring });
}

export const FOLLOWER = freezeState('follower', false);
export const PRE_CANDIDATE = freezeState('pre-candidate', false);
export const CANDIDATE = freezeState('candidate', false);
export const LEADER_SERVING = freezeState('leader', false);
export const LEADER_TRANSFERRING = freezeState('leader', true);

/** Every role state, in a fixed order (for exhaustive tests). */
export const ROLE_STATES: readonly RoleState[] = Object.freeze([FOLLOWER, PRE_CANDIDATE, CANDIDATE, LEADER_SERVING, LEADER_TRANSFERRING]);

/** The shared object equal to `state`, which may be a copy (e.g. deserialized). */
export function canonicalRoleState(state: RoleState): RoleState {
  switch (state.role) {
    case 'follower':
      assert(!state.transferring, 'only a leader can be transferring leadership');
      return FOLLOWER;
    case 'pre-candidate':
      assert(!state.transferring, 'only a leader can be transferring leadership');
      return PRE_CANDIDATE;
    case 'candidate':
      assert(!state.transferring, 'only a leader can be transferring leadership');
      return CANDIDATE;
    case 'leader':
      return state.transferring ? LEADER_TRANSFERRING : LEADER_SERVING;
    default:
      return unreachable(state.role, 'not a role');
  }
}
