// Reads waiting until this node has applied an index: a linearizable read
// once its read index is known, a read-your-writes or monotonic read until
// the index the client last saw. Served from the local state machine then.

import { failure, type ClientError, type ReadAnswer, type ReadRequest } from '../requests.js';

interface AppliedIndexWait {
  readonly request: ReadRequest;
  readonly index: number;
  readonly deadlineMs: number;
  readonly resolve: (answer: ReadAnswer) => void;
}

export class AppliedIndexWaits {
  private waiting: AppliedIndexWait[] = [];

  get size(): number {
    return this.waiting.length;
  }

  add(request: ReadRequest, index: number, deadlineMs: number, resolve: (answer: ReadAnswer) => void): void {
    this.waiting.push({ request, index, deadlineMs, resolve });
  }

  /** `appliedIndex` is applied: every read waiting for it or less is served by `read`. */
  serve(appliedIndex: number, read: (request: ReadRequest) => ReadAnswer): void {
    if (this.waiting.length === 0) return;
    this.waiting = this.waiting.filter((wait) => {
      if (wait.index > appliedIndex) return true;
      wait.resolve(read(wait.request));
      return false;
    });
  }

  expire(nowMs: number, nodeId: string): void {
    if (this.waiting.length === 0) return;
    this.waiting = this.waiting.filter((wait) => {
      if (wait.deadlineMs > nowMs) return true;
      wait.resolve(failure('timeout', `index ${wait.index} was not applied on ${nodeId} in time`));
      return false;
    });
  }

  failAll(error: ClientError): void {
    for (const wait of this.waiting.splice(0)) wait.resolve({ ok: false, error });
  }
}
