// `replikit dev`: a whole cluster in this process, each node a worker thread
// with its own LMDB environment, each serving HTTP (node i on port+i-1) with
// the dashboard. Ctrl-C stops it cleanly.

import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createCluster } from '../cluster/cluster.js';
import { ReplikitError } from '../ground/errors.js';
import { clusterEventsOf, createDashboard } from '../dashboard/index.js';
import { startDevHttpServers } from '../serve/dev-servers.js';

const USAGE = `usage: replikit dev [--nodes 3] [--port 4001] [--host 127.0.0.1] [--data DIR] [--mode quorum]

  --nodes N     voters, 1 to 9 (default 3)
  --port P      HTTP port of the first node; node i listens on P+i-1 (default 4001)
  --host H      address to listen on (default 127.0.0.1)
  --data DIR    keep each node's LMDB files under DIR/<id> (default: a fresh temp dir)
  --mode M      default replication mode: quorum, sync, semi-sync or async`;

export async function runDevCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        nodes: { type: 'string', default: '3' },
        port: { type: 'string', default: '4001' },
        host: { type: 'string', default: '127.0.0.1' },
        data: { type: 'string' },
        mode: { type: 'string', default: 'quorum' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`replikit dev: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const nodes = Number(values.nodes);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535 - nodes) {
    console.error(`replikit dev: --port must be a port number with room for ${nodes} nodes, got ${values.port}\n\n${USAGE}`);
    return 2;
  }
  if (values.data) mkdirSync(values.data, { recursive: true });
  let cluster;
  try {
    cluster = await createCluster({
      nodes,
      mode: values.mode as never,
      ...(values.data ? { dataDir: values.data } : {}),
    });
  } catch (error) {
    if (error instanceof ReplikitError && error.code === 'bad-request') {
      console.error(`replikit dev: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  // One dashboard serves every node's port: the page knows which node it is on from its own URL.
  let urls: Readonly<Record<string, string>> = {};
  const dashboard = createDashboard({
    endpoint: cluster.endpoint(cluster.nodeIds()[0] as string),
    peerUrls: () => urls,
    devMode: true,
    clusterEvents: clusterEventsOf(cluster),
  });
  const servers = await startDevHttpServers(cluster, { host: values.host, basePort: port, dashboard: dashboard.handle });
  urls = servers.urls;
  console.log(`replikit dev: ${nodes} nodes, ${values.mode} mode${values.data ? `, data in ${values.data}` : ''}`);
  for (const [id, url] of Object.entries(servers.urls)) console.log(`  ${id}  ${url}   dashboard: ${url}/`);
  console.log(`try: curl -X PUT ${Object.values(servers.urls)[0]}/key/hello -H 'content-type: application/json' -d '"world"'`);
  console.log('Ctrl-C stops the cluster.');
  cluster.on('leader-change', (event: { leaderId: string | null; term: number }) => {
    if (event.leaderId) console.log(`leader: ${event.leaderId} (term ${event.term})`);
  });
  cluster.on('node-fenced', (event: { id: string; reason: string; term: number; detail: string }) => {
    console.log(`fenced ${event.id} (${event.reason}) in term ${event.term}: ${event.detail}; restarting it as follower`);
  });

  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.log('\nstopping...');
  dashboard.close();
  await servers.close();
  await cluster.close();
  console.log('stopped.');
  return 0;
}
