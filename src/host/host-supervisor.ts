// The supervisor of one host: the main thread of `replikit node`, hosting its
// node in a worker thread. It restarts the worker when it crashes or stops
// answering, and it is the node's watchdog: a leader whose lease lapsed
// without renewal (hung, paused, or cut off from the majority) is terminated
// before any other node can be elected, so two leaders never both serve.
//
// The timing argument (docs/architecture.md, "Fencing across hosts"): a new
// leader needs votes from followers that ignore campaigns for an election
// timeout T after they last heard from us, and our lease ends T - drift after
// the send time of the last round a majority acknowledged. So no other leader
// exists before lease end + drift. The node publishes its lease, how far its
// core clock has been stepped, and that its loop runs (liveness-beacon.ts).
// Past the lease's end, a node whose core clock passes it, or whose event
// loop runs after it, serves nothing alone (check-quorum deposes it if it is
// cut off), so only a node whose loop has not run since is shot
// (lease-watchdog.ts). No message is needed, so a busy thread is not mistaken
// for a hung one because it answered slowly. That happens at most
//   watchdogIntervalMs + tickMs + confirmTimeoutMs + killBoundMs
// after lease end, and we refuse to start unless that is below drift.

import type * as Comlink from 'comlink';
import { EventEmitter } from 'node:events';
import type { Role, RoleCause } from '../core/types.js';
import { BeaconReader, createBeaconBuffer, epochNowMs } from '../node/liveness-beacon.js';
import type { FencingRecord } from '../node/fencing.js';
import type { NodeEvent, NodeStatus } from '../node/node-runtime.js';
import type { NodeWorkerApi, WorkerReady } from '../node/worker-api.js';
import type { WorkerState } from '../lifecycle/worker-lifecycle.js';
import { WorkerSlot, type SlotReport, type SlotWorkerData } from '../lifecycle/worker-slot.js';
import { judgeLease } from './lease-watchdog.js';

export interface HostTiming {
  readonly tickMs: number;
  readonly electionTimeoutTicks: number;
  /** Election waits are drawn from [electionTimeoutTicks, electionTimeoutTicks + this). */
  readonly electionJitterTicks: number;
  /** A follower that saw its leader stall grows patient up to this (election-patience.ts). */
  readonly maxElectionTimeoutTicks: number;
  readonly leaseDriftTicks: number;
  /** How often the watchdog looks at the node. */
  readonly watchdogIntervalMs: number;
  /** The longest a worker.terminate() may take to stop a thread, hung or not (measured: at most 11 ms). */
  readonly killBoundMs: number;
  /** Past the lease's end, how long the node's loop has to show it ran after the lapse before it is shot. */
  readonly confirmTimeoutMs: number;
  /** A node that answers nothing for this long is hung and restarted. */
  readonly hangTimeoutMs: number;
  /**
   * How often the node is asked for its status (what /status serves, and proof it answers). The
   * lease is watched every watchdogIntervalMs from shared memory, not by asking; asking that often
   * cost each idle node about 0.05 of a core.
   */
  readonly statusPollIntervalMs: number;
  /** Restarts within a minute before the node is left down and reported as crash-looping. */
  readonly maxRestartsPerMinute: number;
}

/**
 * Patient, as etcd is: heartbeats every 100 ms (a tenth of the timeout, set by process-node.ts), a
 * 1 s election timeout (waits spread over [1000, 1300) ms, growing to 2 s after stalls were seen),
 * a 500 ms lease and 500 ms drift margin. The watchdog then reacts within 10 + 10 + 400 + 20 = 440 ms
 * of the lease's end, inside the margin, and shoots only a node whose loop has not run for 400 ms
 * after its lease ended: about 900 ms without a turn, which a merely starved thread does not reach
 * (killBoundMs and confirmTimeoutMs are measured: docs/architecture.md, "Fencing across hosts").
 * A crashed leader is not waited out: its closed connection starts the election at once.
 */
export const DEFAULT_HOST_TIMING: HostTiming = {
  tickMs: 10,
  electionTimeoutTicks: 100,
  electionJitterTicks: 30,
  maxElectionTimeoutTicks: 200,
  leaseDriftTicks: 50,
  watchdogIntervalMs: 10,
  killBoundMs: 20,
  confirmTimeoutMs: 400,
  hangTimeoutMs: 3000,
  statusPollIntervalMs: 50,
  maxRestartsPerMinute: 5,
};

/** Heartbeats per election timeout (process-node.ts sets the interval from it). */
export const HEARTBEATS_PER_ELECTION_TIMEOUT = 10;

/** Why a timing is unsafe, or null: the inequality in the header comment, and basic sanity. */
export function hostTimingProblem(timing: HostTiming): string | null {
  const driftMs = timing.leaseDriftTicks * timing.tickMs;
  const reactionMs = timing.watchdogIntervalMs + timing.tickMs + timing.confirmTimeoutMs + timing.killBoundMs;
  if (timing.leaseDriftTicks >= timing.electionTimeoutTicks) {
    return `leaseDriftTicks (${timing.leaseDriftTicks}) must be below electionTimeoutTicks (${timing.electionTimeoutTicks})`;
  }
  if (reactionMs >= driftMs) {
    return (
      `unsafe timing: the watchdog may stop a leader ${reactionMs} ms after its lease ends ` +
      `(watchdogIntervalMs ${timing.watchdogIntervalMs} + tickMs ${timing.tickMs} + confirmTimeoutMs ${timing.confirmTimeoutMs} + killBoundMs ${timing.killBoundMs}), ` +
      `but another leader may be elected ${driftMs} ms after it (leaseDriftTicks ${timing.leaseDriftTicks} x tickMs ${timing.tickMs}); ` +
      'raise leaseDriftTicks or lower the watchdog interval'
    );
  }
  if (timing.maxElectionTimeoutTicks < timing.electionTimeoutTicks) {
    return `maxElectionTimeoutTicks (${timing.maxElectionTimeoutTicks}) must be at least electionTimeoutTicks (${timing.electionTimeoutTicks})`;
  }
  const heartbeatTicks = Math.max(1, Math.floor(timing.electionTimeoutTicks / HEARTBEATS_PER_ELECTION_TIMEOUT));
  if (timing.electionTimeoutTicks - timing.leaseDriftTicks < 2 * heartbeatTicks) {
    return (
      `the lease (electionTimeoutTicks ${timing.electionTimeoutTicks} - leaseDriftTicks ${timing.leaseDriftTicks} ticks) ` +
      `must outlast two heartbeat intervals (${heartbeatTicks} ticks each), or it lapses between rounds`
    );
  }
  if (timing.hangTimeoutMs <= timing.watchdogIntervalMs) return 'hangTimeoutMs must exceed watchdogIntervalMs';
  if (!(timing.statusPollIntervalMs > 0) || timing.statusPollIntervalMs * 2 > timing.hangTimeoutMs) {
    return 'statusPollIntervalMs must be positive and at most half of hangTimeoutMs';
  }
  return null;
}

/** The reasons a host fences its own node (FencingReason lists every supervisor's). */
export type HostFencingReason = 'lease-expired' | 'remote-request' | 'hung';

export type HostEvent =
  | { type: 'role'; role: Role; term: number; leaderId: string | null; cause: RoleCause; why: string }
  | { type: 'peer-gone'; peer: string }
  | ({ type: 'fenced' } & FencingRecord & { reason: HostFencingReason })
  | { type: 'crashed'; reason: string }
  | { type: 'restarted'; spawns: number }
  | { type: 'crash-loop'; restarts: number }
  | { type: 'log'; line: string }
  | { type: 'stale-leader'; leaderId: string; staleTerm: number; term: number };

/** How long a node closing with its host has to stop its runtime before its thread is stopped anyway. */
const CLOSE_TIMEOUT_MS = 2000;

export class HostSupervisor extends EventEmitter {
  /** The node's thread through its lifecycle (src/lifecycle/worker-lifecycle.ts). */
  private readonly slot: WorkerSlot;
  private timer: ReturnType<typeof setInterval> | null = null;
  private polling = false;
  /** When the watchdog last looked; a look that comes late means this process itself was starved of CPU. */
  private lastWatchMs = 0;
  private lastPollMs = 0;
  /** The epoch time from which the watchdog has looked on time, without a gap, so far. */
  private watchingOnTimeSinceMs = 0;
  private lastStatus: NodeStatus | null = null;
  /** The running worker's lease and core clock, in shared memory. */
  private beacon: BeaconReader | null = null;
  private closed = false;
  raftAddress: WorkerReady['raftAddress'];

  constructor(
    private readonly workerData: () => Omit<SlotWorkerData, 'beacon'>,
    private readonly timing: HostTiming,
  ) {
    super();
    const problem = hostTimingProblem(timing);
    if (problem) throw new RangeError(problem);
    this.slot = new WorkerSlot({
      name: 'the node',
      maxRestartsPerMinute: timing.maxRestartsPerMinute,
      onMessage: (message) => this.onNodeMessage(message as NodeEvent | { type: 'log'; line: string }),
      onReport: (report) => this.onSlotReport(report),
      respawn: () => this.spawn(),
    });
  }

  async start(): Promise<void> {
    await this.spawn();
    this.timer = setInterval(() => void this.watch(), this.timing.watchdogIntervalMs);
  }

  status(): NodeStatus | null {
    return this.slot.state === 'running' ? this.lastStatus : null;
  }

  workerState(): WorkerState {
    return this.slot.state;
  }

  /** Call the node, or get `whenGone()` if it is down or dies first. */
  call<T>(action: (remote: Comlink.Remote<NodeWorkerApi>) => Promise<T>, whenGone: () => T): Promise<T> {
    return this.slot.call(action, whenGone);
  }

  /**
   * Another node saw us lead in an older term than its own: if we still act
   * as leader of that term, shoot and restart (STONITH across hosts).
   */
  async fenceIfStale(staleTerm: number, newerTerm: number, from: string): Promise<boolean> {
    const status = this.lastStatus;
    if (!status || status.role !== 'leader' || status.term > staleTerm || status.term >= newerTerm) return false;
    await this.fence('remote-request', `a signed fence request from ${from}, at term ${newerTerm}, while this node still led term ${status.term}`, status.term);
    return true;
  }

  /** Test hook: make the node thread die, as an uncaught error would. */
  crashNode(): void {
    void this.slot.remote?.crash().catch(() => undefined);
  }

  /** Test hook: hang the worker's event loop, as a blocked disk or a runaway loop would. */
  hang(): void {
    this.slot.blockLoop();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.slot.close();
    if (this.timer) clearInterval(this.timer);
    const remote = this.slot.remote;
    if (remote) {
      await Promise.race([remote.stop().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS))]);
    }
    this.beacon = null;
    await this.slot.kill('stopped', 'cooperative');
  }

  // ---------------------------------------------------------------- watching

  private async watch(): Promise<void> {
    const nowMs = performance.now();
    // The lease is judged every interval from shared memory, whether or not the node answers messages.
    const epochMs = epochNowMs();
    // Late by more than a whole interval: every thread of this process may have been starved of CPU,
    // so the node's silence over that gap says nothing about a hang. Its silence counts from here.
    if (nowMs - this.lastWatchMs > 2 * this.timing.watchdogIntervalMs) this.watchingOnTimeSinceMs = epochMs;
    this.lastWatchMs = nowMs;
    const running = this.slot.state === 'running';
    if (running && this.beacon) {
      const reading = this.beacon.read();
      if (judgeLease(reading, epochMs, this.timing.confirmTimeoutMs, this.watchingOnTimeSinceMs) === 'shoot') {
        const term = this.lastStatus?.term ?? 0;
        const lapsedMs = Math.round(epochMs - reading.leaseUntilMs);
        await this.fence('lease-expired', `leader lease of term ${term} lapsed ${lapsedMs} ms ago and the node's loop has not run since`, term);
        return;
      }
    }
    if (running && this.slot.silentForMs(nowMs) > this.timing.hangTimeoutMs) {
      await this.fence('hung', `no answer for ${Math.round(this.slot.silentForMs(nowMs))} ms`, this.lastStatus?.term ?? 0);
      return;
    }
    if (this.polling || !running) return;
    if (nowMs - this.lastPollMs < this.timing.statusPollIntervalMs) return;
    this.lastPollMs = nowMs;
    this.polling = true;
    try {
      const status = await this.call(
        (remote) => remote.status(),
        () => null,
      );
      if (status) {
        this.slot.noteAnswer(performance.now());
        this.lastStatus = status;
      }
    } finally {
      this.polling = false;
    }
  }

  private async fence(reason: HostFencingReason, detail: string, term: number): Promise<void> {
    // One fencing per incarnation: the watchdog and a peer's request may both find it due.
    if (this.slot.state !== 'running') return;
    this.emitEvent({ type: 'fenced', atMs: Date.now(), reason, term, detail });
    this.beacon = null;
    // A leader stuck past its lease or a hung thread must stop within killBoundMs, so it is
    // terminated at once. A node fenced on a peer's notice is responsive and ends itself.
    await this.slot.kill('crashed', reason === 'remote-request' ? 'cooperative' : 'terminate');
    // A fence of a live node is this supervisor's own act, not the node failing: it does not count
    // toward the crash-loop limit (on a saturated host a few in a minute would leave it down for good).
    this.slot.scheduleRestart(reason === 'hung');
  }

  // ---------------------------------------------------------------- spawning

  private async spawn(): Promise<void> {
    if (this.closed) return;
    const beaconBuffer = createBeaconBuffer();
    this.beacon = new BeaconReader(beaconBuffer);
    this.lastStatus = null;
    const ready = await this.slot.spawn({ ...this.workerData(), beacon: beaconBuffer }, []);
    this.raftAddress = ready.raftAddress;
  }

  private onNodeMessage(event: NodeEvent | { type: 'log'; line: string }): void {
    if (event.type === 'role') {
      this.emitEvent({ type: 'role', role: event.role, term: event.term, leaderId: event.leaderId, cause: event.cause, why: event.why });
    } else if (event.type === 'peer-gone') {
      this.emitEvent({ type: 'peer-gone', peer: event.peer });
    } else if (event.type === 'log') {
      this.emitEvent({ type: 'log', line: event.line });
    } else if (event.type === 'stale-leader') {
      this.emitEvent({ type: 'stale-leader', leaderId: event.leaderId, staleTerm: event.staleTerm, term: event.term });
    }
  }

  private onSlotReport(report: SlotReport): void {
    if (report.type === 'crashed') this.emitEvent({ type: 'crashed', reason: report.reason });
    else if (report.type === 'restarted') this.emitEvent({ type: 'restarted', spawns: report.spawns });
    else this.emitEvent({ type: 'crash-loop', restarts: report.restarts });
  }

  private emitEvent(event: HostEvent): void {
    this.emit('event', event);
  }
}
