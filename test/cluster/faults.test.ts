import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/index.js';
import { eventually, expectNoAcknowledgedWriteLost, leaderOf, sleep, withCluster } from './helpers.js';

/**
 * Writers that keep writing increasing values to a few keys, recording what was acknowledged.
 * Each key has one writer: two writers racing on a key could have a lower value ordered after a
 * higher one (a write retried across a failover), and a final read of it would look like a loss.
 */
function startWriters(cluster: Cluster, writers: number, keysPerWriter: number) {
  const acknowledged = new Map<string, number>();
  const attempted = new Map<string, Set<number>>();
  let running = true;
  let counter = 0;
  let failures = 0;
  const loops = Array.from({ length: writers }, async (_, writer) => {
    for (let round = 0; running; round++) {
      const key = `k${writer}-${round % keysPerWriter}`;
      const value = ++counter;
      const tried = attempted.get(key) ?? new Set<number>();
      tried.add(value);
      attempted.set(key, tried);
      try {
        await cluster.put(key, value);
        if ((acknowledged.get(key) ?? -1) < value) acknowledged.set(key, value);
      } catch {
        failures++; // unknown outcome or no leader for a while: allowed, just not acknowledged
        // Pause, so a cluster that fails at once (closed after a failed test) cannot starve the event loop.
        await sleep(20);
      }
    }
  });
  return {
    acknowledged,
    attempted,
    get failures() {
      return failures;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('faults on a worker-thread cluster', () => {
  it.each([
    [3, 3],
    [5, 2],
    [7, 1],
    [9, 1],
  ])(
    '%i nodes: steady writes while the leader is crashed %i times; nothing acknowledged is lost',
    async (nodes, crashes) => {
      await withCluster({ nodes }, async (cluster) => {
        await leaderOf(cluster);
        const writers = startWriters(cluster, 4, 2);
        for (let round = 0; round < crashes; round++) {
          await sleep(200);
          const leader = await leaderOf(cluster);
          await cluster.crash(leader);
          await eventually(async () => {
            const status = await cluster.status();
            return status.leaderId !== null && status.leaderId !== leader;
          }, `a new leader after crashing ${leader}`);
          await cluster.restart(leader);
        }
        await sleep(200);
        await writers.stop();
        expect(writers.acknowledged.size).toBeGreaterThan(0);
        expect(await expectNoAcknowledgedWriteLost(cluster, writers.acknowledged, writers.attempted)).toEqual([]);
        // Restarted nodes caught up: everyone applied what the leader committed.
        const { index } = await cluster.put('final', 1);
        await eventually(async () => (await cluster.status()).nodes.every((node) => node.appliedIndex >= index), 'every node to apply the final write');
      });
    },
    60_000,
  );

  it('a node far behind catches up from a snapshot', async () => {
    await withCluster({ nodes: 3, snapshotEveryEntries: 50 }, async (cluster) => {
      const leader = await leaderOf(cluster);
      const follower = cluster.nodeIds().find((id) => id !== leader) as string;
      await cluster.crash(follower);
      let last = { index: 0 };
      for (let i = 0; i < 300; i++) last = await cluster.put(`key${i % 20}`, i);
      await cluster.restart(follower);
      await eventually(
        async () => ((await cluster.status()).nodes.find((node) => node.id === follower)?.appliedIndex ?? -1) >= last.index,
        `${follower} to catch up`,
      );
      const read = await cluster.get('key19', { consistency: 'eventual', nodeId: follower });
      expect(read?.value).toBe(299);
      // It did not replay the log from 1: the leader had compacted it, so a snapshot was installed.
      const remote = (
        cluster as unknown as { supervisor: { remote(id: string): { status(): Promise<{ snapshotIndex: number; firstIndex: number }> } } }
      ).supervisor.remote(follower);
      const status = await remote.status();
      expect(status.firstIndex).toBeGreaterThan(1);
    });
  }, 30_000);

  it('a leader partitioned from the majority steps down and the majority goes on', async () => {
    await withCluster({ nodes: 5 }, async (cluster) => {
      const oldLeader = await leaderOf(cluster);
      const before = await cluster.put('before', 1);
      const others = cluster.nodeIds().filter((id) => id !== oldLeader);
      await cluster.partition([[oldLeader], others]);
      await eventually(async () => {
        const status = await cluster.status();
        return status.leaderId !== null && status.leaderId !== oldLeader && status.term > before.term;
      }, 'the majority to elect a new leader');
      // Check-quorum (or the supervisor's fencing) ends the old leader's reign.
      await eventually(async () => {
        const status = await cluster.status();
        const old = status.nodes.find((node) => node.id === oldLeader);
        return old?.role !== 'leader';
      }, `${oldLeader} to step down`);
      const during = await cluster.put('during', 2);
      expect(during.term).toBeGreaterThan(before.term);
      await cluster.heal();
      expect((await cluster.get('before'))?.value).toBe(1);
      expect((await cluster.get('during'))?.value).toBe(2);
    });
  }, 30_000);

  it('fences (STONITH) a hung leader once a newer leader exists', async () => {
    await withCluster({ nodes: 3 }, async (cluster) => {
      const fenced: string[] = [];
      cluster.on('node-fenced', (event: { id: string }) => fenced.push(event.id));
      const oldLeader = await leaderOf(cluster);
      await cluster.put('x', 1);
      cluster.pause(oldLeader);
      await eventually(() => fenced.includes(oldLeader), `${oldLeader} to be fenced`);
      const status = await cluster.status();
      expect(status.leaderId).not.toBe(oldLeader);
      // Shot and restarted as a follower, it rejoins.
      await eventually(
        async () => (await cluster.status()).nodes.find((node) => node.id === oldLeader)?.role === 'follower',
        `${oldLeader} to come back as a follower`,
      );
      expect((await cluster.get('x'))?.value).toBe(1);
    });
  }, 30_000);

  it('adds a node as a learner that catches up and becomes a voter, and removes one', async () => {
    await withCluster({ nodes: 3 }, async (cluster) => {
      for (let i = 0; i < 50; i++) await cluster.put(`k${i}`, i);
      const added = await cluster.addNode();
      await eventually(async () => {
        const leader = await leaderOf(cluster);
        const remote = (
          cluster as unknown as { supervisor: { remote(id: string): { status(): Promise<{ membership: { voters: string[] } }> } } }
        ).supervisor.remote(leader);
        return (await remote.status()).membership.voters.includes(added);
      }, `${added} to be promoted to voter`);
      expect((await cluster.get('k49', { consistency: 'eventual', nodeId: added }))?.value).toBe(49);
      const leader = await leaderOf(cluster);
      const removed = cluster.nodeIds().find((id) => id !== leader && id !== added) as string;
      await cluster.removeNode(removed);
      await cluster.put('after-removal', true);
      expect((await cluster.get('after-removal'))?.value).toBe(true);
    });
  }, 30_000);
});
