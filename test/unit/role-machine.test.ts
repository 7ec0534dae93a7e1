import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../src/ground/assert.js';
import {
  CANDIDATE,
  FOLLOWER,
  LEADER_SERVING,
  LEADER_TRANSFERRING,
  PRE_CANDIDATE,
  ROLE_EVENT_TYPES,
  ROLE_STATES,
  createPlainRoleDriver,
  createXStateRoleDriver,
  describeRoleMachine,
  roleStatePath,
  toMermaid,
  type RoleAction,
  type RoleDriver,
  type RoleEvent,
  type RoleEventType,
  type RoleState,
} from '../../machines/index.js';

// ------------------------------------------------------------------ helpers

const BOOLEANS = [false, true] as const;

/** Every event of `type`, with every combination of its boolean fields. */
function eventVariants(type: RoleEventType): RoleEvent[] {
  switch (type) {
    case 'ELECTION_TIMEOUT':
    case 'LEADER_CRASHED':
      return BOOLEANS.flatMap((preVote) => BOOLEANS.map((promotable) => ({ type, preVote, promotable })));
    case 'TIMEOUT_NOW':
      return BOOLEANS.map((promotable) => ({ type, promotable }));
    default:
      return [{ type }];
  }
}

const ALL_EVENTS: readonly RoleEvent[] = ROLE_EVENT_TYPES.flatMap(eventVariants);

/** Every state reachable from `initial()` by any sequence of events (breadth first). */
function reachableStates(driver: RoleDriver): RoleState[] {
  const seen = [driver.initial()];
  for (let i = 0; i < seen.length; i++) {
    const from = seen[i]!;
    for (const event of ALL_EVENTS) {
      const { state } = driver.send(from, event);
      if (!seen.some((s) => s.role === state.role && s.transferring === state.transferring)) seen.push(state);
    }
  }
  return seen;
}

function show(state: RoleState): string {
  return roleStatePath(state);
}

/** Every (state, event) on which two drivers differ in state, actions or `changed`. */
function disagreements(a: RoleDriver, b: RoleDriver): string[] {
  const found: string[] = [];
  for (const from of reachableStates(a)) {
    for (const event of ALL_EVENTS) {
      const stepA = a.send(from, event);
      const stepB = b.send(from, event);
      const same =
        stepA.state.role === stepB.state.role &&
        stepA.state.transferring === stepB.state.transferring &&
        stepA.changed === stepB.changed &&
        stepA.actions.join() === stepB.actions.join();
      if (!same) {
        found.push(
          `${show(from)} + ${JSON.stringify(event)}: ` +
            `${a.name} -> ${show(stepA.state)} [${stepA.actions.join()}] changed=${stepA.changed}, ` +
            `${b.name} -> ${show(stepB.state)} [${stepB.actions.join()}] changed=${stepB.changed}`,
        );
      }
    }
  }
  return found;
}

const xstate = createXStateRoleDriver();
const plain = createPlainRoleDriver();

const electionTimeout = (preVote: boolean, promotable: boolean): RoleEvent => ({
  type: 'ELECTION_TIMEOUT',
  preVote,
  promotable,
});

// ------------------------------------------------------------- transitions

describe('role machine through the xstate driver', () => {
  it('starts as a follower', () => {
    expect(xstate.initial()).toEqual({ role: 'follower', transferring: false });
  });

  // [from, event, to, actions]
  const moves: [RoleState, RoleEvent, RoleState, RoleAction[]][] = [
    [FOLLOWER, electionTimeout(true, true), PRE_CANDIDATE, ['becomePreCandidate']],
    [FOLLOWER, electionTimeout(false, true), CANDIDATE, ['becomeCandidate']],
    [FOLLOWER, { type: 'LEADER_CRASHED', preVote: true, promotable: true }, PRE_CANDIDATE, ['becomePreCandidate']],
    [FOLLOWER, { type: 'LEADER_CRASHED', preVote: false, promotable: true }, CANDIDATE, ['becomeCandidate']],
    [PRE_CANDIDATE, electionTimeout(false, true), CANDIDATE, ['becomeCandidate']],
    [CANDIDATE, electionTimeout(true, true), PRE_CANDIDATE, ['becomePreCandidate']],
    [PRE_CANDIDATE, { type: 'PRE_VOTE_QUORUM' }, CANDIDATE, ['becomeCandidate']],
    [CANDIDATE, { type: 'VOTE_QUORUM' }, LEADER_SERVING, ['becomeLeader']],
    [FOLLOWER, { type: 'TIMEOUT_NOW', promotable: true }, CANDIDATE, ['becomeCandidate']],
    [PRE_CANDIDATE, { type: 'TIMEOUT_NOW', promotable: true }, CANDIDATE, ['becomeCandidate']],
    [PRE_CANDIDATE, { type: 'HIGHER_TERM' }, FOLLOWER, ['becomeFollower']],
    [CANDIDATE, { type: 'HIGHER_TERM' }, FOLLOWER, ['becomeFollower']],
    [LEADER_SERVING, { type: 'HIGHER_TERM' }, FOLLOWER, ['becomeFollower']],
    [LEADER_TRANSFERRING, { type: 'HIGHER_TERM' }, FOLLOWER, ['endTransfer', 'becomeFollower']],
    [PRE_CANDIDATE, { type: 'LEADER_SEEN' }, FOLLOWER, ['becomeFollower']],
    [CANDIDATE, { type: 'LEADER_SEEN' }, FOLLOWER, ['becomeFollower']],
    [PRE_CANDIDATE, { type: 'PRE_VOTE_REJECTED' }, FOLLOWER, ['becomeFollower']],
    [LEADER_SERVING, { type: 'CHECK_QUORUM_FAILED' }, FOLLOWER, ['becomeFollower']],
    [LEADER_TRANSFERRING, { type: 'CHECK_QUORUM_FAILED' }, FOLLOWER, ['endTransfer', 'becomeFollower']],
    [LEADER_SERVING, { type: 'STEP_DOWN' }, FOLLOWER, ['becomeFollower']],
    [LEADER_TRANSFERRING, { type: 'STEP_DOWN' }, FOLLOWER, ['endTransfer', 'becomeFollower']],
    // serving <-> transferring stays inside `leader`: becomeLeader does not run again.
    [LEADER_SERVING, { type: 'TRANSFER_LEADERSHIP' }, LEADER_TRANSFERRING, ['beginTransfer']],
    [LEADER_TRANSFERRING, { type: 'TRANSFER_ENDED' }, LEADER_SERVING, ['endTransfer']],
  ];

  it.each(moves.map(([from, event, to, actions]) => [show(from), event.type, show(to), from, event, to, actions]))(
    '%s + %s -> %s',
    (_from, _event, _to, from, event, to, actions) => {
      const step = xstate.send(from, event);
      expect(step.state).toBe(to);
      expect(step.actions).toEqual(actions);
      expect(step.changed).toBe(true);
    },
  );

  it('a learner or removed node never campaigns: ELECTION_TIMEOUT with promotable:false stays follower', () => {
    for (const preVote of BOOLEANS) {
      const step = xstate.send(FOLLOWER, electionTimeout(preVote, false));
      expect(step).toEqual({ state: FOLLOWER, actions: [], changed: false });
      expect(step.state).toBe(FOLLOWER);
    }
    expect(xstate.send(FOLLOWER, { type: 'TIMEOUT_NOW', promotable: false }).changed).toBe(false);
    expect(xstate.send(PRE_CANDIDATE, electionTimeout(true, false)).actions).toEqual([]);
    expect(xstate.send(CANDIDATE, electionTimeout(false, false)).actions).toEqual([]);
  });

  it('a campaign that times out starts again: re-entry runs the entry action again', () => {
    const preVoteAgain = xstate.send(PRE_CANDIDATE, electionTimeout(true, true));
    expect(preVoteAgain).toEqual({ state: PRE_CANDIDATE, actions: ['becomePreCandidate'], changed: false });
    const electionAgain = xstate.send(CANDIDATE, electionTimeout(false, true));
    expect(electionAgain).toEqual({ state: CANDIDATE, actions: ['becomeCandidate'], changed: false });
  });

  it('HIGHER_TERM in follower changes nothing and does not re-run becomeFollower', () => {
    const step = xstate.send(FOLLOWER, { type: 'HIGHER_TERM' });
    expect(step).toEqual({ state: FOLLOWER, actions: [], changed: false });
  });

  it('ignores events that do not apply to the current role', () => {
    const ignored: [RoleState, RoleEvent][] = [
      [LEADER_SERVING, electionTimeout(false, true)],
      [LEADER_SERVING, { type: 'TIMEOUT_NOW', promotable: true }],
      [LEADER_SERVING, { type: 'TRANSFER_ENDED' }],
      [LEADER_TRANSFERRING, { type: 'TRANSFER_LEADERSHIP' }],
      [CANDIDATE, { type: 'TIMEOUT_NOW', promotable: true }],
      [CANDIDATE, { type: 'PRE_VOTE_QUORUM' }],
      [FOLLOWER, { type: 'VOTE_QUORUM' }],
      [FOLLOWER, { type: 'LEADER_SEEN' }],
      [FOLLOWER, { type: 'LEADER_CRASHED', preVote: true, promotable: false }],
      // A campaign already looks for a new leader; a leader has none to lose.
      [PRE_CANDIDATE, { type: 'LEADER_CRASHED', preVote: true, promotable: true }],
      [CANDIDATE, { type: 'LEADER_CRASHED', preVote: true, promotable: true }],
      [LEADER_SERVING, { type: 'LEADER_CRASHED', preVote: true, promotable: true }],
    ];
    for (const [from, event] of ignored) {
      const step = xstate.send(from, event);
      expect(step.state).toBe(from);
      expect(step.actions).toEqual([]);
      expect(step.changed).toBe(false);
    }
  });

  it('keeps the identity of an equal copy of a state when nothing changes', () => {
    for (const driver of [xstate, plain]) {
      const copy: RoleState = { role: 'leader', transferring: true };
      expect(driver.send(copy, { type: 'VOTE_QUORUM' }).state).toBe(copy);
      expect(driver.send(copy, { type: 'TRANSFER_ENDED' }).state).toBe(LEADER_SERVING);
    }
  });

  it('refuses a non-leader that claims to be transferring', () => {
    for (const driver of [xstate, plain]) {
      expect(() => driver.send({ role: 'candidate', transferring: true }, { type: 'VOTE_QUORUM' })).toThrow(InvariantError);
    }
  });

  it('is pure: the same state and event always give an equal step', () => {
    const first = xstate.send(CANDIDATE, { type: 'VOTE_QUORUM' });
    const again = createXStateRoleDriver().send(CANDIDATE, { type: 'VOTE_QUORUM' });
    expect(again).toEqual(first);
    expect(CANDIDATE).toEqual({ role: 'candidate', transferring: false });
  });
});

// --------------------------------------------------------------- agreement

describe('the plain driver agrees with the xstate driver', () => {
  it('reaches the same five states', () => {
    const all = ROLE_STATES.map(show).sort();
    expect(reachableStates(xstate).map(show).sort()).toEqual(all);
    expect(reachableStates(plain).map(show).sort()).toEqual(all);
  });

  // 5 states x 19 event variants. Checked by hand that this fails: deleting the
  // `case 'TRANSFER_ENDED'` branch from role-driver-plain.ts made it report
  //   leader.transferring + {"type":"TRANSFER_ENDED"}: xstate -> leader.serving
  //   [endTransfer] changed=true, plain -> leader.transferring [] changed=false
  // and dropping `reenter: true` from the machine's pre-vote campaign made it
  // report preCandidate + ELECTION_TIMEOUT{preVote,promotable} (no action vs
  // [becomePreCandidate]). Both were put back; the test after next keeps such a
  // check permanent without breaking the real driver.
  it('on every reachable state x every event: same state, same actions, same changed', () => {
    expect(disagreements(xstate, plain)).toEqual([]);
    expect(disagreements(plain, xstate)).toEqual([]);
  });

  it('on unchanged steps both return the very object they were sent', () => {
    for (const from of ROLE_STATES) {
      for (const event of ALL_EVENTS) {
        for (const driver of [xstate, plain]) {
          const step = driver.send(from, event);
          if (!step.changed) expect(step.state).toBe(from);
        }
      }
    }
  });

  it('would catch a plain driver that forgot a transition or an action', () => {
    const forgetsTransferEnded: RoleDriver = {
      name: 'plain',
      initial: () => plain.initial(),
      send: (state, event) => (event.type === 'TRANSFER_ENDED' ? { state, actions: [], changed: false } : plain.send(state, event)),
    };
    expect(disagreements(xstate, forgetsTransferEnded)).toEqual([expect.stringContaining('leader.transferring + {"type":"TRANSFER_ENDED"}')]);

    const forgetsEndTransfer: RoleDriver = {
      name: 'plain',
      initial: () => plain.initial(),
      send: (state, event) => {
        const step = plain.send(state, event);
        return { ...step, actions: step.actions.filter((action) => action !== 'endTransfer') };
      },
    };
    // TRANSFER_ENDED, HIGHER_TERM, CHECK_QUORUM_FAILED, STEP_DOWN from transferring.
    expect(disagreements(xstate, forgetsEndTransfer)).toHaveLength(4);
  });
});

// ---------------------------------------------------------------- describe

// What each guard named in the machine means, written independently of it.
const GUARD_MEANING: Readonly<Record<string, (event: RoleEvent) => boolean>> = {
  promotable: (e) => 'promotable' in e && e.promotable,
  promotableWithPreVote: (e) => (e.type === 'ELECTION_TIMEOUT' || e.type === 'LEADER_CRASHED') && e.promotable && e.preVote,
  promotableWithoutPreVote: (e) => (e.type === 'ELECTION_TIMEOUT' || e.type === 'LEADER_CRASHED') && e.promotable && !e.preVote,
};

const within = (path: string, id: string): boolean => path === id || path.startsWith(`${id}.`);

describe('describeRoleMachine', () => {
  const description = describeRoleMachine();

  it('lists every state with its parent, initial flag and actions', () => {
    expect(description.states).toEqual([
      { id: 'follower', initial: true, entry: ['becomeFollower'], exit: [] },
      { id: 'preCandidate', entry: ['becomePreCandidate'], exit: [] },
      { id: 'candidate', entry: ['becomeCandidate'], exit: [] },
      { id: 'leader', entry: ['becomeLeader'], exit: [] },
      { id: 'leader.serving', parent: 'leader', initial: true, entry: [], exit: [] },
      { id: 'leader.transferring', parent: 'leader', entry: ['beginTransfer'], exit: ['endTransfer'] },
    ]);
  });

  it('contains the main edges', () => {
    const edges = description.transitions;
    expect(edges).toContainEqual({ from: 'candidate', to: 'leader', event: 'VOTE_QUORUM' });
    expect(edges).toContainEqual({ from: 'preCandidate', to: 'candidate', event: 'PRE_VOTE_QUORUM' });
    expect(edges).toContainEqual({
      from: 'follower',
      to: 'preCandidate',
      event: 'ELECTION_TIMEOUT',
      guard: 'promotableWithPreVote',
      reenter: true,
    });
    expect(edges).toContainEqual({ from: 'leader', to: 'follower', event: 'HIGHER_TERM' });
    expect(edges).toContainEqual({ from: 'leader.serving', to: 'leader.transferring', event: 'TRANSFER_LEADERSHIP' });
    expect(edges).not.toContainEqual(expect.objectContaining({ from: 'follower', event: 'HIGHER_TERM' }));
  });

  // Both directions: every edge drawn is what the driver does, and every move
  // the driver makes is drawn, so the picture cannot drift from the behaviour.
  it('matches the drivers exactly, edge for edge', () => {
    const used = new Set<number>();
    for (const from of ROLE_STATES) {
      for (const event of ALL_EVENTS) {
        const enabled = description.transitions
          .map((t, i) => [t, i] as const)
          .filter(([t]) => {
            if (t.event !== event.type || !within(show(from), t.from)) return false;
            if (t.guard === undefined) return true;
            const meaning = GUARD_MEANING[t.guard];
            expect(meaning, `unknown guard ${t.guard}`).toBeDefined();
            return meaning!(event);
          });
        const step = xstate.send(from, event);
        const moved = step.changed || step.actions.length > 0;
        const where = `${show(from)} + ${JSON.stringify(event)}`;
        if (!moved) {
          expect(enabled, where).toEqual([]);
          continue;
        }
        expect(enabled, where).toHaveLength(1);
        const [transition, index] = enabled[0]!;
        used.add(index);
        expect(within(show(step.state), transition.to), where).toBe(true);
        expect(plain.send(from, event).state, where).toBe(step.state);
      }
    }
    expect(used.size).toBe(description.transitions.length);
  });

  it('draws every state and every event in Mermaid', () => {
    const mermaid = toMermaid(description);
    expect(mermaid.startsWith('stateDiagram-v2\n')).toBe(true);
    for (const state of description.states) {
      expect(mermaid).toContain(state.id.replaceAll('.', '_'));
      expect(mermaid).toContain(state.id.slice(state.id.lastIndexOf('.') + 1));
    }
    for (const event of ROLE_EVENT_TYPES) expect(mermaid).toContain(event);
    expect(mermaid).toContain('  [*] --> follower\n');
    expect(mermaid).toContain('  state leader {\n    [*] --> leader_serving\n');
    expect(mermaid).toContain('    leader_serving --> leader_transferring : TRANSFER_LEADERSHIP\n');
    expect(mermaid).toContain('  candidate --> leader : VOTE_QUORUM\n');
    expect(mermaid).toContain('  follower --> preCandidate : ELECTION_TIMEOUT [promotableWithPreVote]\n');
  });
});
