// The life of one node thread, as a table: which input moves a worker from
// which state to which, and what must be done on the way. Both supervisors
// (the dev cluster's, one per node; a host's, for its one node) run their
// workers through this table by way of WorkerSlot, so a rule such as
// "terminate a thread that errored but does not exit" or "a start that takes
// too long is a crash" holds for both. What differs between them is policy
// and stays with them: STONITH of stale leaders in dev, the lease watchdog and
// remote fencing on a host.
//
// An input a state does not list is ignored (the worker is already past it:
// an exit after a kill, a ready after a timeout). Nothing here does I/O; the
// slot carries out the effects in the order listed.

export type WorkerState =
  /** No thread, and none wanted (before the first start, after close). */
  | 'stopped'
  /** A thread was created; it has not said it is ready. */
  | 'starting'
  | 'running'
  /** The thread's event loop is blocked on purpose (dev and tests: a hung node). */
  | 'paused'
  /** No thread: it died, hung, or was shot; a restart may be scheduled. */
  | 'crashed'
  /** It crashed too often within a minute and is left down until restarted by hand. */
  | 'crash-looping'
  /** It left the membership; never restarted. */
  | 'removed';

export type LifecycleInput =
  /** Create a thread (first start, a restart by hand, or a restart that fell due). */
  | 'spawn'
  /** The thread said it is ready. */
  | 'ready'
  | 'start-timed-out'
  /** The thread ended without being asked to. */
  | 'exited'
  /**
   * An uncaught error in the thread: it should exit by itself, and is terminated if it does not. The
   * state holds until the exit: a restart before it would open the node's files twice.
   */
  | 'errored'
  /** It answered nothing for the hang timeout. */
  | 'hung'
  | 'pause'
  | 'resume'
  /** Stop the thread on purpose and leave the slot crashed (a crash by hand, a fence). */
  | 'kill'
  | 'stop'
  | 'remove'
  /** The restart budget is spent. */
  | 'budget-spent';

export type LifecycleEffect =
  | 'create-thread'
  | 'arm-start-timer'
  | 'disarm-start-timer'
  /** Stop the thread: cooperatively when the caller asked so and it can, else terminate it. */
  | 'stop-thread'
  /** Terminate the thread if it has not exited after the exit-after-error timeout. */
  | 'arm-exit-after-error'
  /** Settle every call still waiting on the thread with its whenGone. */
  | 'settle-calls'
  | 'unblock-loop'
  | 'block-loop'
  | 'report-crash'
  /** Ask the restart budget: a restart after a backoff, or the budget spent. */
  | 'schedule-restart'
  | 'report-crash-loop';

export interface LifecycleStep {
  readonly to: WorkerState;
  readonly effects: readonly LifecycleEffect[];
}

type Row = Partial<Record<LifecycleInput, LifecycleStep>>;

const START: LifecycleStep = { to: 'starting', effects: ['create-thread', 'arm-start-timer'] };
const step = (to: WorkerState, ...effects: LifecycleEffect[]): LifecycleStep => ({ to, effects });

/**
 * What ends a thread that is starting, running or paused. A paused thread is left blocked and
 * terminated: blocked in Atomics.wait it is not inside an LMDB call, where a terminate would abort
 * the process, and unblocked it might enter one.
 */
const ENDINGS: Row = {
  exited: step('crashed', 'disarm-start-timer', 'settle-calls', 'report-crash', 'schedule-restart'),
  hung: step('crashed', 'disarm-start-timer', 'settle-calls', 'stop-thread', 'report-crash', 'schedule-restart'),
  kill: step('crashed', 'disarm-start-timer', 'settle-calls', 'stop-thread'),
  stop: step('stopped', 'disarm-start-timer', 'settle-calls', 'stop-thread'),
  remove: step('removed', 'disarm-start-timer', 'settle-calls', 'stop-thread'),
};

/** Where a slot with no thread may go. */
const IDLE: Row = {
  spawn: START,
  stop: step('stopped'),
  remove: step('removed'),
};

export const WORKER_LIFECYCLE: Readonly<Record<WorkerState, Row>> = {
  stopped: { ...IDLE },
  starting: {
    ...ENDINGS,
    ready: step('running', 'disarm-start-timer'),
    errored: step('starting', 'report-crash', 'arm-exit-after-error'),
    'start-timed-out': step('crashed', 'settle-calls', 'stop-thread', 'report-crash', 'schedule-restart'),
  },
  running: {
    ...ENDINGS,
    errored: step('running', 'report-crash', 'arm-exit-after-error'),
    pause: step('paused', 'block-loop'),
  },
  paused: {
    ...ENDINGS,
    resume: step('running', 'unblock-loop'),
  },
  crashed: {
    ...IDLE,
    'budget-spent': step('crash-looping', 'report-crash-loop'),
  },
  'crash-looping': { ...IDLE },
  removed: {},
};

/** The step `input` takes from `state`, or null when the state ignores it. */
export function lifecycleStep(state: WorkerState, input: LifecycleInput): LifecycleStep | null {
  return WORKER_LIFECYCLE[state][input] ?? null;
}

/** States with a live thread. */
export function hasThread(state: WorkerState): boolean {
  return state === 'starting' || state === 'running' || state === 'paused';
}
