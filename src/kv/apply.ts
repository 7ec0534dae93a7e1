// Applying one command to a key-value state: what it answers and what it
// changes. The state is reached through one function so the same rules run
// over a Map in the simulator and over LMDB in a node.

import type { KvCommand } from './command.js';
import { fenceKey } from './keys.js';
import { checkSession, rememberVerdict } from './sessions.js';
import { valuesEqual } from './values.js';

export type KvMutation = { readonly type: 'set'; readonly key: string; readonly value: unknown } | { readonly type: 'delete'; readonly key: string };

export type KvResult =
  | { readonly ok: true; readonly previous: unknown }
  | { readonly ok: false; readonly reason: 'cas-mismatch'; readonly current: unknown }
  | { readonly ok: false; readonly reason: 'stale-fencing-token'; readonly highestToken: number }
  | { readonly ok: false; readonly reason: 'stale-sequence'; readonly lastSeq: number };

export interface KvView {
  /** The current value, or undefined when the key is absent. */
  get(key: string): unknown;
}

/**
 * Absent keys compare as null, so `cas(key, null, v)` means "create if absent".
 * With a session, a retry of a write whose verdict is kept (same seq) gets the
 * first answer and changes nothing; a seq below the session's floor is refused
 * (sessions.ts).
 */
export function applyCommand(view: KvView, command: KvCommand): { result: KvResult; mutations: KvMutation[] } {
  const session = command.session;
  if (!session) return applyOnce(view, command);
  const check = checkSession(view, session);
  if (check.kind === 'answered') return { result: check.result, mutations: [] };
  const applied = applyOnce(view, command);
  applied.mutations.push(...rememberVerdict(session, check, applied.result));
  return applied;
}

function applyOnce(view: KvView, command: KvCommand): { result: KvResult; mutations: KvMutation[] } {
  const mutations: KvMutation[] = [];
  if (command.fencingToken !== undefined) {
    const highest = view.get(fenceKey(command.key));
    if (typeof highest === 'number' && command.fencingToken < highest) {
      return { result: { ok: false, reason: 'stale-fencing-token', highestToken: highest }, mutations };
    }
    if (highest !== command.fencingToken) {
      mutations.push({ type: 'set', key: fenceKey(command.key), value: command.fencingToken });
    }
  }
  const current = view.get(command.key);
  switch (command.op) {
    case 'put':
      mutations.push({ type: 'set', key: command.key, value: command.value });
      return { result: { ok: true, previous: current }, mutations };
    case 'delete':
      if (current !== undefined) mutations.push({ type: 'delete', key: command.key });
      return { result: { ok: true, previous: current }, mutations };
    case 'cas':
      if (!valuesEqual(current ?? null, command.expected)) {
        // A refused cas changes nothing, not even the token it carried.
        return { result: { ok: false, reason: 'cas-mismatch', current: current ?? null }, mutations: [] };
      }
      mutations.push({ type: 'set', key: command.key, value: command.next });
      return { result: { ok: true, previous: current }, mutations };
  }
}

export function applyMutations(map: Map<string, unknown>, mutations: readonly KvMutation[]): void {
  for (const mutation of mutations) {
    if (mutation.type === 'set') map.set(mutation.key, mutation.value);
    else map.delete(mutation.key);
  }
}

/** Apply to a Map (the simulator's state machine, and a staging overlay in the runtime). */
export function applyToMap(map: Map<string, unknown>, command: KvCommand): KvResult {
  const { result, mutations } = applyCommand({ get: (key) => map.get(key) }, command);
  applyMutations(map, mutations);
  return result;
}
