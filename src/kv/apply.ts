// Applying one command to a key-value state: what it answers and what it
// changes. The state is reached through two functions so the same rules run
// over a Map in the simulator and over LMDB in a node.

import type { KvCommand } from './command.js';
import { valuesEqual } from './values.js';

export type KvMutation = { readonly type: 'set'; readonly key: string; readonly value: unknown } | { readonly type: 'delete'; readonly key: string };

export type KvResult =
  | { readonly ok: true; readonly previous: unknown }
  | { readonly ok: false; readonly reason: 'cas-mismatch'; readonly current: unknown };

export interface KvView {
  /** The current value, or undefined when the key is absent. */
  get(key: string): unknown;
}

/** Absent keys compare as null, so `cas(key, null, v)` means "create if absent". */
export function applyCommand(view: KvView, command: KvCommand): { result: KvResult; mutation: KvMutation | null } {
  const current = view.get(command.key);
  switch (command.op) {
    case 'put':
      return { result: { ok: true, previous: current }, mutation: { type: 'set', key: command.key, value: command.value } };
    case 'delete':
      return {
        result: { ok: true, previous: current },
        mutation: current === undefined ? null : { type: 'delete', key: command.key },
      };
    case 'cas':
      if (!valuesEqual(current ?? null, command.expected)) {
        return { result: { ok: false, reason: 'cas-mismatch', current: current ?? null }, mutation: null };
      }
      return { result: { ok: true, previous: current }, mutation: { type: 'set', key: command.key, value: command.next } };
  }
}

/** Apply to a Map (the simulator's state machine, and a staging overlay in the runtime). */
export function applyToMap(map: Map<string, unknown>, command: KvCommand): KvResult {
  const { result, mutation } = applyCommand({ get: (key) => map.get(key) }, command);
  if (mutation?.type === 'set') map.set(mutation.key, mutation.value);
  else if (mutation?.type === 'delete') map.delete(mutation.key);
  return result;
}
