// One real 3-node cluster: awkward JSON values written through the embedded
// API, raw HTTP and the client library come back unchanged from every node,
// from a watch, from a follower that caught up by snapshot, and from every
// node after the whole cluster restarted on its data. Workers run from dist/:
// `npm run build` first.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.js';
import { createCluster, type Cluster } from '../../src/index.js';
import { startDevHttpServers, type DevHttpServers } from '../../src/serve/index.js';
import { jsonValues } from '../support/json-values.js';
import { eventually } from './helpers.js';

const VALUES = 120;
const SNAPSHOT_EVERY = 16;
const PREFIX = 'lossless/';

/** The JSON text a client sends for each value, as written by hand or by JSON.stringify. */
const raw: string[] = [
  '{"__proto__":{"x":1}}',
  '{"a":{"__proto__":{"__proto__":[{"constructor":{"prototype":null}}]}}}',
  `{"big":${Number.MAX_SAFE_INTEGER},"small":${Number.MIN_SAFE_INTEGER},"zoë":"\\ud83d\\ude00\\ud800","":""}`,
  ...fc.sample(jsonValues, { numRuns: VALUES, seed: 2613 }).map((value) => JSON.stringify(value)),
];
/** The same values as JSON.stringify writes them (escapes resolved): what every face must give back. */
const sent = raw.map((text) => JSON.stringify(JSON.parse(text)));
const keyOf = (i: number): string => `${PREFIX}${String(i).padStart(4, '0')}`;

async function started(dataDir: string): Promise<{ cluster: Cluster; http: DevHttpServers; urls: string[] }> {
  const cluster = await createCluster({ nodes: 3, dataDir, snapshotEveryEntries: SNAPSHOT_EVERY });
  const http = await startDevHttpServers(cluster, { host: '127.0.0.1', basePort: 0 });
  return { cluster, http, urls: cluster.nodeIds().map((id) => http.urls[id] as string) };
}

/**
 * What each node returns for every key, by the embedded API and by HTTP, once it has applied
 * `minIndex`; eventual reads, served at once (a read-your-writes read waits for the node's next loop turn).
 */
async function readEverywhere(cluster: Cluster, urls: readonly string[], minIndex: number): Promise<string[]> {
  const problems: string[] = [];
  for (const [n, id] of cluster.nodeIds().entries()) {
    await eventually(async () => ((await cluster.endpoint(id).status())?.appliedIndex ?? 0) >= minIndex, `${id} applied ${minIndex}`, 30_000);
    for (const [i, text] of sent.entries()) {
      const embedded = await cluster.get(keyOf(i), { consistency: 'eventual', nodeId: id });
      if (JSON.stringify(embedded?.value) !== text) problems.push(`${id} embedded ${keyOf(i)}: ${JSON.stringify(embedded?.value)} for ${text}`);
      const response = await fetch(`${urls[n]}/key/${encodeURIComponent(keyOf(i))}?consistency=eventual`);
      const body = JSON.parse(await response.text()) as { value?: unknown };
      if (response.status !== 200 || JSON.stringify(body.value) !== text)
        problems.push(`${id} HTTP ${keyOf(i)}: ${response.status} ${JSON.stringify(body.value)} for ${text}`);
    }
  }
  return problems;
}

describe('values are lossless through every face of a cluster', () => {
  it('embedded, HTTP, client library, watch, a snapshot caught up and a restart give back what was sent', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'replikit-lossless-'));
    let running = await started(dataDir);
    try {
      const { cluster, urls } = running;
      const client = createClient({ endpoints: urls });
      const [, , lagging] = cluster.nodeIds();
      if (!lagging) throw new Error('three nodes expected');
      const watcher = cluster.watch(PREFIX);
      await cluster.put('warm-up', 1);
      const caughtUpFrom = (await cluster.endpoint(lagging).status())?.lastIndex ?? 0;
      await cluster.crash(lagging);

      // Each value through one face, in turn: the embedded API, raw HTTP (the client's own text), the client library.
      let lastIndex = 0;
      for (const [i, text] of raw.entries()) {
        const key = keyOf(i);
        if (i % 3 === 0) lastIndex = (await cluster.put(key, JSON.parse(text))).index;
        else if (i % 3 === 1) {
          const response = await fetch(`${urls[i % 2]}/key/${encodeURIComponent(key)}`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: text,
          });
          const answer = (await response.json()) as { index?: number; leaderUrl?: string };
          if (response.status === 200) lastIndex = answer.index ?? lastIndex;
          else lastIndex = (await client.put(key, JSON.parse(text))).index; // that node was not the leader
        } else lastIndex = (await client.put(key, JSON.parse(text))).index;
      }

      const changes = new Map<string, string>();
      for await (const change of watcher) {
        changes.set(change.key, JSON.stringify(change.value));
        if (changes.size === sent.length) break;
      }
      expect(sent.filter((text, i) => changes.get(keyOf(i)) !== text)).toEqual([]);
      for (const [i, text] of sent.entries()) {
        const read = await client.get(keyOf(i));
        expect(JSON.stringify(read?.value)).toBe(text);
      }

      // Compare-and-set over HTTP compares own keys: a stored {"__proto__":{}} is not just any object.
      await client.put('cas/proto', JSON.parse('{"__proto__":{}}'));
      await expect(client.cas('cas/proto', { y: 1 }, 2)).rejects.toMatchObject({ code: 'cas-mismatch' });
      await client.cas('cas/proto', JSON.parse('{"__proto__":{}}'), JSON.parse('{"__proto__":{"x":1}}'));
      lastIndex = (await client.cas('cas/proto', JSON.parse('{"__proto__":{"x":1}}'), JSON.parse('{"__proto__":{"y":2}}'))).index;
      expect(JSON.stringify((await client.get('cas/proto'))?.value)).toBe('{"__proto__":{"y":2}}');

      // The crashed node comes back behind the leader's compacted log, so it must install a snapshot.
      const leader = (await cluster.status()).leaderId;
      const leaderStatus = leader ? await cluster.endpoint(leader).status() : null;
      expect(leaderStatus?.firstIndex).toBeGreaterThan(caughtUpFrom + 1);
      await cluster.restart(lagging);
      await eventually(async () => ((await cluster.endpoint(lagging).status())?.appliedIndex ?? 0) >= lastIndex, `${lagging} caught up`, 30_000);
      expect((await cluster.endpoint(lagging).status())?.snapshotIndex).toBeGreaterThan(caughtUpFrom);
      expect(await readEverywhere(cluster, urls, lastIndex)).toEqual([]);

      // The whole cluster restarts from its data directory: snapshots and logs read back as written.
      await running.http.close();
      await running.cluster.close();
      running = await started(dataDir);
      expect(await readEverywhere(running.cluster, running.urls, lastIndex)).toEqual([]);
    } finally {
      await running.http.close();
      await running.cluster.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
