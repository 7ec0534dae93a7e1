// The supervisor: spawns each node as a worker thread, hands every pair of
// nodes a MessageChannel, watches each node over its comlink control face,
// restarts what crashed or hung, and fences (STONITH) any node still acting
// as leader in a term older than the newest leader's. It never chooses a
// leader: elections stay in the core, by majority.

import * as Comlink from 'comlink';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { seedFromText } from '../core/random.js';
import type { Membership, NodeId, Role, RoleCause } from '../core/types.js';
import type { FencingRecord } from '../node/fencing.js';
import type { NodeRuntimeConfig } from '../node/node-config.js';
import type { KvChange, NodeEvent, NodeStatus } from '../node/node-runtime.js';
import type { NodeWorkerApi } from '../node/worker-api.js';
import type { ResolvedClusterOptions } from './cluster-options.js';
import { WorkerSlot, type SlotReport } from '../lifecycle/worker-slot.js';
import type { WorkerState } from '../lifecycle/worker-lifecycle.js';
import { ReplikitError } from '../ground/errors.js';

export type NodeState = WorkerState;

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
  /** The node's thread through its lifecycle (src/lifecycle/worker-lifecycle.ts). */
  readonly slot: WorkerSlot;
  lastStatus: NodeStatus | null;
  /** The newest role this node reported, by event or by status poll, whichever is newer. */
  reportedRole: { role: Role; term: number } | null;
  watching: boolean;
  overLagThreshold: boolean;
}

/**
 * One status poll waits this long at most: a paused node must not hold up the fencing of a stale
 * leader that follows every poll. Not answering is judged by hangTimeoutMs since the last answer.
 */
const STATUS_POLL_TIMEOUT_MS = 250;
/** How long a node closing with the cluster has to stop its runtime before its thread is stopped anyway. */
const CLOSE_TIMEOUT_MS = 2000;

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
    for (const id of voters) this.handles.set(id, this.newHandle(id));
    // One after another: each new node gets a channel to every node already running.
    for (const id of voters) await this.spawn(this.handle(id), bootstrap);
    this.watchTimer = setInterval(() => void this.poll(), this.options.watchIntervalMs);
  }

  ids(): NodeId[] {
    return [...this.handles.keys()];
  }

  state(id: NodeId): NodeState {
    return this.handle(id).slot.state;
  }

  lastStatus(id: NodeId): NodeStatus | null {
    return this.handle(id).lastStatus;
  }

  /** The node the newest role reports name as leader, if it is running. */
  leader(): { id: NodeId | null; term: number } {
    return this.knownLeader;
  }

  remote(id: NodeId): Comlink.Remote<NodeWorkerApi> | null {
    return this.handles.get(id)?.slot.remote ?? null;
  }

  /**
   * Call the node, or get `whenGone()` if its worker dies first. Use this for
   * every call whose answer someone waits for.
   */
  async call<T>(id: NodeId, action: (remote: Comlink.Remote<NodeWorkerApi>) => Promise<T>, whenGone: () => T): Promise<T> {
    const handle = this.handles.get(id);
    if (!handle) return whenGone();
    return handle.slot.call(action, whenGone);
  }

  runningIds(): NodeId[] {
    return [...this.handles.values()].filter((handle) => handle.slot.state === 'running').map((handle) => handle.id);
  }

  // ------------------------------------------------------------ dev controls

  /** kill -9 for a worker: no goodbye, nothing flushed beyond what was already durable. */
  async crash(id: NodeId): Promise<void> {
    const handle = this.handle(id);
    if (handle.slot.state !== 'running' && handle.slot.state !== 'paused') return;
    await this.kill(handle, 'crashed');
    this.emitEvent({ type: 'node-crashed', id, reason: 'crashed on request' });
  }

  async restart(id: NodeId): Promise<void> {
    const handle = this.handle(id);
    if (handle.slot.state === 'removed') throw new ReplikitError('unknown-node', `${id} was removed from the cluster`);
    if (handle.slot.state === 'running' || handle.slot.state === 'paused' || handle.slot.state === 'starting') await this.kill(handle, 'crashed');
    handle.slot.resetRestartBudget();
    await this.spawn(handle, this.currentMembership());
    this.emitEvent({ type: 'node-restarted', id });
  }

  /** Hang the node's event loop (it stops answering anyone) until resume(). */
  pause(id: NodeId): void {
    this.handle(id).slot.pause();
  }

  resume(id: NodeId): void {
    this.handle(id).slot.resume();
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
    await Promise.all([...this.handles.values()].map((handle) => handle.slot.remote?.heal()));
    this.emitEvent({ type: 'heal' });
  }

  /** Start a new node with an empty disk, as a learner the leader has already added. */
  async addNode(id: NodeId): Promise<void> {
    if (this.handles.has(id)) throw new ReplikitError('bad-request', `${id} already exists`);
    const handle = this.newHandle(id);
    this.handles.set(id, handle);
    await this.spawn(handle, this.currentMembership());
  }

  /** Stop a node that has left the membership; its data stays on disk. */
  async retire(id: NodeId): Promise<void> {
    await this.kill(this.handle(id), 'removed');
  }

  async setWatching(watching: boolean): Promise<void> {
    this.watchers += watching ? 1 : -1;
    const on = this.watchers > 0;
    await Promise.all(
      [...this.handles.values()].map(async (handle) => {
        handle.watching = on;
        await handle.slot.remote?.setWatching(on);
      }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.watchTimer) clearInterval(this.watchTimer);
    await Promise.all(
      [...this.handles.values()].map(async (handle) => {
        handle.slot.close();
        if (handle.slot.state === 'paused') handle.slot.resume();
        const remote = handle.slot.remote;
        if (remote) await withTimeout(remote.stop(), CLOSE_TIMEOUT_MS).catch(() => undefined);
        await handle.slot.kill('stopped', 'cooperative');
      }),
    );
  }

  // ---------------------------------------------------------------- spawning

  private newHandle(id: NodeId): NodeHandle {
    const handle: NodeHandle = {
      id,
      slot: new WorkerSlot({
        name: id,
        maxRestartsPerMinute: this.options.maxRestartsPerMinute,
        onMessage: (message) => this.onNodeEvent(handle, message as NodeEvent),
        onReport: (report) => this.onSlotReport(handle, report),
        respawn: () => this.spawn(handle, this.currentMembership()),
      }),
      lastStatus: null,
      reportedRole: null,
      watching: false,
      overLagThreshold: false,
    };
    return handle;
  }

  private async spawn(handle: NodeHandle, bootstrap: Membership): Promise<void> {
    if (this.closed) return;
    const dataDir = join(this.options.dataDir, handle.id);
    if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true });
    const peerPorts: Record<NodeId, MessagePort> = {};
    for (const peer of this.handles.values()) {
      const remote = peer.id === handle.id ? null : peer.slot.remote;
      if (!remote) continue;
      const channel = new MessageChannel();
      peerPorts[peer.id] = channel.port1;
      await remote.replacePeerPort(handle.id, Comlink.transfer(channel.port2, [channel.port2]));
    }
    await handle.slot.spawn(
      {
        config: this.nodeConfig(handle.id, bootstrap),
        dataDir,
        transport: { kind: 'ports', peerPorts },
        faultSeed: seedFromText(handle.id) + handle.slot.spawns + 1,
      },
      Object.values(peerPorts),
    );
    if (handle.watching || this.watchers > 0) await handle.slot.remote?.setWatching(true);
    await this.applyPartition(handle);
  }

  private async kill(handle: NodeHandle, to: 'crashed' | 'removed'): Promise<void> {
    // What the old worker reported must not follow the new one: a restarted follower
    // would otherwise be taken for the stale leader it replaced, and fenced.
    handle.lastStatus = null;
    handle.reportedRole = null;
    await handle.slot.kill(to, 'cooperative');
  }

  private onSlotReport(handle: NodeHandle, report: SlotReport): void {
    switch (report.type) {
      case 'crashed':
        handle.lastStatus = null;
        handle.reportedRole = null;
        this.emitEvent({ type: 'node-crashed', id: handle.id, reason: report.reason });
        return;
      case 'restarted':
        this.emitEvent({ type: 'node-restarted', id: handle.id });
        return;
      case 'crash-loop':
        this.emitEvent({ type: 'crash-loop', id: handle.id, restarts: report.restarts });
        return;
    }
  }

  private async applyPartition(handle: NodeHandle): Promise<void> {
    const remote = handle.slot.remote;
    if (!remote || !this.partitionGroups) return;
    const mine = this.partitionGroups.find((group) => group.includes(handle.id)) ?? [handle.id];
    const blocked = [...this.handles.keys()].filter((id) => !mine.includes(id));
    await remote.partition(blocked);
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
      // 'fatal': the slot turns it into a crash report (onSlotReport), once.
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
    const slot = handle.slot;
    if (slot.state !== 'running') return;
    const status = await withTimeout(
      slot.call<NodeStatus | null>(
        (remote) => remote.status(),
        () => null,
      ),
      Math.min(STATUS_POLL_TIMEOUT_MS, this.options.hangTimeoutMs),
    ).catch(() => null);
    if (status) {
      handle.lastStatus = status;
      slot.noteAnswer(performance.now());
      // A poll may have been answered before the latest role event: it wins only with a newer term.
      if (!handle.reportedRole || status.term > handle.reportedRole.term) handle.reportedRole = { role: status.role, term: status.term };
      return;
    }
    // Gone, or no answer in time. Hung: an event loop that no longer answers is as good as dead, and more dangerous.
    if (slot.state !== 'running' || slot.silentForMs(performance.now()) < this.options.hangTimeoutMs) return;
    handle.lastStatus = null;
    handle.reportedRole = null;
    await slot.hung(`no answer for ${this.options.hangTimeoutMs} ms`, 'cooperative');
  }

  /** STONITH: a node still acting as leader in a term older than the newest leader's is shot and restarted. */
  private async fenceStaleLeaders(): Promise<void> {
    let newest = { id: null as NodeId | null, term: 0 };
    for (const handle of this.handles.values()) {
      const reported = handle.reportedRole;
      if (handle.slot.state === 'running' && reported?.role === 'leader' && reported.term > newest.term) {
        newest = { id: handle.id, term: reported.term };
      }
    }
    if (newest.id === null) return;
    for (const handle of this.handles.values()) {
      const reported = handle.reportedRole;
      if (handle.id === newest.id || !reported || reported.role !== 'leader' || reported.term >= newest.term) continue;
      if (handle.slot.state !== 'running' && handle.slot.state !== 'paused') continue;
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
      await this.kill(handle, 'crashed');
      await this.spawn(handle, this.currentMembership()).catch(() => undefined); // a failed start is reported by the slot
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
    const voters = [...this.handles.values()].filter((handle) => handle.slot.state !== 'removed').map((handle) => handle.id);
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
