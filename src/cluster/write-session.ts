// The embedded API's own exactly-once session: every write it sends carries
// (clientId, seq, floor), so a write whose outcome a leadership change left
// unknown can be sent again and is still applied once (src/kv/sessions.ts).
// Writes are in flight many at a time; the floor is the lowest seq not yet
// answered, which lets the state machine forget every verdict below it.

import { randomUUID } from 'node:crypto';
import { assert } from '../ground/assert.js';

export interface SessionStamp {
  readonly clientId: string;
  readonly seq: number;
  readonly floor: number;
}

export class WriteSession {
  readonly clientId = `embedded-${randomUUID()}`;
  private nextSeq = 1;
  /** Lowest seq not yet answered (equal to nextSeq when none is in flight). */
  private floor = 1;
  private readonly inFlight = new Set<number>();

  begin(): SessionStamp {
    const seq = this.nextSeq++;
    this.inFlight.add(seq);
    return { clientId: this.clientId, seq, floor: this.floor };
  }

  /** The write with `seq` was answered (whatever the answer): its verdict need not be kept. */
  end(seq: number): void {
    assert(this.inFlight.delete(seq), `seq ${seq} of ${this.clientId} ended twice or never began`);
    while (this.floor < this.nextSeq && !this.inFlight.has(this.floor)) this.floor++;
  }

  get writesInFlight(): number {
    return this.inFlight.size;
  }
}
