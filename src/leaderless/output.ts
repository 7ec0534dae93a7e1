// What a leaderless core hands back from `drain()`: data only. The runtime
// persists `writes` in one batch before it sends `messages` or delivers
// `answers`, because a message or an answer may promise what they hold.

import type { Dot } from '../convergence/dots.js';
import type { LeaderlessMessage, RequestRef } from './messages.js';
import type { Answer } from './requests.js';
import type { KeyClock, NodeId } from './types.js';

export type PersistWrite =
  | { readonly kind: 'store'; readonly key: string; readonly clock: KeyClock }
  | { readonly kind: 'hint-added'; readonly target: NodeId; readonly key: string }
  | { readonly kind: 'hint-removed'; readonly target: NodeId; readonly key: string };

/** A dot this node gave a write, for whoever keeps a history (a runtime's log, the simulator's checker). */
export interface Stamp extends RequestRef {
  readonly key: string;
  readonly dot: Dot;
}

export interface LeaderlessOutput {
  readonly writes: PersistWrite[];
  readonly messages: LeaderlessMessage[];
  readonly answers: Answer[];
  readonly stamps: Stamp[];
}

export function emptyOutput(): LeaderlessOutput {
  return { writes: [], messages: [], answers: [], stamps: [] };
}
