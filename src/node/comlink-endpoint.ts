// comlink speaks the browser's MessagePort API (addEventListener, event.data);
// Node's worker_threads ports and Worker objects are EventEmitters that hand
// the data itself. This adapts one to the other.

import type { Endpoint } from 'comlink';

export interface EmitterPort {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  on(event: 'message', listener: (data: unknown) => void): unknown;
  off(event: 'message', listener: (data: unknown) => void): unknown;
}

type Handler = Parameters<Endpoint['addEventListener']>[1];
type Transfer = Parameters<Endpoint['postMessage']>[1];

export function emitterEndpoint(port: EmitterPort): Endpoint {
  const wrapped = new Map<Handler, (data: unknown) => void>();
  return {
    postMessage: (message: unknown, transfer?: Transfer) => port.postMessage(message, transfer ?? []),
    addEventListener: (_type: string, handler: Handler) => {
      const listener = (data: unknown): void => {
        const event = { data } as Parameters<Extract<Handler, (...args: never[]) => unknown>>[0];
        if (typeof handler === 'function') handler(event);
        else handler.handleEvent(event);
      };
      wrapped.set(handler, listener);
      port.on('message', listener);
    },
    removeEventListener: (_type: string, handler: Handler) => {
      const listener = wrapped.get(handler);
      if (!listener) return;
      port.off('message', listener);
      wrapped.delete(handler);
    },
  };
}
