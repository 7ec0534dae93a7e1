// The coordinator's side of a client request: what it sent, to whom, and the
// answers it has counted. A write is answered once `w` replicas hold it; a
// read once `r` replicas answered, and it stays open after that (until every
// target answered or the deadline) only to repair the stale ones.

import { assert } from '../ground/assert.js';
import type { Dot } from '../convergence/dots.js';
import type { JsonValue } from '../convergence/json.js';
import type { VersionVector } from '../convergence/version-vector.js';
import type { SloppyTarget } from './ring.js';
import type { KeyClock, NodeId } from './types.js';

/** Requests one coordinator holds open at once; past this it answers `busy` rather than queue without end. */
export const MAX_PENDING_REQUESTS = 4096;

export type Operation = 'put' | 'delete' | 'get';

export interface ClientRequest {
  readonly op: Operation;
  readonly key: string;
  /** The value of a put. */
  readonly value?: JsonValue;
  /** The context token of an earlier read; absent: a blind write, concurrent with every value there. */
  readonly context?: VersionVector;
  readonly n: number;
  readonly r: number;
  readonly w: number;
  /** Ticks from now after which the request is answered with what it has. */
  readonly deadlineTicks: number;
}

export type FailureReason = 'timeout' | 'busy' | 'bad-request' | 'too-many-siblings' | 'hints-full';

export type Answer =
  | {
      readonly requestId: number;
      readonly op: 'put' | 'delete';
      readonly ok: true;
      readonly replicasAnswered: number;
      /**
       * The dot this write was given: who stamped it and as which of its events. There is no
       * context token here on purpose: the stamper's vector also covers siblings this client never
       * saw, and writing with it would replace them. A client that writes again reads first.
       */
      readonly dot: Dot;
    }
  | {
      readonly requestId: number;
      readonly op: 'get';
      readonly ok: true;
      readonly replicasAnswered: number;
      /** Every live sibling; empty when the key is absent or deleted. */
      readonly values: JsonValue[];
      readonly context: VersionVector;
    }
  | {
      readonly requestId: number;
      readonly op: Operation;
      readonly ok: false;
      readonly error: FailureReason;
      readonly replicasAnswered: number;
      /** A write that was stamped before it failed may still be applied: its dot, when the coordinator knows it. */
      readonly dot?: Dot;
      readonly detail?: string;
    };

export interface PendingWrite {
  readonly kind: 'write';
  readonly op: 'put' | 'delete';
  readonly requestId: number;
  readonly key: string;
  readonly targets: readonly SloppyTarget[];
  readonly stamper: NodeId;
  readonly w: number;
  readonly deadlineTick: number;
  readonly acked: Set<NodeId>;
  stamp: { readonly clock: KeyClock; readonly dot: Dot } | null;
}

export interface PendingRead {
  readonly kind: 'read';
  readonly requestId: number;
  readonly key: string;
  readonly targets: readonly SloppyTarget[];
  readonly r: number;
  readonly deadlineTick: number;
  readonly replies: Map<NodeId, KeyClock | null>;
  answered: boolean;
}

export type PendingRequest = PendingWrite | PendingRead;

/** The coordinator's open requests, by id, at most MAX_PENDING_REQUESTS. */
export class PendingRequests {
  private readonly byId = new Map<number, PendingRequest>();

  constructor(readonly limit: number = MAX_PENDING_REQUESTS) {}

  hasRoom(): boolean {
    return this.byId.size < this.limit;
  }

  add(request: PendingRequest): void {
    assert(this.hasRoom(), `pending requests over their limit (${this.limit})`);
    assert(!this.byId.has(request.requestId), `request id ${request.requestId} reused`);
    this.byId.set(request.requestId, request);
  }

  get(requestId: number): PendingRequest | undefined {
    return this.byId.get(requestId);
  }

  delete(requestId: number): void {
    this.byId.delete(requestId);
  }

  /** The requests whose deadline is at or before `nowTick`, oldest id first. */
  expired(nowTick: number): PendingRequest[] {
    return [...this.byId.values()].filter((request) => request.deadlineTick <= nowTick);
  }

  get size(): number {
    return this.byId.size;
  }
}

/** Why the request cannot be served as asked, or null. The ring's size bounds n. */
export function invalidRequest(request: ClientRequest, ringSize: number): string | null {
  const { n, r, w } = request;
  if (typeof request.key !== 'string' || request.key.length === 0) return 'key must be a non-empty string';
  if (!Number.isSafeInteger(n) || n < 1 || n > ringSize) return `n must be between 1 and the ring's ${ringSize} nodes`;
  if (!Number.isSafeInteger(r) || r < 1 || r > n) return 'r must be between 1 and n';
  if (!Number.isSafeInteger(w) || w < 1 || w > n) return 'w must be between 1 and n';
  if (!Number.isSafeInteger(request.deadlineTicks) || request.deadlineTicks < 1) return 'deadlineTicks must be a positive integer';
  if (request.op === 'put' && request.value === undefined) return 'a put needs a value';
  return null;
}
