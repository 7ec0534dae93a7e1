// Every route a node's HTTP server knows, in the order the router tries them:
// the key-value, status and leadership routes always; membership when given
// MembershipControls; the chaos routes when given DevControls. One list, so
// that the server and docs/http-api.md's test see the same routes.

import type { DevControls } from '../node/node-endpoint.js';
import type { ServerContext } from './context.js';
import { adminRoutes, type MembershipControls } from './routes-admin.js';
import { keyRoutes } from './routes-kv.js';
import { statusRoutes } from './routes-status.js';
import type { Route } from './router.js';

export function nodeRoutes(context: ServerContext, members: MembershipControls | undefined, dev: DevControls | undefined): Route[] {
  return [...keyRoutes(context), ...statusRoutes(context), ...adminRoutes(context, members, dev)];
}
