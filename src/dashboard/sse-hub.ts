// The open event streams (Server-Sent Events) of one dashboard: a bounded set
// of clients, each dropped from the set as soon as its connection closes, and
// a slow reader either skips snapshots (they supersede each other) or, past a
// buffer limit, is disconnected rather than buffered without end.

import type { ServerResponse } from 'node:http';

export interface SseHubOptions {
  readonly maxClients: number;
  readonly keepaliveIntervalMs: number;
  readonly retryMs: number;
  readonly maxBufferBytes: number;
  /** Called with the new number of clients whenever one joins or leaves. */
  readonly onClientCountChange?: (count: number) => void;
}

interface SseClient {
  readonly res: ServerResponse;
  readonly keepalive: ReturnType<typeof setInterval>;
}

export class SseHub {
  private readonly clients = new Set<SseClient>();
  private closed = false;

  constructor(private readonly options: SseHubOptions) {}

  get size(): number {
    return this.clients.size;
  }

  /**
   * Opens a stream on `res` and sends `first` on it before anything else;
   * answers 503 instead when the hub is full or closed. Returns whether the
   * client was accepted.
   */
  accept(res: ServerResponse, first: readonly string[]): boolean {
    if (this.closed || this.clients.size >= this.options.maxClients) {
      const body = JSON.stringify({
        error: 'Too many dashboards',
        detail: `this server feeds at most ${this.options.maxClients} open dashboards; close one or retry later`,
      });
      res.writeHead(503, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
        'Retry-After': '5',
      });
      res.end(body);
      return false;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // Proxies that buffer responses (nginx) would hold the stream back.
      'X-Accel-Buffering': 'no',
      'X-Content-Type-Options': 'nosniff',
    });
    res.write(`retry: ${this.options.retryMs}\n\n`);
    for (const message of first) res.write(message);
    const client: SseClient = {
      res,
      keepalive: setInterval(() => this.write(client, ': keepalive\n\n'), this.options.keepaliveIntervalMs),
    };
    this.clients.add(client);
    // The response's 'close' is the connection going away (a closed tab); the
    // request's would also fire once its (empty) body has been read.
    const drop = (): void => this.drop(client);
    res.on('close', drop);
    res.on('error', drop);
    this.options.onClientCountChange?.(this.clients.size);
    return true;
  }

  /** Sends to every client; a `droppable` message is skipped for a client whose buffer is not drained. */
  broadcast(message: string, droppable: boolean): void {
    for (const client of this.clients) {
      if (droppable && client.res.writableNeedDrain) continue;
      this.write(client, message);
    }
  }

  /** Ends every stream; later clients are refused. */
  close(): void {
    this.closed = true;
    for (const client of [...this.clients]) {
      this.drop(client);
      client.res.end();
    }
  }

  private write(client: SseClient, message: string): void {
    if (client.res.destroyed || client.res.writableEnded) {
      this.drop(client);
      return;
    }
    client.res.write(message);
    if (client.res.writableLength > this.options.maxBufferBytes) {
      this.drop(client);
      client.res.destroy();
    }
  }

  private drop(client: SseClient): void {
    if (!this.clients.delete(client)) return;
    clearInterval(client.keepalive);
    this.options.onClientCountChange?.(this.clients.size);
  }
}

/** One SSE message; JSON.stringify never emits a raw newline, so the data fits on one `data:` line. */
export function sseMessage(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
