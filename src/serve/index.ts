// The composition roots: what wires a node, or a whole dev cluster, with its
// faces (HTTP, metrics, the dashboard). Above every other layer but the CLI.

export { startDevHttpServers } from './dev-servers.js';
export type { DevHttpOptions, DevHttpServers } from './dev-servers.js';
export { startProcessNode } from './process-node.js';
export type { ProcessNode, ProcessNodeOptions } from './process-node.js';
export { HttpSecurityError, isLoopbackHost, resolveHttpSecurity } from './http-security.js';
export type { HttpSecurity, HttpSecurityFlags } from './http-security.js';
