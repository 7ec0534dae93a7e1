// `replikit dev`: a whole cluster in this process, each node a worker thread
// with its own LMDB environment, each serving HTTP (node i on port+i-1) with
// the dashboard. Ctrl-C stops it cleanly.

import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createCluster, type Cluster } from '../cluster/cluster.js';
import { ReplikitError } from '../ground/errors.js';
import { clusterEventsOf, createDashboard } from '../dashboard/index.js';
import { startDevHttpServers } from '../serve/dev-servers.js';
import { HttpSecurityError, resolveHttpSecurity, type HttpSecurity } from '../serve/http-security.js';
import { nodeCountProblem } from './dev-data-folder.js';
import { stopSignal } from './stop-signal.js';
import { listenProblem } from './listen-errors.js';
import { createLogger, logLine, LOG_FORMATS, LOG_LEVELS, parseLogOption } from '../serve/logger.js';

const USAGE = `usage: replikit dev [--nodes 3] [--port 4001] [--host 127.0.0.1] [--data DIR] [--mode quorum] [--log-format text]

  --nodes N     voters, 1 to 9 (default 3)
  --port P      HTTP port of the first node; node i listens on P+i-1 (default 4001)
  --host H      address to listen on (default 127.0.0.1); one not loopback needs --auth-file or --insecure
  --auth-file FILE   the tokens the HTTP API accepts and their roles (see README, "Authentication")
  --insecure    serve an open API (no --auth-file) on an address that is not loopback
  --http-tls-cert F --http-tls-key F   serve HTTPS with this certificate and key (PEM)
  --data DIR    keep each node's LMDB files under DIR/<id> (default: a temp folder, removed on stop)
  --mode M      default replication mode: quorum, sync, semi-sync or async
  --log-format F   what happens after the banner, as text lines (default) or JSON records (json)
  --log-level L    debug, info (default), warn or error`;

/** How long the banner waits to name the first leader. */
const FIRST_LEADER_WAIT_MS = 5000;

function usageError(message: string): number {
  console.error(`replikit dev: ${message}\n(replikit dev --help lists the options)`);
  return 2;
}

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
        'log-format': { type: 'string', default: 'text' },
        'log-level': { type: 'string', default: 'info' },
        'auth-file': { type: 'string' },
        insecure: { type: 'boolean' },
        'http-tls-cert': { type: 'string' },
        'http-tls-key': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    return usageError((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let log;
  try {
    log = logLine(
      createLogger({
        format: parseLogOption('log-format', values['log-format'], LOG_FORMATS),
        level: parseLogOption('log-level', values['log-level'], LOG_LEVELS),
      }),
    );
  } catch (error) {
    return usageError((error as Error).message);
  }
  let security: HttpSecurity;
  try {
    security = resolveHttpSecurity({
      authFile: values['auth-file'],
      insecure: values.insecure,
      tlsCert: values['http-tls-cert'],
      tlsKey: values['http-tls-key'],
      host: values.host,
      hostFlag: '--host',
    });
  } catch (error) {
    if (error instanceof HttpSecurityError) return usageError(error.message);
    throw error;
  }
  const nodes = Number(values.nodes);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535 - nodes) {
    return usageError(`--port must be a port number with room for ${nodes} nodes, got ${values.port}`);
  }
  if (values.data) {
    const problem = Number.isInteger(nodes) ? nodeCountProblem(values.data, nodes) : null;
    if (problem) return usageError(problem);
    mkdirSync(values.data, { recursive: true });
  }
  let cluster;
  try {
    cluster = await createCluster({
      nodes,
      mode: values.mode as never,
      ...(values.data ? { dataDir: values.data } : {}),
    });
  } catch (error) {
    if (error instanceof ReplikitError && error.code === 'bad-request') return usageError(error.message);
    throw error;
  }
  // One dashboard serves every node's port: the page knows which node it is on from its own URL.
  let urls: Readonly<Record<string, string>> = {};
  const dashboard = createDashboard({
    endpoint: cluster.endpoint(cluster.nodeIds()[0] as string),
    peerUrls: () => urls,
    devMode: true,
    clusterEvents: clusterEventsOf(cluster),
    ...(security.auth ? { peerToken: security.auth.peerToken } : {}),
  });
  let servers;
  try {
    servers = await startDevHttpServers(cluster, {
      host: values.host,
      basePort: port,
      dashboard,
      ...(security.auth ? { auth: security.auth } : {}),
      ...(security.tls ? { tls: security.tls } : {}),
    });
  } catch (error) {
    dashboard.close();
    await cluster.close();
    const problem = listenProblem(error, (busy) => `try npm start -- --port ${busy + 100} (or replikit dev --port ${busy + 100})`);
    if (problem) {
      console.error(`replikit dev: ${problem}`);
      return 1;
    }
    throw error;
  }
  urls = servers.urls;
  const stopped = stopSignal();
  const leader = await firstLeader(cluster);
  const where = values.data ? `data in ${values.data}` : `data in ${cluster.dataDir} (a temp folder, removed on stop; --data DIR keeps it)`;
  console.log(`replikit dev: ${nodes} node${nodes === 1 ? '' : 's'}, ${values.mode} mode, ${where}`);
  for (const [id, url] of Object.entries(servers.urls)) console.log(`  ${id}  ${url}   dashboard: ${url}/`);
  console.log(leader ? `leader: ${leader.id} (term ${leader.term})` : `no leader yet after ${FIRST_LEADER_WAIT_MS} ms; leader changes are printed below`);
  if (security.auth) console.log('tokens are checked (--auth-file): send Authorization: Bearer <token>; the dashboard asks for one');
  if (security.warning) console.log(`warning: ${security.warning}`);
  const auth = security.auth ? ` -H "authorization: Bearer $REPLIKIT_TOKEN"` : '';
  console.log(`try: curl -X PUT ${Object.values(servers.urls)[0]}/key/hello -H 'content-type: application/json'${auth} -d '"world"'`);
  console.log('Ctrl-C stops the cluster.');
  let lastLeader = leader;
  cluster.on('leader-change', (event: { leaderId: string | null; term: number }) => {
    if (!event.leaderId || (event.leaderId === lastLeader?.id && event.term === lastLeader.term)) return;
    lastLeader = { id: event.leaderId, term: event.term };
    log(`leader: ${event.leaderId} (term ${event.term})`);
  });
  cluster.on('node-crashed', (event: { id: string; reason: string }) => log(`${event.id} crashed: ${event.reason}`, 'error'));
  cluster.on('node-restarted', (event: { id: string }) => log(`${event.id} restarted`));
  cluster.on('crash-loop', (event: { id: string; restarts: number }) => {
    log(`${event.id} is crash-looping (${event.restarts} restarts in a minute): left down`, 'error');
  });
  cluster.on('node-fenced', (event: { id: string; reason: string; term: number; detail: string }) => {
    log(`fenced ${event.id} (${event.reason}) in term ${event.term}: ${event.detail}; restarting it as follower`, 'warn');
  });

  await stopped;
  console.log('\nstopping...');
  dashboard.close();
  await servers.close();
  await cluster.close();
  console.log('stopped.');
  return 0;
}

/** The first leader, for the banner; null if none was elected within FIRST_LEADER_WAIT_MS. */
async function firstLeader(cluster: Cluster): Promise<{ id: string; term: number } | null> {
  const deadline = performance.now() + FIRST_LEADER_WAIT_MS;
  while (performance.now() < deadline) {
    const status = await cluster.status();
    if (status.leaderId) return { id: status.leaderId, term: status.term };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}
