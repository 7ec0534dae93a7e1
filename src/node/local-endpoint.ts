// A NodeEndpoint for a runtime in this very process (replikit node).

import type { NodeEndpoint } from './node-endpoint.js';
import type { NodeRuntime } from './node-runtime.js';

export function localEndpoint(runtime: NodeRuntime, id: string): NodeEndpoint {
  return {
    id,
    submit: (requests) => runtime.submit(requests),
    status: async () => runtime.status(),
    transferLeadership: (to) => runtime.transferLeadership(to),
    proposeMembership: (change) => runtime.proposeMembership(change),
    onEvent: (listener) => runtime.onEvent(listener),
  };
}
