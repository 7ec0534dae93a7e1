// A follower's reads waiting for its leader's read index (ReadIndex from a
// follower). Each is sent to the leader the follower knows; the answer comes
// back as a ReadIndexResponse. A read is dropped (the runtime asks again) when
// the leader it was sent to is no longer the leader this node follows, when
// that leader says it is no leader, or when no answer came within the retry
// limit; a lost request or answer is sent again first.

import { assert } from '../ground/assert.js';
import type { NodeId } from './types.js';

interface ForwardedRead {
  readonly requestId: number;
  readonly lease: boolean;
  leaderId: NodeId;
  sentTick: number;
  attempts: number;
}

/** A read whose answer did not come is sent again at most this often before it is dropped. */
export const MAX_READ_INDEX_ATTEMPTS = 3;

export class ForwardedReads {
  private readonly pending = new Map<number, ForwardedRead>();

  constructor(private readonly maxPending: number) {}

  isFull(): boolean {
    return this.pending.size >= this.maxPending;
  }

  get size(): number {
    return this.pending.size;
  }

  add(requestId: number, lease: boolean, leaderId: NodeId, nowTick: number): void {
    assert(!this.pending.has(requestId), `read ${requestId} forwarded twice`);
    assert(!this.isFull(), 'forwarded reads are bounded');
    this.pending.set(requestId, { requestId, lease, leaderId, sentTick: nowTick, attempts: 1 });
  }

  /** The answer for `requestId` came from `from`; false when no such read waits for that node. */
  settle(requestId: number, from: NodeId): boolean {
    const read = this.pending.get(requestId);
    if (!read || read.leaderId !== from) return false;
    this.pending.delete(requestId);
    return true;
  }

  /** Reads sent to another node than `leaderId` (null: none known): removed and returned. */
  dropUnlessSentTo(leaderId: NodeId | null): number[] {
    const dropped: number[] = [];
    for (const [requestId, read] of this.pending) {
      if (read.leaderId === leaderId) continue;
      this.pending.delete(requestId);
      dropped.push(requestId);
    }
    return dropped;
  }

  /**
   * Reads unanswered for `timeoutTicks`: those with attempts left are returned to send again (and
   * restamped), the others are removed and returned as dropped.
   */
  due(nowTick: number, timeoutTicks: number): { resend: { requestId: number; lease: boolean; leaderId: NodeId }[]; dropped: number[] } {
    const resend: { requestId: number; lease: boolean; leaderId: NodeId }[] = [];
    const dropped: number[] = [];
    for (const [requestId, read] of this.pending) {
      if (nowTick - read.sentTick < timeoutTicks) continue;
      if (read.attempts >= MAX_READ_INDEX_ATTEMPTS) {
        this.pending.delete(requestId);
        dropped.push(requestId);
        continue;
      }
      read.attempts += 1;
      read.sentTick = nowTick;
      resend.push({ requestId, lease: read.lease, leaderId: read.leaderId });
    }
    return { resend, dropped };
  }
}
