// The HTTP face of one node, on node:http alone (node:https with a
// certificate: the same handlers, limits and timeouts). Every request is
// routed, its token checked when the server has an HttpAuth, and answered
// with JSON; whatever a client sends (garbage, huge or endless bodies, broken
// encodings, malformed HTTP, any Authorization header) gets a 4xx, and
// nothing it sends reaches the node unless validateRequest accepts it.

import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { NodeId } from '../core/types.js';
import type { DevControls, NodeEndpoint } from '../node/node-endpoint.js';
import { checkAccess, type HttpAuth, type RouteAccess } from './access.js';
import { ClientGoneError } from './body.js';
import type { ServerContext } from './context.js';
import { HttpError } from './http-error.js';
import {
  CONNECTIONS_CHECK_INTERVAL_MS,
  DRAIN_TIMEOUT_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  MAX_CONNECTIONS,
  MAX_URL_BYTES,
  RECENT_FENCING_KEPT,
  resolveHttpLimits,
  type HttpLimits,
} from './limits.js';
import { NodeMetrics } from './metrics.js';
import { RecentFencing } from './recent-fencing.js';
import { answeredEarly, json, writeReply } from './reply.js';
import type { MembershipControls } from './routes-admin.js';
import { nodeRoutes } from './routes.js';
import { decodeParams, parseQuery, Router } from './router.js';

/** On close, requests in flight get this long to finish before their connections are cut. */
const CLOSE_GRACE_MS = 2_000;

export interface NodeHttpServerOptions {
  readonly endpoint: NodeEndpoint;
  /** Every node's base URL (to answer leaderUrl); read per request, since nodes come and go. */
  readonly peerUrls: () => Readonly<Record<NodeId, string>>;
  /** Chaos routes (/admin/nodes/:id/..., /admin/partition, /admin/heal); only in `replikit dev`. */
  readonly dev?: DevControls;
  /** Membership routes (/admin/members); absent: 404. */
  readonly members?: MembershipControls;
  /** /health fails when a follower lags more than this. */
  readonly lagThresholdMs: number;
  readonly limits?: Partial<HttpLimits>;
  /** Serves '/' and its assets (and a host's own routes). Asked only for paths no API route matches. */
  readonly dashboard?: PathHandler;
  /** The tokens accepted, and so the roles of their holders; absent: every route is open. */
  readonly auth?: HttpAuth;
  /** Serve HTTPS with this certificate (PEM, its chain after it) and key. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  /** Where internal errors are reported (with their stacks, which clients never see). */
  readonly log?: (line: string) => void;
}

/**
 * Requests for paths no API route matches: the dashboard's, and the routes a
 * `replikit node` host adds. Like a route, each path says which role it needs.
 */
export interface PathHandler {
  /** The role a request for `path` (without its query) needs, or null when the path is not this handler's (a 404 then). */
  access(method: string, path: string): RouteAccess | null;
  /** Answers the request (possibly later) and returns true, or returns false to let the server answer 404. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
}

export interface NodeHttpServer {
  readonly server: Server | TlsServer;
  listen(host: string, port: number): Promise<{ url: string }>;
  close(): Promise<void>;
}

export function createNodeHttpServer(options: NodeHttpServerOptions): NodeHttpServer {
  if (!Number.isFinite(options.lagThresholdMs) || options.lagThresholdMs <= 0) {
    throw new RangeError(`lagThresholdMs must be a positive number, got ${options.lagThresholdMs}`);
  }
  const limits = resolveHttpLimits(options.limits);
  const log = options.log ?? (() => undefined);
  const metrics = new NodeMetrics(options.endpoint);
  const recentFencing = new RecentFencing(options.endpoint, RECENT_FENCING_KEPT);
  const context: ServerContext = {
    endpoint: options.endpoint,
    limits,
    metrics,
    recentFencing,
    lagThresholdMs: options.lagThresholdMs,
    peerUrls: options.peerUrls,
  };
  const router = new Router().add(...nodeRoutes(context, options.members, options.dev));

  const serverOptions: ServerOptions = {
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
    // Node would answer a missing Host with an empty 400; handle() answers it in JSON.
    requireHostHeader: false,
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => void handle(req, res);
  // A certificate or key that does not parse, or do not go together, throws here: before anything listens.
  const server = options.tls
    ? createTlsServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }, onRequest)
    : createServer(serverOptions, onRequest);
  const scheme = options.tls ? 'https' : 'http';

  server.maxConnections = MAX_CONNECTIONS;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAtMs = performance.now();
    // Stream errors are seen where the body is read; an unread body must not crash the process.
    req.on('error', () => undefined);
    let routeLabel = 'unmatched';
    res.on('finish', () => metrics.countRequest(routeLabel, res.statusCode));
    try {
      if (req.httpVersion === '1.1' && req.headers.host === undefined) throw new HttpError(400, 'Bad request', 'an HTTP/1.1 request needs a Host header');
      const target = req.url ?? '';
      if (Buffer.byteLength(target) > MAX_URL_BYTES) throw new HttpError(414, 'URI too long', `at most ${MAX_URL_BYTES} bytes`);
      if (!target.startsWith('/')) throw new HttpError(400, 'Bad request', 'the request target must be a path starting with /');
      const queryAt = target.indexOf('?');
      const path = queryAt === -1 ? target : target.slice(0, queryAt);
      const search = queryAt === -1 ? '' : target.slice(queryAt + 1);
      const method = req.method ?? '';
      const match = router.locate(method, path);
      // The token is checked once the route (and so the role it needs) is known, before anything
      // else is looked at: no param decoded, query parsed, body read or handler run for a caller
      // refused. A path nobody serves needs a read token too, so that 404s map nothing for strangers.
      if (match.kind === 'none') {
        const needed = options.dashboard?.access(method, path) ?? null;
        checkAccess(options.auth, req, needed ?? 'read', `${method} ${path}`);
        if (needed !== null && options.dashboard?.handle(req, res)) {
          routeLabel = 'dashboard';
          return;
        }
        throw new HttpError(404, 'Not found', `no route for ${method || '?'} ${path}`);
      }
      if (match.kind === 'wrong-method') {
        routeLabel = match.pattern;
        checkAccess(options.auth, req, match.access, `${method} ${match.pattern}`);
        throw new HttpError(405, 'Method not allowed', `allowed: ${match.allow.join(', ')}`, {}, { Allow: match.allow.join(', ') });
      }
      routeLabel = match.route.pattern;
      checkAccess(options.auth, req, match.route.access, `${method} ${match.route.pattern}`);
      const params = decodeParams(match.rawParams);
      const query = parseQuery(search, match.route.query ?? []);
      const reply = await match.route.handle({ req, res, params, query, receivedAtMs });
      writeReply(req, res, reply);
    } catch (error) {
      if (error instanceof ClientGoneError) {
        res.destroy();
        return;
      }
      if (!(error instanceof HttpError)) {
        log(
          `http ${options.endpoint.id}: ${req.method ?? '?'} ${routeLabel} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      }
      if (res.headersSent) {
        res.destroy(); // a half-written answer (from the dashboard) cannot be turned into an error
        return;
      }
      const httpError = error instanceof HttpError ? error : new HttpError(500, 'Internal error');
      writeReply(req, res, json(httpError.status, httpError.body(), httpError.headers));
    }
  }

  // Requests Node cannot parse (bad syntax, oversized headers, headers that
  // never finish) never reach handle(); answer them in JSON too.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // An answer already under way on this socket cannot be followed by another
    // (Node's own default handler makes the same check on the same field).
    const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (error.code === 'ECONNRESET' || !socket.writable || started || answeredEarly.has(socket)) {
      socket.destroy();
      return;
    }
    const [status, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Headers too large']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request timeout']
          : [400, 'Malformed request'];
    metrics.countRequest('malformed', status);
    endWithJson(socket, status, { error: message });
  });

  // CONNECT (a proxy tunnel) would otherwise get its connection closed without a word.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    metrics.countRequest('unmatched', 405);
    endWithJson(socket, 405, { error: 'Method not allowed', detail: 'this is not a proxy' });
  });

  // An Expect other than 100-continue would get Node's empty 417.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    metrics.countRequest('unmatched', 417);
    writeReply(req, res, json(417, { error: 'Expectation failed', detail: 'only Expect: 100-continue is understood' }));
  });

  // Every socket, including those Node no longer counts as HTTP (after CONNECT
  // or a parse error), so that close() can cut whatever outlives the grace.
  const sockets = new Set<Duplex>();
  server.on('connection', (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  let closing: Promise<void> | null = null;
  return {
    server,
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const address = server.address() as AddressInfo;
          const shownHost = host.includes(':') ? `[${host}]` : host;
          resolve({ url: `${scheme}://${shownHost}:${address.port}` });
        });
      }),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        metrics.close();
        recentFencing.close();
        if (!server.listening) {
          resolve();
          return;
        }
        const cut = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/**
 * A whole response written straight to a socket that has no ServerResponse
 * (parse errors, CONNECT). The socket keeps reading (and dropping) so it sees
 * the client hang up; a client that never does is cut after a while.
 */
function endWithJson(socket: Duplex, status: number, body: Record<string, unknown>): void {
  const text = JSON.stringify(body);
  setTimeout(() => socket.destroy(), DRAIN_TIMEOUT_MS).unref();
  socket.on('data', () => undefined);
  socket.resume();
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      'Connection: close\r\n\r\n' +
      text,
  );
}
