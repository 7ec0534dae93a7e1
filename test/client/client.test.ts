// The client against a real 3-node dev cluster over HTTP: the calls, leader
// hints, sessions on followers, and exactly-once writes when an answer is lost.

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createClient, ReplikitClientError, type ReplikitClient } from '../../src/client/index.js';
import { startHttpCluster, leaderOf, sleep, type HttpCluster } from './http-cluster.js';
import { closedPort, startLossyProxy } from './lossy-proxy.js';

let h: HttpCluster;
const clients: ReplikitClient[] = [];

function client(endpoints: string[], options: Partial<Parameters<typeof createClient>[0]> = {}): ReplikitClient {
  const created = createClient({ endpoints, ...options });
  clients.push(created);
  return created;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(ReplikitClientError);
    return (error as ReplikitClientError).code;
  }
}

async function roles(): Promise<{ leader: string; followers: string[] }> {
  const leader = await leaderOf(h.cluster);
  return { leader, followers: h.cluster.nodeIds().filter((id) => id !== leader) };
}

beforeAll(async () => {
  h = await startHttpCluster();
  await leaderOf(h.cluster);
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const created of clients.splice(0)) created.close();
});

afterAll(async () => {
  await h?.close();
});

describe('calls', () => {
  it('put, get, cas and delete round-trip; an absent key reads as undefined', async () => {
    const c = client(h.urls);
    const written = await c.put('fruit', { name: 'apple', count: 1 });
    expect(written.term).toBeGreaterThan(0);
    expect(written.index).toBeGreaterThan(0);
    const read = await c.get('fruit');
    expect(read).toMatchObject({ value: { name: 'apple', count: 1 }, role: 'leader' });
    expect(read?.index).toBeGreaterThanOrEqual(written.index);

    const swapped = await c.cas('fruit', { name: 'apple', count: 1 }, { name: 'pear', count: 2 });
    expect(swapped.index).toBeGreaterThan(written.index);
    const mismatch = await c.cas('fruit', 'not this', 'x').catch((error: unknown) => error);
    expect(mismatch).toBeInstanceOf(ReplikitClientError);
    expect(mismatch).toMatchObject({ code: 'cas-mismatch', status: 409, details: { current: { name: 'pear', count: 2 } } });

    await c.delete('fruit');
    expect(await c.get('fruit')).toBeUndefined();
    expect(await c.get('never-written', { consistency: 'eventual' })).toBeUndefined();
    // cas with expected null creates only when absent.
    await c.cas('fruit', null, 'seed');
    expect((await c.get('fruit', { consistency: 'lease' }))?.value).toBe('seed');
    expect(c.highestWriteIndex).toBeGreaterThan(swapped.index);
  });

  it('keys with slashes, spaces and unicode survive the URL', async () => {
    const c = client(h.urls);
    for (const key of ['a/b/c', 'with space', 'ключ', '?&=#%']) {
      await c.put(key, key);
      expect((await c.get(key))?.value).toBe(key);
    }
  });

  it('refuses bad input before sending anything, with a typed error and no status', async () => {
    const c = client(h.urls);
    const spy = vi.spyOn(globalThis, 'fetch');
    for (const attempt of [
      () => c.put('', 1),
      () => c.put('k', undefined),
      () => c.put('k', { n: Number.NaN }),
      () => c.put('k', 1, { mode: 'fast' as never }),
      () => c.get('k', { consistency: 'strong' as never }),
      () => c.get('k', { consistency: 'eventual', minIndex: 3 }),
      () => c.get('k', { consistency: 'monotonic', maxLagMs: 10 }),
    ]) {
      const error = await attempt().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ReplikitClientError);
      expect(error).toMatchObject({ code: 'bad-request', status: null });
    }
    expect(spy).not.toHaveBeenCalled();
  });

  it('the server refusing a value answers 400 as bad-request', async () => {
    const c = client(h.urls);
    const huge = 'x'.repeat(1 << 20);
    const error = await c.put('huge', huge).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'bad-request' });
    expect([400, 413]).toContain((error as ReplikitClientError).status);
  });

  it('reads any node may answer go round the endpoints; status and leader() name the leader', async () => {
    const { leader } = await roles();
    const c = client(h.urls);
    await c.put('spread', 1);
    const nodes = new Set<string>();
    for (let i = 0; i < h.urls.length; i++) nodes.add((await c.get('spread', { consistency: 'read-your-writes' }))?.nodeId ?? '?');
    expect(nodes).toEqual(new Set(h.cluster.nodeIds()));
    expect(await c.leader()).toBe(h.urlOf(leader));
    const status = await c.status();
    expect(status).toMatchObject({ nodeId: leader, role: 'leader', leaderId: leader });
    expect((await c.status(h.urlOf(leader === 'n1' ? 'n2' : 'n1'))).role).toBe('follower');
  });
});

describe('leader hints', () => {
  it('a client that knows only a follower finds the leader, and follows a 503 leaderUrl after a transfer', async () => {
    const { leader, followers } = await roles();
    const [known, other] = followers as [string, string];
    const c = client([h.urlOf(known)]);
    await c.put('hinted', 'before');
    expect(await c.leader()).toBe(h.urlOf(leader));

    await h.cluster.transferLeadership(other);
    // Wait until the old leader can name its successor, so its 503 carries the hint.
    const deadline = performance.now() + 10_000;
    while ((await c.status(h.urlOf(leader)).catch(() => null))?.leaderId !== other) {
      if (performance.now() > deadline) throw new Error('the old leader never learned the new one');
      await sleep(20);
    }
    const spy = vi.spyOn(globalThis, 'fetch');
    await c.put('hinted', 'after');
    const puts = spy.mock.calls.map(([url, init]) => `${init?.method ?? 'GET'} ${String(url)}`).filter((call) => call.startsWith('PUT'));
    expect(puts.map((call) => call.split('/key/')[0])).toEqual([`PUT ${h.urlOf(leader)}`, `PUT ${h.urlOf(other)}`]);
    // Both attempts carried the same (clientId, seq): a redirect is a retry of the same write.
    expect(new Set(puts.map((call) => call.split('?')[1])).size).toBe(1);
    expect((await c.get('hinted'))?.value).toBe('after');
  });
});

describe('sessions', () => {
  it('read their own writes on followers, and never go back in time', async () => {
    const { followers } = await roles();
    const c = client(followers.map((id) => h.urlOf(id)));
    const session = c.session();
    let lastIndex = 0;
    for (let i = 1; i <= 25; i++) {
      const written = await session.put('session-key', i);
      const read = await session.get('session-key');
      expect(read?.value).toBe(i);
      expect(read?.role).toBe('follower');
      expect(read?.index).toBeGreaterThanOrEqual(written.index);
      expect(read?.index ?? 0).toBeGreaterThanOrEqual(lastIndex);
      lastIndex = read?.index ?? 0;
    }
    expect(session.highestIndex).toBeGreaterThanOrEqual(lastIndex);
    await session.delete('session-key');
    expect(await session.get('session-key')).toBeUndefined();
  });
});

describe('exactly-once writes', () => {
  it('a cas whose answer is lost is retried with the same seq and applied once', async () => {
    const { leader } = await roles();
    const setup = client(h.urls);
    await setup.put('counter', 0);
    const proxy = await startLossyProxy(h.urlOf(leader));
    try {
      const c = client([proxy.url], { backoffMs: { min: 10, max: 50 } });
      proxy.dropAnswers((request) => request.method === 'POST' && request.url.startsWith('/key/counter/cas'));
      // Without the session the retry would find 1 and fail with cas-mismatch; with it, the first verdict comes back.
      await c.cas('counter', 0, 1);
      expect(proxy.dropped).toHaveLength(1);
      const attempts = proxy.seen.filter((line) => line.startsWith('POST /key/counter/cas'));
      expect(attempts).toHaveLength(2);
      expect(attempts[0]).toBe(attempts[1]);
      expect(attempts[0]).toContain(`clientId=${c.clientId}`);
      expect(attempts[0]).toContain('seq=1');
      expect((await setup.get('counter'))?.value).toBe(1);
      // The next write moves on to the next seq.
      await c.cas('counter', 1, 2);
      expect(proxy.seen.at(-1)).toContain('seq=2');
      expect((await setup.get('counter'))?.value).toBe(2);
    } finally {
      await proxy.close();
    }
  });

  it('a put of an append-only list whose answer is lost appends once', async () => {
    const { leader } = await roles();
    const proxy = await startLossyProxy(h.urlOf(leader));
    try {
      const c = client([proxy.url], { backoffMs: { min: 10, max: 50 } });
      const appendTo = async (item: string): Promise<void> => {
        const current = ((await c.get('log'))?.value ?? []) as string[];
        await c.cas('log', current.length === 0 ? null : current, [...current, item]);
      };
      await appendTo('a');
      proxy.dropAnswers((request) => request.method === 'POST');
      await appendTo('b');
      await appendTo('c');
      expect(proxy.dropped).toHaveLength(1);
      expect((await c.get('log'))?.value).toEqual(['a', 'b', 'c']);
    } finally {
      await proxy.close();
    }
  });

  it("a restarted client may take its predecessor's clientId: its first write is applied, not answered from memory", async () => {
    const first = client(h.urls, { clientId: 'service-a' });
    await first.put('reused-id', 'from the first process');
    first.close();
    const second = client(h.urls, { clientId: 'service-a' });
    await second.put('reused-id', 'from the second process');
    expect((await second.get('reused-id'))?.value).toBe('from the second process');
  });

  it('the same clientId and seq sent twice by hand: the second gets the first verdict; an older seq is refused', async () => {
    const leaderUrl = h.urlOf((await roles()).leader);
    const cas = (seq: number, expected: unknown, next: unknown) =>
      fetch(`${leaderUrl}/key/by-hand/cas?clientId=by-hand&seq=${seq}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ expected, next }),
      });
    expect((await cas(1, null, 1)).status).toBe(200);
    const again = await cas(1, null, 1);
    expect(again.status).toBe(200);
    const reader = client(h.urls);
    expect((await reader.get('by-hand'))?.value).toBe(1);
    // A new seq is a new write: the key is no longer absent.
    const fresh = await cas(2, null, 1);
    expect(fresh.status).toBe(409);
    expect(await fresh.json()).toMatchObject({ current: 1 });
    expect((await cas(1, 1, 99)).status).toBe(400);
    expect((await reader.get('by-hand'))?.value).toBe(1);
  });
});

describe('errors', () => {
  it('an unreachable cluster fails fast with a typed error, within the retry bounds', async () => {
    const c = client([`http://127.0.0.1:${await closedPort()}`], { maxRetries: 3, backoffMs: { min: 5, max: 20 } });
    const started = performance.now();
    const error = await c.put('k', 1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReplikitClientError);
    // Connection refused: the write certainly did not happen, so this is not "outcome unknown".
    expect((error as ReplikitClientError).code).toBe('unavailable');
    expect((error as ReplikitClientError).status).toBeNull();
    expect((error as ReplikitClientError).details.attempts).toBe(4);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('a closed client refuses calls', async () => {
    const c = client(h.urls);
    c.close();
    expect(await codeOf(c.put('k', 1))).toBe('closed');
    expect(await codeOf(c.get('k'))).toBe('closed');
  });
});
