// Browser module: the page's one connection to the server, an EventSource on
// /dashboard/events. The browser reconnects a dropped stream by itself (after
// the server's `retry:`); a refused one (503: too many dashboards) is retried
// here after REFUSED_RETRY_MS, so a full server never sees a reconnect storm.

export const STREAM_JS = String.raw`
const REFUSED_RETRY_MS = 5000;
/** No snapshot for this long while connected: the data on screen is stale. */
const STALE_AFTER_MS = 2000;

export function connect(handlers) {
  let source = null;
  let lastSnapshotMs = 0;
  let retryTimer = 0;

  const parse = (listener) => (message) => {
    let data;
    try {
      data = JSON.parse(message.data);
    } catch (error) {
      console.warn('dashboard: unreadable event', error);
      return;
    }
    listener(data);
  };

  function open() {
    retryTimer = 0;
    handlers.onConnection('connecting');
    source = new EventSource('/dashboard/events');
    source.addEventListener('hello', parse(handlers.onHello));
    source.addEventListener('snapshot', parse((snapshot) => {
      lastSnapshotMs = performance.now();
      handlers.onConnection('live');
      handlers.onSnapshot(snapshot);
    }));
    source.addEventListener('role', parse(handlers.onRole));
    source.addEventListener('cluster', parse(handlers.onCluster));
    source.addEventListener('open', () => handlers.onConnection('live'));
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) {
        handlers.onConnection('refused');
        if (!retryTimer) retryTimer = setTimeout(open, REFUSED_RETRY_MS);
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
`;
