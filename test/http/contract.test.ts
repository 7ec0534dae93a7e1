// The seed contract of each node's HTTP API, on a real 3-node cluster with
// one server per node: status codes and bodies, following leaderUrl from a
// follower, every read level, the error mapping, and bad input refused with
// JSON while what is stored stays as it was.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES } from '../../src/index.js';
import { MAX_BODY_BYTES } from '../../src/http/index.js';
import {
  agreedLeader,
  call,
  eventually,
  parsePrometheus,
  type Sample,
  startDevCluster,
  until,
  writeFollowingLeader,
  type Answer,
  type DevCluster,
} from './helpers.js';

let dev: DevCluster;
/** Where writes start; writeFollowingLeader finds the leader from any node. */
let anyUrl: string;
let nextSeq = 1;
const session = (): { clientId: string; seq: number } => ({ clientId: 'contract-test', seq: nextSeq++ });

beforeAll(async () => {
  // Read waits give up after requestTimeoutMs: short, so the 504 case is quick.
  dev = await startDevCluster({ requestTimeoutMs: 2000 });
  anyUrl = (await agreedLeader(dev.http.urls)).url;
});

/** A node the others agree is a follower right now (leadership can move between any two requests). */
async function aFollower(): Promise<{ id: string; url: string }> {
  const leader = await agreedLeader(dev.http.urls);
  const id = Object.keys(dev.http.urls).find((other) => other !== leader.id) as string;
  return { id, url: dev.http.urls[id] as string };
}

/** `path` asked of the current leader, until the node asked was still the leader when it answered. */
function onLeader(
  method: string,
  path: string,
  accept: (answer: Answer) => boolean = (answer) => answer.status !== 503,
): Promise<{ answer: Answer; id: string }> {
  return until(async () => {
    const leader = await agreedLeader(dev.http.urls);
    const answer = await call(method, `${leader.url}${path}`);
    return accept(answer) ? { answer, id: leader.id } : null;
  }, `${method} ${path} on the leader`);
}

/** `path` asked of a current follower, until `accept` holds (the node may have become leader meanwhile). */
function onFollower(method: string, path: string, accept: (answer: Answer) => boolean, body?: unknown): Promise<{ answer: Answer; id: string }> {
  return until(async () => {
    const follower = await aFollower();
    const answer = await call(method, `${follower.url}${path}`, body);
    return accept(answer) ? { answer, id: follower.id } : null;
  }, `${method} ${path} on a follower`);
}

afterAll(async () => {
  await dev?.close();
});

describe('HTTP key-value contract', () => {
  it('a write to a follower answers 503 with the leader, and the leader takes it', async () => {
    const { answer: refused, id } = await onFollower('PUT', '/key/name', (answer) => answer.status === 503 && answer.body.leaderId !== null, 'Alice');
    expect(refused.body).toEqual({
      error: 'Not the leader',
      detail: expect.any(String),
      leaderId: expect.any(String),
      leaderUrl: dev.http.urls[refused.body.leaderId],
    });
    expect(refused.body.leaderId).not.toBe(id);

    const written = await writeFollowingLeader('PUT', dev.http.urls[id] as string, '/key/name', 'Alice', session());
    expect(written.status).toBe(200);
    // The answer names the write; the value comes back only when asked for (a 500 KB write need not return 500 KB).
    expect(written.body).toEqual({ success: true, key: 'name', term: expect.any(Number), index: expect.any(Number), leaderId: expect.any(String) });
    expect(written.headers.get('content-type')).toMatch(/^application\/json/);
    const echoed = await writeFollowingLeader('PUT', dev.http.urls[id] as string, '/key/name?returnValue=true', 'Alice', session());
    expect(echoed.body).toEqual({
      success: true,
      key: 'name',
      value: 'Alice',
      term: expect.any(Number),
      index: expect.any(Number),
      leaderId: expect.any(String),
    });
    const badEcho = await call('PUT', `${dev.http.urls[id]}/key/name?returnValue=yes`, 'Bob');
    expect(badEcho.status).toBe(400);
    expect(badEcho.body.detail).toMatch(/returnValue must be true or false/);
  });

  it('reads at every consistency level, with the node that answered and its lag', async () => {
    const written = await writeFollowingLeader('PUT', anyUrl, '/key/city', { name: 'NYC' }, session());
    expect(written.status).toBe(200);
    const index: number = written.body.index;

    const { answer: linearizable, id: leaderId } = await onLeader('GET', '/key/city');
    expect(linearizable.status).toBe(200);
    expect(linearizable.body).toEqual({ key: 'city', value: { name: 'NYC' }, index: expect.any(Number), nodeRole: 'leader', nodeId: leaderId, lagMs: 0 });
    expect(linearizable.body.index).toBeGreaterThanOrEqual(index);
    expect((await onLeader('GET', '/key/city?consistency=lease')).answer.status).toBe(200);

    const isFollowerAnswer = (answer: Answer): boolean => answer.status === 200 && answer.body.nodeRole === 'follower';
    // A follower serves linearizable (and lease) reads itself: it asks the leader for a read index
    // and answers once it has applied it, as the seed's walkthrough expects of GET on a follower.
    for (const level of ['linearizable', 'lease']) {
      const fromFollower = (await onFollower('GET', `/key/city?consistency=${level}`, isFollowerAnswer)).answer;
      expect(fromFollower.body).toMatchObject({ key: 'city', value: { name: 'NYC' }, nodeRole: 'follower' });
      expect(fromFollower.body.index).toBeGreaterThanOrEqual(index);
    }

    const ryw = (await onFollower('GET', `/key/city?consistency=read-your-writes&minIndex=${index}`, isFollowerAnswer)).answer;
    expect(ryw.body).toEqual({
      key: 'city',
      value: { name: 'NYC' },
      index: expect.any(Number),
      nodeRole: 'follower',
      nodeId: expect.any(String),
      lagMs: expect.any(Number),
    });
    expect(ryw.body.index).toBeGreaterThanOrEqual(index);
    const monotonic = (await onFollower('GET', `/key/city?consistency=monotonic&minIndex=${index}`, isFollowerAnswer)).answer;
    expect(monotonic.body.value).toEqual({ name: 'NYC' });
    expect((await onFollower('GET', '/key/city?consistency=bounded&maxLagMs=60000', isFollowerAnswer)).answer.body.value).toEqual({ name: 'NYC' });
    const eventual = await onFollower('GET', '/key/city?consistency=eventual', isFollowerAnswer);
    expect(eventual.answer.body.nodeId).toBe(eventual.id);

    // A follower is almost never exactly 0 ms behind: bounded with maxLagMs=0 refuses it.
    const stale = (await onFollower('GET', '/key/city?consistency=bounded&maxLagMs=0', (answer) => answer.status === 503)).answer;
    expect(stale.body).toEqual({ error: 'Too stale', detail: expect.any(String), lagMs: expect.any(Number) });

    const missing = (await onLeader('GET', '/key/never-written')).answer;
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'Key not found', key: 'never-written', index: expect.any(Number) });
  });

  it('a read waiting for an index that never comes answers 504', async () => {
    const waited = await call('GET', `${anyUrl}/key/city?consistency=read-your-writes&minIndex=1000000000`);
    expect(waited.status).toBe(504);
    expect(waited.body.error).toBe('Timeout');
  });

  it('deletes, compare-and-sets, and refuses a CAS mismatch with the current value', async () => {
    const created = await writeFollowingLeader('POST', anyUrl, '/key/counter/cas?returnValue=true', { expected: null, next: 1 }, session());
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ success: true, key: 'counter', value: 1 });
    const url = dev.http.urls[created.body.leaderId] as string;

    const mismatch = await writeFollowingLeader('POST', url, '/key/counter/cas', { expected: 5, next: 6 }, session());
    expect(mismatch.status).toBe(409);
    expect(mismatch.body).toEqual({ error: 'CAS mismatch', current: 1 });
    const swapped = await writeFollowingLeader('POST', url, '/key/counter/cas', { expected: 1, next: 2 }, session());
    expect(swapped.status).toBe(200);

    const deleted = await writeFollowingLeader('DELETE', url, '/key/counter', undefined, session());
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ success: true, key: 'counter', term: expect.any(Number), index: expect.any(Number), leaderId: expect.any(String) });
    const absent = await writeFollowingLeader('POST', url, '/key/counter/cas', { expected: 2, next: 3 }, session());
    expect(absent.body).toEqual({ error: 'CAS mismatch', current: null });
  });

  it('keys in the path are percent-decoded', async () => {
    const written = await writeFollowingLeader('PUT', anyUrl, `/key/${encodeURIComponent('café/menu ü')}`, 1, session());
    expect(written.status).toBe(200);
    expect(written.body.key).toBe('café/menu ü');
    const read = await call('GET', `${anyUrl}/key/caf%C3%A9%2Fmenu%20%C3%BC?consistency=read-your-writes&minIndex=${written.body.index}`);
    expect(read.body).toMatchObject({ key: 'café/menu ü', value: 1 });
  });

  it('a retried write with the same session seq applies once and gets the first answer', async () => {
    const retry = { clientId: 'retrying-client', seq: 1 };
    const first = await writeFollowingLeader('POST', anyUrl, '/key/once/cas', { expected: null, next: 'first' }, retry);
    expect(first.status).toBe(200);
    // Were it applied again, the CAS would now fail: the key is no longer absent.
    const again = await writeFollowingLeader('POST', anyUrl, '/key/once/cas', { expected: null, next: 'first' }, retry);
    expect(again.status).toBe(200);
    const older = await writeFollowingLeader('PUT', anyUrl, '/key/once', 'late', { clientId: 'retrying-client', seq: 0 });
    expect(older.status).toBe(400);
  });

  it('a fencing token lower than one accepted gets 409', async () => {
    expect((await writeFollowingLeader('PUT', anyUrl, '/key/guarded?fencingToken=5', 'holder 5', session())).status).toBe(200);
    const stale = await writeFollowingLeader('PUT', anyUrl, '/key/guarded?fencingToken=4', 'holder 4', session());
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe('Stale fencing token');
  });

  it('accepts the write options as query parameters', async () => {
    for (const query of ['mode=quorum', 'mode=async', 'mode=semi-sync&minReplicas=1&timeoutMs=2000', 'mode=sync&timeoutMs=3000']) {
      const answer = await writeFollowingLeader('PUT', anyUrl, `/key/modes?${query}`, query, session());
      expect(answer.status, query).toBe(200);
    }
  });
});

describe('HTTP bad input', () => {
  it('refuses each with a 4xx JSON error and leaves what is stored unchanged', async () => {
    const kept = await writeFollowingLeader('PUT', anyUrl, '/key/keep', 'safe', session());
    expect(kept.status).toBe(200);
    const url = dev.http.urls[kept.body.leaderId] as string;
    const json = { 'content-type': 'application/json' };
    const cases: [string, () => Promise<Response>, number, RegExp][] = [
      ['invalid JSON', () => fetch(`${url}/key/keep`, { method: 'PUT', headers: json, body: '{"broken"' }), 400, /Invalid JSON/],
      ['empty body', () => fetch(`${url}/key/keep`, { method: 'PUT', headers: json, body: '' }), 400, /Missing body/],
      ['text/plain body', () => fetch(`${url}/key/keep`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: '"x"' }), 415, /Content-Type/],
      ['form body', () => fetch(`${url}/key/keep`, { method: 'PUT', body: new URLSearchParams({ a: '1' }) }), 415, /Content-Type/],
      [
        'key over the limit',
        () => fetch(`${url}/key/${'k'.repeat(MAX_KEY_BYTES + 1)}`, { method: 'PUT', headers: json, body: '1' }),
        400,
        /at most 1000 bytes/,
      ],
      ['empty key', () => fetch(`${url}/key/`, { method: 'PUT', headers: json, body: '1' }), 400, /must not be empty/],
      ['reserved key', () => fetch(`${url}/key/%00fence%2Fkeep`, { method: 'PUT', headers: json, body: '1' }), 400, /reserved/],
      ['invalid percent-encoding', () => fetch(`${url}/key/%E0%A4%A`), 400, /percent-encoded/],
      [
        'value over the limit',
        () => fetch(`${url}/key/keep`, { method: 'PUT', headers: json, body: JSON.stringify('v'.repeat(MAX_VALUE_BYTES + 1)) }),
        400,
        /over the limit/,
      ],
      [
        'body over the limit',
        () => fetch(`${url}/key/keep`, { method: 'PUT', headers: json, body: JSON.stringify('v'.repeat(MAX_BODY_BYTES)) }),
        413,
        /Body too large/,
      ],
      ['unknown query parameter', () => fetch(`${url}/key/keep?consitency=eventual`), 400, /Unknown query parameter/],
      ['repeated query parameter', () => fetch(`${url}/key/keep?consistency=eventual&consistency=lease`), 400, /more than once/],
      ['unknown consistency', () => fetch(`${url}/key/keep?consistency=strong`), 400, /unknown consistency/],
      ['minIndex on a linearizable read', () => fetch(`${url}/key/keep?minIndex=3`), 400, /minIndex applies/],
      ['non-numeric minIndex', () => fetch(`${url}/key/keep?consistency=monotonic&minIndex=1e3`), 400, /decimal number/],
      ['fractional fencing token', () => fetch(`${url}/key/keep?fencingToken=1.5`, { method: 'PUT', headers: json, body: '1' }), 400, /fencingToken/],
      ['unknown mode', () => fetch(`${url}/key/keep?mode=eventually`, { method: 'PUT', headers: json, body: '1' }), 400, /replication mode/],
      ['seq without clientId', () => fetch(`${url}/key/keep?seq=1`, { method: 'PUT', headers: json, body: '1' }), 400, /go together/],
      [
        'clientId over 128 chars',
        () => fetch(`${url}/key/keep?clientId=${'c'.repeat(129)}&seq=1`, { method: 'PUT', headers: json, body: '1' }),
        400,
        /clientId/,
      ],
      ['CAS body not an object', () => fetch(`${url}/key/keep/cas`, { method: 'POST', headers: json, body: '[1,2]' }), 400, /must be an object/],
      ['CAS without expected', () => fetch(`${url}/key/keep/cas`, { method: 'POST', headers: json, body: '{"next":1}' }), 400, /expected/],
      [
        'CAS with an unknown field',
        () => fetch(`${url}/key/keep/cas`, { method: 'POST', headers: json, body: '{"expected":null,"next":1,"nxt":2}' }),
        400,
        /unknown field/,
      ],
      ['unknown route', () => fetch(`${url}/keys/keep`), 404, /Not found/],
      ['query on /status', () => fetch(`${url}/status?verbose=1`), 400, /Unknown query parameter/],
      ['dev route typo', () => fetch(`${url}/admin/nodes/n1/explode`, { method: 'POST' }), 404, /Not found/],
    ];
    for (const [name, send, status, error] of cases) {
      const response = await send();
      const text = await response.text();
      expect(response.status, name).toBe(status);
      expect(response.headers.get('content-type'), name).toMatch(/^application\/json/);
      const body = JSON.parse(text) as { error: string; detail?: string };
      expect(`${body.error}: ${body.detail ?? ''}`, name).toMatch(error);
      expect(text, name).not.toMatch(/\n\s+at /);
    }

    const wrongMethod = await fetch(`${url}/key/keep`, { method: 'PATCH' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('PUT, GET, DELETE');
    expect(await wrongMethod.json()).toMatchObject({ error: 'Method not allowed' });

    expect((await call('GET', `${url}/key/keep?consistency=read-your-writes&minIndex=${kept.body.index}`)).body.value).toBe('safe');
  });
});

describe('HTTP status, health and metrics', () => {
  it('/status tells role, term, indexes, membership and, on the leader, each follower', async () => {
    const { answer, id } = await onLeader('GET', '/status', (status) => status.body?.role === 'leader');
    const current = { id, url: dev.http.urls[id] as string };
    const status = answer.body;
    expect(status).toMatchObject({
      nodeId: current.id,
      role: 'leader',
      term: expect.any(Number),
      leaderId: current.id,
      leaderUrl: current.url,
      commitIndex: expect.any(Number),
      appliedIndex: expect.any(Number),
      lastIndex: expect.any(Number),
      leaseValid: expect.any(Boolean),
      lagMs: 0,
      membership: { voters: ['n1', 'n2', 'n3'], learners: [] },
    });
    expect(Object.keys(status.followers).sort()).toEqual(
      Object.keys(dev.http.urls)
        .filter((id) => id !== current.id)
        .sort(),
    );
    for (const follower of Object.values(status.followers)) {
      expect(follower).toMatchObject({ matchIndex: expect.any(Number), lagEntries: expect.any(Number), lagMs: expect.any(Number) });
    }
    const follower = await onFollower('GET', '/status', (other) => other.body?.role === 'follower' && other.body.leaderId !== null);
    expect(follower.answer.body).toMatchObject({ nodeId: follower.id, role: 'follower', leaderId: expect.any(String), followers: {} });
    expect(follower.answer.body.leaderUrl).toBe(dev.http.urls[follower.answer.body.leaderId]);
  });

  it('/health is 200 on every node of a settled cluster', async () => {
    await eventually(async () => {
      const answers = await Promise.all(Object.values(dev.http.urls).map((url) => call('GET', `${url}/health`)));
      return answers.every((answer) => answer.status === 200 && answer.body.healthy === true);
    }, 'every node healthy');
  });

  it('/metrics is Prometheus text with every replikit metric, from this node', async () => {
    const written = await writeFollowingLeader('PUT', anyUrl, '/key/measured', 1, session());
    expect(written.status).toBe(200);
    const response = await fetch(`${dev.http.urls[written.body.leaderId]}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const samples = parsePrometheus(await response.text());
    const value = (from: Sample[], name: string, labels = ''): number | undefined =>
      from.find((sample) => sample.name === name && sample.labels.includes(labels))?.value;
    // The server that took the write counted it and timed it.
    expect(value(samples, 'replikit_commit_latency_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'replikit_http_requests_total', 'route="/key/:key",status="200"')).toBeGreaterThanOrEqual(1);

    // One registry per server: the leader's scrape says leader and has follower lag; a follower's says neither.
    const isLeaderIn = (answer: Answer): number | undefined => value(parsePrometheus(answer.text), 'replikit_is_leader');
    const leaderScrape = parsePrometheus((await onLeader('GET', '/metrics', (answer) => isLeaderIn(answer) === 1)).answer.text);
    const names = new Set(leaderScrape.map((sample) => sample.name));
    for (const name of [
      'replikit_term',
      'replikit_commit_index',
      'replikit_applied_index',
      'replikit_is_leader',
      'replikit_follower_lag_entries',
      'replikit_follower_lag_seconds',
      'replikit_elections_total',
      'replikit_leader_changes_total',
      'replikit_fencing_total',
      'replikit_http_requests_total',
      'replikit_commit_latency_seconds_bucket',
      'replikit_commit_latency_seconds_count',
    ]) {
      expect(names, name).toContain(name);
    }
    // Base units only (Prometheus naming; promtool check metrics flags a `_ms` suffix).
    for (const name of names) expect(name, name).not.toMatch(/_(ms|milliseconds|microseconds|us|ns|minutes|hours|kb|mb|kib|mib)(_|$)/);
    const followerScrape = parsePrometheus((await onFollower('GET', '/metrics', (answer) => isLeaderIn(answer) === 0)).answer.text);
    expect(followerScrape.some((sample) => sample.name === 'replikit_follower_lag_entries')).toBe(false);
    expect(value(followerScrape, 'replikit_term')).toBeGreaterThan(0);
  });
});
