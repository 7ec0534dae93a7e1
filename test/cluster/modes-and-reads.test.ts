import { describe, expect, it } from 'vitest';
import { ReplikitError } from '../../src/index.js';
import { eventually, leaderOf, routedToNewLeader, sleep, withCluster } from './helpers.js';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(ReplikitError);
    return (error as ReplikitError).code;
  }
}

describe('replication modes', () => {
  it('async acknowledges from the leader alone, and a leader cut off then loses that acknowledged write', async () => {
    await withCluster({ nodes: 3, mode: 'async' }, async (cluster) => {
      const oldLeader = await leaderOf(cluster);
      // The starting value must really be committed: in async mode it too could be lost.
      await cluster.put('balance', 100, { mode: 'quorum' });
      const others = cluster.nodeIds().filter((id) => id !== oldLeader);
      const newLeader = routedToNewLeader(cluster, oldLeader);
      await cluster.partition([[oldLeader], others]);
      // The isolated leader still believes it leads: async answers from its disk alone.
      const acknowledged = await cluster.put('balance', 50);
      expect(acknowledged.index).toBeGreaterThan(0);
      await newLeader;
      await cluster.put('other', 'written by the new leader');
      await cluster.heal();
      await eventually(
        async () => (await cluster.status()).nodes.find((node) => node.id === oldLeader)?.role === 'follower',
        'the old leader to rejoin as follower',
      );
      // The acknowledged write is gone: the new leader's log replaced it.
      expect((await cluster.get('balance'))?.value).toBe(100);
    });
  }, 30_000);

  it('quorum never acknowledges a write a cut-off leader could lose: it lands through the new leader, once', async () => {
    await withCluster({ nodes: 3, mode: 'quorum' }, async (cluster) => {
      const oldLeader = await leaderOf(cluster);
      const before = await cluster.put('balance', 100);
      const newLeader = routedToNewLeader(cluster, oldLeader);
      await cluster.partition([[oldLeader], cluster.nodeIds().filter((id) => id !== oldLeader)]);
      // The cut-off leader cannot commit it; when it steps down, the write is sent again (same
      // session seq) to the new leader, and only that commit is acknowledged.
      const cutOffWrite = cluster.put('balance', 50);
      const elected = await newLeader;
      const acknowledged = await cutOffWrite;
      expect(acknowledged.term).toBeGreaterThan(before.term);
      await cluster.heal();
      await eventually(
        async () => (await cluster.status()).nodes.find((node) => node.id === oldLeader)?.role === 'follower',
        'the old leader to rejoin as follower',
      );
      expect((await cluster.get('balance'))?.value).toBe(50);
      // Applied once: the value as of the new leader's commit, on every node.
      for (const nodeId of cluster.nodeIds()) {
        await eventually(async () => (await cluster.get('balance', { consistency: 'eventual', nodeId }))?.value === 50, `${nodeId} to hold 50`);
      }
      expect(elected).not.toBe(oldLeader);
    });
  }, 30_000);

  it('sync waits for every voter: with one down it fails with an unknown outcome; quorum still succeeds', async () => {
    await withCluster({ nodes: 3, replicationTimeoutMs: 300 }, async (cluster) => {
      const leader = await leaderOf(cluster);
      const follower = cluster.nodeIds().find((id) => id !== leader) as string;
      await cluster.put('k', 'both up', { mode: 'sync' });
      await cluster.crash(follower);
      expect(await codeOf(cluster.put('k', 'one down', { mode: 'sync' }))).toBe('unknown-outcome');
      expect((await cluster.put('k', 'quorum', { mode: 'quorum' })).degraded).toBe(false);
    });
  }, 30_000);

  it('semi-sync acknowledges with minReplicas followers, and falls back (degraded) when it cannot get them', async () => {
    await withCluster({ nodes: 3, replicationTimeoutMs: 300 }, async (cluster) => {
      const leader = await leaderOf(cluster);
      const first = cluster.nodeIds().find((id) => id !== leader) as string;
      const healthy = await cluster.put('k', 1, { mode: 'semi-sync', minReplicas: 1 });
      expect(healthy.degraded).toBe(false);
      await cluster.crash(first);
      expect((await cluster.put('k', 2, { mode: 'semi-sync', minReplicas: 1 })).degraded).toBe(false);
      const wantsTwo = await cluster.put('k', 3, { mode: 'semi-sync', minReplicas: 2 });
      expect(wantsTwo.degraded).toBe(true);
      // Degraded means answered from the leader's disk, yet the write still commits on the majority.
      expect((await cluster.get('k'))?.value).toBe(3);
    });
  }, 30_000);
});

describe('read consistency levels', () => {
  it('linearizable and lease reads see the latest acknowledged write', async () => {
    await withCluster({ nodes: 3 }, async (cluster) => {
      for (let i = 0; i < 20; i++) {
        await cluster.put('counter', i);
        expect((await cluster.get('counter'))?.value).toBe(i);
        expect((await cluster.get('counter', { consistency: 'lease' }))?.value).toBe(i);
      }
    });
  });

  it('read-your-writes on a follower waits until the write is applied there', async () => {
    await withCluster({ nodes: 3 }, async (cluster) => {
      const leader = await leaderOf(cluster);
      const follower = cluster.nodeIds().find((id) => id !== leader) as string;
      for (let i = 0; i < 30; i++) {
        const { index } = await cluster.put('profile', i);
        const read = await cluster.get('profile', { consistency: 'read-your-writes', minIndex: index, nodeId: follower });
        expect(read?.value).toBe(i);
        expect(read?.index).toBeGreaterThanOrEqual(index);
        expect(read?.nodeId).toBe(follower);
      }
    });
  });

  it('a monotonic session never goes back in time across replicas', async () => {
    await withCluster({ nodes: 3 }, async (cluster) => {
      const session = cluster.session();
      let lastIndex = 0;
      for (let i = 0; i < 30; i++) {
        await cluster.put('feed', i);
        const nodeId = cluster.nodeIds()[i % 3] as string;
        const read = await session.get('feed', { nodeId });
        expect(read?.index).toBeGreaterThanOrEqual(lastIndex);
        lastIndex = read?.index ?? lastIndex;
      }
      expect(session.highestIndex).toBe(lastIndex);
    });
  });

  it('a follower cut off from the leader lags: bounded reads refuse, eventual reads answer and say how stale', async () => {
    await withCluster({ nodes: 3, lagThresholdMs: 200 }, async (cluster) => {
      const lagging: string[] = [];
      cluster.on('lag-over-threshold', (event: { id: string }) => lagging.push(event.id));
      const leader = await leaderOf(cluster);
      await cluster.put('price', 1);
      const follower = cluster.nodeIds().find((id) => id !== leader) as string;
      await eventually(
        async () => (await cluster.get('price', { consistency: 'eventual', nodeId: follower }))?.value === 1,
        'the follower to apply the first price',
      );
      const rest = cluster.nodeIds().filter((id) => id !== follower);
      await cluster.partition([[follower], rest]);
      await cluster.put('price', 2);
      await sleep(400);
      const bounded = await codeOf(cluster.get('price', { consistency: 'bounded', maxLagMs: 100, nodeId: follower }));
      expect(bounded).toBe('too-stale');
      const stale = await cluster.get('price', { consistency: 'eventual', nodeId: follower });
      expect(stale?.value).toBe(1);
      expect(stale?.lagMs).toBeGreaterThan(100);
      expect((await cluster.get('price', { consistency: 'bounded', maxLagMs: 100, nodeId: leader }))?.value).toBe(2);
      // Lag monitoring: the leader's view of the cut-off follower crosses the threshold.
      await eventually(() => lagging.includes(follower), `a lag-over-threshold event for ${follower}`);
      const health = await cluster.health();
      expect(health.healthy).toBe(false);
      expect(health.problems.join('; ')).toContain(follower);
      await cluster.heal();
      await eventually(async () => (await cluster.health()).healthy, 'health to recover after healing');
    });
  }, 30_000);

  it('transfers leadership on request', async () => {
    await withCluster({ nodes: 3 }, async (cluster) => {
      const leader = await leaderOf(cluster);
      const target = cluster.nodeIds().find((id) => id !== leader) as string;
      await cluster.put('before', 1);
      await cluster.transferLeadership(target);
      await eventually(async () => (await cluster.status()).leaderId === target, `${target} to lead`);
      expect((await cluster.get('before'))?.value).toBe(1);
    });
  });
});
