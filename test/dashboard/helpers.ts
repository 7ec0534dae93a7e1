// Shared pieces for the dashboard's server-side tests: a fake NodeEndpoint,
// fake peer nodes answering /status (and echoing key requests), a dashboard
// behind a real HTTP server, and a small Server-Sent Events reader.

import { execFileSync } from 'node:child_process';
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FencingRecord } from '../../src/node/fencing.js';
import type { NodeEndpoint } from '../../src/node/node-endpoint.js';
import type { NodeEvent } from '../../src/node/node-runtime.js';
import { createDashboard, type Dashboard, type DashboardOptions } from '../../src/dashboard/index.js';

export interface FakeEndpoint extends NodeEndpoint {
  emit(event: NodeEvent): void;
  /** As the node's supervisor reports fencing it. */
  emitFencing(record: FencingRecord): void;
  listenerCount(): number;
  fencingListenerCount(): number;
}

export function fakeEndpoint(id: string): FakeEndpoint {
  const listeners = new Set<(event: NodeEvent) => void>();
  const fencingListeners = new Set<(record: FencingRecord) => void>();
  return {
    id,
    submit: async () => [],
    status: async () => null,
    transferLeadership: async () => ({ ok: false, error: 'fake' }),
    proposeMembership: async () => ({ ok: false, error: 'fake' }),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onFencing(listener) {
      fencingListeners.add(listener);
      return () => fencingListeners.delete(listener);
    },
    emit(event) {
      for (const listener of listeners) listener(event);
    },
    emitFencing(record) {
      for (const listener of fencingListeners) listener(record);
    },
    listenerCount: () => listeners.size,
    fencingListenerCount: () => fencingListeners.size,
  };
}

/** A fake cluster event source, as `clusterEventsOf(cluster)` would give. */
export function fakeClusterEvents(): {
  source: (listener: (event: unknown) => void) => () => void;
  emit(event: unknown): void;
  listenerCount(): number;
} {
  const listeners = new Set<(event: unknown) => void>();
  return {
    source: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit: (event) => {
      for (const listener of listeners) listener(event);
    },
    listenerCount: () => listeners.size,
  };
}

export function statusBody(id: string, role: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    nodeId: id,
    role,
    term: 3,
    leaderId: 'n1',
    leaderUrl: null,
    commitIndex: 7,
    appliedIndex: 7,
    lastIndex: 7,
    leaseValid: role === 'leader',
    lagMs: 0,
    membership: { voters: ['n1', 'n2', 'n3'], learners: [] },
    followers:
      role === 'leader'
        ? { n2: { matchIndex: 7, lagEntries: 0, lagMs: 4, learner: false }, n3: { matchIndex: 2, lagEntries: 5, lagMs: 900, learner: false } }
        : {},
    ...overrides,
  };
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  /** The Authorization header it came with, if any. */
  readonly authorization?: string;
}

export interface FakePeer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** What GET /status does: answer with this body, hang, or fail with 503. */
  mode: 'answer' | 'hang' | 'unavailable';
  status: Record<string, unknown>;
  close(): Promise<void>;
}

export async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A node that answers /status and echoes every other request as JSON. */
export async function startFakePeer(status: Record<string, unknown>): Promise<FakePeer> {
  const requests: RecordedRequest[] = [];
  const peer: FakePeer = { url: '', requests, mode: 'answer', status, close: async () => undefined };
  const { server, url } = await startServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const authorization = req.headers.authorization;
      requests.push({ method: req.method ?? '', url: req.url ?? '', body, ...(authorization !== undefined ? { authorization } : {}) });
      if (req.url === '/status') {
        if (peer.mode === 'hang') return;
        if (peer.mode === 'unavailable') return json(res, 503, { error: 'Node unavailable', detail: 'n2 is down or not answering' });
        return json(res, 200, peer.status);
      }
      json(res, 200, { echoed: true, method: req.method, url: req.url, body });
    });
  });
  return Object.assign(peer, { url, close: () => closeServer(server) });
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A URL nothing listens on (a port taken and released). */
export async function deadUrl(): Promise<string> {
  const { server, url } = await startServer(() => undefined);
  await closeServer(server);
  return url;
}

export interface DashboardServer {
  readonly url: string;
  readonly dashboard: Dashboard;
  /** Requests the dashboard did not claim (the API server would answer them). */
  readonly unclaimed: string[];
  close(): Promise<void>;
}

/** The dashboard behind a plain server that also answers this node's own /status, like the node's API would. */
export async function startDashboardServer(options: DashboardOptions, ownStatus: () => Record<string, unknown>): Promise<DashboardServer> {
  const unclaimed: string[] = [];
  const dashboard = createDashboard(options);
  const { server, url } = await startServer((req, res) => {
    if (req.url === '/status') return json(res, 200, ownStatus());
    if (!dashboard.handle(req, res)) {
      unclaimed.push(`${req.method ?? ''} ${req.url ?? ''}`);
      json(res, 404, { error: 'Not found' });
    }
  });
  return {
    url,
    dashboard,
    unclaimed,
    close: async () => {
      dashboard.close();
      await closeServer(server);
    },
  };
}

export interface SseMessage {
  readonly event: string;
  readonly data: unknown;
}

export interface SseStream {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly messages: SseMessage[];
  /** Resolves with the first message named `event` and matching `where` not returned before (waiting for it if need be). */
  next<T = unknown>(event: string, where?: (data: T) => boolean, timeoutMs?: number): Promise<T>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  /** Drops the connection, as a closed tab would. */
  destroy(): void;
  /** The body, when the server answered with something other than a stream. */
  readonly body: Promise<string>;
}

const NEXT_TIMEOUT_MS = 3000;

export function openStream(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const request = get(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      const messages: SseMessage[] = [];
      const used = new Set<number>();
      const waiters = new Set<() => void>();
      let buffer = '';
      let raw = '';
      let resolveEnded: () => void = () => undefined;
      const ended = new Promise<void>((done) => (resolveEnded = done));
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        raw += chunk;
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length > 0) messages.push({ event, data: JSON.parse(data.join('\n')) as unknown });
        }
        for (const wake of [...waiters]) wake();
      });
      response.on('end', () => resolveEnded());
      response.on('close', () => resolveEnded());
      response.on('error', () => resolveEnded());
      const body = ended.then(() => raw);
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        messages,
        ended,
        body,
        destroy: () => request.destroy(),
        next: <T>(event: string, where: (data: T) => boolean = () => true, timeoutMs = NEXT_TIMEOUT_MS) =>
          new Promise<T>((found, fail) => {
            const look = (): boolean => {
              for (let index = 0; index < messages.length; index += 1) {
                const message = messages[index] as SseMessage;
                if (used.has(index) || message.event !== event || !where(message.data as T)) continue;
                used.add(index);
                found(message.data as T);
                return true;
              }
              return false;
            };
            if (look()) return;
            const timer = setTimeout(() => {
              waiters.delete(wake);
              fail(new Error(`no "${event}" message within ${timeoutMs} ms; got ${messages.map((m) => m.event).join(', ')}`));
            }, timeoutMs);
            const wake = (): void => {
              if (look()) {
                clearTimeout(timer);
                waiters.delete(wake);
              }
            };
            waiters.add(wake);
          }),
      });
    });
    request.on('error', reject);
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Bundles the page from its sources now, as `npm run build` does, so a test
 * that serves it never sends a stale bundle from an earlier build.
 */
export function buildPageBundle(): void {
  execFileSync(process.execPath, ['scripts/build-page.mjs'], { stdio: 'pipe' });
}
