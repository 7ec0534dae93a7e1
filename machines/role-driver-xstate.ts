// The role driver that runs the real statechart through XState's pure API.
// Nothing is interpreted and nothing is executed here: `transition` computes
// the next snapshot and the actions, and the core runs its own code for each
// action name.

import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { assert } from '../src/ground/assert.js';
import type { RoleAction, RoleDriver, RoleState, RoleStep } from './role-driver.js';
import type { RoleEvent } from './role-events.js';
import { roleMachine, type RoleMachine } from './role-machine.js';
import { CANDIDATE, FOLLOWER, LEADER_SERVING, LEADER_TRANSFERRING, PRE_CANDIDATE, ROLE_STATES, canonicalRoleState } from './role-states.js';

type RoleSnapshot = SnapshotFrom<RoleMachine>;

const ROLE_ACTIONS: ReadonlySet<string> = new Set<RoleAction>([
  'becomeFollower',
  'becomePreCandidate',
  'becomeCandidate',
  'becomeLeader',
  'beginTransfer',
  'endTransfer',
]);

const NO_ACTIONS: readonly RoleAction[] = Object.freeze([]);

function roleStateOf(snapshot: RoleSnapshot): RoleState {
  const value = snapshot.value;
  if (typeof value === 'string') {
    switch (value) {
      case 'follower':
        return FOLLOWER;
      case 'preCandidate':
        return PRE_CANDIDATE;
      case 'candidate':
        return CANDIDATE;
    }
  }
  assert(typeof value === 'object' && 'leader' in value, `unknown role snapshot ${JSON.stringify(value)}`);
  return value.leader === 'transferring' ? LEADER_TRANSFERRING : LEADER_SERVING;
}

function actionNamesOf(actions: readonly { readonly type: string }[]): readonly RoleAction[] {
  if (actions.length === 0) return NO_ACTIONS;
  const names: RoleAction[] = [];
  for (const action of actions) {
    // The machine has no raise/sendTo/spawn, so anything else is a bug in it.
    assert(ROLE_ACTIONS.has(action.type), `role machine returned unknown action ${action.type}`);
    names.push(action.type as RoleAction);
  }
  return names;
}

// The machine has no context, so each canonical RoleState stands for exactly
// one snapshot; we build the five once instead of remembering every snapshot
// we ever returned (e.g. in a WeakMap), and any equal RoleState — even a copy
// that crossed a MessagePort — maps back to it.
function snapshotsByState(): ReadonlyMap<RoleState, RoleSnapshot> {
  const [initial] = initialTransition(roleMachine);
  assert(roleStateOf(initial) === FOLLOWER, 'the role machine must start as a follower');
  const snapshots = new Map<RoleState, RoleSnapshot>([[FOLLOWER, initial]]);
  snapshots.set(PRE_CANDIDATE, roleMachine.resolveState({ value: 'preCandidate' }));
  snapshots.set(CANDIDATE, roleMachine.resolveState({ value: 'candidate' }));
  snapshots.set(LEADER_SERVING, roleMachine.resolveState({ value: { leader: 'serving' } }));
  snapshots.set(LEADER_TRANSFERRING, roleMachine.resolveState({ value: { leader: 'transferring' } }));
  for (const state of ROLE_STATES) {
    const snapshot = snapshots.get(state);
    assert(snapshot !== undefined && roleStateOf(snapshot) === state, `no snapshot for ${JSON.stringify(state)}`);
  }
  return snapshots;
}

export function createXStateRoleDriver(): RoleDriver {
  const snapshots = snapshotsByState();
  // Steps that change nothing are shared: most sends (a heartbeat timeout on a leader...) are no-ops.
  const unchanged = new Map<RoleState, RoleStep>(ROLE_STATES.map((state) => [state, Object.freeze({ state, actions: NO_ACTIONS, changed: false })]));

  return {
    name: 'xstate',
    initial: () => FOLLOWER,
    send(sent: RoleState, event: RoleEvent): RoleStep {
      const from = canonicalRoleState(sent);
      const snapshot = snapshots.get(from);
      assert(snapshot !== undefined, `no snapshot for ${JSON.stringify(from)}`);
      const [next, executable] = transition(roleMachine, snapshot, event);
      const to = roleStateOf(next);
      const actions = actionNamesOf(executable);
      if (to !== from) return { state: to, actions, changed: true };
      // Only the canonical objects are keys, so a copy gets a step holding that copy.
      const shared = unchanged.get(sent);
      if (shared !== undefined && actions === NO_ACTIONS) return shared;
      return { state: sent, actions, changed: false };
    },
  };
}
