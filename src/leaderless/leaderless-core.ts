// One node of a leaderless (Dynamo-style) cluster as a pure state machine:
// no I/O, no clock, no randomness. Inputs are `tick()`, `step(message)`,
// `request(...)` and the evidence `peerDown/peerUp`; `drain()` hands back
// what must be done, as data. The runtime's contract: persist `writes`
// (one batch) before it sends `messages` or delivers `answers`, because a
// message or an answer may promise what those writes hold.
//
// This file is the coordinator side and the routing; the replica side (the
// node's own replicas and hints) is src/leaderless/replica.ts.
//
// Every node coordinates the requests a client sends it. A write is given
// its dot by one replica of the key (the coordinator itself when it is one),
// which then holds it durably; the coordinator sends the resulting clock to
// the other replicas of the sloppy preference list and answers once `w` hold
// it. A read asks the list, answers once `r` answered with the merge of what
// they hold (every sibling and a context token), and then repairs the
// replicas that answered stale or missing. A write meant for a primary known
// down goes to a fallback with a hint, handed off when the primary is back.

import { assert } from '../ground/assert.js';
import * as dvv from '../convergence/dvv-set.js';
import * as tombstones from '../convergence/dvv-tombstones.js';
import * as vv from '../convergence/version-vector.js';
import { emptyClock, mergeClocks, sameClock } from './clocks.js';
import type { Hint } from './hints.js';
import type { CoordinatorReply, LeaderlessMessage, ReadReplyMessage, ReplicatedMessage, RequestRef, StampedMessage } from './messages.js';
import { emptyOutput, type LeaderlessOutput } from './output.js';
import type { LeaderlessPlantedBug } from './planted-bugs.js';
import { Replica } from './replica.js';
import { PendingRequests, invalidRequest, type Answer, type ClientRequest, type FailureReason, type PendingRead, type PendingWrite } from './requests.js';
import { createRing, sloppyPreferenceList, type Ring, type SloppyTarget } from './ring.js';
import type { KeyClock, NodeId } from './types.js';

/** Output items between two drains at most; a runtime drains every turn, so more means it stopped draining. */
export const MAX_OUTPUT_ITEMS_BETWEEN_DRAINS = 100_000;

export interface LeaderlessConfig {
  readonly id: NodeId;
  /** Every node of the ring, this one included. */
  readonly nodes: readonly NodeId[];
  /** How many times this node has started (the runtime persists it); replies to an earlier life's requests are ignored. */
  readonly incarnation: number;
  readonly vnodesPerNode?: number;
  readonly maxHintsPerTarget?: number;
  readonly plantedBugs?: readonly LeaderlessPlantedBug[];
}

/** What a node persisted, handed back at start. */
export interface PersistedReplicas {
  readonly clocks: Iterable<readonly [string, KeyClock]>;
  readonly hints: Iterable<Hint>;
}

export class LeaderlessCore {
  readonly id: NodeId;
  readonly ring: Ring;
  private readonly incarnation: number;
  private readonly bugs: ReadonlySet<LeaderlessPlantedBug>;
  private readonly replica: Replica;
  private readonly requests = new PendingRequests();
  private readonly down = new Set<NodeId>();
  private nowTick = 0;
  private nextRequestId = 1;
  private output: LeaderlessOutput = emptyOutput();
  private outputItems = 0;

  constructor(config: LeaderlessConfig, persisted: PersistedReplicas = { clocks: [], hints: [] }) {
    assert(config.nodes.includes(config.id), `node ${config.id} is not in its own ring`);
    assert(Number.isSafeInteger(config.incarnation) && config.incarnation >= 0, 'incarnation must be an integer >= 0');
    this.id = config.id;
    this.ring = createRing(config.nodes, config.vnodesPerNode);
    this.incarnation = config.incarnation;
    this.bugs = new Set(config.plantedBugs ?? []);
    this.replica = new Replica(
      { id: this.id, bugs: this.bugs, maxHintsPerTarget: config.maxHintsPerTarget, clocks: persisted.clocks, hints: persisted.hints },
      {
        send: (message) => this.send(message),
        persist: (write) => this.emit(this.output.writes, write),
        stamped: (stamp) => this.emit(this.output.stamps, stamp),
        isDown: (peer) => this.down.has(peer),
        nowTick: () => this.nowTick,
      },
    );
  }

  // ---- inputs ----

  tick(): void {
    this.nowTick++;
    for (const pending of this.requests.expired(this.nowTick)) this.expire(pending);
    this.replica.deliverAllHints();
  }

  /** Evidence that a peer is down (its connections closed, a failure detector's verdict); it may be wrong, and nothing relies on it being right. */
  peerDown(peer: NodeId): void {
    assert(peer !== this.id, 'a node cannot be down in its own view');
    this.down.add(peer);
  }

  peerUp(peer: NodeId): void {
    this.down.delete(peer);
    this.replica.targetReturned(peer);
  }

  /** Starts a client request; its answer comes out of `drain()` under the returned id. */
  request(request: ClientRequest): number {
    const requestId = this.nextRequestId++;
    const problem = invalidRequest(request, this.ring.nodes.length);
    if (problem !== null) return this.fail(requestId, request.op, 'bad-request', 0, problem);
    if (!this.requests.hasRoom()) return this.fail(requestId, request.op, 'busy', 0);
    const targets = sloppyPreferenceList(this.ring, request.key, request.n, (node) => this.down.has(node));
    assert(targets.length > 0, 'a sloppy list always holds the coordinator or a node before it');
    const deadlineTick = this.nowTick + request.deadlineTicks;
    if (request.op === 'get') this.startRead(requestId, request, targets, deadlineTick);
    else this.startWrite(requestId, request, targets, deadlineTick);
    return requestId;
  }

  step(message: LeaderlessMessage): void {
    assert(message.to === this.id, `message for ${message.to} stepped on ${this.id}`);
    switch (message.type) {
      case 'stamp':
        return this.replica.onStamp(message);
      case 'replicate':
        return this.replica.onReplicate(message);
      case 'read':
        return this.replica.onRead(message);
      case 'repair':
        return this.replica.onRepair(message);
      case 'handoff':
        return this.replica.onHandoff(message);
      case 'handoff-ack':
        return this.replica.onHandoffAck(message);
      case 'stamped':
      case 'replicated':
      case 'read-reply':
        return this.onCoordinatorReply(message);
    }
  }

  /** Everything to do since the last drain: persist `writes` first, then send and answer. */
  drain(): LeaderlessOutput {
    const output = this.output;
    this.output = emptyOutput();
    this.outputItems = 0;
    return output;
  }

  // ---- inspection (status pages, the simulator) ----

  replicaOf(key: string): KeyClock | undefined {
    return this.replica.get(key);
  }

  keys(): string[] {
    return this.replica.keys();
  }

  hintCount(target?: NodeId): number {
    return this.replica.hintCount(target);
  }

  pendingRequestCount(): number {
    return this.requests.size;
  }

  isDown(peer: NodeId): boolean {
    return this.down.has(peer);
  }

  // ---- coordinator: starting requests ----

  private startWrite(requestId: number, request: ClientRequest, targets: SloppyTarget[], deadlineTick: number): void {
    const op = request.op === 'delete' ? 'delete' : 'put';
    const own = targets.find((target) => target.node === this.id);
    const stamper = own ?? (targets[0] as SloppyTarget);
    const pending: PendingWrite = {
      kind: 'write',
      op,
      requestId,
      key: request.key,
      targets,
      stamper: stamper.node,
      w: request.w,
      deadlineTick,
      acked: new Set(),
      stamp: null,
    };
    this.requests.add(pending);
    const write = op === 'delete' ? tombstones.TOMBSTONE : { deleted: false as const, value: request.value ?? null };
    const context = request.context ?? vv.empty();
    this.send({ type: 'stamp', ...this.envelope(stamper.node, requestId), key: request.key, context, write, hintFor: stamper.standsInFor });
  }

  private startRead(requestId: number, request: ClientRequest, targets: SloppyTarget[], deadlineTick: number): void {
    const pending: PendingRead = { kind: 'read', requestId, key: request.key, targets, r: request.r, deadlineTick, replies: new Map(), answered: false };
    this.requests.add(pending);
    for (const target of targets) this.send({ type: 'read', ...this.envelope(target.node, requestId), key: request.key });
  }

  // ---- coordinator: counting replies ----

  private onCoordinatorReply(reply: CoordinatorReply): void {
    if (reply.coordinator !== this.id || reply.incarnation !== this.incarnation) return;
    const pending = this.requests.get(reply.requestId);
    if (pending === undefined || pending.key !== reply.key) return;
    if (!pending.targets.some((target) => target.node === reply.from)) return;
    if (reply.type === 'read-reply') {
      if (pending.kind === 'read') this.onReadReply(pending, reply);
    } else if (pending.kind === 'write') {
      if (reply.type === 'stamped') this.onStamped(pending, reply);
      else this.onReplicated(pending, reply);
    }
  }

  private onStamped(pending: PendingWrite, reply: StampedMessage): void {
    if (reply.from !== pending.stamper || pending.stamp !== null) return;
    if (!reply.outcome.ok) return void this.answerFailure(pending, reply.outcome.error);
    dvv.assertDvvSet(reply.outcome.clock);
    pending.stamp = { clock: reply.outcome.clock, dot: reply.outcome.dot };
    pending.acked.add(reply.from);
    for (const target of pending.targets) {
      if (target.node === pending.stamper) continue;
      this.send({
        type: 'replicate',
        ...this.envelope(target.node, pending.requestId),
        key: pending.key,
        clock: reply.outcome.clock,
        hintFor: target.standsInFor,
      });
    }
    this.answerWriteIfDone(pending);
  }

  private onReplicated(pending: PendingWrite, reply: ReplicatedMessage): void {
    if (!reply.ok || pending.stamp === null) return;
    pending.acked.add(reply.from);
    this.answerWriteIfDone(pending);
  }

  private answerWriteIfDone(pending: PendingWrite): void {
    if (pending.acked.size < pending.w) return;
    assert(pending.stamp !== null, 'a write answered before it was stamped');
    this.requests.delete(pending.requestId);
    this.answer({ requestId: pending.requestId, op: pending.op, ok: true, replicasAnswered: pending.acked.size, dot: pending.stamp.dot });
  }

  private onReadReply(pending: PendingRead, reply: ReadReplyMessage): void {
    if (reply.clock !== null) dvv.assertDvvSet(reply.clock);
    pending.replies.set(reply.from, reply.clock);
    if (!pending.answered && pending.replies.size >= pending.r) this.answerRead(pending);
    if (pending.replies.size === pending.targets.length) this.finishRead(pending);
  }

  private answerRead(pending: PendingRead): void {
    const merged = this.mergeReplies(pending);
    pending.answered = true;
    this.answer({
      requestId: pending.requestId,
      op: 'get',
      ok: true,
      replicasAnswered: pending.replies.size,
      values: tombstones.liveValues(merged),
      context: dvv.join(merged),
    });
  }

  /** Read repair, after the answer: every replica that answered gets the merge unless it already holds it. */
  private finishRead(pending: PendingRead): void {
    this.requests.delete(pending.requestId);
    if (this.bugs.has('no-read-repair')) return;
    const merged = this.mergeReplies(pending);
    if (merged.entries.length === 0) return;
    for (const [node, clock] of pending.replies) {
      if (clock === null || !sameClock(clock, merged)) this.send({ type: 'repair', from: this.id, to: node, key: pending.key, clock: merged });
    }
  }

  private mergeReplies(pending: PendingRead): KeyClock {
    let merged = emptyClock();
    for (const clock of pending.replies.values()) if (clock !== null) merged = mergeClocks(merged, clock, this.bugs);
    return merged;
  }

  private expire(pending: PendingWrite | PendingRead): void {
    if (pending.kind === 'write') return void this.answerFailure(pending, 'timeout');
    if (!pending.answered) {
      this.answer({ requestId: pending.requestId, op: 'get', ok: false, error: 'timeout', replicasAnswered: pending.replies.size });
    }
    this.finishRead(pending);
  }

  private answerFailure(pending: PendingWrite, error: FailureReason): void {
    this.requests.delete(pending.requestId);
    const dot = pending.stamp?.dot;
    this.answer({ requestId: pending.requestId, op: pending.op, ok: false, error, replicasAnswered: pending.acked.size, ...(dot ? { dot } : {}) });
  }

  // ---- output ----

  /** A message to this node itself is handled at once: the coordinator is often one of the replicas. */
  private send(message: LeaderlessMessage): void {
    if (message.to === this.id) return this.step(message);
    this.emit(this.output.messages, message);
  }

  private answer(answer: Answer): void {
    this.emit(this.output.answers, answer);
  }

  private fail(requestId: number, op: ClientRequest['op'], error: FailureReason, replicasAnswered: number, detail?: string): number {
    this.answer({ requestId, op, ok: false, error, replicasAnswered, ...(detail === undefined ? {} : { detail }) });
    return requestId;
  }

  private emit<T>(list: T[], item: T): void {
    this.outputItems++;
    assert(this.outputItems <= MAX_OUTPUT_ITEMS_BETWEEN_DRAINS, `over ${MAX_OUTPUT_ITEMS_BETWEEN_DRAINS} output items without a drain`);
    list.push(item);
  }

  private envelope(to: NodeId, requestId: number): { from: NodeId; to: NodeId } & RequestRef {
    return { from: this.id, to, coordinator: this.id, incarnation: this.incarnation, requestId };
  }
}
