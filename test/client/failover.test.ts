// A leader crash in the middle of a stream of writes: the client finds the
// new leader and carries on, and every write it acknowledged is still there.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient, ReplikitClientError } from '../../src/client/index.js';
import { leaderOf, startHttpCluster, type HttpCluster } from './http-cluster.js';

const WRITES = 60;
const CRASH_AT = 20;
const KEYS = 6;

let h: HttpCluster;

beforeAll(async () => {
  h = await startHttpCluster();
});

afterAll(async () => {
  await h?.close();
});

it('writes continue through a leader crash, and every acknowledged write is readable afterwards', async () => {
  const oldLeader = await leaderOf(h.cluster);
  const survivor = h.cluster.nodeIds().find((id) => id !== oldLeader) as string;
  const client = createClient({ endpoints: h.urls, backoffMs: { min: 10, max: 200 } });
  const acknowledged = new Map<string, number>();
  const attempted = new Map<string, Set<number>>();
  const unknown: number[] = [];
  let ackedAfterCrash = 0;
  try {
    for (let i = 0; i < WRITES; i++) {
      if (i === CRASH_AT) {
        // Through another node's dev server, as `replikit dev` users would.
        const crashed = await fetch(`${h.urlOf(survivor)}/admin/nodes/${oldLeader}/crash`, { method: 'POST' });
        expect(crashed.status).toBe(200);
      }
      const key = `stream-${i % KEYS}`;
      attempted.set(key, (attempted.get(key) ?? new Set()).add(i));
      try {
        await client.put(key, i);
        acknowledged.set(key, i);
        if (i >= CRASH_AT) ackedAfterCrash++;
      } catch (error) {
        // The only acceptable failure: the client could not learn the fate of a write that was sent.
        expect(error).toBeInstanceOf(ReplikitClientError);
        expect((error as ReplikitClientError).code).toBe('outcome-unknown');
        unknown.push(i);
      }
    }
    const newLeader = await leaderOf(h.cluster);
    expect(newLeader).not.toBe(oldLeader);
    expect(ackedAfterCrash).toBeGreaterThanOrEqual(WRITES - CRASH_AT - 2);
    expect(unknown.length).toBeLessThanOrEqual(2);
    const lost: string[] = [];
    for (const [key, value] of acknowledged) {
      const read = await client.get(key);
      // A later write with an unknown outcome may have landed; an earlier value means a lost write.
      const allowed = [...(attempted.get(key) ?? [])].filter((candidate) => candidate >= value);
      if (typeof read?.value !== 'number' || !allowed.includes(read.value)) lost.push(`${key}: acknowledged ${value}, read ${JSON.stringify(read?.value)}`);
    }
    expect(lost).toEqual([]);
  } finally {
    client.close();
  }
});
