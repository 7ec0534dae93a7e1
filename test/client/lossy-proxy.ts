// An HTTP proxy in front of one node that can lose answers: it forwards a
// request, lets the node act on it, and then closes the client's connection
// instead of answering. This is the "write applied, response lost" case that
// exactly-once sessions exist for.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LossyProxy {
  readonly url: string;
  /** Every request seen, as "METHOD /path?query". */
  readonly seen: string[];
  /** Requests that were forwarded and then left unanswered. */
  readonly dropped: string[];
  /** Lose the answers of the next `count` requests matching `match`. */
  dropAnswers(match: (request: { method: string; url: string }) => boolean, count?: number): void;
  close(): Promise<void>;
}

export async function startLossyProxy(target: string): Promise<LossyProxy> {
  const seen: string[] = [];
  const dropped: string[] = [];
  let rule: { match: (request: { method: string; url: string }) => boolean; left: number } | null = null;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      seen.push(`${method} ${url}`);
      const body = await readBody(req);
      const upstream = await fetch(`${target}${url}`, {
        method,
        ...(body.length > 0 ? { body, headers: { 'content-type': 'application/json' } } : {}),
      });
      const text = await upstream.text();
      if (rule && rule.left > 0 && rule.match({ method, url })) {
        rule.left--;
        dropped.push(`${method} ${url}`);
        // The node has answered, so the write happened; the client never hears it.
        req.socket.destroy();
        return;
      }
      res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      res.end(text);
    })().catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    dropped,
    dropAnswers: (match, count = 1) => {
      rule = { match, left: count };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A loopback port nothing listens on (taken, then released): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
