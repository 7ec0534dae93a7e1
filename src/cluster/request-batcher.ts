// Requests to one node made in the same tick of the event loop travel in one
// call: one structured clone and one postMessage for a whole batch, which is
// what lets a worker-thread cluster keep up with pipelined clients. Embedded
// callers batch per microtask (their puts are made in one synchronous run);
// an HTTP server batches per event-loop turn (`flushOn: 'immediate'`), since
// requests from different sockets arrive in different callbacks of the same
// poll phase.

import type { ClientAnswer, ClientRequest } from '../node/requests.js';

/** Requests sent to a node in one call at most. */
const MAX_BATCH_REQUESTS = 4096;

export class RequestBatcher {
  private queue: { request: ClientRequest; resolve: (answer: ClientAnswer) => void }[] = [];
  private flushScheduled = false;

  private readonly scheduleFlush: (flush: () => void) => void;

  constructor(
    private readonly send: (requests: ClientRequest[]) => Promise<ClientAnswer[]>,
    flushOn: 'microtask' | 'immediate' = 'microtask',
  ) {
    this.scheduleFlush = flushOn === 'microtask' ? queueMicrotask : (flush) => void setImmediate(flush);
  }

  submit(request: ClientRequest): Promise<ClientAnswer> {
    return new Promise((resolve) => {
      this.queue.push({ request, resolve });
      if (this.queue.length >= MAX_BATCH_REQUESTS) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        this.scheduleFlush(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    void this.send(batch.map((item) => item.request)).then(
      (answers) => batch.forEach((item, i) => item.resolve(answers[i] as ClientAnswer)),
      // A send that fails must not leave its callers waiting forever; a write may have been delivered.
      (error: unknown) => {
        const message = `the node could not be asked: ${error instanceof Error ? error.message : String(error)}`;
        for (const { request, resolve } of batch) {
          resolve({ ok: false, error: { code: request.kind === 'get' ? 'timeout' : 'unknown-outcome', message } });
        }
      },
    );
  }
}
