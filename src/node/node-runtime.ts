// One node's runtime: the loop around the pure core. Each turn takes all that
// arrived (messages, client requests, elapsed ticks), steps the core, then
// persists the turn's entries and hard state in ONE durable write (group
// commit) with the state machine's batch for committed entries that were
// already on disk beside it (LMDB commits the two together), sends the turn's
// messages, answers clients, and advances the core. While a persist is in
// flight, new input queues and joins the next turn's single fsync.

import { randomInt } from 'node:crypto';
import { assert } from '../ground/assert.js';
import { RaftCore } from '../core/raft-core.js';
import { sendsBeforePersist } from '../core/send-order.js';
import type { Entry, Membership, MembershipChange, Message, NodeId, Ready, Role, RoleCause } from '../core/types.js';
import { applyCommand, type KvMutation, type KvResult } from '../kv/apply.js';
import { decodeCommand, encodeCommand, type KvCommand } from '../kv/command.js';
import { isReservedKey } from '../kv/keys.js';
import type { KvStore, NodeStorage } from '../storage/types.js';
import type { Transport } from '../transport/types.js';
import { AppendTimes } from './append-times.js';
import type { NodeRuntimeConfig } from './node-config.js';
import { NODE_TIMERS, type RuntimeScheduler } from './runtime-scheduler.js';
import { describeRoleCause } from './role-cause.js';
import { failure, type ClientAnswer, type ClientRequest, type ReadAnswer, type ReadRequest, type WriteRequest } from './requests.js';
import { validateRequest } from './validate-request.js';
import { AppliedIndexWaits } from './waiters/applied-index-waits.js';
import { LeaderWaits } from './waiters/leader-waits.js';
import { PendingWrites } from './waiters/pending-writes.js';
import { ReadIndexWaits, type ReadIndexWait } from './waiters/read-index-waits.js';

export interface NodeRuntimeDeps {
  readonly storage: NodeStorage;
  readonly kv: KvStore;
  readonly transport: Transport;
  /** Milliseconds on a monotonic clock. */
  readonly nowMs: () => number;
  /**
   * After every turn: how far the core's clock has been stepped and when its leader lease lapses
   * (0: none), both on the nowMs clock. The host's watchdog reads them (see liveness-beacon.ts).
   */
  readonly onTurnEnd?: (coreClockMs: number, leaseUntilMs: number) => void;
  /** From the tick timer, on the nowMs clock: the event loop runs (liveness-beacon.ts). */
  readonly onLoopAlive?: (nowMs: number) => void;
  /** Node's timers by default; the simulator's virtual time in the simulator. */
  readonly scheduler?: RuntimeScheduler;
  /** Sees every Ready once it is persisted, and every entry as it is applied: the simulator checks its invariants here. */
  readonly observer?: RuntimeObserver;
}

export interface RuntimeObserver {
  /** After the Ready's persist finished, before its messages leave or anything is applied. */
  persisted(ready: Ready, core: RaftCore): void;
  /** A committed entry, as the state machine applies it (in log order). */
  applied(entry: Entry): void;
}

export interface FollowerStatus {
  readonly matchIndex: number;
  readonly lagEntries: number;
  readonly lagMs: number;
  readonly lastHeardMs: number;
  readonly learner: boolean;
}

export interface NodeStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly leaderId: NodeId | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly firstIndex: number;
  readonly membership: Membership;
  readonly leaseValid: boolean;
  /** How long the leader lease holds without renewal, measured when this status was taken. */
  readonly leaseRemainingMs: number;
  /** On a follower: how long since its state last matched what the leader had told it. */
  readonly lagMs: number;
  readonly followers: Readonly<Record<NodeId, FollowerStatus>>;
  readonly pendingRequests: number;
  readonly snapshotIndex: number;
}

export interface KvChange {
  readonly index: number;
  readonly key: string;
  readonly deleted: boolean;
  readonly value?: unknown;
}

export type NodeEvent =
  | {
      readonly type: 'role';
      readonly role: Role;
      readonly term: number;
      readonly leaderId: NodeId | null;
      readonly cause: RoleCause;
      /** The cause in words, with time in ms: what the log and the dashboard's timeline show. */
      readonly why: string;
    }
  /** A peer's channel closed and it could not be reached again: evidence it is gone (see Transport.onPeerGone). */
  | { readonly type: 'peer-gone'; readonly peer: NodeId }
  | { readonly type: 'changes'; readonly changes: readonly KvChange[] }
  | { readonly type: 'fatal'; readonly message: string }
  /** A node still acting as leader of an older term wrote to us: its host should fence it. */
  | { readonly type: 'stale-leader'; readonly leaderId: NodeId; readonly staleTerm: number; readonly term: number };

interface QueuedRequest {
  readonly request: ClientRequest;
  readonly resolve: (answer: ClientAnswer) => void;
  /** Set on a request released from waiting for a leader: it may wait again, but only until then. */
  readonly leaderDeadlineMs?: number;
  /** Set on a read asked again after its read index was dropped: it keeps its first deadline. */
  readonly readDeadlineMs?: number;
}

/** Crash evidence from the transport, kept in order among the messages that arrived. */
interface PeerGoneNotice {
  readonly type: 'peer-gone';
  readonly peer: NodeId;
}

/** A Ready's committed entries, applied in memory: their results, and the batch that makes it so. */
interface ComputedApply {
  readonly results: readonly { index: number; term: number; result: KvResult | null }[];
  readonly mutations: readonly KvMutation[];
  readonly changes: readonly KvChange[];
  readonly lastIndex: number;
}

/** Messages waiting for the next turn; past this the newest are dropped (Raft tolerates loss). */
const MAX_INBOX_MESSAGES = 65_536;
/**
 * Requests stepped into the core in one turn; the rest wait for the next one. Small enough that a
 * turn on a loaded 2-core box stays near the election timeout: a leader busy in one long turn sends
 * no heartbeats, and its followers campaign (8192 let turns run to 200+ ms).
 */
const MAX_REQUESTS_PER_TURN = 1024;
/**
 * Ticks a non-leader catches up in one turn after a stall; the rest are dropped (see stepInputs).
 * Enough for a follower kept off a core for 30 ms to keep its election clock (at 2, failovers under
 * load ran long: failover-tcp with a spinning process beside it, p99 486 and 320 ms, against 312 and
 * 272 at 6), small enough that one woken from a long pause does not campaign at once.
 */
const MAX_FOLLOWER_TICK_BURST = 6;
/** A stale leader is reported at most this often per peer (it keeps writing until it learns). */
const STALE_LEADER_REPORT_INTERVAL_MS = 200;
/** Control operations (transfer, membership) waiting for the next turn. */
const MAX_QUEUED_CONTROLS = 64;
/** Changes buffered for watchers in one turn before they are posted. */
const MAX_CHANGES_PER_EVENT = 4096;

export class NodeRuntime {
  private readonly core: RaftCore;
  private inbox: (Message | PeerGoneNotice)[] = [];
  private requests: QueuedRequest[] = [];
  private readonly leaderWaits = new LeaderWaits();
  private controls: (() => void)[] = [];
  private pendingTicks = 0;
  private tickedThroughMs = 0;
  /** The time the core's clock stands at: tickedThroughMs when the last ticks were stepped. */
  private coreClockMs = 0;
  private turnScheduled = false;
  private turning = false;
  private currentTurn: Promise<void> | null = null;
  private stopped = false;
  private stopTicking: (() => void) | null = null;
  private readonly scheduler: RuntimeScheduler;
  private readonly writes = new PendingWrites();
  private readonly readIndexWaits = new ReadIndexWaits();
  private readonly appliedWaits = new AppliedIndexWaits();
  private nextReadId = 1;
  private lastSnapshotIndex: number;
  private readonly appendTimes = new AppendTimes();
  private heardFromLeaderThisTurn = false;
  private freshAsOfMs: number;
  private readonly listeners = new Set<(event: NodeEvent) => void>();
  private watching = false;
  private role: Role = 'follower';
  private readonly staleLeaderReportedMs = new Map<NodeId, number>();

  private constructor(
    private readonly config: NodeRuntimeConfig,
    private readonly deps: NodeRuntimeDeps,
    core: RaftCore,
    snapshotIndex: number,
  ) {
    this.core = core;
    this.scheduler = deps.scheduler ?? NODE_TIMERS;
    this.lastSnapshotIndex = snapshotIndex;
    this.freshAsOfMs = deps.nowMs();
    deps.transport.onReceive((messages) => this.receive(messages));
    deps.transport.onPeerGone?.((peer) => this.receivePeerGone(peer));
  }

  /** Recover from disk: hard state, snapshot, log; the key-value state resumes where it was applied. */
  static async open(config: NodeRuntimeConfig, deps: NodeRuntimeDeps): Promise<NodeRuntime> {
    const persisted = await deps.storage.load(config.bootstrap);
    const snapshot = persisted.snapshot;
    if (snapshot && deps.kv.appliedIndex() < snapshot.meta.index) {
      await deps.kv.importImage(snapshot.data, snapshot.meta.index);
    }
    const core = new RaftCore(
      {
        ...config.core,
        // Each node, and each start of it, draws its own election timeouts. With one shared
        // default seed, nodes that became followers together timed out together and split votes.
        seed: config.core?.seed ?? randomInt(2 ** 31),
        id: config.id,
        electionTimeoutTicks: config.electionTimeoutTicks,
        heartbeatIntervalTicks: config.heartbeatIntervalTicks,
        defaultWrite: {
          mode: config.defaultMode,
          minReplicas: config.semiSyncMinReplicas,
          timeoutTicks: Math.max(1, Math.ceil(config.replicationTimeoutMs / config.tickMs)),
        },
      },
      persisted,
      { appliedIndex: deps.kv.appliedIndex() },
    );
    return new NodeRuntime(config, deps, core, snapshot?.meta.index ?? 0);
  }

  start(): void {
    assert(this.stopTicking === null, 'runtime started twice');
    this.tickedThroughMs = this.deps.nowMs();
    this.coreClockMs = this.tickedThroughMs;
    this.stopTicking = this.scheduler.every(this.config.tickMs, () => {
      this.deps.onLoopAlive?.(this.deps.nowMs());
      this.catchUpTicks();
    });
    this.schedule();
  }

  /**
   * Ticks follow the monotonic clock, not the count of timer callbacks: after
   * a pause (SIGSTOP, a long GC, a blocked loop) timers do not replay what
   * they missed, and a core whose clock fell behind would think its leader
   * lease still held.
   */
  private catchUpTicks(): void {
    const elapsedTicks = Math.floor((this.deps.nowMs() - this.tickedThroughMs) / this.config.tickMs);
    if (elapsedTicks <= 0) return;
    this.tickedThroughMs += elapsedTicks * this.config.tickMs;
    this.pendingTicks += elapsedTicks;
    this.schedule();
  }

  /**
   * Stop the loop; every waiting client is told, nothing more is persisted or
   * sent. Resolves once the turn in flight (if any) has finished with storage.
   */
  async stop(): Promise<void> {
    this.halt();
    await this.currentTurn?.catch(() => undefined);
  }

  private halt(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopTicking?.();
    this.stopTicking = null;
    const stopped = failure('stopped', `node ${this.config.id} stopped`);
    for (const { resolve } of this.requests.splice(0)) resolve(stopped);
    this.writes.failAll(failure('unknown-outcome', `node ${this.config.id} stopped`, { retryable: true }).error);
    this.readIndexWaits.failAll(stopped.error);
    this.appliedWaits.failAll(stopped.error);
    this.leaderWaits.failAll(stopped.error);
    this.deps.transport.close();
  }

  onEvent(listener: (event: NodeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Post applied changes as events (for watch); off by default because it costs a copy per write. */
  setWatching(watching: boolean): void {
    this.watching = watching;
  }

  submit(requests: readonly ClientRequest[]): Promise<ClientAnswer[]> {
    return Promise.all(requests.map((request) => this.submitOne(request)));
  }

  submitOne(request: ClientRequest): Promise<ClientAnswer> {
    if (this.stopped) return Promise.resolve(failure('stopped', `node ${this.config.id} stopped`));
    const problem = validateRequest(request);
    if (problem) return Promise.resolve(failure('bad-request', problem));
    if (this.pendingCount() >= this.config.maxPendingRequests) {
      return Promise.resolve(failure('busy', `node ${this.config.id} has ${this.pendingCount()} requests pending`));
    }
    return new Promise((resolve) => {
      this.requests.push({ request, resolve });
      this.schedule();
    });
  }

  transferLeadership(to: NodeId): Promise<{ ok: boolean; error?: string }> {
    return this.control(() => {
      const result = this.core.transferLeadership(to);
      return result.ok ? { ok: true } : { ok: false, error: result.detail ?? result.reason };
    });
  }

  proposeMembership(change: MembershipChange): Promise<{ ok: boolean; index?: number; error?: string }> {
    return this.control(() => {
      const result = this.core.proposeMembership(change);
      return result.ok ? { ok: true, index: result.index } : { ok: false, error: result.reason };
    });
  }

  /** Run `action` on the core at the start of the next turn, never between ready() and advance(). */
  private control<T>(action: () => T): Promise<T> {
    if (this.stopped) return Promise.reject(new Error(`node ${this.config.id} stopped`));
    if (this.controls.length >= MAX_QUEUED_CONTROLS) return Promise.reject(new Error('too many control requests queued'));
    return new Promise<T>((resolve, reject) => {
      this.controls.push(() => {
        try {
          resolve(action());
        } catch (error) {
          reject(error as Error);
        }
      });
      this.schedule();
    });
  }

  status(): NodeStatus {
    const core = this.core.status();
    const nowMs = this.deps.nowMs();
    const followers: Record<NodeId, FollowerStatus> = {};
    for (const [id, progress] of Object.entries(core.progress)) {
      followers[id] = {
        matchIndex: progress.matchIndex,
        lagEntries: Math.max(0, core.lastIndex - progress.matchIndex),
        lagMs: this.appendTimes.lagMs(progress.matchIndex, core.lastIndex, nowMs),
        lastHeardMs: progress.lastHeardTicksAgo * this.config.tickMs,
        learner: progress.learner,
      };
    }
    return {
      id: core.id,
      role: core.role,
      term: core.term,
      leaderId: core.leaderId,
      commitIndex: core.commitIndex,
      appliedIndex: core.appliedIndex,
      lastIndex: core.lastIndex,
      firstIndex: core.firstIndex,
      membership: core.membership,
      leaseValid: core.leaseValid,
      leaseRemainingMs: Math.min(core.leaseRemainingTicks * this.config.tickMs, Number.MAX_SAFE_INTEGER),
      lagMs: this.followerLagMs(nowMs),
      followers,
      pendingRequests: this.pendingCount(),
      snapshotIndex: this.lastSnapshotIndex,
    };
  }

  // ---------------------------------------------------------------- the loop

  private receive(messages: readonly Message[]): void {
    if (this.stopped) return;
    const room = MAX_INBOX_MESSAGES - this.inbox.length;
    for (let i = 0; i < messages.length && i < room; i++) this.inbox.push(messages[i] as Message);
    this.schedule();
  }

  private receivePeerGone(peer: NodeId): void {
    if (this.stopped || this.inbox.length >= MAX_INBOX_MESSAGES) return;
    this.inbox.push({ type: 'peer-gone', peer });
    this.emit({ type: 'peer-gone', peer });
    this.schedule();
  }

  private schedule(): void {
    if (this.turnScheduled || this.turning || this.stopped) return;
    this.turnScheduled = true;
    this.scheduler.defer(() => {
      this.turnScheduled = false;
      this.currentTurn = this.turn().catch((error: unknown) => this.fail(error));
    });
  }

  private async turn(): Promise<void> {
    if (this.stopped) return;
    this.turning = true;
    try {
      this.stepInputs();
      if (this.core.hasReady()) await this.handleReady(this.core.ready());
      await this.maybeSnapshot();
    } finally {
      this.turning = false;
    }
    if (this.stopped) return;
    this.publishTurnEnd();
    this.releaseAwaitingLeader();
    this.expireWaiting();
    if (this.inbox.length > 0 || this.requests.length > 0 || this.controls.length > 0 || this.pendingTicks > 0 || this.core.hasReady()) {
      this.schedule();
    }
  }

  private publishTurnEnd(): void {
    if (!this.deps.onTurnEnd) return;
    const remainingTicks = this.core.leaseRemainingTicks();
    const leaseUntilMs = remainingTicks > 0 ? this.coreClockMs + Math.min(remainingTicks * this.config.tickMs, Number.MAX_SAFE_INTEGER) : 0;
    this.deps.onTurnEnd(this.coreClockMs, leaseUntilMs);
  }

  private stepInputs(): void {
    // Messages first: what arrived during a stall counts before the time that passed.
    this.stepInbox();
    if (this.stopTicking) this.catchUpTicks();
    // A leader's clock must never run slow (its lease would outlive reality);
    // anyone else's may: a stalled follower votes a little later, instead of
    // campaigning the moment it wakes.
    const ticks = this.core.role === 'leader' ? this.pendingTicks : Math.min(this.pendingTicks, MAX_FOLLOWER_TICK_BURST);
    this.pendingTicks = 0;
    // One call: after a long turn the leader judges the whole stretch as one check-quorum window.
    if (ticks > 0) this.core.tick(ticks);
    this.coreClockMs = this.tickedThroughMs;
    for (const control of this.controls.splice(0)) control();
    const requests = this.requests.splice(0, MAX_REQUESTS_PER_TURN);
    for (const { request, resolve, leaderDeadlineMs, readDeadlineMs } of requests) {
      if (request.kind === 'get') this.startRead(request, resolve, leaderDeadlineMs, readDeadlineMs);
      else this.startWrite(request, resolve, leaderDeadlineMs);
    }
  }

  private stepInbox(): void {
    const inbox = this.inbox;
    this.inbox = [];
    const leaderId = this.core.knownLeader;
    const term = this.core.currentTerm;
    for (const message of inbox) {
      if (message.type === 'peer-gone') {
        this.core.peerCrashed(message.peer);
        continue;
      }
      if ((message.type === 'AppendEntries' || message.type === 'Heartbeat') && message.term < term) this.reportStaleLeader(message.from, message.term, term);
      if (message.from === leaderId || message.type === 'AppendEntries' || message.type === 'Heartbeat') {
        this.heardFromLeaderThisTurn = true;
      }
      this.core.step(message);
    }
  }

  private async handleReady(ready: Ready): Promise<void> {
    // A leader's appends go out before its own fsync (see send-order.ts). Turns never overlap, so
    // their answers are stepped after this persist has finished.
    const planted = this.config.core?.plantedBug;
    const sendsEarly = planted === 'send-before-persist' ? () => true : sendsBeforePersist;
    const early = ready.messages.filter(sendsEarly);
    if (early.length > 0) this.deps.transport.send(early);
    const apply = ready.committed.length > 0 && !ready.snapshot ? this.computeApply(ready.committed) : null;
    const plantedApply = planted === 'apply-before-persist' && apply ? this.writeApply(apply) : null;
    const persisting =
      ready.hardState || ready.snapshot || ready.entries.length > 0
        ? this.deps.storage.persist({
            ...(ready.hardState ? { hardState: ready.hardState } : {}),
            ...(ready.snapshot ? { snapshot: ready.snapshot } : {}),
            entries: ready.entries,
          })
        : null;
    // The state machine's batch is written beside the persist, not after it: lmdb-js commits
    // transactions begun together in one commit with one fsync, where one after the other cost two
    // on the critical path of every write. Only when every entry it applies was already durable here
    // before this Ready: so the state machine never gets ahead of this node's own log, even if the
    // two were to land in separate commits. A snapshot is imported first, so its batch waits.
    const firstNewIndex = ready.entries[0]?.index ?? Number.POSITIVE_INFINITY;
    let applying = plantedApply ?? (apply && (persisting === null || apply.lastIndex < firstNewIndex) ? this.writeApply(apply) : null);
    // If the persist fails the turn ends there; the batch's own failure then has no one to tell.
    applying?.catch(() => undefined);
    if (persisting) await persisting;
    this.deps.observer?.persisted(ready, this.core);
    this.deps.transport.send(early.length > 0 ? ready.messages.filter((message) => !sendsEarly(message)) : ready.messages);
    if (ready.snapshot) {
      await this.deps.kv.importImage(ready.snapshot.data, ready.snapshot.meta.index);
      this.lastSnapshotIndex = ready.snapshot.meta.index;
      this.writes.discardThrough(ready.snapshot.meta.index);
    }
    // Writes are answered once their results are known, before the state machine's batch commits:
    // the entries are committed in the log, so the answers are already true, and no read can see
    // the state before that batch lands (reads are served after it, or in a later turn).
    const computed = apply ?? (ready.committed.length > 0 ? this.computeApply(ready.committed) : null);
    if (computed) {
      if (this.deps.observer) for (const entry of ready.committed) this.deps.observer.applied(entry);
      for (const { index, term, result } of computed.results) this.writes.applied(index, term, result);
    }
    for (const ack of ready.acks) this.writes.acked(ack);
    if (computed) {
      applying ??= this.writeApply(computed);
      await applying;
      if (computed.changes.length > 0) this.emit({ type: 'changes', changes: computed.changes });
    }
    for (const { wait, index } of this.readIndexWaits.released(ready.readStates)) this.appliedWaits.add(wait.request, index, wait.deadlineMs, wait.resolve);
    for (const wait of this.readIndexWaits.dropped(ready.droppedReads)) this.askReadIndexAgain(wait);
    if (ready.softState) {
      const { role, leaderId, cause } = ready.softState;
      this.role = role;
      this.emit({ type: 'role', role, term: this.core.currentTerm, leaderId, cause, why: describeRoleCause(cause, this.config.tickMs) });
    }
    const lastEntry = ready.entries[ready.entries.length - 1];
    if (lastEntry && this.role === 'leader') this.appendTimes.record(lastEntry.index, this.deps.nowMs());
    this.core.advance(ready);
    if (this.heardFromLeaderThisTurn && this.core.appliedIndex >= this.core.commitIndex) this.freshAsOfMs = this.deps.nowMs();
    this.heardFromLeaderThisTurn = false;
    this.appliedWaits.serve(this.core.appliedIndex, (request) => this.readLocal(request));
  }

  /** Every committed entry's result and the batch that applies them, computed over the current state. */
  private computeApply(committed: readonly Entry[]): ComputedApply {
    const overlay = new Map<string, unknown>();
    const view = { get: (key: string) => (overlay.has(key) ? overlay.get(key) : this.deps.kv.get(key)) };
    const mutations: KvMutation[] = [];
    const changes: KvChange[] = [];
    const results: { index: number; term: number; result: KvResult | null }[] = [];
    for (const entry of committed) {
      let result: KvResult | null = null;
      if (entry.kind === 'command' && entry.data) {
        const applied = applyCommand(view, decodeCommand(entry.data));
        result = applied.result;
        for (const mutation of applied.mutations) {
          overlay.set(mutation.key, mutation.type === 'set' ? mutation.value : undefined);
          mutations.push(mutation);
          if (this.watching && !isReservedKey(mutation.key) && changes.length < MAX_CHANGES_PER_EVENT) {
            changes.push(
              mutation.type === 'set'
                ? { index: entry.index, key: mutation.key, deleted: false, value: mutation.value }
                : { index: entry.index, key: mutation.key, deleted: true },
            );
          }
        }
      }
      results.push({ index: entry.index, term: entry.term, result });
    }
    const last = committed[committed.length - 1];
    assert(last, 'computeApply without entries');
    return { results, mutations, changes, lastIndex: last.index };
  }

  private writeApply(apply: ComputedApply): Promise<void> {
    return this.deps.kv.applyBatch(apply.mutations, apply.lastIndex);
  }

  // ------------------------------------------------------------------ writes

  private startWrite(request: WriteRequest, resolve: (answer: ClientAnswer) => void, leaderDeadlineMs: number | undefined): void {
    const command = toCommand(request);
    const options = request.options ?? {};
    const result = this.core.propose(encodeCommand(command), {
      ...(options.mode ? { mode: options.mode } : {}),
      ...(options.minReplicas !== undefined ? { minReplicas: options.minReplicas } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutTicks: Math.max(1, Math.ceil(options.timeoutMs / this.config.tickMs)) } : {}),
    });
    if (!result.ok) {
      if (result.reason === 'not-leader' && this.awaitLeader(request, resolve, result.leaderId, leaderDeadlineMs)) return;
      const code = result.reason === 'too-many-pending' ? 'busy' : result.reason === 'entry-too-large' ? 'bad-request' : 'not-leader';
      resolve(failure(code, describeRejection(result.reason), { leaderId: result.leaderId }));
      return;
    }
    this.writes.add(request, result.index, result.term, this.deps.nowMs() + this.config.writeTimeoutMs, resolve);
  }

  // ------------------------------------------------- waiting for a leader

  /**
   * Holds a leader-bound request this node cannot serve when the leader it knows is none, or is the
   * one the client just failed to reach. Answering at once would send the client back to a dead
   * node, or into a backoff that outlasts the election; held, it is answered (or served, if this
   * node wins) as soon as a leader is known. Waits at most one election's time.
   */
  private awaitLeader(request: ClientRequest, resolve: (answer: ClientAnswer) => void, leaderId: NodeId | null, leaderDeadlineMs: number | undefined): boolean {
    const nowMs = this.deps.nowMs();
    return this.leaderWaits.hold(request, resolve, leaderId, leaderDeadlineMs ?? nowMs + this.leaderWaitMs(), nowMs);
  }

  /** The longest a follower lets pass before it campaigns: an election that can succeed ends about then. */
  private leaderWaitMs(): number {
    const jitterTicks = this.config.core?.electionJitterTicks ?? this.config.electionTimeoutTicks;
    const patienceTicks = this.config.core?.maxElectionTimeoutTicks ?? this.config.electionTimeoutTicks;
    return (patienceTicks + jitterTicks) * this.config.tickMs;
  }

  /** A leader other than the one each held request avoids is known: step those requests again. */
  private releaseAwaitingLeader(): void {
    const released = this.leaderWaits.release(this.core.knownLeader);
    // Ahead of newer requests: they waited longest.
    if (released.length > 0) this.requests.unshift(...released.map(({ request, resolve, deadlineMs }) => ({ request, resolve, leaderDeadlineMs: deadlineMs })));
  }

  // ------------------------------------------------------------------- reads

  private startRead(
    request: ReadRequest,
    resolve: (answer: ClientAnswer) => void,
    leaderDeadlineMs: number | undefined,
    readDeadlineMs: number | undefined,
  ): void {
    const nowMs = this.deps.nowMs();
    const deadlineMs = readDeadlineMs ?? nowMs + this.config.readWaitTimeoutMs;
    switch (request.consistency) {
      case 'linearizable':
      case 'lease': {
        // On the leader, a read barrier; on a follower, the leader is asked for its read index.
        const requestId = this.nextReadId++;
        const role = this.core.role;
        const leaderBefore = this.core.knownLeader;
        const result = this.core.readIndex(requestId, { lease: request.consistency === 'lease' });
        if (!result.ok) {
          if (this.awaitLeader(request, resolve, result.leaderId, readDeadlineMs ?? leaderDeadlineMs)) return;
          const why = result.reason === 'too-many-pending' ? 'too many reads are waiting for a read index' : 'no leader is known to confirm the read';
          resolve(failure(result.reason === 'too-many-pending' ? 'busy' : 'not-leader', why, { leaderId: result.leaderId }));
          return;
        }
        const askedLeader = role === 'leader' ? this.config.id : (leaderBefore ?? this.config.id);
        this.readIndexWaits.add(requestId, { request, resolve, deadlineMs, askedLeader });
        return;
      }
      case 'read-your-writes':
      case 'monotonic':
        this.appliedWaits.add(request, request.minIndex ?? 0, deadlineMs, resolve);
        return;
      case 'bounded': {
        const lagMs = this.followerLagMs(nowMs);
        const maxLagMs = request.maxLagMs ?? 0;
        if (lagMs > maxLagMs) {
          resolve(failure('too-stale', `node ${this.config.id} is ${Math.round(lagMs)} ms behind, over ${maxLagMs} ms`, { lagMs }));
          return;
        }
        resolve(this.readLocal(request));
        return;
      }
      case 'eventual':
        resolve(this.readLocal(request));
        return;
    }
  }

  /**
   * The read index could not be had from the node asked (leadership moved, or no answer came): ask
   * again next turn, of whoever leads by then (held while no leader is known), until the read's
   * own deadline. A client sees a routine election as latency, not as an error.
   */
  private askReadIndexAgain(read: ReadIndexWait): void {
    if (read.deadlineMs <= this.deps.nowMs()) {
      read.resolve(failure('timeout', 'the read could not be confirmed by a leader in time'));
      return;
    }
    this.requests.push({ request: read.request, resolve: read.resolve as (answer: ClientAnswer) => void, readDeadlineMs: read.deadlineMs });
  }

  private readLocal(request: ReadRequest): ReadAnswer {
    const value = this.deps.kv.get(request.key);
    return {
      ok: true,
      found: value !== undefined,
      value: value ?? null,
      index: this.core.appliedIndex,
      nodeId: this.config.id,
      role: this.core.role,
      lagMs: this.followerLagMs(this.deps.nowMs()),
    };
  }

  private followerLagMs(nowMs: number): number {
    return this.core.role === 'leader' ? 0 : Math.max(0, nowMs - this.freshAsOfMs);
  }

  private expireWaiting(): void {
    const nowMs = this.deps.nowMs();
    this.appliedWaits.expire(nowMs, this.config.id);
    this.readIndexWaits.expire(nowMs);
    this.leaderWaits.expire(nowMs, this.core.knownLeader);
    this.writes.expire(nowMs);
  }

  // -------------------------------------------------------------- snapshots

  private async maybeSnapshot(): Promise<void> {
    const applied = this.core.appliedIndex;
    if (applied - this.lastSnapshotIndex < this.config.snapshotEveryEntries) return;
    const snapshot = this.core.compact(applied, this.deps.kv.exportImage());
    this.lastSnapshotIndex = applied;
    if (!snapshot) return;
    await this.deps.storage.persist({ snapshot, entries: [], compactThrough: snapshot.meta.index });
  }

  private pendingCount(): number {
    return this.requests.length + this.leaderWaits.size + this.writes.size + this.readIndexWaits.size + this.appliedWaits.size;
  }

  private reportStaleLeader(leaderId: NodeId, staleTerm: number, term: number): void {
    const nowMs = this.deps.nowMs();
    if (nowMs - (this.staleLeaderReportedMs.get(leaderId) ?? -Infinity) < STALE_LEADER_REPORT_INTERVAL_MS) return;
    this.staleLeaderReportedMs.set(leaderId, nowMs);
    this.emit({ type: 'stale-leader', leaderId, staleTerm, term });
  }

  private emit(event: NodeEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  /** Storage or an invariant failed: this node must not go on. */
  private fail(error: unknown): void {
    if (this.stopped) return; // storage closed under a stopping node: not a failure
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.emit({ type: 'fatal', message });
    this.halt();
  }
}

function toCommand(request: WriteRequest): KvCommand {
  const fencingToken = request.options?.fencingToken;
  const session = request.options?.session;
  const fence = {
    ...(fencingToken !== undefined ? { fencingToken } : {}),
    ...(session ? { session: { clientId: session.clientId, seq: session.seq, ...(session.floor !== undefined ? { floor: session.floor } : {}) } } : {}),
  };
  switch (request.kind) {
    case 'put':
      return { op: 'put', key: request.key, value: request.value, ...fence };
    case 'delete':
      return { op: 'delete', key: request.key, ...fence };
    case 'cas':
      return { op: 'cas', key: request.key, expected: request.expected, next: request.next, ...fence };
  }
}

function describeRejection(reason: string): string {
  switch (reason) {
    case 'not-leader':
      return 'this node is not the leader';
    case 'transfer-in-progress':
      return 'leadership is being transferred; retry shortly';
    case 'too-many-pending':
      return 'too many writes in flight';
    case 'entry-too-large':
      return 'the write is larger than the entry limit';
    default:
      return reason;
  }
}
