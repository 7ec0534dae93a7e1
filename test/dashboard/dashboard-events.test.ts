import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterSnapshot, HelloMessage, NodeSample } from '../../src/dashboard/index.js';
import type { ClusterEventMessage, RoleEventMessage } from '../../src/dashboard/protocol.js';
import {
  deadUrl,
  fakeClusterEvents,
  fakeEndpoint,
  openStream,
  sleep,
  startDashboardServer,
  startFakePeer,
  statusBody,
  type DashboardServer,
  type FakePeer,
} from './helpers.js';

const INTERVAL_MS = 40;

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

interface Setup {
  readonly server: DashboardServer;
  readonly n2: FakePeer;
  readonly endpoint: ReturnType<typeof fakeEndpoint>;
  readonly cluster: ReturnType<typeof fakeClusterEvents>;
  readonly eventsUrl: string;
}

/** n1 serves the dashboard (and answers its own /status), n2 is a fake peer, n3 is down. */
async function setup(options: { maxSseClients?: number; statusFetchTimeoutMs?: number } = {}): Promise<Setup> {
  const n2 = await startFakePeer(statusBody('n2', 'follower'));
  cleanups.push(() => n2.close());
  const urls: Record<string, string> = { n2: n2.url, n3: await deadUrl() };
  const endpoint = fakeEndpoint('n1');
  const cluster = fakeClusterEvents();
  const server = await startDashboardServer(
    {
      endpoint,
      peerUrls: () => urls,
      devMode: true,
      clusterEvents: cluster.source,
      snapshotIntervalMs: INTERVAL_MS,
      ...options,
    },
    () => statusBody('n1', 'leader'),
  );
  urls['n1'] = server.url;
  cleanups.push(() => server.close());
  return { server, n2, endpoint, cluster, eventsUrl: `${server.url}/dashboard/events` };
}

const byId = (snapshot: ClusterSnapshot, id: string): NodeSample | undefined => snapshot.nodes.find((node) => node.id === id);

describe('the dashboard event stream', () => {
  it('opens with hello, then sends a snapshot of every node each interval', async () => {
    const { eventsUrl } = await setup();
    const stream = await openStream(eventsUrl);
    cleanups.push(async () => stream.destroy());
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['cache-control']).toBe('no-store');

    const hello = await stream.next<HelloMessage>('hello');
    expect(stream.messages[0]?.event).toBe('hello');
    expect(hello).toMatchObject({ nodeId: 'n1', devMode: true, snapshotIntervalMs: INTERVAL_MS });
    expect(hello.roleStatePaths).toEqual({ follower: 'follower', 'pre-candidate': 'preCandidate', candidate: 'candidate', leader: 'leader.serving' });

    const first = await stream.next<ClusterSnapshot>('snapshot');
    expect(first.nodes.map((node) => node.id)).toEqual(['n1', 'n2', 'n3']);
    expect(byId(first, 'n1')).toMatchObject({ role: 'leader', status: { term: 3, commitIndex: 7, leaseValid: true, voters: ['n1', 'n2', 'n3'] } });
    expect(byId(first, 'n1')?.status?.followers).toEqual({ n2: { matchIndex: 7, lagEntries: 0, lagMs: 4 }, n3: { matchIndex: 2, lagEntries: 5, lagMs: 900 } });
    expect(byId(first, 'n2')).toMatchObject({ role: 'follower', status: { leaderId: 'n1' } });
    expect(byId(first, 'n3')).toMatchObject({ role: 'down', error: 'connection refused' });
    expect(byId(first, 'n3')?.status).toBeUndefined();

    const startedMs = performance.now();
    for (let i = 0; i < 5; i += 1) await stream.next('snapshot');
    const elapsedMs = performance.now() - startedMs;
    expect(elapsedMs).toBeGreaterThan(INTERVAL_MS * 3);
    expect(elapsedMs).toBeLessThan(INTERVAL_MS * 5 + 1500);
  });

  it("pushes the serving node's role changes at once, between snapshots", async () => {
    const { eventsUrl, endpoint } = await setup();
    const stream = await openStream(eventsUrl);
    cleanups.push(async () => stream.destroy());
    await stream.next('snapshot');
    const sentMs = Date.now();
    const why = 'election timeout: no word from a leader for 1200 ms';
    endpoint.emit({ type: 'role', role: 'candidate', term: 4, leaderId: null, cause: { kind: 'election-timeout', silenceTicks: 120 }, why });
    const role = await stream.next<RoleEventMessage>('role', undefined, INTERVAL_MS * 3);
    expect(role).toMatchObject({ source: 'node', id: 'n1', role: 'candidate', term: 4, leaderId: null, why });
    expect(role.atMs).toBeGreaterThanOrEqual(sentMs - 5);

    endpoint.emit({ type: 'fatal', message: 'disk full' });
    expect(await stream.next<ClusterEventMessage>('cluster')).toMatchObject({ event: { type: 'fatal', id: 'n1', message: 'disk full' } });
  });

  it("passes the cluster's events on, without key changes or the serving node's role twice", async () => {
    const { eventsUrl, cluster } = await setup();
    const stream = await openStream(eventsUrl);
    cleanups.push(async () => stream.destroy());
    await stream.next('hello');
    cluster.emit({ type: 'changes', id: 'n2', changes: [{ index: 8, key: 'k', deleted: false, value: 1 }] });
    cluster.emit({ type: 'role', id: 'n1', role: 'follower', term: 5, leaderId: 'n2' });
    cluster.emit({ type: 'role', id: 'n2', role: 'leader', term: 5, leaderId: 'n2' });
    cluster.emit({ type: 'node-crashed', id: 'n3', reason: 'crashed on request' });
    cluster.emit({ type: 'partition', groups: [['n1'], ['n2', 'n3']] });
    cluster.emit({ type: 'huge', blob: 'x'.repeat(10_000) });
    cluster.emit('not an event');
    cluster.emit({ type: 'heal' });

    expect(await stream.next<RoleEventMessage>('role')).toMatchObject({ source: 'cluster', id: 'n2', role: 'leader', term: 5 });
    expect((await stream.next<ClusterEventMessage>('cluster')).event).toEqual({ type: 'node-crashed', id: 'n3', reason: 'crashed on request' });
    expect((await stream.next<ClusterEventMessage>('cluster')).event).toEqual({ type: 'partition', groups: [['n1'], ['n2', 'n3']] });
    expect((await stream.next<ClusterEventMessage>('cluster')).event).toEqual({ type: 'huge' });
    expect((await stream.next<ClusterEventMessage>('cluster')).event).toEqual({ type: 'heal' });
    const pushed = stream.messages.filter((m) => m.event === 'role' || m.event === 'cluster');
    expect(pushed).toHaveLength(5);
  });

  it('replays recent events to a page that connects later', async () => {
    const { eventsUrl, cluster, endpoint } = await setup();
    endpoint.emit({ type: 'role', role: 'leader', term: 2, leaderId: 'n1', cause: { kind: 'start' }, why: 'the node started' });
    cluster.emit({ type: 'leader-change', leaderId: 'n1', term: 2 });
    const stream = await openStream(eventsUrl);
    cleanups.push(async () => stream.destroy());
    const hello = await stream.next<HelloMessage>('hello');
    expect(hello.recent.map((message) => message.kind)).toEqual(['role', 'cluster']);
    expect(hello.recent[0]?.data).toMatchObject({ id: 'n1', role: 'leader', term: 2 });
    expect(hello.recent[1]?.data).toMatchObject({ event: { type: 'leader-change', leaderId: 'n1', term: 2 } });
  });

  it('survives a client disconnecting: the others keep receiving and its slot is freed', async () => {
    const { eventsUrl, endpoint } = await setup({ maxSseClients: 2 });
    const a = await openStream(eventsUrl);
    const b = await openStream(eventsUrl);
    cleanups.push(async () => b.destroy());
    await a.next('snapshot');
    await b.next('snapshot');

    const full = await openStream(eventsUrl);
    expect(full.status).toBe(503);
    expect(full.headers['retry-after']).toBe('5');
    expect(JSON.parse(await full.body)).toMatchObject({ error: 'Too many dashboards' });

    a.destroy();
    await a.ended;
    const seen = b.messages.filter((m) => m.event === 'snapshot').length;
    endpoint.emit({ type: 'role', role: 'follower', term: 9, leaderId: 'n2', cause: { kind: 'start' }, why: 'the node started' });
    await b.next('role', (data: RoleEventMessage) => data.term === 9);
    await b.next('snapshot', () => b.messages.filter((m) => m.event === 'snapshot').length >= seen + 3);

    let c = await openStream(eventsUrl);
    // The server learns of the disconnect when the socket closes; give it a moment if the new client raced it.
    for (let attempt = 0; c.status !== 200 && attempt < 20; attempt += 1) {
      await sleep(25);
      c = await openStream(eventsUrl);
    }
    cleanups.push(async () => c.destroy());
    expect(c.status).toBe(200);
    await c.next('snapshot');
  });

  it('asks the nodes for their status only while a page is open', async () => {
    const { eventsUrl, n2 } = await setup();
    await sleep(INTERVAL_MS * 3);
    expect(n2.requests).toHaveLength(0);
    const stream = await openStream(eventsUrl);
    await stream.next('snapshot');
    await stream.next('snapshot');
    stream.destroy();
    await stream.ended;
    await sleep(INTERVAL_MS * 2);
    const afterClose = n2.requests.length;
    await sleep(INTERVAL_MS * 5);
    expect(n2.requests.length).toBe(afterClose);
    expect(afterClose).toBeGreaterThanOrEqual(2);
  });

  it('shows a hung node with its last answer, then as down, without holding back the others', async () => {
    const { eventsUrl, n2 } = await setup({ statusFetchTimeoutMs: 300 });
    const stream = await openStream(eventsUrl);
    cleanups.push(async () => stream.destroy());
    await stream.next<ClusterSnapshot>('snapshot', (s) => byId(s, 'n2')?.role === 'follower');
    n2.mode = 'hang';
    const hungAtMs = performance.now();
    const down = await stream.next<ClusterSnapshot>('snapshot', (s) => byId(s, 'n2')?.role === 'down', 3000);
    expect(performance.now() - hungAtMs).toBeGreaterThanOrEqual(250);
    expect(byId(down, 'n2')?.error).toBe('no answer within 300 ms');
    const whileHung = stream.messages.filter((m) => m.event === 'snapshot').slice(-5);
    expect(whileHung.length).toBe(5);
    for (const message of whileHung) expect(byId(message.data as ClusterSnapshot, 'n1')?.role).toBe('leader');

    n2.mode = 'unavailable';
    const refused = await stream.next<ClusterSnapshot>('snapshot', (s) => byId(s, 'n2')?.error?.includes('503') === true, 3000);
    expect(byId(refused, 'n2')?.error).toBe('n2 is down or not answering (HTTP 503)');
    n2.mode = 'answer';
    await stream.next<ClusterSnapshot>('snapshot', (s) => byId(s, 'n2')?.role === 'follower', 3000);
  });

  it('ends every stream on close() and lets go of its subscriptions', async () => {
    const { eventsUrl, server, endpoint, cluster } = await setup();
    const stream = await openStream(eventsUrl);
    await stream.next('snapshot');
    expect(endpoint.listenerCount()).toBe(1);
    expect(cluster.listenerCount()).toBe(1);
    server.dashboard.close();
    await stream.ended;
    expect(endpoint.listenerCount()).toBe(0);
    expect(cluster.listenerCount()).toBe(0);
    const refused = await openStream(eventsUrl);
    expect(refused.status).toBe(503);
    server.dashboard.close();
  });
});
