// What leaderless nodes say to each other. A coordinator (any node a client
// asked) talks to the replicas of a key; the replicas answer it. Every
// message carries data only, so msgpackr carries it and the simulator can
// lose, delay or duplicate it. Replies name the coordinator's incarnation:
// a reply to a request of an earlier life of that node is ignored, since
// request ids start again after a restart.

import type { Dot } from '../convergence/dots.js';
import type { VersionVector } from '../convergence/version-vector.js';
import type { KeyClock, NodeId, Sibling } from './types.js';

/** Which coordinator's request a message belongs to. */
export interface RequestRef {
  readonly coordinator: NodeId;
  readonly incarnation: number;
  readonly requestId: number;
}

interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
}

/**
 * Asks one replica to give a new write its dot (to "stamp" it): the replica
 * writes it over its own state of the key with the client's context, and
 * answers with the resulting clock. Only the node whose replica the dot is
 * stamped on can number its own events, so the coordinator never stamps on
 * a replica it does not hold.
 */
export interface StampMessage extends Envelope, RequestRef {
  readonly type: 'stamp';
  readonly key: string;
  readonly context: VersionVector;
  readonly write: Sibling;
  /** Set when the replica is a fallback: the down primary this write is meant for. */
  readonly hintFor: NodeId | null;
}

export type StampRefusal = 'too-many-siblings' | 'hints-full';

export interface StampedMessage extends Envelope, RequestRef {
  readonly type: 'stamped';
  readonly key: string;
  readonly outcome: { readonly ok: true; readonly clock: KeyClock; readonly dot: Dot } | { readonly ok: false; readonly error: StampRefusal };
}

/** The stamped clock, sent to the other replicas of the write. */
export interface ReplicateMessage extends Envelope, RequestRef {
  readonly type: 'replicate';
  readonly key: string;
  readonly clock: KeyClock;
  readonly hintFor: NodeId | null;
}

export interface ReplicatedMessage extends Envelope, RequestRef {
  readonly type: 'replicated';
  readonly key: string;
  /** False when the replica refused it (a fallback whose hints for that primary are full). */
  readonly ok: boolean;
}

export interface ReadMessage extends Envelope, RequestRef {
  readonly type: 'read';
  readonly key: string;
}

export interface ReadReplyMessage extends Envelope, RequestRef {
  readonly type: 'read-reply';
  readonly key: string;
  /** null: this replica holds nothing for the key. */
  readonly clock: KeyClock | null;
}

/** Read repair: the merged clock, sent after a read to replicas that answered stale or missing. No reply. */
export interface RepairMessage extends Envelope {
  readonly type: 'repair';
  readonly key: string;
  readonly clock: KeyClock;
}

/** Hinted handoff: a fallback gives a primary what it held for it. */
export interface HandoffMessage extends Envelope {
  readonly type: 'handoff';
  readonly key: string;
  readonly clock: KeyClock;
}

/** The primary's context after merging a handoff; the fallback drops its hint once this covers what it holds. */
export interface HandoffAckMessage extends Envelope {
  readonly type: 'handoff-ack';
  readonly key: string;
  readonly context: VersionVector;
}

export type LeaderlessMessage =
  StampMessage | StampedMessage | ReplicateMessage | ReplicatedMessage | ReadMessage | ReadReplyMessage | RepairMessage | HandoffMessage | HandoffAckMessage;

/** The replies a coordinator's pending request receives. */
export type CoordinatorReply = StampedMessage | ReplicatedMessage | ReadReplyMessage;
