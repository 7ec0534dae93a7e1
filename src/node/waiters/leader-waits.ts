// Leader-bound requests held while this node knows no leader it may send
// them to: none is known (an election runs), or the known one is the leader
// the client just failed to reach. Answering at once would send the client
// back to a dead node or into a backoff that outlasts the election; held,
// each is stepped again as soon as another leader is known, for at most one
// election's time.

import type { NodeId } from '../../core/types.js';
import { failure, type ClientAnswer, type ClientError, type ClientRequest } from '../requests.js';

/** Requests held at once; past this, they are refused at once. */
export const MAX_AWAITING_LEADER = 4096;

export interface HeldRequest {
  readonly request: ClientRequest;
  readonly resolve: (answer: ClientAnswer) => void;
  /** Until when it may wait (again, if it is held once more after its release). */
  readonly deadlineMs: number;
}

interface Held extends HeldRequest {
  /** The leader the client could not reach (or null): released once this node names another. */
  readonly unreachable: NodeId | null;
}

export class LeaderWaits {
  private held: Held[] = [];

  get size(): number {
    return this.held.length;
  }

  /** Holds the request when `leaderId` is none or the one its client could not reach; false when it must be answered now. */
  hold(request: ClientRequest, resolve: (answer: ClientAnswer) => void, leaderId: NodeId | null, deadlineMs: number, nowMs: number): boolean {
    const unreachable = request.unreachableLeader ?? null;
    if (leaderId !== null && leaderId !== unreachable) return false;
    if (this.held.length >= MAX_AWAITING_LEADER || deadlineMs <= nowMs) return false;
    this.held.push({ request, resolve, unreachable, deadlineMs });
    return true;
  }

  /** `leaderId` leads now: the requests that did not avoid it are returned, oldest first, to be stepped again. */
  release(leaderId: NodeId | null): HeldRequest[] {
    if (leaderId === null || this.held.length === 0) return [];
    const released = this.held.filter((held) => held.unreachable !== leaderId);
    if (released.length > 0) this.held = this.held.filter((held) => held.unreachable === leaderId);
    return released;
  }

  expire(nowMs: number, leaderId: NodeId | null): void {
    if (this.held.length === 0) return;
    this.held = this.held.filter((held) => {
      if (held.deadlineMs > nowMs) return true;
      const why = leaderId === null ? 'no leader was elected in time' : `the leader (${leaderId}) is the one the client could not reach`;
      held.resolve(failure('not-leader', why, { leaderId }));
      return false;
    });
  }

  failAll(error: ClientError): void {
    for (const held of this.held.splice(0)) held.resolve({ ok: false, error });
  }
}
