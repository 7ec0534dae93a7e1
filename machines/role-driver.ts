// How the Raft core drives the role machine without knowing about XState.
// Two interchangeable drivers: `createXStateRoleDriver` runs the real
// statechart through XState's pure API; `createPlainRoleDriver` is a
// hand-written switch with the same behaviour, so a benchmark can measure the
// core without XState in the path. test/unit/role-machine.test.ts checks that
// both agree on every reachable state and every event.

import type { Role } from '../src/ground/role.js';
import type { RoleEvent } from './role-events.js';
import type { RoleActionName } from './role-machine.js';

/** The names the core dispatches on after a step, in the order to run them. */
export type RoleAction = RoleActionName;

export interface RoleState {
  readonly role: Role;
  /** A leader handing leadership over; always false for the other roles. */
  readonly transferring: boolean;
}

export interface RoleStep {
  readonly state: RoleState;
  /** Run in order. May be non-empty while `changed` is false: a re-entered campaign. */
  readonly actions: readonly RoleAction[];
  /** `state` differs from the state sent; when false, `state` is that very object. */
  readonly changed: boolean;
}

export interface RoleDriver {
  readonly name: 'xstate' | 'plain';
  /** The initial state. Its entry action (`becomeFollower`) is not reported: a node starts as a follower. */
  initial(): RoleState;
  /** Pure: the same state and event always give an equal step, and nothing is mutated. */
  send(state: RoleState, event: RoleEvent): RoleStep;
}

export { createXStateRoleDriver } from './role-driver-xstate.js';
export { createPlainRoleDriver } from './role-driver-plain.js';
