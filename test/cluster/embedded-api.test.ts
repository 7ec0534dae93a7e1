import { describe, expect, it } from 'vitest';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES, ReplikitError, createCluster } from '../../src/index.js';
import { eventually, withCluster } from './helpers.js';

async function refusal(promise: Promise<unknown>): Promise<ReplikitError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ReplikitError);
    return error as ReplikitError;
  }
  throw new Error('expected a ReplikitError');
}

describe('embedded API on a 3-node worker-thread cluster', () => {
  it('puts, gets, deletes and compare-and-sets, answering with term and index', async () => {
    await withCluster({ nodes: 3 }, async (cluster) => {
      const first = await cluster.put('user:1', { name: 'Ada' });
      expect(first.term).toBeGreaterThan(0);
      expect(first.index).toBeGreaterThan(0);
      expect(first.degraded).toBe(false);
      const read = await cluster.get('user:1');
      expect(read?.value).toEqual({ name: 'Ada' });
      expect(read?.index).toBeGreaterThanOrEqual(first.index);

      const swapped = await cluster.cas('user:1', { name: 'Ada' }, { name: 'Grace' });
      expect(swapped.index).toBeGreaterThan(first.index);
      const mismatch = await refusal(cluster.cas('user:1', { name: 'Ada' }, { name: 'Linus' }));
      expect(mismatch.code).toBe('cas-mismatch');
      expect(mismatch.details['current']).toEqual({ name: 'Grace' });
      expect((await cluster.get('user:1'))?.value).toEqual({ name: 'Grace' });

      await cluster.cas('fresh', null, 1);
      expect((await cluster.get('fresh'))?.value).toBe(1);

      await cluster.delete('user:1');
      expect(await cluster.get('user:1')).toBeUndefined();
      expect(await cluster.get('never-written')).toBeUndefined();
    });
  });

  it('refuses bad input with a clear typed error and harms nothing stored', async () => {
    await withCluster({ nodes: 3 }, async (cluster) => {
      await cluster.put('keep', 'safe');
      const cases: [string, () => Promise<unknown>, RegExp][] = [
        ['non-string key', () => cluster.put(42 as unknown as string, 1), /key must be a string/],
        ['empty key', () => cluster.put('', 1), /must not be empty/],
        ['oversized key', () => cluster.put('k'.repeat(MAX_KEY_BYTES + 1), 1), /at most 1000 bytes/],
        ['reserved key', () => cluster.put('\u0000fence/keep', 1), /reserved/],
        ['oversized value', () => cluster.put('keep', 'v'.repeat(MAX_VALUE_BYTES + 1)), /over the limit/],
        ['undefined value', () => cluster.put('keep', undefined), /value is missing/],
        ['NaN value', () => cluster.put('keep', Number.NaN), /finite number/],
        ['function value', () => cluster.put('keep', () => 1), /JSON data/],
        ['unknown mode', () => cluster.put('keep', 1, { mode: 'eventually' as never }), /unknown replication mode/],
        ['bad token', () => cluster.put('keep', 1, { fencingToken: -1 }), /fencingToken/],
        ['unknown consistency', () => cluster.get('keep', { consistency: 'strong' as never }), /unknown consistency/],
        ['bad minIndex', () => cluster.get('keep', { consistency: 'read-your-writes', minIndex: 1.5 }), /minIndex/],
        ['unknown node', () => cluster.get('keep', { consistency: 'eventual', nodeId: 'n99' }), /no node/],
      ];
      for (const [name, attempt, message] of cases) {
        const error = await refusal(attempt());
        expect(error.message, name).toMatch(message);
      }
      expect((await cluster.get('keep'))?.value).toBe('safe');
    });
  });

  it('refuses bad cluster options before starting anything', async () => {
    await expect(createCluster({ nodes: 0 })).rejects.toThrow(/nodes must be an integer from 1 to 9/);
    await expect(createCluster({ mode: 'fast' as never })).rejects.toThrow(/unknown mode/);
    await expect(createCluster({ nodez: 3 } as never)).rejects.toThrow(/unknown cluster option "nodez"/);
    await expect(createCluster({ tickMs: -1 })).rejects.toThrow(/tickMs must be a positive number/);
  });

  it('reports status with every node, the leader, and follower lag', async () => {
    await withCluster({ nodes: 3 }, async (cluster) => {
      const { index } = await cluster.put('a', 1);
      await eventually(async () => (await cluster.status()).nodes.every((node) => node.appliedIndex >= index), 'all applied');
      const status = await cluster.status();
      expect(status.leaderId).not.toBeNull();
      expect(status.nodes.map((node) => node.id).sort()).toEqual(['n1', 'n2', 'n3']);
      expect(status.nodes.filter((node) => node.role === 'leader')).toHaveLength(1);
      expect(Object.keys(status.lag).sort()).toEqual(['n1', 'n2', 'n3'].filter((id) => id !== status.leaderId));
      for (const lag of Object.values(status.lag)) expect(lag.entries).toBe(0);
      expect((await cluster.health()).healthy).toBe(true);
    });
  });

  it('watches changes under a prefix in log order and resumes from an index', async () => {
    await withCluster({ nodes: 3 }, async (cluster) => {
      const watcher = cluster.watch('cart/');
      await cluster.put('cart/1', 'apple');
      await cluster.put('other', 'ignored');
      const second = await cluster.put('cart/2', 'pear');
      await cluster.delete('cart/1');
      const seen: { key: string; deleted: boolean; index: number }[] = [];
      for await (const change of watcher) {
        seen.push({ key: change.key, deleted: change.deleted, index: change.index });
        if (seen.length === 3) break;
      }
      expect(seen.map(({ key, deleted }) => `${key}${deleted ? ' deleted' : ''}`)).toEqual(['cart/1', 'cart/2', 'cart/1 deleted']);
      expect(seen.map(({ index }) => index)).toEqual([...seen.map(({ index }) => index)].sort((a, b) => a - b));

      const resumed = cluster.watch('cart/', { fromIndex: second.index });
      const first = await resumed[Symbol.asyncIterator]().next();
      expect(first.value).toMatchObject({ key: 'cart/1', deleted: true });
      resumed.close();
    });
  });

  it('refuses a write carrying a fencing token lower than one already accepted', async () => {
    await withCluster({ nodes: 3 }, async (cluster) => {
      await cluster.put('lock-guarded', 'from holder 5', { fencingToken: 5 });
      const stale = await refusal(cluster.put('lock-guarded', 'from deposed holder 4', { fencingToken: 4 }));
      expect(stale.code).toBe('stale-fencing-token');
      await cluster.put('lock-guarded', 'from holder 6', { fencingToken: 6 });
      expect((await cluster.get('lock-guarded'))?.value).toBe('from holder 6');
    });
  });
});
