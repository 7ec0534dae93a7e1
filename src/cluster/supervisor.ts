// The supervisor: spawns each node as a worker thread, hands every pair of
// nodes a MessageChannel, watches each node over its comlink control face,
// restarts what crashed or hung, and fences (STONITH) any node still acting
// as leader in a term older than the newest leader's. It never chooses a
// leader: elections stay in the core, by majority.

import * as Comlink from 'comlink';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { seedFromText } from '../core/random.js';
import type { Membership, NodeId, Role, RoleCause } from '../core/types.js';
import { emitterEndpoint } from '../node/comlink-endpoint.js';
import { nodeWorkerScriptPath, stopWorker } from '../node/worker-script.js';
import type { FencingRecord } from '../node/fencing.js';
import type { NodeRuntimeConfig } from '../node/node-config.js';
import type { KvChange, NodeEvent, NodeStatus } from '../node/node-runtime.js';
import type { NodeWorkerApi, NodeWorkerData } from '../node/worker-api.js';
import type { ResolvedClusterOptions } from './cluster-options.js';
import { CallsUntilGone } from '../lifecycle/calls-until-gone.js';
import { ReplikitError } from '../ground/errors.js';

export type NodeState = 'starting' | 'running' | 'paused' | 'crashed' | 'crash-looping' | 'removed' | 'stopped';

export type SupervisorEvent =
  | { type: 'role'; id: NodeId; role: Role; term: number; leaderId: NodeId | null; cause: RoleCause; why: string }
  /** The node's transport saw `peer` go (crash evidence). */
  | { type: 'peer-gone'; id: NodeId; peer: NodeId }
  | { type: 'leader-change'; leaderId: NodeId | null; term: number }
  | { type: 'node-crashed'; id: NodeId; reason: string }
  | { type: 'node-restarted'; id: NodeId }
  | ({ type: 'node-fenced'; id: NodeId; staleTerm: number; leaderTerm: number } & FencingRecord)
  | { type: 'crash-loop'; id: NodeId; restarts: number }
  | { type: 'lag-over-threshold'; id: NodeId; lagMs: number; lagEntries: number }
  | { type: 'lag-recovered'; id: NodeId; lagMs: number }
  | { type: 'changes'; id: NodeId; changes: readonly KvChange[] }
  | { type: 'partition'; groups: readonly (readonly NodeId[])[] }
  | { type: 'heal' };

interface NodeHandle {
  readonly id: NodeId;
  state: NodeState;
  worker: Worker | null;
  remote: Comlink.Remote<NodeWorkerApi> | null;
  eventsPort: MessagePort | null;
  pauseFlag: Int32Array | null;
  lastStatus: NodeStatus | null;
  /** The newest role this node reported, by event or by status poll, whichever is newer. */
  reportedRole: { role: Role; term: number } | null;
  lastAnswerMs: number;
  restartTimesMs: number[];
  /** Set while we stop the worker on purpose, so its exit is not taken for a crash. */
  exitExpected: boolean;
  watching: boolean;
  overLagThreshold: boolean;
  spawnCount: number;
  /** Calls to the current worker, settled when it goes: a comlink call to a dead worker never settles by itself. */
  calls: CallsUntilGone;
}

/**
 * One status poll waits this long at most: a paused node must not hold up the fencing of a stale
 * leader that follows every poll. Not answering is judged by hangTimeoutMs since the last answer.
 */
const STATUS_POLL_TIMEOUT_MS = 250;
/** A node that has not said it is ready this long after spawning has failed to start. */
const START_TIMEOUT_MS = 15_000;

export class Supervisor extends EventEmitter {
  private readonly handles = new Map<NodeId, NodeHandle>();
  private watchTimer: ReturnType<typeof setInterval> | null = null;
  private polling = false;
  private knownLeader: { id: NodeId | null; term: number } = { id: null, term: 0 };
  private partitionGroups: readonly (readonly NodeId[])[] | null = null;
  private closed = false;
  private watchers = 0;

  constructor(
    private readonly options: ResolvedClusterOptions,
    private readonly nodeConfig: (id: NodeId, bootstrap: Membership) => NodeRuntimeConfig,
  ) {
    super();
  }

  async start(voters: readonly NodeId[]): Promise<void> {
    mkdirSync(this.options.dataDir, { recursive: true });
    const bootstrap: Membership = { voters: [...voters], learners: [] };
    for (const id of voters) this.handles.set(id, newHandle(id));
    // One after another: each new node gets a channel to every node already running.
    for (const id of voters) await this.spawn(this.handle(id), bootstrap);
    this.watchTimer = setInterval(() => void this.poll(), this.options.watchIntervalMs);
  }

  ids(): NodeId[] {
    return [...this.handles.keys()];
  }

  state(id: NodeId): NodeState {
    return this.handle(id).state;
  }

  lastStatus(id: NodeId): NodeStatus | null {
    return this.handle(id).lastStatus;
  }

  /** The node the newest role reports name as leader, if it is running. */
  leader(): { id: NodeId | null; term: number } {
    return this.knownLeader;
  }

  remote(id: NodeId): Comlink.Remote<NodeWorkerApi> | null {
    const handle = this.handles.get(id);
    return handle && handle.state === 'running' ? handle.remote : null;
  }

  /**
   * Call the node, or get `whenGone()` if its worker dies first. Use this for
   * every call whose answer someone waits for.
   */
  async call<T>(id: NodeId, action: (remote: Comlink.Remote<NodeWorkerApi>) => Promise<T>, whenGone: () => T): Promise<T> {
    const handle = this.handles.get(id);
    const remote = handle && handle.state === 'running' ? handle.remote : null;
    if (!handle || !remote) return whenGone();
    return handle.calls.settle(action(remote), whenGone);
  }

  runningIds(): NodeId[] {
    return [...this.handles.values()].filter((handle) => handle.state === 'running').map((handle) => handle.id);
  }

  // ------------------------------------------------------------ dev controls

  /** kill -9 for a worker: no goodbye, nothing flushed beyond what was already durable. */
  async crash(id: NodeId): Promise<void> {
    const handle = this.handle(id);
    if (handle.state !== 'running' && handle.state !== 'paused') return;
    await this.kill(handle, 'crashed');
    this.emitEvent({ type: 'node-crashed', id, reason: 'crashed on request' });
  }

  async restart(id: NodeId): Promise<void> {
    const handle = this.handle(id);
    if (handle.state === 'running' || handle.state === 'paused' || handle.state === 'starting') await this.kill(handle, 'crashed');
    if (handle.state === 'removed') throw new ReplikitError('unknown-node', `${id} was removed from the cluster`);
    handle.restartTimesMs = [];
    await this.spawn(handle, this.currentMembership());
    this.emitEvent({ type: 'node-restarted', id });
  }

  /** Hang the node's event loop (it stops answering anyone) until resume(). */
  pause(id: NodeId): void {
    const handle = this.handle(id);
    if (handle.state !== 'running' || !handle.pauseFlag || !handle.remote) return;
    Atomics.store(handle.pauseFlag, 0, 1);
    handle.state = 'paused';
    void handle.remote.pause().catch(() => undefined);
  }

  resume(id: NodeId): void {
    const handle = this.handle(id);
    if (handle.state !== 'paused' || !handle.pauseFlag) return;
    Atomics.store(handle.pauseFlag, 0, 0);
    Atomics.notify(handle.pauseFlag, 0);
    handle.state = 'running';
    handle.lastAnswerMs = performance.now();
  }

  async partition(groups: readonly (readonly NodeId[])[]): Promise<void> {
    const all = new Set(this.handles.keys());
    const seen = new Set<NodeId>();
    for (const group of groups) {
      for (const id of group) {
        if (!all.has(id)) throw new ReplikitError('unknown-node', `no node ${id}`);
        if (seen.has(id)) throw new ReplikitError('bad-request', `${id} is in two groups`);
        seen.add(id);
      }
    }
    this.partitionGroups = groups;
    await Promise.all([...this.handles.values()].map((handle) => this.applyPartition(handle)));
    this.emitEvent({ type: 'partition', groups });
  }

  async heal(): Promise<void> {
    this.partitionGroups = null;
    await Promise.all(
      [...this.handles.values()].map((handle) => (handle.state === 'running' ? handle.remote?.heal() : undefined)),
    );
    this.emitEvent({ type: 'heal' });
  }

  /** Start a new node with an empty disk, as a learner the leader has already added. */
  async addNode(id: NodeId): Promise<void> {
    if (this.handles.has(id)) throw new ReplikitError('bad-request', `${id} already exists`);
    const handle = newHandle(id);
    this.handles.set(id, handle);
    await this.spawn(handle, this.currentMembership());
  }

  /** Stop a node that has left the membership; its data stays on disk. */
  async retire(id: NodeId): Promise<void> {
    const handle = this.handle(id);
    await this.kill(handle, 'removed');
  }

  async setWatching(watching: boolean): Promise<void> {
    this.watchers += watching ? 1 : -1;
    const on = this.watchers > 0;
    await Promise.all(
      [...this.handles.values()].map(async (handle) => {
        handle.watching = on;
        if (handle.state === 'running') await handle.remote?.setWatching(on);
      }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.watchTimer) clearInterval(this.watchTimer);
    await Promise.all(
      [...this.handles.values()].map(async (handle) => {
        if (handle.state === 'paused') this.resume(handle.id);
        if (handle.state === 'running' && handle.remote) {
          handle.exitExpected = true;
          await withTimeout(handle.remote.stop(), 2000).catch(() => undefined);
        }
        await this.kill(handle, 'stopped');
      }),
    );
  }

  // ---------------------------------------------------------------- spawning

  private async spawn(handle: NodeHandle, bootstrap: Membership): Promise<void> {
    if (this.closed) return;
    handle.state = 'starting';
    handle.spawnCount += 1;
    const dataDir = join(this.options.dataDir, handle.id);
    if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true });
    const peerPorts: Record<NodeId, MessagePort> = {};
    for (const peer of this.handles.values()) {
      if (peer.id === handle.id || peer.state !== 'running' || !peer.remote) continue;
      const channel = new MessageChannel();
      peerPorts[peer.id] = channel.port1;
      await peer.remote.replacePeerPort(handle.id, Comlink.transfer(channel.port2, [channel.port2]));
    }
    const events = new MessageChannel();
    const pauseBuffer = new SharedArrayBuffer(4);
    const workerData: NodeWorkerData = {
      config: this.nodeConfig(handle.id, bootstrap),
      dataDir,
      transport: { kind: 'ports', peerPorts },
      eventsPort: events.port2,
      pauseFlag: pauseBuffer,
      faultSeed: seedFromText(handle.id) + handle.spawnCount,
    };
    const worker = new Worker(nodeWorkerScriptPath(), {
      workerData,
      transferList: [...Object.values(peerPorts), events.port2],
    });
    handle.worker = worker;
    const calls = new CallsUntilGone();
    handle.calls = calls;
    handle.eventsPort = events.port1;
    handle.pauseFlag = new Int32Array(pauseBuffer);
    handle.exitExpected = false;
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${handle.id} did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      events.port1.on('message', (event: NodeEvent | { type: 'ready' }) => {
        if (event.type === 'ready') {
          clearTimeout(timer);
          resolve();
          return;
        }
        this.onNodeEvent(handle, event);
      });
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${handle.id} exited with code ${code} while starting`));
      });
    });
    worker.on('error', (error) => this.emitEvent({ type: 'node-crashed', id: handle.id, reason: error.message }));
    worker.on('exit', () => {
      if (handle.worker !== worker) return;
      calls.markGone();
      handle.worker = null;
      handle.remote = null;
      handle.eventsPort?.close();
      if (handle.exitExpected || this.closed) return;
      handle.state = 'crashed';
      this.emitEvent({ type: 'node-crashed', id: handle.id, reason: 'worker exited' });
      this.scheduleRestart(handle);
    });
    handle.remote = Comlink.wrap<NodeWorkerApi>(emitterEndpoint(worker));
    await ready;
    handle.state = 'running';
    handle.lastAnswerMs = performance.now();
    if (handle.watching || this.watchers > 0) await handle.remote.setWatching(true);
    await this.applyPartition(handle);
  }

  private async kill(handle: NodeHandle, state: NodeState): Promise<void> {
    const worker = handle.worker;
    // A paused worker is blocked in Atomics.wait, not in LMDB: terminating it is safe and it cannot exit itself.
    const remote = handle.state === 'running' ? handle.remote : null;
    handle.exitExpected = true;
    handle.state = state;
    if (handle.pauseFlag) {
      Atomics.store(handle.pauseFlag, 0, 0);
      Atomics.notify(handle.pauseFlag, 0);
    }
    handle.calls.markGone();
    // What the old worker reported must not follow the new one: a restarted follower
    // would otherwise be taken for the stale leader it replaced, and fenced.
    handle.lastStatus = null;
    handle.reportedRole = null;
    handle.remote = null;
    handle.worker = null;
    handle.eventsPort?.close();
    handle.eventsPort = null;
    if (worker) await stopWorker(worker, remote ? () => remote.exit() : null);
  }

  private scheduleRestart(handle: NodeHandle): void {
    const nowMs = performance.now();
    handle.restartTimesMs = handle.restartTimesMs.filter((time) => nowMs - time < 60_000);
    if (handle.restartTimesMs.length >= this.options.maxRestartsPerMinute) {
      handle.state = 'crash-looping';
      this.emitEvent({ type: 'crash-loop', id: handle.id, restarts: handle.restartTimesMs.length });
      return;
    }
    handle.restartTimesMs.push(nowMs);
    // Back off a little more with every recent restart.
    const delayMs = 50 * 2 ** (handle.restartTimesMs.length - 1);
    setTimeout(() => {
      if (this.closed || handle.state !== 'crashed') return;
      this.spawn(handle, this.currentMembership())
        .then(() => this.emitEvent({ type: 'node-restarted', id: handle.id }))
        .catch((error: Error) => {
          handle.state = 'crashed';
          this.emitEvent({ type: 'node-crashed', id: handle.id, reason: error.message });
          this.scheduleRestart(handle);
        });
    }, delayMs);
  }

  private async applyPartition(handle: NodeHandle): Promise<void> {
    if (handle.state !== 'running' || !handle.remote || !this.partitionGroups) return;
    const mine = this.partitionGroups.find((group) => group.includes(handle.id)) ?? [handle.id];
    const blocked = [...this.handles.keys()].filter((id) => !mine.includes(id));
    await handle.remote.partition(blocked);
  }

  // ---------------------------------------------------------------- watching

  private onNodeEvent(handle: NodeHandle, event: NodeEvent): void {
    switch (event.type) {
      case 'role':
        handle.reportedRole = { role: event.role, term: event.term }; // events arrive in order
        this.emitEvent({ type: 'role', id: handle.id, role: event.role, term: event.term, leaderId: event.leaderId, cause: event.cause, why: event.why });
        if (event.role === 'leader' && event.term >= this.knownLeader.term) this.setLeader(handle.id, event.term);
        else if (this.knownLeader.id === handle.id && event.role !== 'leader') this.setLeader(null, Math.max(event.term, this.knownLeader.term));
        return;
      case 'changes':
        this.emitEvent({ type: 'changes', id: handle.id, changes: event.changes });
        return;
      case 'peer-gone':
        this.emitEvent({ type: 'peer-gone', id: handle.id, peer: event.peer });
        return;
      case 'fatal':
        this.emitEvent({ type: 'node-crashed', id: handle.id, reason: event.message });
        return;
    }
  }

  private setLeader(id: NodeId | null, term: number): void {
    if (this.knownLeader.id === id && this.knownLeader.term === term) return;
    this.knownLeader = { id, term };
    this.emitEvent({ type: 'leader-change', leaderId: id, term });
  }

  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      await Promise.all([...this.handles.values()].map((handle) => this.pollOne(handle)));
      await this.fenceStaleLeaders();
      this.checkLag();
    } finally {
      this.polling = false;
    }
  }

  private async pollOne(handle: NodeHandle): Promise<void> {
    if (handle.state !== 'running' || !handle.remote) return;
    try {
      const remote = handle.remote;
      const status = await withTimeout(
        handle.calls.settle<NodeStatus | null>(remote.status(), () => null),
        Math.min(STATUS_POLL_TIMEOUT_MS, this.options.hangTimeoutMs),
      );
      // Gone, or the call failed: judged below like no answer.
      if (!status) throw new Error(`${handle.id} did not answer`);
      handle.lastStatus = status;
      handle.lastAnswerMs = performance.now();
      // A poll may have been answered before the latest role event: it wins only with a newer term.
      const polled = handle.lastStatus;
      if (!handle.reportedRole || polled.term > handle.reportedRole.term) handle.reportedRole = { role: polled.role, term: polled.term };
    } catch {
      if (handle.state !== 'running') return;
      if (performance.now() - handle.lastAnswerMs < this.options.hangTimeoutMs) return;
      // Hung: an event loop that no longer answers is as good as dead, and more dangerous.
      this.emitEvent({ type: 'node-crashed', id: handle.id, reason: `no answer for ${this.options.hangTimeoutMs} ms` });
      await this.kill(handle, 'crashed');
      this.scheduleRestart(handle);
    }
  }

  /** STONITH: a node still acting as leader in a term older than the newest leader's is shot and restarted. */
  private async fenceStaleLeaders(): Promise<void> {
    let newest = { id: null as NodeId | null, term: 0 };
    for (const handle of this.handles.values()) {
      const reported = handle.reportedRole;
      if (handle.state === 'running' && reported?.role === 'leader' && reported.term > newest.term) {
        newest = { id: handle.id, term: reported.term };
      }
    }
    if (newest.id === null) return;
    for (const handle of this.handles.values()) {
      const reported = handle.reportedRole;
      if (handle.id === newest.id || !reported || reported.role !== 'leader' || reported.term >= newest.term) continue;
      if (handle.state !== 'running' && handle.state !== 'paused') continue;
      this.emitEvent({
        type: 'node-fenced',
        id: handle.id,
        staleTerm: reported.term,
        leaderTerm: newest.term,
        atMs: Date.now(),
        reason: 'stale-leader',
        term: reported.term,
        detail: `still leader of term ${reported.term} while ${newest.id} leads term ${newest.term}`,
      });
      handle.lastStatus = null;
      handle.reportedRole = null;
      await this.kill(handle, 'crashed');
      await this.spawn(handle, this.currentMembership()).catch((error: Error) => {
        this.emitEvent({ type: 'node-crashed', id: handle.id, reason: error.message });
      });
    }
  }

  private checkLag(): void {
    const leaderId = this.knownLeader.id;
    const status = leaderId ? this.handles.get(leaderId)?.lastStatus : null;
    if (!status || status.role !== 'leader') return;
    for (const [id, follower] of Object.entries(status.followers)) {
      const handle = this.handles.get(id);
      if (!handle) continue;
      const over = follower.lagMs > this.options.lagThresholdMs;
      if (over && !handle.overLagThreshold) {
        this.emitEvent({ type: 'lag-over-threshold', id, lagMs: follower.lagMs, lagEntries: follower.lagEntries });
      } else if (!over && handle.overLagThreshold) {
        this.emitEvent({ type: 'lag-recovered', id, lagMs: follower.lagMs });
      }
      handle.overLagThreshold = over;
    }
  }

  private currentMembership(): Membership {
    const leaderId = this.knownLeader.id;
    const fromLeader = leaderId ? this.handles.get(leaderId)?.lastStatus?.membership : undefined;
    if (fromLeader) return fromLeader;
    const voters = [...this.handles.values()].filter((handle) => handle.state !== 'removed').map((handle) => handle.id);
    return { voters, learners: [] };
  }

  private handle(id: NodeId): NodeHandle {
    const handle = this.handles.get(id);
    if (!handle) throw new ReplikitError('unknown-node', `no node ${JSON.stringify(id)}; nodes are ${this.ids().join(', ')}`);
    return handle;
  }

  private emitEvent(event: SupervisorEvent): void {
    this.emit('event', event);
  }
}

function newHandle(id: NodeId): NodeHandle {
  return {
    id,
    state: 'stopped',
    worker: null,
    remote: null,
    eventsPort: null,
    pauseFlag: null,
    lastStatus: null,
    reportedRole: null,
    lastAnswerMs: 0,
    restartTimesMs: [],
    exitExpected: false,
    watching: false,
    overLagThreshold: false,
    spawnCount: 0,
    calls: CallsUntilGone.alreadyGone(),
  };
}


export function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
