// One simulated node: the same loop a real node runs (step, ready, persist,
// send, apply, advance), with a disk that keeps only what was persisted and a
// persist that takes a seeded number of ticks, during which messages queue.

import { Packr } from 'msgpackr';
import {
  RaftCore,
  sendsBeforePersist,
  type CoreConfigInput,
  type Entry,
  type Message,
  type NodeId,
  type Ready,
  type ReplicationMode,
  type WriteAck,
} from '../../src/core/index.js';
import { applyToMap, decodeCommand, encodeCommand, type KvCommand } from '../../src/kv/index.js';
import type { Invariants } from './invariants.js';
import type { SimDisk } from './sim-disk.js';

export type ClientOp =
  | { readonly f: 'read'; readonly key: string }
  | { readonly f: 'write'; readonly key: string; readonly value: string }
  | { readonly f: 'delete'; readonly key: string }
  | { readonly f: 'cas'; readonly key: string; readonly expected: string | null; readonly next: string };

export type ClientReply =
  | { readonly type: 'ok'; readonly value?: unknown }
  | { readonly type: 'fail'; readonly leaderId?: NodeId | null }
  | { readonly type: 'info' };

export interface ClientRequest {
  readonly op: ClientOp;
  readonly reply: (reply: ClientReply) => void;
}

interface PendingWrite {
  readonly request: ClientRequest;
  readonly term: number;
}

export interface SimNodeEnv {
  readonly nowTick: () => number;
  readonly send: (message: Message) => void;
  readonly invariants: Invariants;
  readonly drawFsyncTicks: () => number;
  readonly compactEveryEntries: number;
  readonly mode: ReplicationMode;
  readonly leaseReads: boolean;
}

/** Ready turns run back to back in one tick at most this often (a zero-latency disk). */
const MAX_READY_TURNS_PER_TICK = 8;

const snapshotPackr = new Packr({ useRecords: false, moreTypes: false });

/** Crash evidence, in order among the messages (as the runtime keeps it). */
interface PeerGoneNotice {
  readonly type: 'peer-gone';
  readonly peer: NodeId;
}

export class SimNode {
  core: RaftCore | null = null;
  private kv = new Map<string, unknown>();
  private inbox: (Message | PeerGoneNotice)[] = [];
  /** The loop does not run before this tick (a stalled event loop: GC, a starved thread). */
  private stalledUntilTick = 0;
  private requests: ClientRequest[] = [];
  private readyInFlight: Ready | null = null;
  /** The in-flight Ready's early messages are already out (see sendsBeforePersist). */
  private earlySent = false;
  private persistDoneAtTick = 0;
  private pendingTicks = 0;
  private pendingWrites = new Map<number, PendingWrite>();
  private pendingReads = new Map<number, ClientRequest>();
  private readsAwaitingApply: { index: number; request: ClientRequest }[] = [];
  private nextReadId = 1;
  private lastSnapshotIndex = 0;
  private starts = 0;

  constructor(
    readonly id: NodeId,
    private readonly disk: SimDisk,
    private readonly coreConfig: CoreConfigInput,
    private readonly env: SimNodeEnv,
  ) {}

  get alive(): boolean {
    return this.core !== null;
  }

  /** The core, when it may be driven now (not between ready() and advance()). */
  get idleCore(): RaftCore | null {
    return this.readyInFlight ? null : this.core;
  }

  start(): void {
    const persisted = this.disk.load();
    this.kv = persisted.snapshot ? decodeImage(persisted.snapshot.data) : new Map();
    this.lastSnapshotIndex = persisted.snapshot?.meta.index ?? 0;
    this.starts += 1;
    this.core = new RaftCore({ ...this.coreConfig, seed: (this.coreConfig.seed ?? 1) * 7919 + this.starts }, persisted, {
      appliedIndex: this.lastSnapshotIndex,
    });
  }

  /** Lose everything not on disk: the core, the state machine, queued work, an unfinished persist. */
  crash(): void {
    this.core = null;
    this.kv = new Map();
    this.inbox = [];
    this.requests = [];
    this.readyInFlight = null;
    this.earlySent = false;
    this.pendingTicks = 0;
    this.pendingWrites = new Map();
    this.pendingReads = new Map();
    this.readsAwaitingApply = [];
    this.stalledUntilTick = 0;
  }

  deliver(message: Message): void {
    if (this.core) this.inbox.push(message);
  }

  /** The transport saw `peer` go: its channel closed and could not be reopened. */
  peerGone(peer: NodeId): void {
    if (this.core) this.inbox.push({ type: 'peer-gone', peer });
  }

  /** The loop stops running for `ticks` ticks; what arrives meanwhile waits, and time is caught up after. */
  stall(ticks: number): void {
    this.stalledUntilTick = Math.max(this.stalledUntilTick, this.env.nowTick() + ticks);
  }

  request(request: ClientRequest): void {
    if (!this.core) return request.reply({ type: 'fail' }); // connection refused: nothing happened
    this.requests.push(request);
  }

  /** One tick of this node's loop. */
  turn(): void {
    const core = this.core;
    if (!core) return;
    this.pendingTicks += 1;
    if (this.env.nowTick() < this.stalledUntilTick) return;
    if (this.readyInFlight) {
      if (this.env.nowTick() < this.persistDoneAtTick) return;
      this.finishReady(core, this.readyInFlight);
    }
    for (let turns = 0; turns < MAX_READY_TURNS_PER_TICK && this.core === core; turns++) {
      // As the runtime does: ticks that piled up during a slow fsync pass in one call.
      if (this.pendingTicks > 0) core.tick(this.pendingTicks);
      this.pendingTicks = 0;
      for (const message of this.inbox.splice(0)) {
        if (message.type === 'peer-gone') core.peerCrashed(message.peer);
        else core.step(message);
      }
      for (const request of this.requests.splice(0)) this.handleRequest(core, request);
      if (!core.hasReady()) return;
      const ready = core.ready();
      const fsyncTicks = ready.entries.length > 0 || ready.hardState ? this.env.drawFsyncTicks() : 0;
      if (fsyncTicks > 0) {
        // As the runtime does: a leader's appends leave while its own fsync runs.
        for (const message of ready.messages) if (sendsBeforePersist(message)) this.env.send(message);
        this.earlySent = true;
        this.readyInFlight = ready;
        this.persistDoneAtTick = this.env.nowTick() + fsyncTicks;
        return;
      }
      this.finishReady(core, ready);
    }
  }

  private finishReady(core: RaftCore, ready: Ready): void {
    this.readyInFlight = null;
    this.disk.persist(ready.hardState, ready.snapshot, ready.entries);
    this.env.invariants.persisted(this.id, ready.entries, core);
    for (const message of ready.messages) if (!this.earlySent || !sendsBeforePersist(message)) this.env.send(message);
    this.earlySent = false;
    if (ready.snapshot) {
      this.kv = decodeImage(ready.snapshot.data);
      this.lastSnapshotIndex = ready.snapshot.meta.index;
      this.failWritesThrough(ready.snapshot.meta.index);
    }
    for (const entry of ready.committed) this.apply(entry);
    for (const readState of ready.readStates) {
      const request = this.pendingReads.get(readState.requestId);
      this.pendingReads.delete(readState.requestId);
      if (request) this.readsAwaitingApply.push({ index: readState.index, request });
    }
    for (const requestId of ready.droppedReads) {
      this.pendingReads.get(requestId)?.reply({ type: 'fail' });
      this.pendingReads.delete(requestId);
    }
    for (const ack of ready.acks) this.handleAck(ack);
    if (ready.softState?.role === 'leader') {
      this.env.invariants.becameLeader(this.env.nowTick(), this.id, core.status().term, core);
    }
    core.advance(ready);
    this.serveReads(core.status().appliedIndex);
    this.maybeCompact(core);
  }

  private handleRequest(core: RaftCore, request: ClientRequest): void {
    const { op } = request;
    if (op.f === 'read') {
      const requestId = this.nextReadId++;
      const result = core.readIndex(requestId, { lease: this.env.leaseReads });
      if (!result.ok) return request.reply({ type: 'fail', leaderId: result.leaderId });
      this.pendingReads.set(requestId, request);
      return;
    }
    const result = core.propose(encodeCommand(toCommand(op)), { mode: this.env.mode });
    if (!result.ok) return request.reply({ type: 'fail', leaderId: result.leaderId });
    this.pendingWrites.set(result.index, { request, term: result.term });
  }

  private apply(entry: Entry): void {
    this.env.invariants.appliedEntry(this.id, entry);
    const command = entry.kind === 'command' && entry.data ? decodeCommand(entry.data) : null;
    const result = command ? applyToMap(this.kv, command) : null;
    const pending = this.pendingWrites.get(entry.index);
    if (!pending) return;
    if (pending.term !== entry.term) {
      // Another entry took the index: ours was overwritten and never applied anywhere.
      this.pendingWrites.delete(entry.index);
      return pending.request.reply({ type: 'fail' });
    }
    if (pending.request.op.f === 'cas' && result) {
      // A cas's answer depends on the state it meets, so it is answered when applied.
      this.pendingWrites.delete(entry.index);
      pending.request.reply(result.ok ? { type: 'ok' } : { type: 'fail' });
    }
  }

  private handleAck(ack: WriteAck): void {
    const pending = this.pendingWrites.get(ack.index);
    if (!pending || pending.term !== ack.term) return;
    if (!ack.ok) {
      this.pendingWrites.delete(ack.index);
      return pending.request.reply({ type: 'info' });
    }
    if (pending.request.op.f === 'cas') return; // answered when applied
    this.pendingWrites.delete(ack.index);
    pending.request.reply({ type: 'ok' });
  }

  /** A leader's snapshot replaced the log through `index`: writes waiting there have unknown outcomes. */
  private failWritesThrough(index: number): void {
    for (const [pendingIndex, pending] of this.pendingWrites) {
      if (pendingIndex > index) continue;
      this.pendingWrites.delete(pendingIndex);
      pending.request.reply({ type: 'info' });
    }
  }

  private serveReads(appliedIndex: number): void {
    if (this.readsAwaitingApply.length === 0) return;
    const waiting: typeof this.readsAwaitingApply = [];
    for (const read of this.readsAwaitingApply) {
      if (read.index > appliedIndex) {
        waiting.push(read);
        continue;
      }
      read.request.reply({ type: 'ok', value: this.kv.get(read.request.op.key) ?? null });
    }
    this.readsAwaitingApply = waiting;
  }

  private maybeCompact(core: RaftCore): void {
    const applied = core.status().appliedIndex;
    if (applied - this.lastSnapshotIndex < this.env.compactEveryEntries) return;
    const snapshot = core.compact(applied, encodeImage(this.kv));
    if (!snapshot) return;
    this.disk.compact(snapshot);
    this.lastSnapshotIndex = applied;
  }
}

function toCommand(op: Exclude<ClientOp, { f: 'read' }>): KvCommand {
  switch (op.f) {
    case 'write':
      return { op: 'put', key: op.key, value: op.value };
    case 'delete':
      return { op: 'delete', key: op.key };
    case 'cas':
      return { op: 'cas', key: op.key, expected: op.expected, next: op.next };
  }
}

function encodeImage(kv: Map<string, unknown>): Uint8Array {
  return snapshotPackr.pack([...kv]);
}

function decodeImage(data: Uint8Array): Map<string, unknown> {
  return new Map(snapshotPackr.unpack(data) as [string, unknown][]);
}
