// The page's one connection to the server: the event stream on
// /dashboard/events, read with fetch rather than EventSource. EventSource
// cannot send headers, and a node started with --auth-file wants the token
// in `Authorization: Bearer` (a token in the URL would land in logs and
// history); it also hides the status of a refused stream, and the page must
// tell a 401 (ask for a token) from a 503 (too many dashboards). So this does
// what EventSource would: reconnects a dropped stream after the server's
// `retry:`, retries a refused one after REFUSED_RETRY_MS (a full server never
// sees a reconnect storm), and, on 401 or 403, waits for another token.

import type { ClusterEventMessage, ClusterSnapshot, HelloMessage, RoleEventMessage } from '../../protocol.js';
import { authHeaders, onTokenChange, reportUnauthorized } from '../auth.js';
import { createSseParser } from '../sse-parser.js';

const EVENTS_PATH = '/dashboard/events';
const REFUSED_RETRY_MS = 5000;
/** Until the server says otherwise with `retry:`. */
const DEFAULT_RETRY_MS = 1000;
/** No snapshot for this long while connected: the data on screen is stale. */
const STALE_AFTER_MS = 2000;

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'refused' | 'stale' | 'unauthorized' | 'forbidden';

export interface StreamHandlers {
  onConnection(state: ConnectionState): void;
  onHello(hello: HelloMessage): void;
  onSnapshot(snapshot: ClusterSnapshot): void;
  onRole(message: RoleEventMessage): void;
  onCluster(message: ClusterEventMessage): void;
}

export function connect(handlers: StreamHandlers): void {
  let current: AbortController | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryMs = DEFAULT_RETRY_MS;
  let lastSnapshotMs = 0;
  let live = false;

  // The server that sends these is compiled against the same protocol.ts: the
  // event name says which message the data is.
  function dispatch(name: string, text: string): void {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      console.warn('dashboard: unreadable event', error);
      return;
    }
    if (name === 'hello') handlers.onHello(data as HelloMessage);
    else if (name === 'snapshot') {
      lastSnapshotMs = performance.now();
      handlers.onConnection('live');
      handlers.onSnapshot(data as ClusterSnapshot);
    } else if (name === 'role') handlers.onRole(data as RoleEventMessage);
    else if (name === 'cluster') handlers.onCluster(data as ClusterEventMessage);
  }

  function later(ms: number): void {
    retryTimer ??= setTimeout(() => {
      retryTimer = null;
      void open('reconnecting');
    }, ms);
  }

  async function open(state: 'connecting' | 'reconnecting'): Promise<void> {
    current?.abort();
    const controller = new AbortController();
    current = controller;
    live = false;
    handlers.onConnection(state);
    let response: Response;
    try {
      response = await fetch(EVENTS_PATH, { headers: { accept: 'text/event-stream', ...authHeaders() }, cache: 'no-store', signal: controller.signal });
    } catch {
      if (!controller.signal.aborted) later(retryMs);
      return;
    }
    if (response.status === 401 || response.status === 403) {
      // No retry: the same token would be refused again. A new one (the prompt) reconnects.
      void response.body?.cancel();
      handlers.onConnection(response.status === 401 ? 'unauthorized' : 'forbidden');
      if (response.status === 401) reportUnauthorized();
      return;
    }
    if (!response.ok || !response.body) {
      void response.body?.cancel();
      handlers.onConnection(response.status === 503 ? 'refused' : 'reconnecting');
      later(response.status === 503 ? REFUSED_RETRY_MS : retryMs);
      return;
    }
    live = true;
    handlers.onConnection('live');
    const parser = createSseParser(
      (event) => dispatch(event.event, event.data),
      (ms) => (retryMs = ms),
    );
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(value);
      }
    } catch {
      // The connection dropped (or was aborted for a new token): below.
    }
    if (controller.signal.aborted) return;
    live = false;
    handlers.onConnection('reconnecting');
    later(retryMs);
  }

  onTokenChange(() => {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    void open('connecting');
  });

  setInterval(() => {
    if (live && lastSnapshotMs && performance.now() - lastSnapshotMs > STALE_AFTER_MS) handlers.onConnection('stale');
  }, STALE_AFTER_MS / 2);

  void open('connecting');
}
