// What clients ask a node, and what it answers: plain data, so a batch of
// requests crosses to a worker thread in one call and back in one answer.

import type { NodeId, ReplicationMode, Role } from '../core/types.js';
import type { ErrorCode } from '../ground/errors.js';

export type ReadConsistency = 'linearizable' | 'lease' | 'read-your-writes' | 'monotonic' | 'bounded' | 'eventual';

export const READ_CONSISTENCIES: readonly ReadConsistency[] = ['linearizable', 'lease', 'read-your-writes', 'monotonic', 'bounded', 'eventual'];

export interface WriteOptions {
  readonly mode?: ReplicationMode;
  readonly minReplicas?: number;
  readonly timeoutMs?: number;
  readonly fencingToken?: number;
  /**
   * Exactly-once: a retry with the same clientId and seq is applied at most once. `floor`: every
   * seq below it was answered (default: seq, one write in flight).
   */
  readonly session?: { readonly clientId: string; readonly seq: number; readonly floor?: number };
}

/** What a client saw on its way to the leader. */
export interface Routing {
  /**
   * The leader this client could not reach. A node that still names it, or
   * names no leader, holds the request until it knows another one (or for one
   * election's time) instead of sending the client back to a dead node.
   */
  readonly unreachableLeader?: NodeId;
}

export type WriteRequest = Routing &
  (
    | { readonly kind: 'put'; readonly key: string; readonly value: unknown; readonly options?: WriteOptions }
    | { readonly kind: 'delete'; readonly key: string; readonly options?: WriteOptions }
    | {
        readonly kind: 'cas';
        readonly key: string;
        readonly expected: unknown;
        readonly next: unknown;
        readonly options?: WriteOptions;
      }
  );

export interface ReadRequest extends Routing {
  readonly kind: 'get';
  readonly key: string;
  readonly consistency: ReadConsistency;
  /** read-your-writes / monotonic: wait until this index is applied here. */
  readonly minIndex?: number;
  /** bounded: refuse when this node is more than this far behind the leader. */
  readonly maxLagMs?: number;
}

export type ClientRequest = WriteRequest | ReadRequest;

export type { ErrorCode } from '../ground/errors.js';

export interface ClientError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly leaderId?: NodeId | null;
  /** cas-mismatch: the value found. */
  readonly current?: unknown;
  readonly lagMs?: number;
  /**
   * unknown-outcome only: the outcome is unknown because leadership moved or the node stopped, not
   * because the write was slow. Sent again with the same session seq, it is settled exactly once.
   */
  readonly retryable?: boolean;
}

export type WriteAnswer =
  | { readonly ok: true; readonly term: number; readonly index: number; readonly degraded: boolean; readonly previous?: unknown }
  | { readonly ok: false; readonly error: ClientError; readonly term?: number; readonly index?: number };

export type ReadAnswer =
  | {
      readonly ok: true;
      readonly found: boolean;
      readonly value: unknown;
      /** The applied index the value reflects. */
      readonly index: number;
      readonly nodeId: NodeId;
      readonly role: Role;
      /** How far behind the leader this answer may be (0 on a leader). */
      readonly lagMs: number;
    }
  | { readonly ok: false; readonly error: ClientError };

export type ClientAnswer = WriteAnswer | ReadAnswer;

export function failure(code: ErrorCode, message: string, extra: Partial<ClientError> = {}): { ok: false; error: ClientError } {
  return { ok: false, error: { code, message, ...extra } };
}
