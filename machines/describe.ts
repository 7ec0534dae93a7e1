// The role statechart as plain data, computed by walking the machine
// definition itself (never a hand-kept list), so whatever the dashboard or
// `replikit statechart` draws is the machine that runs.

import { assert } from '../src/ground/assert.js';
import type { RoleState } from './role-driver.js';
import { roleMachine } from './role-machine.js';

export interface RoleStateDescription {
  /** Dotted path from the root: 'follower', 'leader', 'leader.serving'. */
  readonly id: string;
  /** The compound state this one is nested in. */
  readonly parent?: string;
  /** The state entered first when its parent (or the machine) is entered. */
  readonly initial?: boolean;
  /** Actions run on entering / leaving, in order. */
  readonly entry: readonly string[];
  readonly exit: readonly string[];
}

export interface RoleTransitionDescription {
  readonly from: string;
  /** A compound target (e.g. 'leader') means its initial substate is entered. */
  readonly to: string;
  readonly event: string;
  /** Name of the guard that must hold. */
  readonly guard?: string;
  /** The target is exited and entered again even when it is already active. */
  readonly reenter?: boolean;
}

export interface RoleMachineDescription {
  readonly states: readonly RoleStateDescription[];
  readonly transitions: readonly RoleTransitionDescription[];
}

// Only the parts of XState's StateNode this walk reads; its own types are
// generic over the whole machine and add nothing here. The compiler still
// checks that `roleMachine.root` fits this shape (no cast).
interface WalkedNode {
  readonly path: readonly string[];
  readonly states: Readonly<Record<string, WalkedNode>>;
  readonly initial: { readonly target: readonly WalkedNode[] } | undefined;
  readonly entry: readonly unknown[];
  readonly exit: readonly unknown[];
  readonly transitions: ReadonlyMap<string, readonly WalkedTransition[]>;
}

interface WalkedTransition {
  readonly source: WalkedNode;
  readonly target: readonly WalkedNode[] | undefined;
  readonly guard?: unknown;
  readonly reenter: boolean;
}

function pathOf(walked: WalkedNode): string {
  return walked.path.join('.');
}

/** A readable name for an action or guard, however XState stored it. */
function nameOf(reference: unknown): string {
  if (typeof reference === 'string') return reference;
  if (typeof reference === 'function') return reference.name || 'inline';
  if (typeof reference === 'object' && reference !== null && 'type' in reference) return String(reference.type);
  return 'inline';
}

function initialChildOf(walked: WalkedNode): WalkedNode | undefined {
  if (Object.keys(walked.states).length === 0) return undefined;
  return walked.initial?.target[0];
}

export function describeRoleMachine(): RoleMachineDescription {
  const states: RoleStateDescription[] = [];
  const transitions: RoleTransitionDescription[] = [];

  const walk = (current: WalkedNode, parent: WalkedNode | undefined, isInitial: boolean): void => {
    const id = pathOf(current);
    if (parent !== undefined) {
      const parentId = pathOf(parent);
      states.push({
        id,
        ...(parentId === '' ? {} : { parent: parentId }),
        ...(isInitial ? { initial: true } : {}),
        entry: current.entry.map(nameOf),
        exit: current.exit.map(nameOf),
      });
    }
    for (const [event, definitions] of current.transitions) {
      for (const definition of definitions) {
        const target = definition.target;
        assert(target === undefined || target.length === 1, `${id} ${event}: the role machine has no parallel targets`);
        const to = target?.[0] === undefined ? id : pathOf(target[0]);
        transitions.push({
          from: pathOf(definition.source),
          to,
          event,
          ...(definition.guard === undefined ? {} : { guard: nameOf(definition.guard) }),
          ...(definition.reenter ? { reenter: true } : {}),
        });
      }
    }
    const initialChild = initialChildOf(current);
    for (const child of Object.values(current.states)) walk(child, current, child === initialChild);
  };

  const root: WalkedNode = roleMachine.root;
  walk(root, undefined, false);
  return { states, transitions };
}

/** Where a role state sits in the drawing: the id of its innermost state. */
export function roleStatePath(state: RoleState): string {
  switch (state.role) {
    case 'follower':
      return 'follower';
    case 'pre-candidate':
      return 'preCandidate';
    case 'candidate':
      return 'candidate';
    case 'leader':
      return state.transferring ? 'leader.transferring' : 'leader.serving';
  }
}

// Mermaid ids may not contain dots; the label keeps the short name.
function mermaidId(id: string): string {
  return id.replaceAll('.', '_');
}

function parentOf(id: string): string {
  const dot = id.lastIndexOf('.');
  return dot === -1 ? '' : id.slice(0, dot);
}

function commonScope(a: string, b: string): string {
  let scope = a;
  while (scope !== '' && !(b === scope || b.startsWith(`${scope}.`))) scope = parentOf(scope);
  return scope;
}

/**
 * A `stateDiagram-v2`. Each transition is written inside the innermost
 * compound state holding both ends, because Mermaid cannot draw an edge between
 * states of different composites declared elsewhere.
 */
export function toMermaid(description: RoleMachineDescription): string {
  const lines: string[] = ['stateDiagram-v2'];
  const childrenOf = (scope: string) => description.states.filter((state) => (state.parent ?? '') === scope);
  const transitionsIn = (scope: string) => description.transitions.filter((t) => commonScope(parentOf(t.from), parentOf(t.to)) === scope);

  const emit = (scope: string, indent: string): void => {
    for (const state of childrenOf(scope)) {
      const name = state.id.slice(state.id.lastIndexOf('.') + 1);
      if (state.initial) lines.push(`${indent}[*] --> ${mermaidId(state.id)}`);
      if (childrenOf(state.id).length > 0) {
        lines.push(`${indent}state ${mermaidId(state.id)} {`);
        emit(state.id, `${indent}  `);
        lines.push(`${indent}}`);
      } else if (name !== state.id) {
        lines.push(`${indent}state "${name}" as ${mermaidId(state.id)}`);
      }
    }
    for (const t of transitionsIn(scope)) {
      const label = t.guard === undefined ? t.event : `${t.event} [${t.guard}]`;
      lines.push(`${indent}${mermaidId(t.from)} --> ${mermaidId(t.to)} : ${label}`);
    }
  };

  emit('', '  ');
  return `${lines.join('\n')}\n`;
}
