// One simulated node: the shipped NodeRuntime, on virtual time (SimScheduler),
// a disk with a write-back cache (SimDisk) and the seeded network
// (SimTransport). Nothing of the runtime's loop is copied here: this only
// starts, crashes and stalls it, and turns client operations into requests.
//
// A stalled node runs nothing, as a starved event loop: what arrives for it
// (messages, crash evidence, client requests) waits in order, its timers do
// not fire and its fsyncs do not complete until it runs again.

import type { Entry, Message, NodeId, Ready, ReplicationMode } from '../../src/core/index.js';
import type { RaftCore } from '../../src/core/raft-core.js';
import type { NodeRuntimeConfig } from '../../src/node/node-config.js';
import { NodeRuntime, type NodeStatus } from '../../src/node/node-runtime.js';
import type { ClientAnswer, ClientRequest } from '../../src/node/requests.js';
import type { Invariants } from './invariants.js';
import { SimDisk } from './sim-disk.js';
import { SimScheduler } from './sim-scheduler.js';
import { SimTransport } from './sim-transport.js';

export type ClientOp =
  | { readonly f: 'read'; readonly key: string }
  | { readonly f: 'write'; readonly key: string; readonly value: string }
  | { readonly f: 'delete'; readonly key: string }
  | { readonly f: 'cas'; readonly key: string; readonly expected: string | null; readonly next: string };

export type ClientReply =
  { readonly type: 'ok'; readonly value?: unknown } | { readonly type: 'fail'; readonly leaderId?: NodeId | null } | { readonly type: 'info' };

export interface SimNodeEnv {
  readonly nowTick: () => number;
  readonly send: (message: Message) => void;
  readonly invariants: Invariants;
  readonly drawFsyncTicks: () => number;
  /** This node's runtime config; `seed` is drawn afresh for every start. */
  readonly config: (start: number) => NodeRuntimeConfig;
  readonly peers: () => readonly NodeId[];
  readonly mode: ReplicationMode;
  readonly leaseReads: boolean;
}

type Arrival =
  | { readonly kind: 'message'; readonly message: Message }
  | { readonly kind: 'peer-gone'; readonly peer: NodeId }
  | { readonly kind: 'request'; readonly op: ClientOp; readonly reply: (reply: ClientReply) => void };

/** Arrivals held for a stalled node; past this the newest are dropped (a full socket buffer). */
const MAX_HELD_ARRIVALS = 20_000;

export class SimNode {
  private runtime: NodeRuntime | null = null;
  private scheduler: SimScheduler | null = null;
  private transport: SimTransport | null = null;
  private readonly disk: SimDisk;
  private starts = 0;
  private incarnation = 0;
  private up = false;
  private stalledUntilTick = 0;
  private held: Arrival[] = [];
  /** A client request was handed to the runtime: its answer may be a settled promise waiting to run. */
  private answersPending = false;

  constructor(
    readonly id: NodeId,
    private readonly env: SimNodeEnv,
  ) {
    this.disk = new SimDisk(env.nowTick, env.drawFsyncTicks);
  }

  /** Up (running or starting): a crash now loses what was not fsynced. */
  get alive(): boolean {
    return this.up;
  }

  status(): NodeStatus | null {
    return this.runtime?.status() ?? null;
  }

  /** The running runtime, for the nemesis's transfers and membership changes. */
  get node(): NodeRuntime | null {
    return this.runtime;
  }

  start(): void {
    const incarnation = ++this.incarnation;
    this.starts += 1;
    this.up = true;
    const scheduler = new SimScheduler(this.env.nowTick);
    const transport = new SimTransport(this.env.peers(), this.env.send);
    this.scheduler = scheduler;
    this.transport = transport;
    const { storage, kv } = this.disk.open();
    void NodeRuntime.open(this.env.config(this.starts), {
      storage,
      kv,
      transport,
      nowMs: this.env.nowTick,
      scheduler,
      observer: {
        persisted: (ready: Ready, core: RaftCore) => {
          this.env.invariants.persisted(this.id, ready.entries, core);
          if (ready.softState?.role === 'leader') this.env.invariants.becameLeader(this.env.nowTick(), this.id, core.status().term, core);
        },
        applied: (entry: Entry) => this.env.invariants.appliedEntry(this.id, entry),
      },
    }).then((runtime) => {
      if (incarnation !== this.incarnation) return;
      this.runtime = runtime;
      runtime.start();
    });
  }

  /** Power off: nothing more of this incarnation runs, and what was not fsynced is gone. */
  crash(): void {
    this.incarnation++;
    this.up = false;
    this.runtime = null;
    this.scheduler = null;
    this.transport?.close();
    this.transport = null;
    this.held = [];
    this.stalledUntilTick = 0;
    this.disk.crash();
  }

  deliver(message: Message): void {
    this.arrive({ kind: 'message', message });
  }

  /** The transport saw `peer` go: its channel closed and could not be reopened. */
  peerGone(peer: NodeId): void {
    this.arrive({ kind: 'peer-gone', peer });
  }

  request(op: ClientOp, reply: (reply: ClientReply) => void): void {
    if (!this.up) return reply({ type: 'fail' }); // connection refused: nothing happened
    this.arrive({ kind: 'request', op, reply });
  }

  /** The loop stops running for `ticks` ticks. */
  stall(ticks: number): void {
    this.stalledUntilTick = Math.max(this.stalledUntilTick, this.env.nowTick() + ticks);
  }

  /** One tick of this node: its fsyncs, what arrived, its timers and its deferred turns. */
  async turn(): Promise<void> {
    const scheduler = this.scheduler;
    if (!scheduler || this.env.nowTick() < this.stalledUntilTick) return;
    for (const arrival of this.held.splice(0)) this.handle(arrival);
    const settled = await this.disk.flushDue();
    const ahead = this.disk.storeAheadOfLog();
    if (ahead) this.env.invariants.violation(`durability: ${this.id} ${ahead} (tick ${this.env.nowTick()})`);
    if (scheduler === this.scheduler) await scheduler.run(settled || this.answersPending);
    this.answersPending = false;
  }

  private arrive(arrival: Arrival): void {
    if (!this.up) return;
    if (this.env.nowTick() < this.stalledUntilTick) {
      if (this.held.length < MAX_HELD_ARRIVALS) this.held.push(arrival);
      else if (arrival.kind === 'request') arrival.reply({ type: 'fail' });
      return;
    }
    this.handle(arrival);
  }

  private handle(arrival: Arrival): void {
    const transport = this.transport;
    switch (arrival.kind) {
      case 'message':
        transport?.deliver([arrival.message]);
        return;
      case 'peer-gone':
        transport?.reportPeerGone(arrival.peer);
        return;
      case 'request': {
        const runtime = this.runtime;
        if (!runtime) return arrival.reply({ type: 'fail' }); // still starting: refused, nothing happened
        const { op, reply } = arrival;
        void runtime.submitOne(this.toRequest(op)).then((answer) => reply(toReply(op, answer)));
        this.answersPending = true;
        return;
      }
    }
  }

  private toRequest(op: ClientOp): ClientRequest {
    const options = { mode: this.env.mode };
    switch (op.f) {
      case 'read':
        return { kind: 'get', key: op.key, consistency: this.env.leaseReads ? 'lease' : 'linearizable' };
      case 'write':
        return { kind: 'put', key: op.key, value: op.value, options };
      case 'delete':
        return { kind: 'delete', key: op.key, options };
      case 'cas':
        return { kind: 'cas', key: op.key, expected: op.expected, next: op.next, options };
    }
  }
}

/** What the client saw: done, certainly not done, or unknown (Jepsen's ok / fail / info). */
function toReply(op: ClientOp, answer: ClientAnswer): ClientReply {
  if (answer.ok) return 'found' in answer ? { type: 'ok', value: answer.found ? answer.value : null } : { type: 'ok' };
  switch (answer.error.code) {
    case 'unknown-outcome':
      return { type: 'info' };
    case 'timeout':
      // A write that timed out may still commit; a read that did not answer changed nothing.
      return op.f === 'read' ? { type: 'fail' } : { type: 'info' };
    case 'not-leader':
      return { type: 'fail', leaderId: answer.error.leaderId ?? null };
    default:
      return { type: 'fail' };
  }
}
