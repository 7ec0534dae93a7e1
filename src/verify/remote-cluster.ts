// A running cluster reached through --endpoints: the campaign learns each
// endpoint's node id from /status and can only use faults that need no
// process control (partition needs the nodes started with --chaos).

import { normalizeEndpoint } from '../client/options.js';
import type { ClusterTarget } from './cluster-target.js';
import { nodeStatus } from './node-api.js';

export async function connectRemoteCluster(endpoints: readonly string[]): Promise<ClusterTarget> {
  const urlById = new Map<string, string>();
  const unreachable: string[] = [];
  for (const endpoint of endpoints) {
    const url = normalizeEndpoint(endpoint);
    if (url === null) throw new RangeError(`--endpoints: ${JSON.stringify(endpoint)} is not an http(s) URL`);
    const status = await nodeStatus(url);
    if (status === null) unreachable.push(url);
    else urlById.set(status.nodeId, url);
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
    processes: null,
    logFiles: {},
    close: async () => {},
  };
}
