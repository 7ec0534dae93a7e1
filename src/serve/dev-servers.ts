// `replikit dev`: one HTTP server per node of an in-process cluster, node
// n{i} on basePort+i-1, each with the chaos routes. A node added through
// /admin/members gets its own server on its port; a removed one loses it.

import type { Cluster } from '../cluster/cluster.js';
import { ReplikitError } from '../ground/errors.js';
import type { NodeId } from '../core/types.js';
import type { HttpAuth } from '../http/access.js';
import type { HttpLimits } from '../http/limits.js';
import type { MembershipControls } from '../http/routes-admin.js';
import { createNodeHttpServer, type NodeHttpServer, type NodeHttpServerOptions } from '../http/server.js';

/** The cluster's own default for lag-over-threshold, used when the caller gives none. */
const DEFAULT_LAG_THRESHOLD_MS = 1000;

export interface DevHttpOptions {
  readonly host: string;
  /** Port of n1; n{i} listens on basePort+i-1. 0: every server takes any free port (tests). */
  readonly basePort: number;
  readonly lagThresholdMs?: number;
  readonly limits?: Partial<HttpLimits>;
  readonly dashboard?: NodeHttpServerOptions['dashboard'];
  /** The tokens every node's server accepts; absent: the servers are open. */
  readonly auth?: HttpAuth;
  /** HTTPS, with this certificate and key for every node's server. */
  readonly tls?: NodeHttpServerOptions['tls'];
  readonly log?: (line: string) => void;
}

export interface DevHttpServers {
  /** Every node's URL, kept current as nodes are added and removed. */
  readonly urls: Readonly<Record<NodeId, string>>;
  close(): Promise<void>;
}

export async function startDevHttpServers(cluster: Cluster, options: DevHttpOptions): Promise<DevHttpServers> {
  const urls: Record<NodeId, string> = {};
  const servers = new Map<NodeId, NodeHttpServer>();
  let closed = false;

  const members: MembershipControls = {
    add: async (id) => {
      if (id !== undefined) {
        throw new ReplikitError('bad-request', 'in dev mode the cluster names new nodes itself (n4, n5, ...); send no id');
      }
      const added = await cluster.addNode();
      await serve(added, true);
      return { id: added };
    },
    remove: async (id) => {
      await cluster.removeNode(id);
      const server = servers.get(id);
      servers.delete(id);
      delete urls[id];
      // Not awaited: the request asking for the removal may be on this very server.
      void server?.close();
    },
  };

  /** `anyPortIfTaken`: a node added at run time must get a server even if its port is in use. */
  async function serve(id: NodeId, anyPortIfTaken = false): Promise<void> {
    if (closed) return;
    const server = createNodeHttpServer({
      endpoint: cluster.endpoint(id),
      peerUrls: () => urls,
      dev: cluster,
      members,
      lagThresholdMs: options.lagThresholdMs ?? DEFAULT_LAG_THRESHOLD_MS,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.dashboard ? { dashboard: options.dashboard } : {}),
      ...(options.auth ? { auth: options.auth } : {}),
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    servers.set(id, server);
    try {
      const port = portOf(id, options.basePort);
      const { url } = await server.listen(options.host, port).catch((error: NodeJS.ErrnoException) => {
        if (!anyPortIfTaken || error.code !== 'EADDRINUSE' || port === 0) throw error;
        options.log?.(`http: port ${port} for ${id} is in use; serving it on a free port instead`);
        return server.listen(options.host, 0);
      });
      urls[id] = url;
    } catch (error) {
      servers.delete(id);
      await server.close();
      throw error;
    }
  }

  try {
    for (const id of cluster.nodeIds()) await serve(id);
  } catch (error) {
    await Promise.all([...servers.values()].map((server) => server.close()));
    throw error;
  }

  return {
    urls,
    close: async () => {
      closed = true;
      const all = [...servers.values()];
      servers.clear();
      await Promise.all(all.map((server) => server.close()));
    },
  };
}

/** n{i} → basePort+i-1; ids of another shape (none in dev today) take any free port. */
function portOf(id: NodeId, basePort: number): number {
  if (basePort === 0) return 0;
  const number = /^n([1-9]\d*)$/.exec(id)?.[1];
  return number === undefined ? 0 : basePort + Number(number) - 1;
}
