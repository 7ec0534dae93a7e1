// Fencing seen through the HTTP face, in every mode: each fencing is counted
// in /metrics (replikit_fencing_total by reason) on the fenced node's server,
// listed in its /status (recentFencing, bounded), and shown on the dashboard.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clusterEventsOf } from '../../src/dashboard/index.js';
import type { HelloMessage } from '../../src/dashboard/index.js';
import type { ClusterEventMessage } from '../../src/dashboard/protocol.js';
import { signFenceNotice, type FenceNotice } from '../../src/host/fence-request.js';
import { createNodeHttpServer } from '../../src/http/index.js';
import { RECENT_FENCING_KEPT } from '../../src/http/limits.js';
import { FENCING_REASONS, type FencingRecord } from '../../src/node/fencing.js';
import type { NodeStatus } from '../../src/node/node-runtime.js';
import { startProcessNode } from '../../src/serve/process-node.js';
import { fakeEndpoint, openStream, startDashboardServer } from '../dashboard/helpers.js';
import { agreedLeader, call, parsePrometheus, startDevCluster, until } from './helpers.js';

/** Generous waits for a loaded machine; nothing here asserts how fast. */
const WAIT_MS = 30_000;

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

/** This server's replikit_fencing_total, by reason. */
async function fencingCounts(url: string): Promise<Record<string, number>> {
  const samples = parsePrometheus((await call('GET', `${url}/metrics`)).text);
  const counts: Record<string, number> = {};
  for (const sample of samples.filter((s) => s.name === 'replikit_fencing_total')) {
    const reason = /reason="([^"]*)"/.exec(sample.labels)?.[1] ?? '?';
    counts[reason] = sample.value;
  }
  return counts;
}

const zeroCounts = (): Record<string, number> => Object.fromEntries(FENCING_REASONS.map((reason) => [reason, 0]));

function fakeStatus(id: string): NodeStatus {
  return {
    id,
    role: 'follower',
    term: 5,
    leaderId: null,
    commitIndex: 0,
    appliedIndex: 0,
    lastIndex: 0,
    firstIndex: 1,
    membership: { voters: [id], learners: [] },
    leaseValid: false,
    leaseRemainingMs: 0,
    lagMs: 0,
    followers: {},
    pendingRequests: 0,
    snapshotIndex: 0,
  };
}

describe('fencing in /metrics and /status', () => {
  it('counts every fencing the endpoint reports, by reason, and lists the latest in /status', async () => {
    const endpoint = fakeEndpoint('n1');
    endpoint.status = async () => fakeStatus('n1');
    const server = createNodeHttpServer({ endpoint, peerUrls: () => ({}), lagThresholdMs: 1000 });
    cleanups.push(() => server.close());
    const { url } = await server.listen('127.0.0.1', 0);

    // Every reason is exposed from zero, before anything happened.
    expect(await fencingCounts(url)).toEqual(zeroCounts());
    expect((await call('GET', `${url}/status`)).body.recentFencing).toEqual([]);
    expect((await call('GET', `${url}/metrics`)).text).toContain('replikit_fencing_total{reason="lease-expired",node="n1"} 0');

    const first: FencingRecord = { atMs: 1000, reason: 'lease-expired', term: 4, detail: 'leader lease of term 4 lapsed 3 ms ago without renewal' };
    const second: FencingRecord = { atMs: 2000, reason: 'remote-request', term: 5, detail: 'a signed fence request from n2' };
    endpoint.emitFencing(first);
    endpoint.emitFencing(second);
    expect(await fencingCounts(url)).toEqual({ ...zeroCounts(), 'lease-expired': 1, 'remote-request': 1 });
    expect((await call('GET', `${url}/status`)).body.recentFencing).toEqual([first, second]);

    // The list is bounded; the counter is not.
    const more = Array.from({ length: RECENT_FENCING_KEPT + 3 }, (_, i): FencingRecord => ({ atMs: 3000 + i, reason: 'hung', term: 6, detail: `hung #${i}` }));
    for (const fencing of more) endpoint.emitFencing(fencing);
    const listed = (await call('GET', `${url}/status`)).body.recentFencing as FencingRecord[];
    expect(listed).toHaveLength(RECENT_FENCING_KEPT);
    expect(listed.at(-1)).toEqual(more.at(-1));
    expect(await fencingCounts(url)).toEqual({ ...zeroCounts(), 'lease-expired': 1, 'remote-request': 1, hung: more.length });

    await server.close();
    expect(endpoint.fencingListenerCount()).toBe(0);
  });

  it('replikit dev: a paused leader fenced as stale is counted on its own server, listed there, and on the dashboard', async () => {
    const dev = await startDevCluster();
    cleanups.push(() => dev.close());
    const dashboard = await startDashboardServer(
      { endpoint: dev.cluster.endpoint('n1'), peerUrls: () => dev.http.urls, devMode: true, clusterEvents: clusterEventsOf(dev.cluster) },
      () => ({}),
    );
    cleanups.push(() => dashboard.close());
    const stream = await openStream(`${dashboard.url}/dashboard/events`);
    cleanups.push(async () => stream.destroy());

    const old = await agreedLeader(dev.http.urls);
    // Counted from before the pause: a leader deposed in the churn of a loaded machine may have been fenced already.
    const before = await fencingCounts(old.url);
    expect(Object.keys(before).sort()).toEqual([...FENCING_REASONS].sort());
    // A paused leader cannot step down: once the others elect a newer one, the supervisor shoots it.
    dev.cluster.pause(old.id);
    await until(
      async () => ((await fencingCounts(old.url))['stale-leader'] === (before['stale-leader'] ?? 0) + 1 ? true : null),
      `${old.id} to be fenced`,
      WAIT_MS,
    );

    const status = await until(
      async () => {
        const answer = await call('GET', `${old.url}/status`);
        return answer.status === 200 ? answer.body : null;
      },
      `${old.id} to answer again`,
      WAIT_MS,
    );
    const latest = (status.recentFencing as FencingRecord[]).at(-1);
    expect(latest).toEqual({
      atMs: expect.any(Number),
      reason: 'stale-leader',
      term: expect.any(Number),
      detail: expect.stringMatching(/^still leader of term \d+ while n\d leads term \d+$/),
    });

    const shown = await stream.next<ClusterEventMessage>(
      'cluster',
      (data) => data.event.type === 'node-fenced' && data.event['atMs'] === latest?.atMs,
      WAIT_MS,
    );
    expect(shown.event).toEqual({ type: 'node-fenced', id: old.id, ...latest });
  });

  it('replikit node: a signed POST /admin/fence is counted as remote-request, listed, logged and on its dashboard', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'replikit-fencing-test-'));
    const secret = Buffer.from('a shared secret of thirty-two bytes!');
    const lines: string[] = [];
    const peerHttp: Record<string, string> = {};
    const node = await startProcessNode({
      id: 'n1',
      http: { host: '127.0.0.1', port: 0 },
      listen: { host: '127.0.0.1', port: 0 },
      peers: { n1: { host: '127.0.0.1', port: 0 } },
      peerHttp,
      dataDir,
      clusterId: 'fencing-test',
      secret,
      join: false,
      mode: 'quorum',
      lagThresholdMs: 1000,
      // Slower than the defaults (and still safe: 20 + 10 + 100 + 100 < 40 x 10 ms), so that a starved
      // machine does not fence this node on its own while the test fences it on purpose.
      timing: {
        tickMs: 10,
        electionTimeoutTicks: 60,
        leaseDriftTicks: 40,
        watchdogIntervalMs: 20,
        confirmTimeoutMs: 100,
        killBoundMs: 100,
        hangTimeoutMs: 5000,
      },
      log: (line) => lines.push(line),
    });
    cleanups.push(async () => {
      await node.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const url = node.httpUrl;
    peerHttp['n1'] = url;
    expect(Object.keys(await fencingCounts(url)).sort()).toEqual([...FENCING_REASONS].sort());

    // As the host of a node that saw this one lead an older term would ask; retried if leadership moved meanwhile.
    const fencedTerm = await until(
      async () => {
        const status = await call('GET', `${url}/status`);
        if (status.body?.role !== 'leader') return null;
        const term = status.body.term as number;
        const notice: FenceNotice = { clusterId: 'fencing-test', from: 'n9', to: 'n1', staleTerm: term, newerTerm: term + 1, sentAtMs: Date.now() };
        const answer = await call('POST', `${url}/admin/fence`, notice, { 'x-replikit-signature': signFenceNotice(notice, secret) });
        expect(answer.status).toBe(200);
        return answer.body.fenced === true ? term : null;
      },
      'n1 to lead and be fenced',
      WAIT_MS,
    );

    // Only this one: a fencing the watchdog might add on a starved machine would have another reason.
    expect((await fencingCounts(url))['remote-request']).toBe(1);
    expect(lines.filter((line) => line.startsWith('fenced (remote-request)'))).toEqual([
      `fenced (remote-request) in term ${fencedTerm}: a signed fence request from n9, at term ${fencedTerm + 1}, while this node still led term ${fencedTerm}; restarting as follower`,
    ]);

    const status = await until(
      async () => {
        const answer = await call('GET', `${url}/status`);
        return answer.status === 200 ? answer.body : null;
      },
      'n1 to answer again',
      WAIT_MS,
    );
    const listed = (status.recentFencing as FencingRecord[]).filter((fencing) => fencing.reason === 'remote-request');
    expect(listed).toEqual([{ atMs: expect.any(Number), reason: 'remote-request', term: fencedTerm, detail: expect.stringContaining('from n9') }]);

    // The node's own dashboard: a page opened now starts its timeline with the fencing.
    const stream = await openStream(`${url}/dashboard/events`);
    cleanups.push(async () => stream.destroy());
    const hello = await stream.next<HelloMessage>('hello');
    expect(hello.devMode).toBe(false);
    const shown = hello.recent.flatMap((message) =>
      message.kind === 'cluster' && message.data.event['reason'] === 'remote-request' ? [message.data.event] : [],
    );
    expect(shown).toEqual([{ type: 'node-fenced', id: 'n1', ...listed[0] }]);
  });
});
