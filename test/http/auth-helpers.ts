// Shared pieces for the authentication tests: one server with every route a
// node can have (the router's in every mode, the dashboard's, a host's own),
// in front of fakes, so that what is checked is the token check alone; the
// three tokens it accepts; and the list of every route with the role the
// issue's policy gives it, written here independently of the code.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DASHBOARD_ASSETS, PAGE_SCRIPT_PATH } from '../../src/dashboard/assets/index.js';
import { createDashboard, dashboardAccess, EVENTS_PATH, MACHINE_JSON_PATH, PAGE_PATHS, STATECHART_SVG_PATH } from '../../src/dashboard/dashboard.js';
import { FORWARD_PREFIX, FORWARDED_ROUTES } from '../../src/dashboard/forward.js';
import { FENCE_PATH } from '../../src/host/fence-request.js';
import { HttpAuth, type AccessRole, type RouteAccess } from '../../src/http/access.js';
import type { ServerContext } from '../../src/http/context.js';
import type { MembershipControls } from '../../src/http/routes-admin.js';
import { nodeRoutes } from '../../src/http/routes.js';
import { createNodeHttpServer, type NodeHttpServer } from '../../src/http/server.js';
import type { DevControls } from '../../src/node/node-endpoint.js';
import { DEBUG_PATHS, hostRoutes } from '../../src/serve/process-node.js';
import { fakeEndpoint } from '../dashboard/helpers.js';

export const TOKENS: Readonly<Record<AccessRole, string>> = {
  read: 'read-token-0123456789abcdef',
  write: 'write-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef',
};

export const AUTH_FILE_JSON = JSON.stringify({
  tokens: [
    { name: 'reader', token: TOKENS.read, role: 'read' },
    { name: 'writer', token: TOKENS.write, role: 'write' },
    { name: 'operator', token: TOKENS.admin, role: 'admin' },
  ],
});

export const CLUSTER_ID = 'auth-test';
export const SECRET = Buffer.from('a shared secret of thirty-two bytes!');

export function testAuth(): HttpAuth {
  return new HttpAuth([
    { name: 'reader', token: TOKENS.read, role: 'read' },
    { name: 'writer', token: TOKENS.write, role: 'write' },
    { name: 'operator', token: TOKENS.admin, role: 'admin' },
  ]);
}

/** The auth file above, written to a temp folder. */
export function writeAuthFile(text = AUTH_FILE_JSON): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'replikit-auth-'));
  const path = join(dir, 'auth.json');
  writeFileSync(path, text);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface WalkedRoute {
  readonly method: string;
  /** As the code names it: `/key/:key`, `/dashboard/nodes/:id/key/:key`. */
  readonly pattern: string;
  /** What the code says it needs. */
  readonly access: RouteAccess;
}

const fakeDev: DevControls = {
  crash: async () => undefined,
  restart: async () => undefined,
  pause: () => undefined,
  resume: () => undefined,
  partition: async () => undefined,
  heal: async () => undefined,
  nodeIds: () => ['n1', 'n2', 'n3'],
};

const fakeMembers: MembershipControls = {
  add: async (id) => ({ id: id ?? 'n4' }),
  remove: async () => undefined,
};

/** Every route a node can serve, with the role its code gives it. */
export function everyRoute(): WalkedRoute[] {
  // The builders only hand the context to handlers, which this listing never calls.
  const routed = nodeRoutes({} as ServerContext, fakeMembers, fakeDev).map((route) => ({ method: route.method, pattern: route.pattern, access: route.access }));
  const dashboardPaths = [...PAGE_PATHS, MACHINE_JSON_PATH, STATECHART_SVG_PATH, EVENTS_PATH, ...Object.keys(DASHBOARD_ASSETS), PAGE_SCRIPT_PATH];
  const dashboard = dashboardPaths.map((path) => ({ method: 'GET', pattern: path, access: dashboardAccess('GET', path) ?? 'none' }));
  const forwarded = FORWARDED_ROUTES.map((route) => {
    const pattern = `${FORWARD_PREFIX}${route.rest}`;
    return { method: route.method, pattern, access: dashboardAccess(route.method, concrete(pattern)) ?? 'none' };
  });
  const host = hostRoutes({
    fence: { clusterId: CLUSTER_ID, selfId: 'n1', secret: SECRET, fence: async () => false },
    debug: { hang: () => undefined, crashNode: () => undefined },
  });
  const hostPaths = [FENCE_PATH, ...Object.values(DEBUG_PATHS)].map((path) => ({ method: 'POST', pattern: path, access: host.access('POST', path) ?? 'none' }));
  return [...routed, ...dashboard, ...forwarded, ...hostPaths] as WalkedRoute[];
}

/**
 * The issue's policy, from the method and path alone: /health, the page and
 * its static files, and the hosts' signed /admin/fence are open; every
 * /admin/... route (also when forwarded by the dashboard) is admin; other
 * reads (GET) are read; other writes write.
 */
export function policyRole(method: string, pattern: string): RouteAccess {
  if (pattern === '/health' || pattern === FENCE_PATH) return 'open';
  if (PAGE_PATHS.includes(pattern) || pattern === PAGE_SCRIPT_PATH || pattern in DASHBOARD_ASSETS) return 'open';
  if (pattern === MACHINE_JSON_PATH || pattern === STATECHART_SVG_PATH) return 'open';
  const target = pattern.startsWith(FORWARD_PREFIX) ? `/${pattern.slice(FORWARD_PREFIX.length)}` : pattern;
  if (target.startsWith('/admin/')) return 'admin';
  if (method === 'GET' || method === 'HEAD') return 'read';
  return 'write';
}

/** A path for a pattern: `:key` and `:id` filled in (n1 is a node the fakes know). */
export function concrete(pattern: string): string {
  return pattern.replace(':key', 'some-key').replace(':id', 'n1');
}

export interface AuthServer {
  readonly url: string;
  readonly server: NodeHttpServer;
  /** What the fence route was asked to do. */
  readonly fenced: string[];
  close(): Promise<void>;
}

/** Every route, in front of fakes, checking the three tokens. */
export async function startAuthServer(options: { peerUrls?: () => Readonly<Record<string, string>>; auth?: HttpAuth | null } = {}): Promise<AuthServer> {
  const endpoint = fakeEndpoint('n1');
  const peerUrls = options.peerUrls ?? (() => ({}));
  const auth = options.auth === undefined ? testAuth() : options.auth;
  const dashboard = createDashboard({ endpoint, peerUrls, devMode: true, ...(auth ? { peerToken: auth.peerToken } : {}) });
  const fenced: string[] = [];
  const host = hostRoutes({
    fence: {
      clusterId: CLUSTER_ID,
      selfId: 'n1',
      secret: SECRET,
      fence: async (notice) => {
        fenced.push(`${notice.from}:${notice.staleTerm}`);
        return false;
      },
    },
    debug: { hang: () => undefined, crashNode: () => undefined },
  });
  const server = createNodeHttpServer({
    endpoint,
    peerUrls,
    dev: fakeDev,
    members: fakeMembers,
    lagThresholdMs: 1000,
    ...(auth ? { auth } : {}),
    dashboard: {
      access: (method, path) => host.access(method, path) ?? dashboard.access(method, path),
      handle: (req, res) => host.handle(req, res) || dashboard.handle(req, res),
    },
  });
  const { url } = await server.listen('127.0.0.1', 0);
  return {
    url,
    server,
    fenced,
    close: async () => {
      dashboard.close();
      await server.close();
    },
  };
}

export interface Outcome {
  readonly status: number;
  readonly headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body under test; each assertion names the field it expects
  readonly body: any;
}

/** One request with an optional token; an event stream is read up to its headers and dropped. */
export async function ask(method: string, url: string, token: string | null, extraHeaders: Record<string, string> = {}, body?: unknown): Promise<Outcome> {
  const controller = new AbortController();
  const headers: Record<string, string> = { ...extraHeaders };
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  const sendsBody = method !== 'GET' && method !== 'HEAD';
  if (sendsBody) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method,
    headers,
    signal: controller.signal,
    ...(sendsBody ? { body: JSON.stringify(body ?? {}) } : {}),
  });
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
    controller.abort();
    return { status: response.status, headers: response.headers, body: undefined };
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed };
}
