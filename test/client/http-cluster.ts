// A real dev cluster (worker threads) with one HTTP server per node on free
// ports, for the client tests. Workers run from dist/: `npm run build` first.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HttpAuth } from '../../src/http/access.js';
import { startDevHttpServers } from '../../src/serve/dev-servers.js';
import { createCluster, type Cluster, type ClusterOptions } from '../../src/index.js';

export interface HttpCluster {
  readonly cluster: Cluster;
  /** Node id → base URL. */
  readonly urlOf: (id: string) => string;
  /** Every node's URL, n1 first. */
  readonly urls: string[];
  close(): Promise<void>;
}

/** `serving.auth`: the servers check tokens. */
export async function startHttpCluster(options: ClusterOptions = {}, serving: { auth?: HttpAuth } = {}): Promise<HttpCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'replikit-client-test-'));
  const cluster = await createCluster({ nodes: 3, dataDir, ...options });
  let servers;
  try {
    servers = await startDevHttpServers(cluster, { host: '127.0.0.1', basePort: 0, ...(serving.auth ? { auth: serving.auth } : {}) });
  } catch (error) {
    await cluster.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const urls = servers.urls;
  return {
    cluster,
    urlOf: (id) => {
      const url = urls[id];
      if (url === undefined) throw new Error(`no URL for ${id}`);
      return url;
    },
    urls: cluster.nodeIds().map((id) => urls[id] as string),
    close: async () => {
      await servers.close();
      await cluster.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function leaderOf(cluster: Cluster, timeoutMs = 10_000): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { leaderId } = await cluster.status();
    if (leaderId !== null) return leaderId;
    if (performance.now() > deadline) throw new Error('no leader was elected in time');
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
