// Writers for the multi-process tests: clients that write under faults and
// record what was acknowledged, and the check that every acknowledged write
// is still readable with a linearizable read.

import { expect } from 'vitest';
import { createClient, type ClientOptions, type ReplikitClient } from '../../src/client/index.js';
import { sleep } from './process-cluster.js';

/** What a test must close in its teardown, failed or not. */
export interface Tracked {
  readonly clients: ReplikitClient[];
  readonly writerGroups: { stop(): Promise<void> }[];
}

/** One acknowledged write, as the client was told. */
export interface Ack {
  readonly atMs: number;
  readonly key: string;
  readonly value: number;
  readonly term: number;
  readonly index: number;
}

export interface WriterGroup {
  /** The highest acknowledged value per key (each key has one writer, which writes increasing values). */
  readonly acknowledged: Map<string, number>;
  /** Every value ever sent per key, acknowledged or not. */
  readonly attempted: Map<string, Set<number>>;
  /** Every acknowledgement in the order received. */
  readonly acks: Ack[];
  stop(): Promise<void>;
}

/** How long a writer waits after a failed write before the next. */
export const WRITER_RETRY_PAUSE_MS = 20;

/** Writers over several clients (each client writes one at a time, to its own key), recording what was acknowledged. */
export function startWriters(tracked: Tracked, endpoints: string[], writers: number, clientOptions: Partial<ClientOptions> = {}): WriterGroup {
  const acknowledged = new Map<string, number>();
  const attempted = new Map<string, Set<number>>();
  const acks: Ack[] = [];
  let running = true;
  let counter = 0;
  const loops = Array.from({ length: writers }, async (_, writer) => {
    const client = createClient({ totalTimeoutMs: 4000, ...clientOptions, endpoints });
    tracked.clients.push(client);
    while (running) {
      const key = `k${writer}`;
      const value = ++counter;
      (attempted.get(key) ?? attempted.set(key, new Set()).get(key))?.add(value);
      try {
        const { term, index } = await client.put(key, value);
        acknowledged.set(key, Math.max(acknowledged.get(key) ?? 0, value));
        acks.push({ atMs: performance.now(), key, value, term, index });
      } catch {
        // Unknown outcome or no leader for a moment: allowed, not acknowledged.
        // Pause, so a client that fails at once cannot starve the event loop.
        await sleep(WRITER_RETRY_PAUSE_MS);
      }
    }
  });
  const group: WriterGroup = {
    acknowledged,
    attempted,
    acks,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
  tracked.writerGroups.push(group);
  return group;
}

export async function expectEveryAcknowledgedWriteReadable(
  tracked: Tracked,
  endpoints: string[],
  acknowledged: Map<string, number>,
  attempted: Map<string, Set<number>>,
): Promise<void> {
  const reader = createClient({ endpoints });
  tracked.clients.push(reader);
  expect(acknowledged.size).toBeGreaterThan(0);
  for (const [key, value] of acknowledged) {
    const read = await reader.get(key);
    const allowed = [...(attempted.get(key) ?? [])].filter((candidate) => candidate >= value);
    expect(allowed, `${key}: acknowledged ${value}, read ${JSON.stringify(read?.value)}`).toContain(read?.value);
  }
}
