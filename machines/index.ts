// The public face of replikit/machines: the role statechart, its events, the
// drivers the core uses, and the description the dashboard draws.

export { roleMachine } from './role-machine.js';
export type { RoleMachine, RoleActionName } from './role-machine.js';

export { ROLE_EVENT_TYPES } from './role-events.js';
export type { RoleEvent, RoleEventType } from './role-events.js';

export { createPlainRoleDriver, createXStateRoleDriver } from './role-driver.js';
export type { RoleAction, RoleDriver, RoleState, RoleStep } from './role-driver.js';

export { CANDIDATE, FOLLOWER, LEADER_SERVING, LEADER_TRANSFERRING, PRE_CANDIDATE, ROLE_STATES, canonicalRoleState } from './role-states.js';

export { describeRoleMachine, roleStatePath, toMermaid } from './describe.js';
export type { RoleMachineDescription, RoleStateDescription, RoleTransitionDescription } from './describe.js';
