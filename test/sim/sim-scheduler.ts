// Virtual time for one node incarnation of the simulator: the RuntimeScheduler
// the shipped NodeRuntime runs on. Its tick timer fires when the simulation's
// clock says, and deferred work (a loop turn) runs when the simulation lets
// this node's event loop run, which it does not while the node is stalled.
// A crashed incarnation's scheduler is dropped: nothing of it runs again.

import type { RuntimeScheduler } from '../../src/node/runtime-scheduler.js';

interface Timer {
  readonly intervalMs: number;
  nextMs: number;
  readonly task: () => void;
}

/** Deferred rounds run per simulated tick at most: a loop that keeps rescheduling itself cannot spin forever. */
const MAX_DEFERRED_ROUNDS_PER_TICK = 64;

/** Lets every settled promise's continuations run: a macrotask runs only after the microtask queue is empty. */
export function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class SimScheduler implements RuntimeScheduler {
  private deferred: (() => void)[] = [];
  private readonly timers = new Set<Timer>();

  constructor(private readonly nowMs: () => number) {}

  defer(task: () => void): void {
    this.deferred.push(task);
  }

  every(intervalMs: number, task: () => void): () => void {
    const timer: Timer = { intervalMs, nextMs: this.nowMs() + intervalMs, task };
    this.timers.add(timer);
    return () => this.timers.delete(timer);
  }

  /**
   * One tick of this node's event loop: its due timers (each fires once however late, as
   * setInterval does after a stall), then deferred work until none is left. `settled`: some of
   * this node's promises were settled since its last run, so their continuations run first.
   */
  async run(settled: boolean): Promise<void> {
    const now = this.nowMs();
    for (const timer of [...this.timers]) {
      if (timer.nextMs > now || !this.timers.has(timer)) continue;
      timer.nextMs = now + timer.intervalMs;
      timer.task();
    }
    // A write that just became durable resumes the turn that waited for it.
    if (settled) await drainMicrotasks();
    for (let round = 0; round < MAX_DEFERRED_ROUNDS_PER_TICK && this.deferred.length > 0; round++) {
      const tasks = this.deferred;
      this.deferred = [];
      for (const task of tasks) task();
      await drainMicrotasks();
    }
  }
}
