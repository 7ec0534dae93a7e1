// The live dashboard of one node's HTTP server: the page and its assets, the
// statechart (as data and as SVG), an event stream of cluster snapshots and
// events, and a way for the page to reach other nodes through this server.
// It plugs into createNodeHttpServer's `dashboard` hook, which hands it every
// request no API route matched; it claims `/` and `/dashboard/...` only.
//
// With tokens checked (access.ts), the page, its script and stylesheet, and
// the statechart (as SVG and JSON: a drawing of the code, the same on every
// node) stay open, so that a browser can load the page and ask for a token.
// The event stream needs read, like /status; a forwarded request needs the
// role of the route it reaches. The page sends its token in a header, and
// reads the event stream with fetch for that reason (page/dom/stream.ts).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeRoleMachine, FOLLOWER, CANDIDATE, LEADER_SERVING, PRE_CANDIDATE, roleStatePath } from '../../machines/index.js';
import type { NodeId, Role } from '../core/types.js';
import type { NodeEndpoint } from '../node/node-endpoint.js';
import type { RouteAccess } from '../http/access.js';
import type { PathHandler } from '../http/server.js';
import { DASHBOARD_ASSETS, PAGE_HTML, PAGE_SCRIPT_PATH } from './assets/index.js';
import { EventFeed } from './event-feed.js';
import { forwardAccess, forwardAllowed, forwardToNode } from './forward.js';
import {
  MAX_EVENT_JSON_CHARS,
  MAX_SSE_CLIENT_BUFFER_BYTES,
  MAX_SSE_CLIENTS,
  RECENT_EVENTS_KEPT,
  SNAPSHOT_INTERVAL_MS,
  SSE_KEEPALIVE_INTERVAL_MS,
  SSE_RETRY_MS,
  STATUS_FETCH_CONCURRENCY,
  STATUS_FETCH_TIMEOUT_MS,
} from './limits.js';
import { readPageBundle } from './page-bundle.js';
import type { HelloMessage } from './protocol.js';
import { sendJson, sendText } from './respond.js';
import { SseHub, sseMessage } from './sse-hub.js';
import { renderStatechartSvg } from './statechart-svg.js';
import { StatusPoller } from './status-poller.js';

export interface DashboardOptions {
  /** The node this server serves; its role changes are pushed at once. */
  readonly endpoint: NodeEndpoint;
  /** Every node's base URL, read at each snapshot (nodes come and go). */
  readonly peerUrls: () => Readonly<Record<NodeId, string>>;
  /** Shows the chaos controls (the server must have the dev admin routes). */
  readonly devMode: boolean;
  /** Dev mode: the cluster's supervisor events; returns an unsubscribe function. */
  readonly clusterEvents?: (listener: (event: unknown) => void) => () => void;
  /** When the nodes check tokens: the one this server sends when it asks the nodes for their /status (HttpAuth.peerToken). */
  readonly peerToken?: string;
  /** Tests shorten these; every other limit is in limits.ts. */
  readonly snapshotIntervalMs?: number;
  readonly statusFetchTimeoutMs?: number;
  readonly maxSseClients?: number;
}

export interface Dashboard extends PathHandler {
  /** True when the request was the dashboard's (it is then answered, possibly later); false to let the server 404. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Ends every event stream and stops sampling; safe to call twice. */
  close(): void;
}

/** The page itself. Every path the dashboard claims is named here or in DASHBOARD_ASSETS and forward.ts. */
export const PAGE_PATHS: readonly string[] = ['/', '/dashboard', '/dashboard/'];
export const MACHINE_JSON_PATH = '/dashboard/machine.json';
export const STATECHART_SVG_PATH = '/dashboard/statechart.svg';
export const EVENTS_PATH = '/dashboard/events';

/** FORWARD_PREFIX (forward.ts) with the node id and the rest captured. */
const NODE_PATH = /^\/dashboard\/nodes\/([^/]+)\/(.+)$/;

/**
 * The role a request for one of the dashboard's paths needs, whatever its
 * method (a wrong one gets 405 after the check), or null for a path that is
 * not the dashboard's. Every path handle() claims is claimed here too.
 */
export function dashboardAccess(method: string, path: string): RouteAccess | null {
  if (PAGE_PATHS.includes(path) || path === PAGE_SCRIPT_PATH || DASHBOARD_ASSETS[path] !== undefined) return 'open';
  if (path === MACHINE_JSON_PATH || path === STATECHART_SVG_PATH) return 'open';
  if (path === EVENTS_PATH) return 'read';
  const nodePath = NODE_PATH.exec(path);
  if (nodePath) return forwardAccess(method, nodePath[2] ?? '');
  return null;
}

/**
 * A snapshot waits this share of the interval for the nodes' answers, then
 * goes out with what it has (a slow node keeps its last answer), leaving the
 * rest of the interval as slack so that rounds never run into each other.
 */
const SNAPSHOT_WAIT_SHARE = 0.8;

export function createDashboard(options: DashboardOptions): Dashboard {
  const snapshotIntervalMs = options.snapshotIntervalMs ?? SNAPSHOT_INTERVAL_MS;
  const feed = new EventFeed({
    endpoint: options.endpoint,
    ...(options.clusterEvents ? { clusterEvents: options.clusterEvents } : {}),
    recentKept: RECENT_EVENTS_KEPT,
    maxEventJsonChars: MAX_EVENT_JSON_CHARS,
  });
  const poller = new StatusPoller({
    peerUrls: options.peerUrls,
    fetchTimeoutMs: options.statusFetchTimeoutMs ?? STATUS_FETCH_TIMEOUT_MS,
    concurrency: STATUS_FETCH_CONCURRENCY,
    ...(options.peerToken !== undefined ? { token: options.peerToken } : {}),
    // Another host's fencings reach this page only through that node's /status.
    onFencing: (id, fencings) => feed.observeFencing(id, fencings),
  });
  const hub = new SseHub({
    maxClients: options.maxSseClients ?? MAX_SSE_CLIENTS,
    keepaliveIntervalMs: SSE_KEEPALIVE_INTERVAL_MS,
    retryMs: SSE_RETRY_MS,
    maxBufferBytes: MAX_SSE_CLIENT_BUFFER_BYTES,
    onClientCountChange: (count) => (count > 0 ? startSampling() : stopSampling()),
  });
  feed.onMessage((message) => hub.broadcast(sseMessage(message.kind, message.data), false));

  // One sampling loop for all open pages, running only while one is open;
  // the next round is timed from the start of this one, never overlapping it.
  let samplingTimer: ReturnType<typeof setTimeout> | null = null;
  let sampling = false;
  let closed = false;
  function startSampling(): void {
    if (sampling || closed) return;
    sampling = true;
    void sampleRound();
  }
  function stopSampling(): void {
    sampling = false;
    if (samplingTimer) clearTimeout(samplingTimer);
    samplingTimer = null;
  }
  async function sampleRound(): Promise<void> {
    const startedMs = performance.now();
    try {
      const snapshot = await poller.snapshot(snapshotIntervalMs * SNAPSHOT_WAIT_SHARE);
      if (sampling) hub.broadcast(sseMessage('snapshot', snapshot), true);
    } catch {
      // A failed round (never expected: the poller settles every fetch) is skipped, not fatal.
    }
    if (!sampling) return;
    const elapsedMs = performance.now() - startedMs;
    samplingTimer = setTimeout(() => void sampleRound(), Math.max(0, snapshotIntervalMs - elapsedMs));
  }

  // Computed on first use: the statechart does not change while the process runs.
  let machineJson: string | null = null;
  let statechartSvg: string | null = null;
  // Read once the page first asks for it; a bundle that is missing is looked for again next time.
  let pageScript: string | null = null;
  const roleStatePaths: Record<Role, string> = {
    follower: roleStatePath(FOLLOWER),
    'pre-candidate': roleStatePath(PRE_CANDIDATE),
    candidate: roleStatePath(CANDIDATE),
    leader: roleStatePath(LEADER_SERVING),
  };

  function hello(): HelloMessage {
    return { nodeId: options.endpoint.id, devMode: options.devMode, snapshotIntervalMs, roleStatePaths, recent: feed.recent() };
  }

  function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    const search = queryAt === -1 ? '' : target.slice(queryAt);
    const method = req.method ?? 'GET';
    const isRead = method === 'GET' || method === 'HEAD';
    const headOnly = method === 'HEAD';

    if (PAGE_PATHS.includes(path)) {
      if (!isRead) return methodNotAllowed(res, 'GET, HEAD');
      sendText(res, 200, 'text/html; charset=utf-8', PAGE_HTML, headOnly);
      return true;
    }
    if (!path.startsWith('/dashboard/')) return false;

    const asset = DASHBOARD_ASSETS[path];
    if (asset) {
      if (!isRead) return methodNotAllowed(res, 'GET, HEAD');
      sendText(res, 200, asset.contentType, asset.body, headOnly);
      return true;
    }
    if (path === PAGE_SCRIPT_PATH) {
      if (!isRead) return methodNotAllowed(res, 'GET, HEAD');
      pageScript ??= readPageBundle();
      if (pageScript === null) {
        sendJson(res, 500, { error: 'Page not built', detail: 'the dashboard script is missing: run `npm run build`' });
        return true;
      }
      sendText(res, 200, 'text/javascript; charset=utf-8', pageScript, headOnly);
      return true;
    }
    if (path === MACHINE_JSON_PATH) {
      if (!isRead) return methodNotAllowed(res, 'GET, HEAD');
      machineJson ??= `${JSON.stringify(describeRoleMachine(), null, 2)}\n`;
      sendText(res, 200, 'application/json; charset=utf-8', machineJson, headOnly);
      return true;
    }
    if (path === STATECHART_SVG_PATH) {
      if (!isRead) return methodNotAllowed(res, 'GET, HEAD');
      statechartSvg ??= renderStatechartSvg(describeRoleMachine());
      sendText(res, 200, 'image/svg+xml; charset=utf-8', statechartSvg, headOnly);
      return true;
    }
    if (path === EVENTS_PATH) {
      if (method !== 'GET') return methodNotAllowed(res, 'GET');
      hub.accept(res, [sseMessage('hello', hello())]);
      return true;
    }
    const nodePath = NODE_PATH.exec(path);
    if (nodePath) {
      const [, rawId = '', rest = ''] = nodePath;
      let nodeId: string;
      try {
        nodeId = decodeURIComponent(rawId);
      } catch {
        sendJson(res, 400, { error: 'Bad request', detail: 'the node id is not valid percent-encoding' });
        return true;
      }
      if (!forwardAllowed(method, rest, options.devMode)) {
        sendJson(res, 404, { error: 'Not found', detail: `the dashboard does not forward ${method} /${rest}` });
        return true;
      }
      forwardToNode(req, res, { nodeId, rest, search }, options.peerUrls).catch(() => {
        sendJson(res, 502, { error: 'Forwarding failed', detail: `the request to ${nodeId} failed` });
      });
      return true;
    }
    return false;
  }

  return {
    handle,
    access: dashboardAccess,
    close: () => {
      if (closed) return;
      closed = true;
      stopSampling();
      hub.close();
      feed.close();
    },
  };
}

function methodNotAllowed(res: ServerResponse, allow: string): true {
  sendJson(res, 405, { error: 'Method not allowed', detail: `allowed: ${allow}` }, { Allow: allow });
  return true;
}

/** Adapts an EventEmitter that emits 'event' (the dev Cluster) to the `clusterEvents` option. */
export function clusterEventsOf(emitter: {
  on(name: 'event', listener: (event: unknown) => void): unknown;
  off(name: 'event', listener: (event: unknown) => void): unknown;
}): (listener: (event: unknown) => void) => () => void {
  return (listener) => {
    emitter.on('event', listener);
    return () => {
      emitter.off('event', listener);
    };
  };
}
