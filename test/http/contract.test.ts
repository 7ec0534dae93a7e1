// The seed contract of each node's HTTP API, on a real 3-node cluster with
// one server per node: status codes and bodies, following leaderUrl from a
// follower, every read level, the error mapping, and bad input refused with
// JSON while what is stored stays as it was.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES } from '../../src/index.js';
import { MAX_BODY_BYTES } from '../../src/http/index.js';
import { agreedLeader, call, eventually, parsePrometheus, startDevCluster, writeFollowingLeader, type DevCluster } from './helpers.js';

let dev: DevCluster;
let leader: { id: string; url: string };
let follower: { id: string; url: string };
let nextSeq = 1;
const session = (): { clientId: string; seq: number } => ({ clientId: 'contract-test', seq: nextSeq++ });

beforeAll(async () => {
  // Read waits give up after requestTimeoutMs: short, so the 504 case is quick.
  dev = await startDevCluster({ requestTimeoutMs: 2000 });
  leader = await agreedLeader(dev.http.urls);
  const followerId = Object.keys(dev.http.urls).find((id) => id !== leader.id) as string;
  follower = { id: followerId, url: dev.http.urls[followerId] as string };
});

afterAll(async () => {
  await dev?.close();
});

describe('HTTP key-value contract', () => {
  it('a write to a follower answers 503 with the leader, and the leader takes it', async () => {
    const refused = await call('PUT', `${follower.url}/key/name`, 'Alice');
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: 'Not the leader' });
    // The follower may be between heartbeats of a new term; when it names a leader, it names its URL.
    if (refused.body.leaderId !== null) expect(refused.body.leaderUrl).toBe(dev.http.urls[refused.body.leaderId]);

    const written = await writeFollowingLeader('PUT', follower.url, '/key/name', 'Alice', session());
    expect(written.status).toBe(200);
    expect(written.body).toEqual({
      success: true,
      key: 'name',
      value: 'Alice',
      term: expect.any(Number),
      index: expect.any(Number),
      leaderId: expect.any(String),
    });
    expect(written.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('reads at every consistency level, with the node that answered and its lag', async () => {
    const written = await writeFollowingLeader('PUT', leader.url, '/key/city', { name: 'NYC' }, session());
    expect(written.status).toBe(200);
    const index: number = written.body.index;
    const leaderUrl = dev.http.urls[written.body.leaderId] as string;
    const otherUrl = Object.values(dev.http.urls).find((url) => url !== leaderUrl) as string;

    const linearizable = await call('GET', `${leaderUrl}/key/city`);
    expect(linearizable.status).toBe(200);
    expect(linearizable.body).toEqual({ key: 'city', value: { name: 'NYC' }, index: expect.any(Number), nodeRole: 'leader', nodeId: written.body.leaderId, lagMs: 0 });
    expect(linearizable.body.index).toBeGreaterThanOrEqual(index);
    expect((await call('GET', `${leaderUrl}/key/city?consistency=lease`)).status).toBe(200);

    // Leader-only levels on a follower: 503 pointing at the leader.
    const onFollower = await call('GET', `${otherUrl}/key/city?consistency=linearizable`);
    expect(onFollower.status).toBe(503);
    expect(onFollower.body.error).toBe('Not the leader');

    const ryw = await call('GET', `${otherUrl}/key/city?consistency=read-your-writes&minIndex=${index}`);
    expect(ryw.status).toBe(200);
    expect(ryw.body).toMatchObject({ key: 'city', value: { name: 'NYC' }, nodeRole: 'follower', lagMs: expect.any(Number) });
    expect(ryw.body.index).toBeGreaterThanOrEqual(index);
    expect((await call('GET', `${otherUrl}/key/city?consistency=monotonic&minIndex=${index}`)).body.value).toEqual({ name: 'NYC' });
    expect((await call('GET', `${otherUrl}/key/city?consistency=bounded&maxLagMs=60000`)).status).toBe(200);
    const eventual = await call('GET', `${otherUrl}/key/city?consistency=eventual`);
    expect(eventual.status).toBe(200);
    expect(eventual.body.nodeId).not.toBe(written.body.leaderId);

    // A follower is almost never exactly 0 ms behind: bounded with maxLagMs=0 refuses it.
    let stale = await call('GET', `${otherUrl}/key/city?consistency=bounded&maxLagMs=0`);
    await eventually(async () => {
      stale = await call('GET', `${otherUrl}/key/city?consistency=bounded&maxLagMs=0`);
      return stale.status === 503;
    }, 'a too-stale refusal');
    expect(stale.body).toEqual({ error: 'Too stale', detail: expect.any(String), lagMs: expect.any(Number) });

    const missing = await call('GET', `${leaderUrl}/key/never-written`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: 'Key not found', key: 'never-written', index: expect.any(Number) });
  });

  it('a read waiting for an index that never comes answers 504', async () => {
    const waited = await call('GET', `${follower.url}/key/city?consistency=read-your-writes&minIndex=1000000000`);
    expect(waited.status).toBe(504);
    expect(waited.body.error).toBe('Timeout');
  });

  it('deletes, compare-and-sets, and refuses a CAS mismatch with the current value', async () => {
    const created = await writeFollowingLeader('POST', leader.url, '/key/counter/cas', { expected: null, next: 1 }, session());
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
    const written = await writeFollowingLeader('PUT', leader.url, `/key/${encodeURIComponent('café/menu ü')}`, 1, session());
    expect(written.status).toBe(200);
    expect(written.body.key).toBe('café/menu ü');
    const read = await call('GET', `${dev.http.urls[written.body.leaderId]}/key/caf%C3%A9%2Fmenu%20%C3%BC`);
    expect(read.body).toMatchObject({ key: 'café/menu ü', value: 1 });
  });

  it('a retried write with the same session seq applies once and gets the first answer', async () => {
    const retry = { clientId: 'retrying-client', seq: 1 };
    const first = await writeFollowingLeader('POST', leader.url, '/key/once/cas', { expected: null, next: 'first' }, retry);
    expect(first.status).toBe(200);
    // Were it applied again, the CAS would now fail: the key is no longer absent.
    const again = await writeFollowingLeader('POST', leader.url, '/key/once/cas', { expected: null, next: 'first' }, retry);
    expect(again.status).toBe(200);
    const older = await writeFollowingLeader('PUT', leader.url, '/key/once', 'late', { clientId: 'retrying-client', seq: 0 });
    expect(older.status).toBe(400);
  });

  it('a fencing token lower than one accepted gets 409', async () => {
    expect((await writeFollowingLeader('PUT', leader.url, '/key/guarded?fencingToken=5', 'holder 5', session())).status).toBe(200);
    const stale = await writeFollowingLeader('PUT', leader.url, '/key/guarded?fencingToken=4', 'holder 4', session());
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe('Stale fencing token');
  });

  it('accepts the write options as query parameters', async () => {
    for (const query of ['mode=quorum', 'mode=async', 'mode=semi-sync&minReplicas=1&timeoutMs=2000', 'mode=sync&timeoutMs=3000']) {
      const answer = await writeFollowingLeader('PUT', leader.url, `/key/modes?${query}`, query, session());
      expect(answer.status, query).toBe(200);
    }
  });
});

describe('HTTP bad input', () => {
  it('refuses each with a 4xx JSON error and leaves what is stored unchanged', async () => {
    const kept = await writeFollowingLeader('PUT', leader.url, '/key/keep', 'safe', session());
    expect(kept.status).toBe(200);
    const url = dev.http.urls[kept.body.leaderId] as string;
    const json = { 'content-type': 'application/json' };
    const cases: [string, () => Promise<Response>, number, RegExp][] = [
      ['invalid JSON', () => fetch(`${url}/key/keep`, { method: 'PUT', headers: json, body: '{"broken"' }), 400, /Invalid JSON/],
      ['empty body', () => fetch(`${url}/key/keep`, { method: 'PUT', headers: json, body: '' }), 400, /Missing body/],
      ['text/plain body', () => fetch(`${url}/key/keep`, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: '"x"' }), 415, /Content-Type/],
      ['form body', () => fetch(`${url}/key/keep`, { method: 'PUT', body: new URLSearchParams({ a: '1' }) }), 415, /Content-Type/],
      ['key over the limit', () => fetch(`${url}/key/${'k'.repeat(MAX_KEY_BYTES + 1)}`, { method: 'PUT', headers: json, body: '1' }), 400, /at most 1000 bytes/],
      ['empty key', () => fetch(`${url}/key/`, { method: 'PUT', headers: json, body: '1' }), 400, /must not be empty/],
      ['reserved key', () => fetch(`${url}/key/%00fence%2Fkeep`, { method: 'PUT', headers: json, body: '1' }), 400, /reserved/],
      ['invalid percent-encoding', () => fetch(`${url}/key/%E0%A4%A`), 400, /percent-encoded/],
      ['value over the limit', () => fetch(`${url}/key/keep`, { method: 'PUT', headers: json, body: JSON.stringify('v'.repeat(MAX_VALUE_BYTES + 1)) }), 400, /over the limit/],
      ['body over the limit', () => fetch(`${url}/key/keep`, { method: 'PUT', headers: json, body: JSON.stringify('v'.repeat(MAX_BODY_BYTES)) }), 413, /Body too large/],
      ['unknown query parameter', () => fetch(`${url}/key/keep?consitency=eventual`), 400, /Unknown query parameter/],
      ['repeated query parameter', () => fetch(`${url}/key/keep?consistency=eventual&consistency=lease`), 400, /more than once/],
      ['unknown consistency', () => fetch(`${url}/key/keep?consistency=strong`), 400, /unknown consistency/],
      ['minIndex on a linearizable read', () => fetch(`${url}/key/keep?minIndex=3`), 400, /minIndex applies/],
      ['non-numeric minIndex', () => fetch(`${url}/key/keep?consistency=monotonic&minIndex=1e3`), 400, /decimal number/],
      ['fractional fencing token', () => fetch(`${url}/key/keep?fencingToken=1.5`, { method: 'PUT', headers: json, body: '1' }), 400, /fencingToken/],
      ['unknown mode', () => fetch(`${url}/key/keep?mode=eventually`, { method: 'PUT', headers: json, body: '1' }), 400, /replication mode/],
      ['seq without clientId', () => fetch(`${url}/key/keep?seq=1`, { method: 'PUT', headers: json, body: '1' }), 400, /go together/],
      ['clientId over 128 chars', () => fetch(`${url}/key/keep?clientId=${'c'.repeat(129)}&seq=1`, { method: 'PUT', headers: json, body: '1' }), 400, /clientId/],
      ['CAS body not an object', () => fetch(`${url}/key/keep/cas`, { method: 'POST', headers: json, body: '[1,2]' }), 400, /must be an object/],
      ['CAS without expected', () => fetch(`${url}/key/keep/cas`, { method: 'POST', headers: json, body: '{"next":1}' }), 400, /expected/],
      ['CAS with an unknown field', () => fetch(`${url}/key/keep/cas`, { method: 'POST', headers: json, body: '{"expected":null,"next":1,"nxt":2}' }), 400, /unknown field/],
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

    expect((await call('GET', `${url}/key/keep`)).body.value).toBe('safe');
  });
});

describe('HTTP status, health and metrics', () => {
  it('/status tells role, term, indexes, membership and, on the leader, each follower', async () => {
    const current = await agreedLeader(dev.http.urls);
    const status = (await call('GET', `${current.url}/status`)).body;
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
    expect(Object.keys(status.followers).sort()).toEqual(Object.keys(dev.http.urls).filter((id) => id !== current.id).sort());
    for (const follower of Object.values(status.followers)) {
      expect(follower).toMatchObject({ matchIndex: expect.any(Number), lagEntries: expect.any(Number), lagMs: expect.any(Number) });
    }
    const other = Object.entries(dev.http.urls).find(([id]) => id !== current.id) as [string, string];
    const followerStatus = (await call('GET', `${other[1]}/status`)).body;
    expect(followerStatus).toMatchObject({ nodeId: other[0], role: 'follower', leaderId: current.id, followers: {} });
  });

  it('/health is 200 on every node of a settled cluster', async () => {
    await eventually(async () => {
      const answers = await Promise.all(Object.values(dev.http.urls).map((url) => call('GET', `${url}/health`)));
      return answers.every((answer) => answer.status === 200 && answer.body.healthy === true);
    }, 'every node healthy');
  });

  it('/metrics is Prometheus text with every replikit metric, from this node', async () => {
    const current = await agreedLeader(dev.http.urls);
    expect((await writeFollowingLeader('PUT', current.url, '/key/measured', 1, session())).status).toBe(200);
    const response = await fetch(`${current.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const samples = parsePrometheus(await response.text());
    const names = new Set(samples.map((sample) => sample.name));
    for (const name of [
      'replikit_term',
      'replikit_commit_index',
      'replikit_applied_index',
      'replikit_is_leader',
      'replikit_follower_lag_entries',
      'replikit_follower_lag_ms',
      'replikit_elections_total',
      'replikit_leader_changes_total',
      'replikit_http_requests_total',
      'replikit_commit_latency_seconds_bucket',
      'replikit_commit_latency_seconds_count',
    ]) {
      expect(names, name).toContain(name);
    }
    const value = (name: string, labels = ''): number | undefined =>
      samples.find((sample) => sample.name === name && sample.labels.includes(labels))?.value;
    expect(value('replikit_is_leader')).toBe(1);
    expect(value('replikit_commit_latency_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(value('replikit_http_requests_total', 'route="/key/:key",status="200"')).toBeGreaterThanOrEqual(1);
    // One registry per server: another node's scrape has its own series.
    const other = Object.entries(dev.http.urls).find(([id]) => id !== current.id) as [string, string];
    const otherSamples = parsePrometheus(await (await fetch(`${other[1]}/metrics`)).text());
    expect(otherSamples.find((sample) => sample.name === 'replikit_is_leader')?.value).toBe(0);
    expect(otherSamples.some((sample) => sample.name === 'replikit_follower_lag_entries')).toBe(false);
  });
});
