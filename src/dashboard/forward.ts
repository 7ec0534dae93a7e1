// GET|PUT|DELETE /dashboard/nodes/:id/key/:key and, in dev mode,
// POST /dashboard/nodes/:id/admin/transfer-leadership: the page's way to reach
// another node (the leader named in a 503) through the server that served it,
// since the API sends no CORS headers and a page may only talk to its origin.
// The target is a node id looked up in peerUrls(), never a URL from the
// client, and only these paths pass: this is not an open proxy. The caller's
// Authorization header goes along: this server checked that the token may
// make the request (each forwarded route needs the role of the route it
// reaches), and the target node checks it again.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeId } from '../core/types.js';
import type { AccessRole } from '../http/access.js';
import { FORWARD_TIMEOUT_MS, MAX_FORWARD_BODY_BYTES } from './limits.js';
import { sendJson } from './respond.js';

/** Where forwarded requests go: this prefix, then one of FORWARDED_ROUTES. */
export const FORWARD_PREFIX = '/dashboard/nodes/:id/';

export interface ForwardedRoute {
  readonly method: string;
  /** The target node's route, without its leading slash. */
  readonly rest: string;
  /** Forwarded only by a dev-mode dashboard. */
  readonly devOnly: boolean;
  /** The role of the target route, checked here before forwarding. */
  readonly access: AccessRole;
}

/** The only requests that pass, as the node's own route patterns. */
export const FORWARDED_ROUTES: readonly ForwardedRoute[] = [
  { method: 'GET', rest: 'key/:key', devOnly: false, access: 'read' },
  { method: 'PUT', rest: 'key/:key', devOnly: false, access: 'write' },
  { method: 'DELETE', rest: 'key/:key', devOnly: false, access: 'write' },
  { method: 'POST', rest: 'key/:key/cas', devOnly: false, access: 'write' },
  { method: 'POST', rest: 'admin/transfer-leadership', devOnly: true, access: 'admin' },
];

/** ':name' stands for one non-empty segment; the rest is literal. */
function restPattern(rest: string): RegExp {
  const segments = rest.split('/').map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${segments.join('/')}$`);
}

const FORWARDED = FORWARDED_ROUTES.map((route) => ({ ...route, pattern: restPattern(route.rest) }));

export interface ForwardTarget {
  readonly nodeId: NodeId;
  /** The path after /dashboard/nodes/:id/, without a leading slash. */
  readonly rest: string;
  /** The query string with its `?`, or ''. */
  readonly search: string;
}

export function forwardAllowed(method: string, rest: string, devMode: boolean): boolean {
  return FORWARDED.some((route) => route.method === method && (devMode || !route.devOnly) && route.pattern.test(rest));
}

/** The role a forwarded request needs: its target route's; read for one that is not forwarded (a 404 then). */
export function forwardAccess(method: string, rest: string): AccessRole {
  return FORWARDED.find((route) => route.method === method && route.pattern.test(rest))?.access ?? 'read';
}

export async function forwardToNode(
  req: IncomingMessage,
  res: ServerResponse,
  target: ForwardTarget,
  peerUrls: () => Readonly<Record<NodeId, string>>,
): Promise<void> {
  const base = peerUrls()[target.nodeId];
  if (base === undefined) {
    sendJson(res, 404, { error: 'Unknown node', detail: `no node ${JSON.stringify(target.nodeId)}` });
    return;
  }
  const method = req.method ?? 'GET';
  let body: Buffer | undefined;
  if (method !== 'GET') {
    const read = await readBody(req, MAX_FORWARD_BODY_BYTES);
    if (read === 'too-large') {
      sendJson(res, 413, { error: 'Body too large', detail: `at most ${MAX_FORWARD_BODY_BYTES} bytes` }, { Connection: 'close' });
      return;
    }
    if (read === 'gone') {
      res.destroy();
      return;
    }
    body = read;
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  // The one header the server let through (access.ts): repeated, it was refused before this point.
  const authorization = req.headers.authorization;
  if (authorization !== undefined) headers['authorization'] = authorization;
  let response: Response;
  try {
    response = await fetch(`${base}/${target.rest}${target.search}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    sendJson(res, timedOut ? 504 : 502, {
      error: timedOut ? 'Node did not answer' : 'Node unreachable',
      detail: timedOut ? `${target.nodeId} gave no answer within ${FORWARD_TIMEOUT_MS} ms` : `${target.nodeId} at ${base} could not be reached`,
    });
    return;
  }
  const text = await response.text();
  if (res.headersSent) return;
  res.writeHead(response.status, {
    'Content-Type': response.headers.get('content-type') ?? 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'X-Replikit-Answered-By': target.nodeId,
  });
  res.end(text);
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large' | 'gone'> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const settle = (value: Buffer | 'too-large' | 'gone'): void => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        req.pause();
        settle('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => settle(Buffer.concat(chunks)));
    req.on('error', () => settle('gone'));
    req.on('close', () => settle(req.complete ? Buffer.concat(chunks) : 'gone'));
  });
}
