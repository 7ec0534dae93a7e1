// The client's own rules, against a scripted stub server (no cluster):
// options, backoff, fencing tokens, what a lost or unknown answer becomes,
// and the one-write-at-a-time seq order that makes retries safe.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/client/backoff.js';
import { compareFencingTokens, createClient, fencingToken, ReplikitClientError, type ReplikitClient } from '../../src/client/index.js';

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

interface Stub {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function stub(handler: Handler): Promise<Stub> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    req.resume();
    req.on('end', () => handler(req, res, url));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  cleanups.push(close);
  return { url: base, requests, close };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A lone node that says it leads, and answers key requests with `onKey`. */
async function leaderStub(onKey: Handler): Promise<Stub> {
  const self = await stub((req, res, url) => {
    if (url.pathname === '/status') return reply(res, 200, { nodeId: 'n1', role: 'leader', term: 4, leaderId: 'n1' });
    onKey(req, res, url);
  });
  return self;
}

function client(endpoints: string[], options: Partial<Parameters<typeof createClient>[0]> = {}): ReplikitClient {
  const created = createClient({ endpoints, backoffMs: { min: 5, max: 20 }, ...options });
  cleanups.push(() => created.close());
  return created;
}

async function failure(promise: Promise<unknown>): Promise<ReplikitClientError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ReplikitClientError);
  return error as ReplikitClientError;
}

describe('options', () => {
  it('refuses bad options with one message naming each problem', () => {
    expect(() => createClient({ endpoints: [] })).toThrow(/endpoints must be a non-empty array/);
    expect(() => createClient({ endpoints: ['localhost:4001'] })).toThrow(/not an http\(s\) URL/);
    expect(() => createClient({ endpoints: ['http://a:1'], maxRetries: -1, timeoutMs: 0 })).toThrow(/timeoutMs.*maxRetries/);
    expect(() => createClient({ endpoints: ['http://a:1'], backoffMs: { min: 50, max: 10 } })).toThrow(/backoffMs/);
    expect(() => createClient({ endpoints: ['http://a:1'], clientId: 'x'.repeat(129) })).toThrow(/clientId/);
    try {
      createClient({ endpoints: [] });
    } catch (error) {
      expect(error).toMatchObject({ name: 'ReplikitClientError', code: 'bad-request', status: null });
    }
  });

  it('gives each client a random clientId unless told one; endpoints are normalized and deduplicated', () => {
    const a = createClient({ endpoints: ['http://127.0.0.1:4001/', 'http://127.0.0.1:4001'] });
    const b = createClient({ endpoints: ['http://127.0.0.1:4001'] });
    expect(a.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.clientId).not.toBe(b.clientId);
    expect(a.endpoints).toEqual(['http://127.0.0.1:4001']);
    expect(createClient({ endpoints: ['http://h:1'], clientId: 'me' }).clientId).toBe('me');
  });
});

describe('backoff and fencing tokens', () => {
  it('backoff grows exponentially up to max, with jitter between half and all of each step', () => {
    const range = { min: 10, max: 1000 };
    expect(backoffDelayMs(0, range, () => 0)).toBe(10);
    expect(backoffDelayMs(3, range, () => 0)).toBe(40);
    expect(backoffDelayMs(3, range, () => 1)).toBe(80);
    expect(backoffDelayMs(20, range, () => 1)).toBe(1000);
    expect(backoffDelayMs(20, range, () => 0)).toBe(500);
  });

  it('a fencing token is [term, index], ordered by term, then index', () => {
    expect(fencingToken({ term: 3, index: 17 })).toEqual([3, 17]);
    const tokens = [fencingToken({ term: 2, index: 50 }), fencingToken({ term: 3, index: 4 }), fencingToken({ term: 3, index: 9 })];
    expect([...tokens].reverse().sort(compareFencingTokens)).toEqual(tokens);
    // Indexes past 2^32 still order correctly: no bits are packed.
    expect(compareFencingTokens([7, 2 ** 40], [7, 2 ** 40 + 1])).toBeLessThan(0);
    expect(() => fencingToken({ term: -1, index: 1 })).toThrow(ReplikitClientError);
  });
});

describe('retries and exactly-once', () => {
  it('retries a write answered "Outcome unknown" with the same seq, and says outcome-unknown when retries run out', async () => {
    const leader = await leaderStub((_req, res) => reply(res, 504, { error: 'Outcome unknown' }));
    const c = client([leader.url], { maxRetries: 3 });
    const error = await failure(c.put('k', 1));
    expect(error).toMatchObject({ code: 'outcome-unknown', status: 504 });
    expect(error.message).toMatch(/applied once or not at all/);
    const puts = leader.requests.filter((line) => line.startsWith('PUT'));
    expect(puts).toHaveLength(4);
    expect(new Set(puts).size).toBe(1);
    expect(puts[0]).toContain(`clientId=${c.clientId}&seq=1`);
    // The next write is a new one.
    await failure(c.put('k', 2));
    expect(leader.requests.at(-1)).toContain('seq=2');
  });

  it('a write the server never answers times out as maybe applied (outcome-unknown); a read just times out', async () => {
    const hung = await leaderStub(() => {
      // never answers
    });
    const c = client([hung.url], { maxRetries: 1, timeoutMs: 100 });
    expect(await failure(c.put('k', 1))).toMatchObject({ code: 'outcome-unknown', status: null });

    const reader = client([hung.url], { maxRetries: 1, timeoutMs: 100 });
    expect(await failure(reader.get('k', { consistency: 'eventual' }))).toMatchObject({ code: 'timeout' });
  });

  it('a 503 without any hint, everywhere, ends as no-leader: nothing was written', async () => {
    const follower = await stub((_req, res, url) => {
      if (url.pathname === '/status') return reply(res, 200, { nodeId: 'n2', role: 'follower', term: 4, leaderId: null });
      reply(res, 503, { error: 'Not the leader', leaderId: null, leaderUrl: null });
    });
    const error = await failure(client([follower.url], { maxRetries: 2 }).put('k', 1));
    expect(error).toMatchObject({ code: 'no-leader', status: 503 });
  });

  it('after the named leader refuses the connection, the write goes to another node, naming the dead leader', async () => {
    const deadUrl = `http://127.0.0.1:${await deadPort()}`;
    const headers: (string | undefined)[] = [];
    // A follower that still names n1 as leader: it holds a write whose client says n1 is unreachable
    // (here: answers at once as if the next leader had been found), and sends anyone else to n1.
    const follower = await stub((req, res, url) => {
      if (url.pathname === '/status') return reply(res, 200, { nodeId: 'n2', role: 'follower', term: 4, leaderId: 'n1', leaderUrl: deadUrl });
      const named = req.headers['x-replikit-unreachable-leader'];
      headers.push(typeof named === 'string' ? named : undefined);
      if (named === 'n1') return reply(res, 200, { success: true, key: 'k', value: 1, term: 5, index: 9, leaderId: 'n2' });
      reply(res, 503, { error: 'Not the leader', leaderId: 'n1', leaderUrl: deadUrl });
    });
    const answer = await client([deadUrl, follower.url], { maxRetries: 3 }).put('k', 1);
    expect(answer).toMatchObject({ term: 5, index: 9 });
    expect(headers).toEqual(['n1']);
  });

  it('writes from one client go one at a time, numbered in call order', async () => {
    let inFlight = 0;
    let most = 0;
    const leader = await leaderStub((_req, res, url) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        reply(res, 200, { success: true, term: 4, index: Number(url.searchParams.get('seq')) + 100 });
      }, 5);
    });
    const c = client([leader.url]);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => c.put(`k${i}`, i)));
    expect(most).toBe(1);
    expect(results.map((result) => result.index)).toEqual([101, 102, 103, 104, 105, 106, 107, 108]);
    const seqs = leader.requests.filter((line) => line.startsWith('PUT')).map((line) => /seq=(\d+)/.exec(line)?.[1]);
    expect(seqs).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
    expect(c.highestWriteIndex).toBe(108);
  });

  it('a busy node (429) is retried after a pause', async () => {
    let calls = 0;
    const leader = await leaderStub((_req, res) => {
      calls++;
      if (calls < 3) return reply(res, 429, { error: 'Busy' });
      reply(res, 200, { success: true, term: 4, index: 9 });
    });
    expect(await client([leader.url]).put('k', 1)).toEqual({ term: 4, index: 9 });
    expect(calls).toBe(3);
  });
});

describe('a leader that stops answering', () => {
  it('a write to a leader that hangs goes, with the same seq, to the leader the others elected, long before its timeout', async () => {
    const seen: string[] = [];
    let frozenAtMs: number | null = null;
    // The old leader leads until a write comes, then accepts requests and never answers (as a
    // SIGSTOPped process's kernel does).
    const frozen = await stub((_req, res, url) => {
      if (url.pathname === '/status' && frozenAtMs === null) return reply(res, 200, { nodeId: 'n1', role: 'leader', term: 4, leaderId: 'n1' });
      if (url.pathname !== '/status') seen.push(`frozen ${url.search}`);
      frozenAtMs ??= performance.now();
    });
    let electedAfterMs = 0;
    const fresh = await stub((req, res, url) => {
      if (url.pathname === '/status') {
        // The others elect a new leader a while after the old one froze.
        const elected = frozenAtMs !== null && performance.now() - frozenAtMs > 600;
        if (elected && electedAfterMs === 0) electedAfterMs = performance.now() - (frozenAtMs as number);
        return reply(res, 200, { nodeId: 'n2', role: elected ? 'leader' : 'follower', term: elected ? 5 : 4, leaderId: elected ? 'n2' : 'n1' });
      }
      seen.push(`fresh ${url.search} unreachable=${String(req.headers['x-replikit-unreachable-leader'])}`);
      reply(res, 200, { success: true, key: 'k', term: 5, index: 9, leaderId: 'n2' });
    });
    const c = client([frozen.url, fresh.url], { timeoutMs: 20_000 });
    const startedMs = performance.now();
    const written = await c.put('k', 1);
    const tookMs = performance.now() - startedMs;
    expect(written.term).toBe(5);
    // One attempt each, with the same clientId and seq: the new leader applies it at most once.
    expect(seen).toHaveLength(2);
    const [toFrozen, toFresh] = seen as [string, string];
    expect(toFrozen).toMatch(/^frozen \?clientId=[^&]+&seq=\d+$/);
    expect(toFresh).toBe(`${toFrozen.replace('frozen', 'fresh')} unreachable=n1`);
    expect(electedAfterMs).toBeGreaterThan(0);
    expect(tookMs).toBeLessThan(10_000); // not the 20 s timeout: a bound against a hang, not a speed claim
  });
});

describe('answers that are not the replikit API', () => {
  it('a 404 from some other server is bad-response, never "absent"', async () => {
    const other = await stub((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>Not found</h1>');
    });
    const error = await failure(client([other.url]).get('k', { consistency: 'eventual' }));
    expect(error).toMatchObject({ code: 'bad-response', status: 404 });
    expect(error.message).toContain('non-JSON answer');
  });

  it('a route 404 in the replikit shape is not "Key not found" either', async () => {
    const other = await stub((_req, res) => reply(res, 404, { error: 'Not found', detail: 'no route for GET /key/k' }));
    expect(await failure(client([other.url]).get('k', { consistency: 'eventual' }))).toMatchObject({ code: 'bad-response' });
  });

  it('close() stops a call in flight with code closed', async () => {
    const hung = await leaderStub(() => {
      // never answers
    });
    const c = client([hung.url]);
    const pending = c.put('k', 1);
    setTimeout(() => c.close(), 50);
    expect(await failure(pending)).toMatchObject({ code: 'closed' });
  });
});

/** A port with nothing listening on it (bound once, then released). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
