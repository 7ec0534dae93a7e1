// What a handler hands back, and the one place that writes it: every answer
// is JSON (or the Prometheus text of /metrics), never a stack trace.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { DRAIN_TIMEOUT_MS, MAX_DRAIN_BYTES } from './limits.js';

export type Reply =
  | { readonly status: number; readonly json: unknown; readonly headers?: Readonly<Record<string, string>> }
  | { readonly status: number; readonly text: string; readonly contentType: string };

export function json(status: number, body: unknown, headers?: Readonly<Record<string, string>>): Reply {
  return headers ? { status, json: body, headers } : { status, json: body };
}

export function writeReply(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const body = 'json' in reply ? JSON.stringify(reply.json) : reply.text;
  res.statusCode = reply.status;
  res.setHeader('Content-Type', 'json' in reply ? 'application/json; charset=utf-8' : reply.contentType);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if ('json' in reply && reply.headers) for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
  if (!req.complete) {
    // Declared longer than we would ever drain: say so and close at once.
    if (Number(req.headers['content-length'] ?? 0) > MAX_DRAIN_BYTES) res.setHeader('Connection', 'close');
    else drainUnreadBody(req);
  }
  res.end(body);
}

/** Sockets whose request was answered before its body was read; nothing more is to be said on them. */
export const answeredEarly = new WeakSet<object>();

/**
 * A body we did not read (refused early, or sent to a route that takes none)
 * is read and dropped, up to a bound, rather than cut off: closing a socket
 * with unread input sends a reset, and a reset can destroy our answer in the
 * client's buffers before the client reads it (RFC 9112 §9.6). A body past
 * the bound, or still unfinished after the timeout, gets the connection cut.
 */
function drainUnreadBody(req: IncomingMessage): void {
  const socket = req.socket;
  answeredEarly.add(socket);
  let drainedBytes = 0;
  const cut = (): void => {
    socket.destroy();
  };
  const timer = setTimeout(cut, DRAIN_TIMEOUT_MS);
  req.on('data', (chunk: Buffer) => {
    drainedBytes += chunk.byteLength;
    if (drainedBytes > MAX_DRAIN_BYTES) cut();
  });
  req.once('end', () => {
    clearTimeout(timer);
    answeredEarly.delete(socket);
  });
  req.once('close', () => clearTimeout(timer));
  req.resume();
}
