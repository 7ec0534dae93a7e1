// What a handler hands back, and the one place that writes it: every answer
// is JSON (or the Prometheus text of /metrics), never a stack trace.

import type { IncomingMessage, ServerResponse } from 'node:http';

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
  // A body we did not read (refused early, or a route that takes none) must not
  // be mistaken for the next request on this connection: close it instead of
  // draining what may be megabytes or never end.
  if (!req.complete) res.setHeader('Connection', 'close');
  res.end(body);
}
