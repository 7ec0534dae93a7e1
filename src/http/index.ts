// The HTTP face of a node: `replikit dev` and `replikit node` both serve through it.

export { createNodeHttpServer } from './server.js';
export type { NodeHttpServer, NodeHttpServerOptions } from './server.js';
export type { MembershipControls } from './routes-admin.js';
export { DEFAULT_HTTP_LIMITS, MAX_BODY_BYTES, BODY_TIMEOUT_MS, HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, MAX_URL_BYTES } from './limits.js';
export type { HttpLimits } from './limits.js';
export { healthProblems } from './routes-status.js';
