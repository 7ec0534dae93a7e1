// The HTTP face of a node: `replikit dev` and `replikit node` both serve through it.

export { createNodeHttpServer } from './server.js';
export type { NodeHttpServer, NodeHttpServerOptions, PathHandler } from './server.js';
export { ACCESS_ROLES, HttpAuth, roleAllows } from './access.js';
export type { AccessRole, Identity, RouteAccess, TokenGrant } from './access.js';
export { AuthFileError, loadAuthFile, parseAuthFile } from './auth-file.js';
export type { MembershipControls } from './routes-admin.js';
export { DEFAULT_HTTP_LIMITS, MAX_BODY_BYTES, BODY_TIMEOUT_MS, HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS, MAX_URL_BYTES } from './limits.js';
export type { HttpLimits } from './limits.js';
export { healthProblems } from './routes-status.js';
