// Requests to one node made in the same tick of the event loop travel in one
// call: one structured clone and one postMessage for a whole batch, which is
// what lets a worker-thread cluster keep up with pipelined clients.

import type { ClientAnswer, ClientRequest } from '../node/requests.js';

/** Requests sent to a node in one call at most. */
const MAX_BATCH_REQUESTS = 4096;

export class RequestBatcher {
  private queue: { request: ClientRequest; resolve: (answer: ClientAnswer) => void }[] = [];
  private flushScheduled = false;

  constructor(private readonly send: (requests: ClientRequest[]) => Promise<ClientAnswer[]>) {}

  submit(request: ClientRequest): Promise<ClientAnswer> {
    return new Promise((resolve) => {
      this.queue.push({ request, resolve });
      if (this.queue.length >= MAX_BATCH_REQUESTS) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    void this.send(batch.map((item) => item.request)).then((answers) => {
      batch.forEach((item, i) => item.resolve(answers[i] as ClientAnswer));
    });
  }
}
