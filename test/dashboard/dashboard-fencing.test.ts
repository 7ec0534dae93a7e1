// Fencings on the dashboard's timeline: pushed by the serving node, pushed by
// the dev supervisor, or read from a node's /status (the only route from
// another host), and shown once whichever route brings them first.

import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterSnapshot, HelloMessage } from '../../src/dashboard/index.js';
import { recentFencingOf } from '../../src/dashboard/fencing-feed.js';
import { MAX_FENCING_DETAIL_CHARS, MAX_FENCING_READ_PER_NODE } from '../../src/dashboard/limits.js';
import type { ClusterEventMessage } from '../../src/dashboard/protocol.js';
import type { FencingRecord } from '../../src/node/fencing.js';
import { fakeClusterEvents, fakeEndpoint, openStream, startDashboardServer, startFakePeer, statusBody, type SseStream } from './helpers.js';

const INTERVAL_MS = 40;
/** Generous: a wait on a loaded machine, never a timing assertion. */
const WAIT_MS = 10_000;

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/** n1 serves the dashboard and answers its own /status from `own`; n2 is a fake peer. */
async function setup() {
  const n2 = await startFakePeer(statusBody('n2', 'follower'));
  cleanups.push(() => n2.close());
  const urls: Record<string, string> = { n2: n2.url };
  const endpoint = fakeEndpoint('n1');
  const cluster = fakeClusterEvents();
  const own = { status: statusBody('n1', 'leader') };
  const server = await startDashboardServer(
    { endpoint, peerUrls: () => urls, devMode: true, clusterEvents: cluster.source, snapshotIntervalMs: INTERVAL_MS },
    () => own.status,
  );
  urls['n1'] = server.url;
  cleanups.push(() => server.close());
  const stream = await openStream(`${server.url}/dashboard/events`);
  cleanups.push(async () => stream.destroy());
  return { n2, endpoint, cluster, own, server, stream };
}

const fencedMessages = (stream: SseStream): ClusterEventMessage[] =>
  stream.messages
    .filter((message) => message.event === 'cluster')
    .map((message) => message.data as ClusterEventMessage)
    .filter((data) => data.event.type === 'node-fenced');

/** Resolves once a snapshot has a sample of `id` asked for after this call: everything its status listed by now was read. */
async function sampledAfterNow(stream: SseStream, id: string): Promise<void> {
  const afterMs = Date.now();
  await stream.next<ClusterSnapshot>(
    'snapshot',
    (snapshot) => snapshot.nodes.some((node) => node.id === id && node.status !== undefined && node.sampledAtMs > afterMs),
    WAIT_MS,
  );
}

const record = (overrides: Partial<FencingRecord> = {}): FencingRecord => ({
  atMs: 1_700_000_000_123,
  reason: 'lease-expired',
  term: 4,
  detail: 'leader lease of term 4 lapsed 12 ms ago without renewal',
  ...overrides,
});

describe('fencings on the dashboard timeline', () => {
  it("shows the serving node's fencing at once, and once, though its /status lists it too", async () => {
    const { endpoint, own, stream, server } = await setup();
    await stream.next('snapshot', undefined, WAIT_MS);
    const fenced = record();
    endpoint.emitFencing(fenced);
    own.status = statusBody('n1', 'follower', { term: 5, recentFencing: [fenced] });
    const message = await stream.next<ClusterEventMessage>('cluster', (data) => data.event.type === 'node-fenced', WAIT_MS);
    expect(message.event).toEqual({ type: 'node-fenced', id: 'n1', ...fenced });

    await sampledAfterNow(stream, 'n1');
    await sampledAfterNow(stream, 'n1');
    expect(fencedMessages(stream)).toHaveLength(1);

    expect(endpoint.fencingListenerCount()).toBe(1);
    server.dashboard.close();
    expect(endpoint.fencingListenerCount()).toBe(0);
  });

  it("shows a peer's fencing read from its /status once, and replays it to a page opened later", async () => {
    const { n2, stream, server } = await setup();
    const fenced = record({ reason: 'remote-request', detail: 'a signed fence request from n3, at term 5, while this node still led term 4' });
    n2.status = statusBody('n2', 'follower', { term: 5, recentFencing: [fenced] });
    const message = await stream.next<ClusterEventMessage>('cluster', (data) => data.event.type === 'node-fenced', WAIT_MS);
    expect(message.event).toEqual({ type: 'node-fenced', id: 'n2', ...fenced });

    await sampledAfterNow(stream, 'n2');
    await sampledAfterNow(stream, 'n2');
    expect(fencedMessages(stream)).toHaveLength(1);

    const later = await openStream(`${server.url}/dashboard/events`);
    cleanups.push(async () => later.destroy());
    const hello = await later.next<HelloMessage>('hello');
    const replayed = hello.recent.filter((entry) => entry.kind === 'cluster' && entry.data.event.type === 'node-fenced');
    expect(replayed.map((entry) => entry.data)).toMatchObject([{ event: { type: 'node-fenced', id: 'n2', reason: 'remote-request', term: 4 } }]);
  });

  it("dev mode: the supervisor's node-fenced event and the fenced node's /status make one entry", async () => {
    const { n2, cluster, stream } = await setup();
    await stream.next('snapshot', undefined, WAIT_MS);
    const fenced = record({ reason: 'stale-leader', term: 3, detail: 'still leader of term 3 while n1 leads term 4' });
    cluster.emit({ type: 'node-fenced', id: 'n2', staleTerm: 3, leaderTerm: 4, ...fenced });
    n2.status = statusBody('n2', 'follower', { term: 4, recentFencing: [fenced] });
    const message = await stream.next<ClusterEventMessage>('cluster', (data) => data.event.type === 'node-fenced', WAIT_MS);
    expect(message.event).toEqual({ type: 'node-fenced', id: 'n2', ...fenced });

    // A second fencing of the same node is a new entry.
    const again = record({ reason: 'stale-leader', atMs: fenced.atMs + 5000, term: 6, detail: 'still leader of term 6 while n1 leads term 7' });
    n2.status = statusBody('n2', 'follower', { term: 7, recentFencing: [fenced, again] });
    await sampledAfterNow(stream, 'n2');
    cluster.emit({ type: 'node-fenced', id: 'n2', staleTerm: 6, leaderTerm: 7, ...again });
    await sampledAfterNow(stream, 'n2');
    expect(fencedMessages(stream).map((data) => data.event['term'])).toEqual([3, 6]);
  });
});

describe("a peer's recentFencing, read as untrusted data", () => {
  it('keeps well-formed entries, cuts long details, skips the rest, and reads a bounded number', () => {
    const good = record();
    const entries: unknown[] = [
      'not an entry',
      { ...good, atMs: 'soon' },
      { ...good, reason: '' },
      { ...good, reason: 'x'.repeat(500) },
      { ...good, term: -1 },
      { ...good, detail: 'd'.repeat(10_000) },
      { atMs: 5, reason: 'some-future-reason', term: 0 },
    ];
    expect(recentFencingOf({ recentFencing: entries })).toEqual([
      { ...good, detail: 'd'.repeat(MAX_FENCING_DETAIL_CHARS) },
      { atMs: 5, reason: 'some-future-reason', term: 0, detail: '' },
    ]);
    expect(recentFencingOf({})).toEqual([]);
    expect(recentFencingOf({ recentFencing: 'many' })).toEqual([]);

    const many = Array.from({ length: MAX_FENCING_READ_PER_NODE + 10 }, (_, i) => record({ atMs: i }));
    const read = recentFencingOf({ recentFencing: many });
    expect(read).toHaveLength(MAX_FENCING_READ_PER_NODE);
    expect(read.at(-1)?.atMs).toBe(many.length - 1);
  });
});
