// Real `replikit node` processes on loopback, joined by TCP: kill -9, SIGSTOP
// and SIGCONT, hung node threads, crash loops, membership changes. After each,
// every acknowledged write is readable with a linearizable read.

import { afterEach, describe, expect, it } from 'vitest';
import { createClient, type ReplikitClient } from '../../src/client/index.js';
import { ProcessCluster, eventually, sleep } from './process-cluster.js';
import { expectEveryAcknowledgedWriteReadable, startWriters } from './writers.js';

let cluster: ProcessCluster | null = null;
const clients: ReplikitClient[] = [];
const writerGroups: { stop(): Promise<void> }[] = [];
const tracked = { clients, writerGroups };

afterEach(async () => {
  // A test that failed half-way still stops its writers before the cluster goes.
  await Promise.all(writerGroups.splice(0).map((writers) => writers.stop()));
  for (const client of clients.splice(0)) client.close();
  await cluster?.close();
  cluster = null;
});

async function leaderOf(procs: ProcessCluster, among?: string[]): Promise<{ id: string; term: number }> {
  return eventually(() => procs.leader(among), 'a leader');
}

describe('multi-host cluster of replikit node processes', () => {
  it.each([3, 5])(
    '%i nodes: kill -9 of the leader under load loses no acknowledged write',
    async (nodes) => {
      cluster = await ProcessCluster.start({ nodes });
      const procs = cluster;
      const endpoints = procs.endpoints();
      const writers = startWriters(tracked, endpoints, 3);
      await sleep(500);
      const old = await leaderOf(procs);
      procs.signal(old.id, 'SIGKILL');
      const others = procs.running();
      const next = await eventually(async () => {
        const leader = await procs.leader(others);
        return leader && leader.term > old.term ? leader : null;
      }, 'a new leader after kill -9');
      expect(next.id).not.toBe(old.id);
      await procs.startNode(old.id);
      await sleep(500);
      await writers.stop();
      await expectEveryAcknowledgedWriteReadable(tracked, endpoints, writers.acknowledged, writers.attempted);
    },
    90_000,
  );

  it('a leader frozen with SIGSTOP is replaced, serves nothing as leader after SIGCONT, and rejoins as follower', async () => {
    cluster = await ProcessCluster.start({ nodes: 3 });
    const procs = cluster;
    const client = createClient({ endpoints: procs.endpoints() });
    clients.push(client);
    await client.put('balance', 100);
    const old = await leaderOf(procs);
    procs.signal(old.id, 'SIGSTOP');
    const others = procs.ids().filter((id) => id !== old.id);
    await eventually(async () => {
      const leader = await procs.leader(others);
      return leader && leader.term > old.term ? leader : null;
    }, 'a new leader while the old one is frozen');
    const othersClient = createClient({ endpoints: procs.endpoints(others) });
    clients.push(othersClient);
    await othersClient.put('balance', 50);
    procs.signal(old.id, 'SIGCONT');
    // Right after waking, the old leader must not answer from its stale state as leader.
    for (const consistency of ['lease', 'linearizable'] as const) {
      const response = await fetch(`${procs.url(old.id)}/key/balance?consistency=${consistency}`, { signal: AbortSignal.timeout(6000) });
      const body = (await response.json()) as { value?: unknown };
      if (response.status === 200) expect(body.value, `${consistency} read from the woken old leader`).toBe(50);
      else expect([503, 504]).toContain(response.status);
    }
    await eventually(async () => (await procs.status(old.id))?.['role'] === 'follower', `${old.id} to rejoin as follower`);
    expect((await client.get('balance'))?.value).toBe(50);
  }, 60_000);

  it('the host shoots a leader whose node thread hangs before any other node is elected', async () => {
    cluster = await ProcessCluster.start({ nodes: 3 });
    const procs = cluster;
    const old = await leaderOf(procs);
    // The watchdog guards a lease: wait until the leader holds one (and its host has seen it).
    await eventually(async () => (await procs.status(old.id))?.['leaseValid'] === true, `${old.id} to hold a lease`);
    await sleep(100);
    const hungAtMs = performance.now();
    await procs.post(old.id, '/admin/debug/hang');
    const others = procs.ids().filter((id) => id !== old.id);
    const next = await eventually(async () => {
      const leader = await procs.leader(others);
      return leader && leader.term > old.term ? leader : null;
    }, 'a new leader');
    const fenced = procs.firstLine((line) => line.id === old.id && line.atMs > hungAtMs && line.text.includes('fenced (lease-expired)'));
    expect(fenced, procs.logOf(old.id)).toBeDefined();
    // /status can name the new leader before its host's log line about it has reached us; the line's
    // own time is what is compared.
    const elected = await eventually(
      async () => procs.firstLine((line) => line.id === next.id && line.atMs > hungAtMs && line.text.includes('role: leader')),
      `${next.id}'s log line saying it leads`,
    );
    expect(fenced!.atMs).toBeLessThan(elected!.atMs);
    // The fencing delay, for the record (not asserted: the box is shared).
    console.log(`hang -> fenced ${Math.round(fenced!.atMs - hungAtMs)} ms, hang -> new leader ${Math.round(elected!.atMs - hungAtMs)} ms`);
    // Restarted as a follower, it serves again.
    await eventually(async () => (await procs.status(old.id))?.['role'] === 'follower', `${old.id} back as follower`);
  }, 60_000);

  it('a node that keeps crashing is left down and reported as crash-looping, not hidden', async () => {
    cluster = await ProcessCluster.start({ nodes: 3 });
    const procs = cluster;
    const victim = 'n3';
    // Crash the node whenever it is up, until its host gives up on it and says so.
    await eventually(
      async () => {
        if (procs.logOf(victim).includes('crash-looping')) return true;
        if ((await procs.status(victim))?.['role'] !== undefined) await procs.post(victim, '/admin/debug/crash');
        await sleep(100);
        return false;
      },
      'the crash loop to be reported',
      90_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; log:\n${procs.logOf(victim).split('\n').slice(-25).join('\n')}`);
    });
    expect(procs.lines.filter((line) => line.id === victim && line.text.includes('crashed on request')).length).toBeGreaterThan(0);
    const health = await fetch(`${procs.url(victim)}/health`);
    expect(health.status).toBe(503);
    // The rest of the cluster goes on.
    const client = createClient({ endpoints: procs.endpoints(['n1', 'n2']) });
    clients.push(client);
    await client.put('still', 'writable');
  }, 120_000);

  it('adds a node and removes one while writes go on', async () => {
    cluster = await ProcessCluster.start({ nodes: 3, spares: 1 });
    const procs = cluster;
    const endpoints = procs.endpoints(['n1', 'n2', 'n3']);
    const writers = startWriters(tracked, endpoints, 2);
    await procs.startNode('n4', { join: true });
    // Ask whoever leads now; if leadership moves between the look-up and the request, ask again.
    const leader = await eventually(async () => {
      const current = await leaderOf(procs);
      const added = await procs.post(current.id, '/admin/members', { id: 'n4' });
      if (added.status === 503) return null;
      expect(added.status, await added.clone().text()).toBe(200);
      return current;
    }, 'the leader to add n4');
    await eventually(async () => {
      const status = await procs.status((await leaderOf(procs)).id);
      return ((status?.['membership'] as { voters: string[] } | undefined)?.voters ?? []).includes('n4');
    }, 'n4 to become a voter');
    const removable = ['n1', 'n2', 'n3'].find((id) => id !== leader.id) as string;
    await eventually(async () => {
      const current = await leaderOf(procs);
      const removed = await fetch(`${procs.url(current.id)}/admin/members/${removable}`, { method: 'DELETE' });
      if (removed.status === 503) return false;
      expect(removed.status, await removed.clone().text()).toBe(200);
      return true;
    }, `the leader to remove ${removable}`);
    await eventually(async () => {
      const status = await procs.status((await leaderOf(procs)).id);
      return !((status?.['membership'] as { voters: string[] } | undefined)?.voters ?? [removable]).includes(removable);
    }, `${removable} to leave`);
    await sleep(300);
    await writers.stop();
    await expectEveryAcknowledgedWriteReadable(tracked, [...endpoints, procs.url('n4')], writers.acknowledged, writers.attempted);
  }, 60_000);
});
