// Every transition the role machine's own definition declares is drawn: this
// walks roleMachine.config (the object handed to createMachine: each state's
// `on`, `after` and `always`), not describeRoleMachine(), which is what the
// layout itself reads, so a transition the description or the layout drops is
// caught here.

import { describe, expect, it } from 'vitest';
import { describeRoleMachine, roleMachine } from '../../machines/index.js';
import { layoutStatechart } from '../../src/dashboard/statechart-layout.js';

interface DeclaredTransition {
  readonly from: string;
  readonly to: string;
  /** The event, `after <delay>` or `always`. */
  readonly trigger: string;
  readonly guard?: string;
}

type Config = Readonly<Record<string, unknown>>;
const isConfig = (value: unknown): value is Config => typeof value === 'object' && value !== null;

/** A target as XState resolves it: `x` a sibling, `.x` a child, `#role.a.b` from the root; none: the state itself. */
function resolve(target: unknown, path: readonly string[]): string {
  if (target === undefined) return path.join('.');
  expect(typeof target, `target of ${path.join('.')}`).toBe('string');
  const text = target as string;
  if (text.startsWith('#')) return text.slice(1).split('.').slice(1).join('.');
  if (text.startsWith('.')) return [...path, text.slice(1)].join('.');
  return [...path.slice(0, -1), text].join('.');
}

function guardName(guard: unknown): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  return isConfig(guard) && typeof guard['type'] === 'string' ? guard['type'] : 'inline';
}

/** Every transition a state config declares, and those of the states inside it. */
function declaredTransitions(config: Config, path: readonly string[] = []): DeclaredTransition[] {
  const found: DeclaredTransition[] = [];
  const add = (trigger: string, definitions: unknown): void => {
    for (const definition of Array.isArray(definitions) ? definitions : [definitions]) {
      const t: Config = typeof definition === 'string' ? { target: definition } : isConfig(definition) ? definition : {};
      const guard = guardName(t['guard']);
      found.push({ from: path.join('.'), to: resolve(t['target'], path), trigger, ...(guard === undefined ? {} : { guard }) });
    }
  };
  for (const [event, definitions] of Object.entries(isConfig(config['on']) ? config['on'] : {})) add(event, definitions);
  for (const [delay, definitions] of Object.entries(isConfig(config['after']) ? config['after'] : {})) add(`after ${delay}`, definitions);
  if (config['always'] !== undefined) add('always', config['always']);
  for (const [name, child] of Object.entries(isConfig(config['states']) ? config['states'] : {})) {
    if (isConfig(child)) found.push(...declaredTransitions(child, [...path, name]));
  }
  return found;
}

/** The trigger a drawn event stands for: XState names a delayed transition's event `xstate.after.<delay>.<state id>`. */
function triggerOf(event: string): string {
  return event.startsWith('xstate.after.') ? `after ${event.split('.')[2]}` : event;
}

describe('the statechart drawing', () => {
  const declared = declaredTransitions(roleMachine.config as Config);

  it('finds the transitions the role machine declares (the walk itself works)', () => {
    // Four states' worth of `on` blocks: a walk that read nothing would pass the next test vacuously.
    expect(declared.length).toBeGreaterThanOrEqual(20);
    expect(declared).toContainEqual({ from: 'leader.serving', to: 'leader.transferring', trigger: 'TRANSFER_LEADERSHIP' });
    expect(declared).toContainEqual({ from: 'follower', to: 'preCandidate', trigger: 'LEADER_CRASHED', guard: 'promotableWithPreVote' });
    expect(new Set(declared.map((t) => t.from))).toEqual(new Set(['follower', 'preCandidate', 'candidate', 'leader', 'leader.serving', 'leader.transferring']));
  });

  it('draws every transition the machine declares, on the arrow between its two states, with its guard', () => {
    const layout = layoutStatechart(describeRoleMachine());
    const missing = declared.filter(
      (t) =>
        !layout.edges.some(
          (edge) =>
            edge.from === t.from && edge.to === t.to && edge.transitions.some((drawn) => triggerOf(drawn.event) === t.trigger && drawn.guard === t.guard),
        ),
    );
    expect(missing, 'declared by the machine but not drawn').toEqual([]);
  });

  it('draws nothing the machine does not declare', () => {
    const layout = layoutStatechart(describeRoleMachine());
    const drawn = layout.edges.flatMap((edge) => edge.transitions.map((t) => `${edge.from} -${triggerOf(t.event)}-> ${edge.to}`));
    expect(drawn.sort()).toEqual(declared.map((t) => `${t.from} -${t.trigger}-> ${t.to}`).sort());
  });
});
