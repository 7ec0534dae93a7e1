// How a node runtime waits: the one seam between its loop and the event loop.
// Production uses Node's timers; the deterministic simulator passes its own,
// driven by virtual time, so the runtime that ships is the runtime simulated.

export interface RuntimeScheduler {
  /** Run `task` after the current turn of the event loop, as setImmediate does. */
  defer(task: () => void): void;
  /** Call `task` every `intervalMs`; returns the function that stops it. */
  every(intervalMs: number, task: () => void): () => void;
}

export const NODE_TIMERS: RuntimeScheduler = {
  defer(task) {
    setImmediate(task);
  },
  every(intervalMs, task) {
    const timer = setInterval(task, intervalMs);
    return () => clearInterval(timer);
  },
};
