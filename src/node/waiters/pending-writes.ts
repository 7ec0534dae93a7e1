// Writes the leader proposed, waiting for their answer. A write is answered
// once its replication mode's acknowledgement came and, for a cas, once its
// result is known (the state machine decides it); a leadership loss, a
// snapshot that replaced the log or the deadline leave its outcome unknown.

import type { WriteAck } from '../../core/types.js';
import type { KvResult } from '../../kv/apply.js';
import { failure, type ClientError, type WriteAnswer, type WriteRequest } from '../requests.js';

interface PendingWrite {
  readonly request: WriteRequest;
  readonly term: number;
  readonly index: number;
  readonly deadlineMs: number;
  readonly resolve: (answer: WriteAnswer) => void;
  ack: WriteAck | null;
  applied: KvResult | null;
}

export class PendingWrites {
  private readonly byIndex = new Map<number, PendingWrite>();

  get size(): number {
    return this.byIndex.size;
  }

  add(request: WriteRequest, index: number, term: number, deadlineMs: number, resolve: (answer: WriteAnswer) => void): void {
    this.byIndex.set(index, { request, term, index, deadlineMs, resolve, ack: null, applied: null });
  }

  /** The state machine applied the entry at `index` (of `term`), with `result` for a command. */
  applied(index: number, term: number, result: KvResult | null): void {
    const pending = this.byIndex.get(index);
    if (!pending) return;
    if (pending.term !== term) {
      this.settle(pending, failure('not-leader', 'a new leader replaced this write before it committed; it did not happen'));
      return;
    }
    pending.applied = result ?? { ok: true, previous: undefined };
    this.maybeAnswer(pending);
  }

  acked(ack: WriteAck): void {
    const pending = this.byIndex.get(ack.index);
    if (!pending || pending.term !== ack.term) return;
    pending.ack = ack;
    this.maybeAnswer(pending);
  }

  /** A leader's snapshot replaced the log through `index`: those writes' outcomes are unknown. */
  discardThrough(index: number): void {
    for (const pending of [...this.byIndex.values()]) {
      if (pending.index <= index) this.settle(pending, failure('unknown-outcome', 'replaced by a snapshot before the outcome was known', { retryable: true }));
    }
  }

  expire(nowMs: number): void {
    for (const pending of [...this.byIndex.values()]) {
      if (pending.deadlineMs <= nowMs) this.settle(pending, failure('unknown-outcome', 'no answer in time; the write may or may not have happened'));
    }
  }

  failAll(error: ClientError): void {
    for (const pending of [...this.byIndex.values()]) this.settle(pending, { ok: false, error });
  }

  private maybeAnswer(pending: PendingWrite): void {
    const { ack, applied } = pending;
    if (!ack) return;
    if (!ack.ok) {
      const why = ack.reason === 'sync-timeout' ? 'not every replica confirmed in time' : 'leadership was lost';
      this.settle(pending, {
        ...failure('unknown-outcome', `${why}; the write may or may not have happened`, ack.reason === 'leadership-lost' ? { retryable: true } : {}),
        term: pending.term,
        index: pending.index,
      });
      return;
    }
    if (pending.request.kind === 'cas' && !applied) return;
    if (applied && !applied.ok) {
      this.settle(pending, refusal(applied));
      return;
    }
    this.settle(pending, {
      ok: true,
      term: pending.term,
      index: pending.index,
      degraded: ack.degraded,
      ...(applied ? { previous: applied.previous } : {}),
    });
  }

  private settle(pending: PendingWrite, answer: WriteAnswer): void {
    this.byIndex.delete(pending.index);
    pending.resolve(answer);
  }
}

function refusal(result: Extract<KvResult, { ok: false }>): WriteAnswer {
  switch (result.reason) {
    case 'cas-mismatch':
      return failure('cas-mismatch', 'the current value is not the expected one', { current: result.current });
    case 'stale-fencing-token':
      return failure('stale-fencing-token', `a write with token ${result.highestToken} was already accepted`);
    case 'stale-sequence':
      return failure('bad-request', `this session's writes up to seq ${result.lastSeq} were all answered; a retry must use its own seq, above that`);
  }
}
