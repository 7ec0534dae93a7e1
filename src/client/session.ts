// A session: reads that never go back in time and always see the session's
// own writes, wherever they land. It keeps the highest index it has seen,
// from its writes' answers and its reads' answers, and asks every read for a
// state at least that new (consistency `monotonic`, `minIndex`), so a
// follower that is behind waits until it catches up before answering.

import type { ReplikitClient } from './client.js';
import type { GetResult, WriteOptions, WriteResult } from './types.js';

export class ReplikitSession {
  private highest = 0;

  constructor(private readonly client: ReplikitClient) {}

  /** The highest index this session has written or read. */
  get highestIndex(): number {
    return this.highest;
  }

  async put(key: string, value: unknown, options?: WriteOptions): Promise<WriteResult> {
    return this.saw(await this.client.put(key, value, options));
  }

  async cas(key: string, expected: unknown, next: unknown, options?: WriteOptions): Promise<WriteResult> {
    return this.saw(await this.client.cas(key, expected, next, options));
  }

  async delete(key: string, options?: WriteOptions): Promise<WriteResult> {
    return this.saw(await this.client.delete(key, options));
  }

  /** Any node may answer, but only from a state at least as new as everything this session saw. */
  async get<T = unknown>(key: string): Promise<GetResult<T> | undefined> {
    const { result, index } = await this.client.lookup<T>(key, { consistency: 'monotonic', minIndex: this.highest });
    if (index !== null) this.highest = Math.max(this.highest, index);
    return result;
  }

  private saw<T extends { readonly index: number }>(result: T): T {
    this.highest = Math.max(this.highest, result.index);
    return result;
  }
}
