// A running cluster reached through --endpoints: the campaign learns each
// endpoint's node id from /status and can only use faults that need no
// process control (partition needs the nodes started with --chaos).

import { normalizeEndpoint } from '../client/options.js';
import type { ClusterTarget } from './cluster-target.js';
import { adminRequest, nodeStatus } from './node-api.js';

export async function connectRemoteCluster(endpoints: readonly string[], token?: string): Promise<ClusterTarget> {
  const urlById = new Map<string, string>();
  const unreachable: string[] = [];
  for (const endpoint of endpoints) {
    const url = normalizeEndpoint(endpoint);
    if (url === null) throw new RangeError(`--endpoints: ${JSON.stringify(endpoint)} is not an http(s) URL`);
    const status = await nodeStatus(url, token);
    if (status === null) {
      await refuseIfTokenRefused(url, token);
      unreachable.push(url);
    } else urlById.set(status.nodeId, url);
  }
  if (unreachable.length > 0) throw new Error(`--endpoints: no /status answer from ${unreachable.join(', ')}`);
  const ids = [...urlById.keys()];
  return {
    description: `the running cluster at ${[...urlById.values()].join(', ')}`,
    nodeIds: ids,
    urlOf: (id) => {
      const url = urlById.get(id);
      if (url === undefined) throw new RangeError(`no endpoint for node ${id}`);
      return url;
    },
    endpoints: [...urlById.values()],
    ...(token !== undefined ? { token } : {}),
    processes: null,
    logFiles: {},
    close: async () => {},
  };
}

/**
 * A node that refused the token says so in words, rather than as "no /status
 * answer": the campaign drives admin routes (partition, transfer,
 * membership), so its token needs role admin.
 */
async function refuseIfTokenRefused(url: string, token: string | undefined): Promise<void> {
  const answer = await adminRequest(url, 'GET', '/status', undefined, token);
  if (answer.status !== 401 && answer.status !== 403) return;
  const way = token === undefined ? 'it needs a token: pass --token, or set REPLIKIT_TOKEN' : 'check --token or REPLIKIT_TOKEN';
  throw new Error(`--endpoints: ${url} refused the token (HTTP ${answer.status}); ${way} (a token with role admin: the nemesis uses admin routes)`);
}
