// The page's one connection to the server, an EventSource on
// /dashboard/events. The browser reconnects a dropped stream by itself (after
// the server's `retry:`); a refused one (503: too many dashboards) is retried
// here after REFUSED_RETRY_MS, so a full server never sees a reconnect storm.

import type { ClusterEventMessage, ClusterSnapshot, HelloMessage, RoleEventMessage } from '../../protocol.js';

const REFUSED_RETRY_MS = 5000;
/** No snapshot for this long while connected: the data on screen is stale. */
const STALE_AFTER_MS = 2000;

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'refused' | 'stale';

export interface StreamHandlers {
  onConnection(state: ConnectionState): void;
  onHello(hello: HelloMessage): void;
  onSnapshot(snapshot: ClusterSnapshot): void;
  onRole(message: RoleEventMessage): void;
  onCluster(message: ClusterEventMessage): void;
}

export function connect(handlers: StreamHandlers): void {
  let source: EventSource | null = null;
  let lastSnapshotMs = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  // The server that sends these is compiled against the same protocol.ts: the
  // event name says which message the data is.
  function listen<T>(target: EventSource, name: string, listener: (data: T) => void): void {
    target.addEventListener(name, (message) => {
      let data: unknown;
      try {
        data = JSON.parse((message as MessageEvent<string>).data);
      } catch (error) {
        console.warn('dashboard: unreadable event', error);
        return;
      }
      listener(data as T);
    });
  }

  function open(): void {
    retryTimer = null;
    handlers.onConnection('connecting');
    const opened = new EventSource('/dashboard/events');
    source = opened;
    listen(opened, 'hello', handlers.onHello);
    listen<ClusterSnapshot>(opened, 'snapshot', (snapshot) => {
      lastSnapshotMs = performance.now();
      handlers.onConnection('live');
      handlers.onSnapshot(snapshot);
    });
    listen(opened, 'role', handlers.onRole);
    listen(opened, 'cluster', handlers.onCluster);
    opened.addEventListener('open', () => handlers.onConnection('live'));
    opened.addEventListener('error', () => {
      if (opened.readyState === EventSource.CLOSED) {
        handlers.onConnection('refused');
        retryTimer ??= setTimeout(open, REFUSED_RETRY_MS);
      } else {
        handlers.onConnection('reconnecting');
      }
    });
  }

  setInterval(() => {
    if (source && source.readyState === EventSource.OPEN && lastSnapshotMs && performance.now() - lastSnapshotMs > STALE_AFTER_MS) {
      handlers.onConnection('stale');
    }
  }, STALE_AFTER_MS / 2);

  open();
}
