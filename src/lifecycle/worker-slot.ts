// One node's place in a supervisor: the thread that runs it now, moved
// through the WORKER_LIFECYCLE table. The slot creates the thread, waits for
// its handshake (or a start timeout), settles calls to a thread that died,
// terminates a thread that errored but does not exit, restarts with backoff
// and gives up on a crash loop. A supervisor gives it the thread's data and
// decides only its own policy: when to kill, fence or restart by hand.

import * as Comlink from 'comlink';
import { MessageChannel, Worker, type MessagePort, type Transferable } from 'node:worker_threads';
import { assert } from '../ground/assert.js';
import { emitterEndpoint } from '../node/comlink-endpoint.js';
import type { NodeWorkerApi, NodeWorkerData, WorkerReady } from '../node/worker-api.js';
import { ORDERLY_DEATH_TIMEOUT_MS } from '../node/orderly-death.js';
import { nodeWorkerScriptPath, stopWorker } from '../node/worker-script.js';
import { CallsUntilGone } from './calls-until-gone.js';
import { RestartBudget } from './restart-budget.js';
import { hasThread, lifecycleStep, type LifecycleEffect, type LifecycleInput, type WorkerState } from './worker-lifecycle.js';

/** A thread that has not said it is ready this long after it was created has failed to start. */
export const START_TIMEOUT_MS = 15_000;
/**
 * How long a thread that failed has to exit before it is terminated (seen in CI: no exit for 88 s).
 * Above the thread's own bound for closing in order (ORDERLY_DEATH_TIMEOUT_MS), so terminate, which
 * may cut LMDB commits short, is only the last resort.
 */
export const EXIT_AFTER_ERROR_TIMEOUT_MS = 5000;
assert(EXIT_AFTER_ERROR_TIMEOUT_MS > ORDERLY_DEATH_TIMEOUT_MS, 'a failed thread is terminated only after its own bound for closing in order');

export type SlotReport =
  | { readonly type: 'crashed'; readonly reason: string }
  | { readonly type: 'restarted'; readonly spawns: number }
  | { readonly type: 'crash-loop'; readonly restarts: number };

export interface WorkerSlotOptions {
  /** How reports name the node: "n1", "the node". */
  readonly name: string;
  readonly maxRestartsPerMinute: number;
  readonly startTimeoutMs?: number;
  /** Every message of the thread's events port but its `ready`. */
  readonly onMessage: (message: { type: string }) => void;
  readonly onReport: (report: SlotReport) => void;
  /** A scheduled restart fell due: spawn again (the supervisor prepares the thread's data). */
  readonly respawn: () => Promise<unknown>;
}

/** What the supervisor hands over for one thread; the slot adds the events port and the pause flag. */
export type SlotWorkerData = Omit<NodeWorkerData, 'eventsPort' | 'pauseFlag'>;

/** How a thread is stopped on purpose. */
export type StopHow = 'cooperative' | 'terminate';

interface StartWaiter {
  readonly resolve: (ready: WorkerReady) => void;
  readonly reject: (error: Error) => void;
}

export class WorkerSlot {
  private current: WorkerState = 'stopped';
  private worker: Worker | null = null;
  private workerRemote: Comlink.Remote<NodeWorkerApi> | null = null;
  private eventsPort: MessagePort | null = null;
  private pauseFlag: Int32Array | null = null;
  /** Set while the thread's loop is blocked (paused, or the hang test hook): it cannot end itself. */
  private loopBlocked = false;
  private calls = CallsUntilGone.alreadyGone();
  private readonly budget: RestartBudget;
  private startTimer: ReturnType<typeof setTimeout> | null = null;
  private startWaiter: StartWaiter | null = null;
  private spawnCount = 0;
  private lastAnswerMs = 0;
  private closed = false;
  private crashLoopRestarts = 0;

  constructor(private readonly options: WorkerSlotOptions) {
    this.budget = new RestartBudget(options.maxRestartsPerMinute);
  }

  get state(): WorkerState {
    return this.current;
  }

  /** Threads created so far. */
  get spawns(): number {
    return this.spawnCount;
  }

  /** The running thread's control face, or null. */
  get remote(): Comlink.Remote<NodeWorkerApi> | null {
    return this.current === 'running' ? this.workerRemote : null;
  }

  /** Call the running thread, or get `whenGone()` if there is none or it dies first. */
  call<T>(action: (remote: Comlink.Remote<NodeWorkerApi>) => Promise<T>, whenGone: () => T): Promise<T> {
    const remote = this.remote;
    if (!remote) return Promise.resolve().then(whenGone);
    return this.calls.settle(action(remote), whenGone);
  }

  /** Create a thread; resolves with its handshake, rejects if it does not get that far. */
  spawn(data: SlotWorkerData, transferList: readonly Transferable[]): Promise<WorkerReady> {
    if (this.closed) return Promise.reject(new Error(`${this.options.name} is closed`));
    const started = new Promise<WorkerReady>((resolve, reject) => {
      this.startWaiter = { resolve, reject };
    });
    const from = this.current;
    const applied = this.apply('spawn', `${this.options.name} started`, { data, transferList });
    assert(applied !== null, `${this.options.name} cannot start from ${from}`);
    return started;
  }

  /** Stop the thread on purpose; the slot is then `to` (crashed: restartable by hand or by scheduleRestart). */
  async kill(to: 'crashed' | 'stopped' | 'removed', how: StopHow): Promise<void> {
    const input: LifecycleInput = to === 'crashed' ? 'kill' : to === 'stopped' ? 'stop' : 'remove';
    await this.apply(input, `${this.options.name} was stopped`, { how });
  }

  /** The thread answered nothing for the hang timeout: stop it and restart. */
  async hung(reason: string, how: StopHow): Promise<void> {
    await this.apply('hung', reason, { how });
  }

  /** Block the thread's event loop (dev and tests: a hung node) until resume(). */
  pause(): void {
    void this.apply('pause', 'paused');
  }

  resume(): void {
    void this.apply('resume', 'resumed');
  }

  /** Test hook: block the running thread's loop without telling the lifecycle, as a runaway loop would. */
  blockLoop(): void {
    if (this.current === 'running') this.runEffect('block-loop', { reason: 'blocked' });
  }

  /** Ask the budget for a restart of a crashed slot; `counts` is false for the supervisor's own fences. */
  scheduleRestart(counts: boolean): void {
    if (this.closed || this.current !== 'crashed') return;
    const decision = this.budget.decide(performance.now(), counts);
    if (decision.kind === 'crash-loop') {
      this.crashLoopRestarts = decision.restarts;
      void this.apply('budget-spent', `${decision.restarts} restarts within a minute`);
      return;
    }
    setTimeout(() => void this.restartWhenDue(), decision.delayMs);
  }

  /** A restart by hand: the crash count starts afresh. */
  resetRestartBudget(): void {
    this.budget.reset();
  }

  /** The thread answered just now (a status poll). */
  noteAnswer(nowMs: number): void {
    this.lastAnswerMs = nowMs;
  }

  /** How long the running thread has not answered. */
  silentForMs(nowMs: number): number {
    return nowMs - this.lastAnswerMs;
  }

  /** No restart after this; the thread itself is stopped by kill('stopped'). */
  close(): void {
    this.closed = true;
  }

  // ---------------------------------------------------------------- the table

  /** Take the table's step for `input`, or null when the state ignores it; settles when the effects are done. */
  private apply(input: LifecycleInput, reason: string, context: Partial<EffectContext> = {}): Promise<void> | null {
    const step = lifecycleStep(this.current, input);
    if (!step) return null;
    const from = this.current;
    this.current = step.to;
    const stopping: Promise<void>[] = [];
    for (const effect of step.effects) {
      const done = this.runEffect(effect, { ...context, reason });
      if (done) stopping.push(done);
    }
    if (from === 'starting' && step.to !== 'starting' && step.to !== 'running') this.failStart(reason);
    return Promise.all(stopping).then(() => undefined);
  }

  private runEffect(effect: LifecycleEffect, context: EffectContext): Promise<void> | null {
    switch (effect) {
      case 'create-thread':
        assert(context.data !== undefined, 'create-thread needs the thread data');
        this.createThread(context.data, context.transferList ?? []);
        return null;
      case 'arm-start-timer':
        this.startTimer = setTimeout(() => {
          void this.apply('start-timed-out', `${this.options.name} did not start within ${this.startTimeoutMs} ms`, { how: 'cooperative' });
        }, this.startTimeoutMs);
        return null;
      case 'disarm-start-timer':
        if (this.startTimer) clearTimeout(this.startTimer);
        this.startTimer = null;
        return null;
      case 'stop-thread':
        return this.stopThread(context.how ?? 'cooperative');
      case 'arm-exit-after-error':
        this.armExitAfterError();
        return null;
      case 'settle-calls':
        this.calls.markGone();
        return null;
      case 'block-loop':
        this.setLoopBlocked(true);
        return null;
      case 'unblock-loop':
        this.setLoopBlocked(false);
        return null;
      case 'report-crash':
        this.options.onReport({ type: 'crashed', reason: context.reason });
        return null;
      case 'schedule-restart':
        this.scheduleRestart(true);
        return null;
      case 'report-crash-loop':
        this.options.onReport({ type: 'crash-loop', restarts: this.crashLoopRestarts });
        return null;
    }
  }

  private get startTimeoutMs(): number {
    return this.options.startTimeoutMs ?? START_TIMEOUT_MS;
  }

  // ------------------------------------------------------------- the thread

  private createThread(data: SlotWorkerData, transferList: readonly Transferable[]): void {
    assert(this.worker === null, `${this.options.name} already has a thread`);
    this.spawnCount += 1;
    const events = new MessageChannel();
    const pauseBuffer = new SharedArrayBuffer(4);
    const workerData: NodeWorkerData = { ...data, eventsPort: events.port2, pauseFlag: pauseBuffer };
    const worker = new Worker(nodeWorkerScriptPath(), { workerData, transferList: [...transferList, events.port2] });
    this.worker = worker;
    this.eventsPort = events.port1;
    this.pauseFlag = new Int32Array(pauseBuffer);
    this.loopBlocked = false;
    this.calls = new CallsUntilGone();
    this.workerRemote = Comlink.wrap<NodeWorkerApi>(emitterEndpoint(worker));
    events.port1.on('message', (message: { type: string }) => {
      if (this.worker !== worker) return;
      if (message.type === 'ready') this.onReady(message as WorkerReady);
      // The thread failed and is closing in order before it exits (orderly-death.ts).
      else if (message.type === 'fatal') void this.apply('errored', `${this.options.name} failed: ${(message as { message?: string }).message}`);
      if (message.type !== 'ready') this.options.onMessage(message);
    });
    worker.on('error', (error) => {
      if (this.worker === worker) void this.apply('errored', `${this.options.name} failed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.forgetThread();
      if (!this.closed) void this.apply('exited', `${this.options.name} exited with code ${code}`);
    });
  }

  private onReady(ready: WorkerReady): void {
    if (this.apply('ready', 'ready') === null) return;
    this.lastAnswerMs = performance.now();
    const waiter = this.startWaiter;
    this.startWaiter = null;
    waiter?.resolve(ready);
  }

  private failStart(reason: string): void {
    const waiter = this.startWaiter;
    this.startWaiter = null;
    waiter?.reject(new Error(reason));
  }

  private stopThread(how: StopHow): Promise<void> {
    const worker = this.worker;
    const remote = how === 'cooperative' && !this.loopBlocked ? this.workerRemote : null;
    this.forgetThread();
    if (!worker) return Promise.resolve();
    return stopWorker(worker, remote ? () => remote.exit() : null);
  }

  /** After an exit, or before a stop: the slot no longer speaks to this thread, and its exit is not news. */
  private forgetThread(): void {
    this.worker = null;
    this.workerRemote = null;
    this.eventsPort?.close();
    this.eventsPort = null;
    this.loopBlocked = false;
  }

  private armExitAfterError(): void {
    const worker = this.worker;
    if (!worker) return;
    const timer = setTimeout(() => {
      if (this.worker === worker) void worker.terminate();
    }, EXIT_AFTER_ERROR_TIMEOUT_MS);
    worker.once('exit', () => clearTimeout(timer));
  }

  private setLoopBlocked(blocked: boolean): void {
    const flag = this.pauseFlag;
    if (!flag || !hasThread(this.current)) return;
    this.loopBlocked = blocked;
    Atomics.store(flag, 0, blocked ? 1 : 0);
    if (blocked) {
      void this.workerRemote?.pause().catch(() => undefined);
      return;
    }
    Atomics.notify(flag, 0);
    this.lastAnswerMs = performance.now();
  }

  private async restartWhenDue(): Promise<void> {
    if (this.closed || this.current !== 'crashed') return;
    const spawnsBefore = this.spawnCount;
    try {
      await this.options.respawn();
      this.options.onReport({ type: 'restarted', spawns: this.spawnCount });
    } catch (error) {
      // A thread that was created and failed went through the table, which reported it and asked for
      // the next restart. One that was never created (its data could not be prepared) did not.
      if (this.spawnCount !== spawnsBefore) return;
      this.options.onReport({ type: 'crashed', reason: (error as Error).message });
      this.scheduleRestart(true);
    }
  }
}

interface EffectContext {
  readonly reason: string;
  readonly how?: StopHow;
  readonly data?: SlotWorkerData;
  readonly transferList?: readonly Transferable[];
}
