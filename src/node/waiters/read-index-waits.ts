// Linearizable and lease reads waiting for their read index: the leader's own
// (a heartbeat round must confirm it) or one this follower asked its leader
// for. Released, a read then waits to be applied (AppliedIndexWaits);
// dropped (leadership moved, no answer), it is asked again by the runtime
// until its own deadline.

import type { NodeId, ReadState } from '../../core/types.js';
import { failure, type ClientError, type ReadAnswer, type ReadRequest } from '../requests.js';

export interface ReadIndexWait {
  readonly request: ReadRequest;
  readonly resolve: (answer: ReadAnswer) => void;
  readonly deadlineMs: number;
  /** Who was asked for the read index: this node when it led, else the leader it followed. */
  readonly askedLeader: NodeId;
}

export class ReadIndexWaits {
  private readonly byId = new Map<number, ReadIndexWait>();

  get size(): number {
    return this.byId.size;
  }

  add(requestId: number, wait: ReadIndexWait): void {
    this.byId.set(requestId, wait);
  }

  /** The released reads, each with the index it must see applied. */
  released(readStates: readonly ReadState[]): { wait: ReadIndexWait; index: number }[] {
    const out: { wait: ReadIndexWait; index: number }[] = [];
    for (const { requestId, index } of readStates) {
      const wait = this.take(requestId);
      if (wait) out.push({ wait, index });
    }
    return out;
  }

  /** The dropped reads, to be asked again. */
  dropped(requestIds: readonly number[]): ReadIndexWait[] {
    const out: ReadIndexWait[] = [];
    for (const requestId of requestIds) {
      const wait = this.take(requestId);
      if (wait) out.push(wait);
    }
    return out;
  }

  expire(nowMs: number): void {
    for (const [requestId, wait] of this.byId) {
      if (wait.deadlineMs > nowMs) continue;
      this.byId.delete(requestId);
      wait.resolve(failure('timeout', 'the leader could not confirm its leadership in time'));
    }
  }

  failAll(error: ClientError): void {
    for (const wait of this.byId.values()) wait.resolve({ ok: false, error });
    this.byId.clear();
  }

  private take(requestId: number): ReadIndexWait | undefined {
    const wait = this.byId.get(requestId);
    this.byId.delete(requestId);
    return wait;
  }
}
