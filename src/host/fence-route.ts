// POST /admin/fence on a host: take a signed notice and shoot this host's node
// if it still leads the older term. Served through the HTTP server's extra
// handler hook, before the dashboard.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { FENCE_PATH, fenceNoticeProblem, MAX_FENCE_BODY_BYTES, type FenceNotice } from './fence-request.js';

export interface FenceRouteOptions {
  readonly clusterId: string;
  readonly selfId: string;
  readonly secret: Uint8Array;
  readonly fence: (notice: FenceNotice) => Promise<boolean>;
}

export function fenceRoute(options: FenceRouteOptions): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.url !== FENCE_PATH) return false;
    if (req.method !== 'POST') {
      reply(res, 405, { error: 'Method not allowed', allow: 'POST' });
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FENCE_BODY_BYTES) {
        reply(res, 413, { error: 'Body too large' });
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        reply(res, 400, { error: 'Invalid JSON' });
        return;
      }
      const signature = req.headers['x-replikit-signature'];
      const problem = fenceNoticeProblem(
        body,
        Array.isArray(signature) ? signature[0] : signature,
        options.secret,
        options.clusterId,
        options.selfId,
        Date.now(),
      );
      if (problem) {
        reply(res, 403, { error: 'Fence notice refused', detail: problem });
        return;
      }
      options.fence(body as FenceNotice).then(
        (fenced) => reply(res, 200, { fenced }),
        () => reply(res, 500, { error: 'Fencing failed' }),
      );
    });
    return true;
  };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
