// The campaign's history: every op as invoke then ok|fail|info, stamped with
// a monotonic clock (performance.now(), in ms since the campaign began) at
// the moment it is recorded, so times never go backwards in history order.
// Kept in memory for the checker and, with --history, streamed as JSON lines
// (one HistoryEvent per line, the format parseHistoryLines reads).

import { createWriteStream, type WriteStream } from 'node:fs';
import type { HistoryEvent, OpFunction, OpType } from '../check/index.js';

/** Times are kept to the microsecond: enough to order events, short in the file. */
const TIME_DECIMALS = 3;

export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  private readonly stream: WriteStream | null;
  private streamError: Error | null = null;

  constructor(
    /** performance.now() at the campaign's start: time 0 of the history. */
    readonly originMs: number,
    file: string | null,
  ) {
    this.stream = file === null ? null : createWriteStream(file, { flags: 'w' });
    this.stream?.on('error', (error) => {
      this.streamError ??= error;
    });
  }

  /** Ms since the origin, on the history's clock. */
  now(): number {
    const factor = 10 ** TIME_DECIMALS;
    return Math.round((performance.now() - this.originMs) * factor) / factor;
  }

  record(process: number, type: OpType, f: OpFunction, key: string, value: unknown): HistoryEvent {
    const event: HistoryEvent = { process, type, f, key, value, time: this.now() };
    this.events.push(event);
    this.stream?.write(`${JSON.stringify(event)}\n`);
    return event;
  }

  /** Flushes the file; rejects if any write to it failed. */
  async close(): Promise<void> {
    const stream = this.stream;
    if (stream) await new Promise<void>((resolve) => stream.end(() => resolve()));
    if (this.streamError) throw new Error(`writing the history file failed: ${this.streamError.message}`);
  }
}
