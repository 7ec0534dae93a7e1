// The latest fencings of one node, as its HTTP server heard of them, for
// GET /status: a dashboard that samples this node (from another host, or
// opened after the fact) learns of them there. Kept by the server rather than
// the node, because a fenced node is restarted and remembers nothing.

import type { FencingRecord } from '../node/fencing.js';
import type { NodeEndpoint } from '../node/node-endpoint.js';

export class RecentFencing {
  private readonly records: FencingRecord[] = [];
  private readonly unsubscribe: () => void;

  constructor(
    endpoint: NodeEndpoint,
    private readonly keep: number,
  ) {
    this.unsubscribe = endpoint.onFencing?.((record) => this.add(record)) ?? (() => undefined);
  }

  /** Oldest first, at most `keep`. */
  list(): FencingRecord[] {
    return [...this.records];
  }

  close(): void {
    this.unsubscribe();
  }

  private add(record: FencingRecord): void {
    this.records.push(record);
    if (this.records.length > this.keep) this.records.shift();
  }
}
