// The commands the key-value state machine applies, and their wire form.
// The core sees only bytes; this is the one place that gives them meaning.

import { Packr } from 'msgpackr';
import { decodeTaggedJson, encodeTaggedJson, isTaggedJson } from './tagged-json.js';

/** A client's write identity: retries reuse it, so the state machine applies the write once. */
export interface ClientSession {
  readonly clientId: string;
  readonly seq: number;
  /**
   * Every seq below this has been answered to the client, so its verdict may be forgotten
   * (sessions.ts). Defaults to seq: one write in flight. A client with many in flight sends its
   * lowest unanswered seq.
   */
  readonly floor?: number;
}

/**
 * `fencingToken`: the writer's token (e.g. the term of the lock or lease it
 * holds). The state machine remembers the highest token seen per key and
 * refuses a write carrying a lower one, so a deposed holder's late write
 * cannot clobber its successor's.
 */
export type KvCommand =
  | { readonly op: 'put'; readonly key: string; readonly value: unknown; readonly fencingToken?: number; readonly session?: ClientSession }
  | { readonly op: 'delete'; readonly key: string; readonly fencingToken?: number; readonly session?: ClientSession }
  | {
      readonly op: 'cas';
      readonly key: string;
      readonly expected: unknown;
      readonly next: unknown;
      readonly fencingToken?: number;
      readonly session?: ClientSession;
    };

// Commands are written as tagged JSON text (tagged-json.ts): the value inside
// comes back exactly as the client sent it, `__proto__` keys and lone
// surrogates included.
export function encodeCommand(command: KvCommand): Uint8Array {
  return encodeTaggedJson(command);
}

// Logs written before tagged JSON hold plain msgpack maps. They decode exactly
// as they always did, `__proto__` renamed: a node replaying an old entry must
// compute the state its peers computed from it, and they computed it so.
const legacy = new Packr({ useRecords: false, moreTypes: false });

export function decodeCommand(data: Uint8Array): KvCommand {
  const command = (isTaggedJson(data) ? decodeTaggedJson(data) : legacy.unpack(data)) as KvCommand;
  if (typeof command !== 'object' || command === null || typeof command.key !== 'string') {
    throw new TypeError('not a key-value command');
  }
  return command;
}
