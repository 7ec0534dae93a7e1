// The embedded API: a whole cluster inside one process, each node a worker
// thread. Writes go to the leader (found from the nodes' own role reports,
// never chosen here), reads go where their consistency level allows, and
// every bad input is refused with a ReplikitError before anything is written.

import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import type { MembershipChange, NodeId, ReplicationMode, Role } from '../core/types.js';
import type { FencingRecord } from '../node/fencing.js';
import type { NodeEndpoint } from '../node/node-endpoint.js';
import type { KvChange } from '../node/node-runtime.js';
import { electionSpread, type NodeRuntimeConfig } from '../node/node-config.js';
import type { ClientAnswer, ClientError, ClientRequest, ReadAnswer, ReadConsistency, WriteAnswer, WriteOptions, WriteRequest } from '../node/requests.js';
import { validateRequest } from '../node/validate-request.js';
import { resolveClusterOptions, type ClusterOptions, type ResolvedClusterOptions } from './cluster-options.js';
import { ReplikitError } from '../ground/errors.js';
import { RequestBatcher } from './request-batcher.js';
import { Supervisor, withTimeout, type NodeState, type SupervisorEvent } from './supervisor.js';
import { WatchHub, type WatchOptions, type Watcher } from './watch-hub.js';
import { WriteSession } from './write-session.js';

export interface WriteResult {
  readonly term: number;
  readonly index: number;
  /** semi-sync fell back to the leader's disk: this write may be lost on a leader crash. */
  readonly degraded: boolean;
}

export interface ReadOptions {
  readonly consistency?: ReadConsistency;
  /** read-your-writes: the index a write returned. */
  readonly minIndex?: number;
  /** bounded: the most staleness accepted. */
  readonly maxLagMs?: number;
  /** Ask this node (reads that any node may answer). */
  readonly nodeId?: NodeId;
}

/** `T` is the type the caller stored under the key: the store keeps JSON and does not check it. */
export interface ReadResult<T = unknown> {
  readonly value: T;
  readonly index: number;
  readonly nodeId: NodeId;
  readonly role: Role;
  readonly lagMs: number;
}

export interface ClusterStatus {
  readonly leaderId: NodeId | null;
  readonly term: number;
  readonly nodes: readonly {
    readonly id: NodeId;
    readonly state: NodeState;
    readonly role: Role | null;
    readonly term: number;
    readonly commitIndex: number;
    readonly appliedIndex: number;
  }[];
  readonly lag: Readonly<Record<NodeId, { readonly entries: number; readonly ms: number }>>;
}

/** A session for monotonic reads: it never answers from an older state than one it already saw. */
export interface ReadSession {
  get<T = unknown>(key: string, options?: Omit<ReadOptions, 'consistency' | 'minIndex'>): Promise<ReadResult<T> | undefined>;
  /** The highest index this session has observed. */
  readonly highestIndex: number;
}

/** A status call a node has not answered by then counts as unanswered (a paused node never answers). */
const STATUS_TIMEOUT_MS = 1000;
/** Pause between retries while there is no leader (an election takes a few election timeouts at most). */
const LEADER_RETRY_DELAY_MS = 10;

export class Cluster extends EventEmitter {
  private readonly batchers = new Map<NodeId, RequestBatcher>();
  private readonly writeSession = new WriteSession();
  private readonly watchHub: WatchHub;
  private closed = false;
  private nextNodeNumber: number;
  /**
   * Per node, who hears of its fencing (its HTTP server's metrics and status):
   * a set of our own rather than more 'event' listeners on the supervisor,
   * whose emitter warns past ten.
   */
  private readonly fencingListeners = new Map<NodeId, Set<(record: FencingRecord) => void>>();

  constructor(
    private readonly supervisor: Supervisor,
    private readonly options: ResolvedClusterOptions,
    /** The caller gave no dataDir: the temp folder made for it is this cluster's to remove on close. */
    private readonly ownsDataDir = false,
  ) {
    super();
    this.nextNodeNumber = options.nodes + 1;
    this.watchHub = new WatchHub((watching) => supervisor.setWatching(watching));
    supervisor.on('event', (event: SupervisorEvent) => {
      if (event.type === 'changes') this.watchHub.publish(event.changes);
      else this.emit(event.type, event);
      if (event.type === 'node-fenced') {
        const record: FencingRecord = { atMs: event.atMs, reason: event.reason, term: event.term, detail: event.detail };
        for (const listener of this.fencingListeners.get(event.id) ?? []) listener(record);
      }
      this.emit('event', event);
    });
  }

  // ----------------------------------------------------------------- writes

  async put(key: string, value: unknown, options: WriteOptions = {}): Promise<WriteResult> {
    return this.write({ kind: 'put', key, value, options });
  }

  async delete(key: string, options: WriteOptions = {}): Promise<WriteResult> {
    return this.write({ kind: 'delete', key, options });
  }

  /** Set `key` to `next` only if it now holds `expected` (null: absent). Throws cas-mismatch otherwise. */
  async cas(key: string, expected: unknown, next: unknown, options: WriteOptions = {}): Promise<WriteResult> {
    return this.write({ kind: 'cas', key, expected, next, options });
  }

  /**
   * Every write carries a session seq (the caller's, or this cluster's own), so one whose outcome a
   * leadership change or a dying node left unknown is sent again until the request deadline and is
   * still applied once: a routine election costs the caller latency, not an error. Only a deadline
   * that passes (or a sync write some replica did not confirm) leaves the outcome unknown.
   */
  private async write(asked: WriteRequest): Promise<WriteResult> {
    this.refuseIfInvalid(asked);
    const own = asked.options?.session === undefined ? this.writeSession.begin() : null;
    const request: WriteRequest = own ? { ...asked, options: { ...asked.options, session: own } } : asked;
    try {
      const deadlineMs = performance.now() + this.options.requestTimeoutMs;
      let unknown: ClientError | null = null;
      for (;;) {
        const answer = (await this.sendToLeader(request, deadlineMs)) as WriteAnswer;
        if (answer.ok) return { term: answer.term, index: answer.index, degraded: answer.degraded };
        // Once an attempt may have happened, running out of time leaves the outcome unknown, not "not done".
        if (answer.error.code === 'unknown-outcome') unknown = answer.error;
        const finalError = answer.error.code === 'timeout' && unknown ? unknown : answer.error;
        if (!answer.error.retryable || performance.now() > deadlineMs) throw toError(finalError);
        await sleep(LEADER_RETRY_DELAY_MS);
      }
    } finally {
      if (own) this.writeSession.end(own.seq);
    }
  }

  // ------------------------------------------------------------------ reads

  /** Resolves `{ value, index, ... }`, or undefined when the key is absent. */
  async get<T = unknown>(key: string, options: ReadOptions = {}): Promise<ReadResult<T> | undefined> {
    const consistency = options.consistency ?? 'linearizable';
    const request: ClientRequest = {
      kind: 'get',
      key,
      consistency,
      ...(options.minIndex !== undefined ? { minIndex: options.minIndex } : {}),
      ...(options.maxLagMs !== undefined ? { maxLagMs: options.maxLagMs } : {}),
    };
    this.refuseIfInvalid(request);
    if (options.nodeId !== undefined && !this.supervisor.ids().includes(options.nodeId)) {
      throw new ReplikitError('unknown-node', `no node ${JSON.stringify(options.nodeId)}`);
    }
    // Linearizable and lease reads go to the leader, or to the node asked: a follower serves them
    // too, after asking its leader for a read index.
    const leaderLevel = consistency === 'linearizable' || consistency === 'lease';
    const answer = (
      leaderLevel && options.nodeId === undefined ? await this.sendToLeader(request) : await this.sendToAny(request, options.nodeId)
    ) as ReadAnswer;
    if (!answer.ok) throw toError(answer.error);
    if (!answer.found) return undefined;
    return { value: answer.value as T, index: answer.index, nodeId: answer.nodeId, role: answer.role, lagMs: answer.lagMs };
  }

  session(): ReadSession {
    let highestIndex = 0;
    const get = async <T = unknown>(key: string, options: Omit<ReadOptions, 'consistency' | 'minIndex'> = {}) => {
      const result = await this.get<T>(key, { ...options, consistency: 'monotonic', minIndex: highestIndex });
      if (result) highestIndex = Math.max(highestIndex, result.index);
      return result;
    };
    return {
      get,
      get highestIndex() {
        return highestIndex;
      },
    };
  }

  /** Changes under `prefix`, in log order; resumable from an index still in the recent history. */
  watch(prefix: string, options: WatchOptions = {}): Watcher {
    if (typeof prefix !== 'string') throw new ReplikitError('bad-request', 'a watch prefix must be a string');
    return this.watchHub.watch(prefix, options);
  }

  // ----------------------------------------------------------------- status

  async status(): Promise<ClusterStatus> {
    const statuses = await Promise.all(
      this.supervisor.ids().map(async (id) => {
        // A hung (paused) node never answers: its status is unknown, not a reason to hang too.
        const status = await withTimeout(
          this.supervisor.call(
            id,
            (remote) => remote.status(),
            () => null,
          ),
          STATUS_TIMEOUT_MS,
        ).catch(() => null);
        return { id, state: this.supervisor.state(id), status };
      }),
    );
    let leader: (typeof statuses)[number]['status'] = null;
    for (const { status } of statuses) {
      if (status?.role === 'leader' && (!leader || status.term > leader.term)) leader = status;
    }
    const lag: Record<NodeId, { entries: number; ms: number }> = {};
    if (leader) {
      for (const [id, follower] of Object.entries(leader.followers)) lag[id] = { entries: follower.lagEntries, ms: follower.lagMs };
    }
    return {
      leaderId: leader?.id ?? null,
      term: leader?.term ?? Math.max(0, ...statuses.map(({ status }) => status?.term ?? 0)),
      nodes: statuses.map(({ id, state, status }) => ({
        id,
        state,
        role: status?.role ?? null,
        term: status?.term ?? 0,
        commitIndex: status?.commitIndex ?? 0,
        appliedIndex: status?.appliedIndex ?? 0,
      })),
      lag,
    };
  }

  /** Healthy when a leader exists and no follower lags past the threshold. */
  async health(): Promise<{ healthy: boolean; problems: string[] }> {
    const status = await this.status();
    const problems: string[] = [];
    if (!status.leaderId) problems.push('no leader');
    for (const [id, lag] of Object.entries(status.lag)) {
      if (lag.ms > this.options.lagThresholdMs) problems.push(`${id} lags ${Math.round(lag.ms)} ms (${lag.entries} entries)`);
    }
    for (const node of status.nodes) if (node.state !== 'running') problems.push(`${node.id} is ${node.state}`);
    return { healthy: problems.length === 0, problems };
  }

  nodeIds(): NodeId[] {
    return this.supervisor.ids();
  }

  /** One node as a face sees it (the HTTP server of `replikit dev` serves each node through this). */
  endpoint(id: NodeId): NodeEndpoint {
    if (!this.supervisor.ids().includes(id)) throw new ReplikitError('unknown-node', `no node ${JSON.stringify(id)}`);
    const down: { ok: boolean; index?: number; error?: string } = { ok: false, error: `${id} is not running` };
    return {
      id,
      submit: async (requests) => (requests.length === 0 ? [] : this.batcherSend(id, [...requests])),
      status: () =>
        withTimeout(
          this.supervisor.call(
            id,
            (remote) => remote.status(),
            () => null,
          ),
          STATUS_TIMEOUT_MS,
        ).catch(() => null),
      transferLeadership: (to) =>
        this.supervisor.call(
          id,
          (remote) => remote.transferLeadership(to),
          () => down,
        ),
      proposeMembership: (change) =>
        this.supervisor.call(
          id,
          (remote) => remote.proposeMembership(change),
          () => down,
        ),
      onEvent: (listener) => {
        const forward = (event: SupervisorEvent): void => {
          if (event.type === 'role' && event.id === id) {
            listener({ type: 'role', role: event.role, term: event.term, leaderId: event.leaderId, cause: event.cause, why: event.why });
          }
        };
        this.supervisor.on('event', forward);
        return () => this.supervisor.off('event', forward);
      },
      onFencing: (listener) => {
        const listeners = this.fencingListeners.get(id) ?? new Set();
        this.fencingListeners.set(id, listeners);
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
  }

  // ----------------------------------------------------------- dev controls

  crash(id: NodeId): Promise<void> {
    return this.supervisor.crash(id);
  }

  restart(id: NodeId): Promise<void> {
    return this.supervisor.restart(id);
  }

  pause(id: NodeId): void {
    this.supervisor.pause(id);
  }

  resume(id: NodeId): void {
    this.supervisor.resume(id);
  }

  partition(groups: readonly (readonly NodeId[])[]): Promise<void> {
    return this.supervisor.partition(groups);
  }

  heal(): Promise<void> {
    return this.supervisor.heal();
  }

  async transferLeadership(to: NodeId): Promise<void> {
    if (!this.supervisor.ids().includes(to)) throw new ReplikitError('unknown-node', `no node ${JSON.stringify(to)}`);
    const result = await this.withLeader((leader) => leader.transferLeadership(to));
    if (!result.ok) throw new ReplikitError('bad-request', `transfer to ${to} refused: ${result.error}`);
  }

  /** A new node joins as a learner, catches up, and is promoted to voter by the leader. */
  async addNode(): Promise<NodeId> {
    const id = `n${this.nextNodeNumber++}`;
    await this.changeMembership({ type: 'add-learner', node: id });
    await this.supervisor.addNode(id);
    return id;
  }

  async removeNode(id: NodeId): Promise<void> {
    if (!this.supervisor.ids().includes(id)) throw new ReplikitError('unknown-node', `no node ${JSON.stringify(id)}`);
    const index = await this.changeMembership({ type: 'remove', node: id });
    await this.waitFor(async () => {
      const leaderId = this.supervisor.leader().id;
      if (!leaderId || leaderId === id) return false;
      const status = await withTimeout(
        this.supervisor.call(
          leaderId,
          (remote) => remote.status(),
          () => null,
        ),
        STATUS_TIMEOUT_MS,
      ).catch(() => null);
      return status !== null && status.commitIndex >= index && !status.membership.voters.includes(id);
    }, `${id} to leave the membership`);
    await this.supervisor.retire(id);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchHub.close();
    await this.supervisor.close();
    if (this.ownsDataDir) rmSync(this.options.dataDir, { recursive: true, force: true });
  }

  /** Where each node keeps its LMDB files (`<dataDir>/<id>`); a temp folder removed on close when none was given. */
  get dataDir(): string {
    return this.options.dataDir;
  }

  // -------------------------------------------------------------- routing

  private async changeMembership(change: MembershipChange): Promise<number> {
    const deadline = performance.now() + this.options.requestTimeoutMs;
    for (;;) {
      const result = await this.withLeader((leader) => leader.proposeMembership(change));
      if (result.ok && result.index !== undefined) return result.index;
      // One change at a time: wait for the previous one to commit.
      if (result.error !== 'membership-change-pending' || performance.now() > deadline) {
        throw new ReplikitError('bad-request', `membership change refused: ${result.error}`);
      }
      await sleep(LEADER_RETRY_DELAY_MS);
    }
  }

  private async withLeader<T>(action: (leader: NonNullable<ReturnType<Supervisor['remote']>>) => Promise<T>): Promise<T> {
    const deadline = performance.now() + this.options.requestTimeoutMs;
    for (;;) {
      this.refuseIfClosed();
      const leaderId = this.supervisor.leader().id;
      if (leaderId && this.supervisor.remote(leaderId)) {
        const gone = Symbol('gone');
        const result = await this.supervisor.call<T | typeof gone>(leaderId, action, () => gone);
        if (result !== gone) return result;
      }
      if (performance.now() > deadline) throw new ReplikitError('no-leader', 'no leader was elected in time');
      await sleep(LEADER_RETRY_DELAY_MS);
    }
  }

  private async sendToLeader(request: ClientRequest, deadline = performance.now() + this.options.requestTimeoutMs): Promise<ClientAnswer> {
    let hinted: NodeId | null = null;
    for (;;) {
      this.refuseIfClosed();
      const target: NodeId | null = [hinted, this.supervisor.leader().id].find((id) => id && this.supervisor.remote(id)) ?? null;
      hinted = null;
      if (target) {
        const answer: ClientAnswer = await this.batcher(target).submit(request);
        // Only a definite "not done here" is retried: an unknown outcome must reach the caller.
        if (answer.ok || (answer.error.code !== 'not-leader' && answer.error.code !== 'stopped')) return answer;
        if (answer.error.leaderId && answer.error.leaderId !== target) {
          hinted = answer.error.leaderId;
          continue;
        }
      }
      if (performance.now() > deadline) {
        return { ok: false, error: { code: 'timeout', message: 'no leader accepted the request in time' } };
      }
      // Wait for an election (or for the hinted leader's role report) before asking again.
      await sleep(LEADER_RETRY_DELAY_MS);
    }
  }

  private async sendToAny(request: ClientRequest, nodeId: NodeId | undefined): Promise<ClientAnswer> {
    const running = this.supervisor.runningIds();
    const target = nodeId ?? running[Math.floor(Math.random() * running.length)];
    if (!target || !this.supervisor.remote(target)) {
      throw new ReplikitError('stopped', nodeId ? `${nodeId} is not running` : 'no node is running');
    }
    return this.batcher(target).submit(request);
  }

  private batcher(id: NodeId): RequestBatcher {
    let batcher = this.batchers.get(id);
    if (!batcher) {
      batcher = new RequestBatcher((requests) => this.batcherSend(id, requests));
      this.batchers.set(id, batcher);
    }
    return batcher;
  }

  private batcherSend(id: NodeId, requests: ClientRequest[]): Promise<ClientAnswer[]> {
    if (!this.supervisor.remote(id)) return Promise.resolve(requests.map(() => stoppedAnswer(id)));
    // Sent, then the node died: a write may have happened, a read can simply be retried.
    return this.supervisor.call(
      id,
      (remote) => remote.submit(requests),
      () => requests.map((request) => (request.kind === 'get' ? stoppedAnswer(id) : lostAnswer(id))),
    );
  }

  private async waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = performance.now() + this.options.requestTimeoutMs;
    while (!(await condition())) {
      if (performance.now() > deadline) throw new ReplikitError('timeout', `timed out waiting for ${what}`);
      await sleep(LEADER_RETRY_DELAY_MS);
    }
  }

  private refuseIfInvalid(request: ClientRequest): void {
    this.refuseIfClosed();
    const problem = validateRequest(request);
    if (problem) throw new ReplikitError('bad-request', problem);
  }

  private refuseIfClosed(): void {
    if (this.closed) throw new ReplikitError('closed', 'the cluster is closed');
  }
}

export async function createCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const resolved = resolveClusterOptions(options);
  const voters = Array.from({ length: resolved.nodes }, (_, i) => `n${i + 1}`);
  const supervisor = new Supervisor(resolved, (id, bootstrap) => nodeConfig(resolved, id, bootstrap));
  const ownsDataDir = options.dataDir === undefined;
  try {
    await supervisor.start(voters);
  } catch (error) {
    await supervisor.close();
    if (ownsDataDir) rmSync(resolved.dataDir, { recursive: true, force: true });
    throw error;
  }
  return new Cluster(supervisor, resolved, ownsDataDir);
}

function nodeConfig(options: ResolvedClusterOptions, id: NodeId, bootstrap: { voters: readonly NodeId[]; learners: readonly NodeId[] }): NodeRuntimeConfig {
  return {
    id,
    bootstrap,
    tickMs: options.tickMs,
    electionTimeoutTicks: options.electionTimeoutTicks,
    heartbeatIntervalTicks: options.heartbeatIntervalTicks,
    defaultMode: options.mode as ReplicationMode,
    semiSyncMinReplicas: options.semiSyncMinReplicas,
    replicationTimeoutMs: options.replicationTimeoutMs,
    snapshotEveryEntries: options.snapshotEveryEntries,
    readWaitTimeoutMs: options.requestTimeoutMs,
    writeTimeoutMs: options.requestTimeoutMs,
    maxPendingRequests: 1 << 17,
    core: {
      ...electionSpread(options.electionTimeoutTicks),
      // A tenth of the timeout for clock drift: the lease holds for 0.9 T after a round's send.
      leaseDriftTicks: Math.max(1, Math.round(options.electionTimeoutTicks / 10)),
    },
  };
}

function toError(error: { code: string; message: string }): ReplikitError {
  const { code, message, ...details } = error;
  return new ReplikitError(code as ReplikitError['code'], message, details);
}

function stoppedAnswer(id: NodeId): ClientAnswer {
  return { ok: false, error: { code: 'stopped', message: `${id} is not running` } };
}

function lostAnswer(id: NodeId): ClientAnswer {
  return {
    ok: false,
    error: { code: 'unknown-outcome', message: `${id} stopped before answering; the write may or may not have happened`, retryable: true },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export type { KvChange };
