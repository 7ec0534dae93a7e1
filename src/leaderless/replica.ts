// The replica side of a leaderless node: it holds its replicas of keys
// (primary or fallback) and its hints, stamps writes with its own dots,
// merges what coordinators, repairs and handoffs bring, and hands hinted
// writes on. The coordinator side (src/leaderless/leaderless-core.ts) sends
// it messages like any peer; what it does leaves through `ReplicaEffects`.

import { assert } from '../ground/assert.js';
import * as dvv from '../convergence/dvv-set.js';
import * as tombstones from '../convergence/dvv-tombstones.js';
import type { Dot } from '../convergence/dots.js';
import { emptyClock, hasSeenAll, mergeClocks, newestDotOf, sameClock } from './clocks.js';
import { HintQueues, type Hint } from './hints.js';
import type {
  HandoffAckMessage,
  HandoffMessage,
  LeaderlessMessage,
  ReadMessage,
  ReplicateMessage,
  RepairMessage,
  RequestRef,
  StampedMessage,
  StampMessage,
} from './messages.js';
import type { PersistWrite, Stamp } from './output.js';
import type { LeaderlessPlantedBug } from './planted-bugs.js';
import { MemoryReplicaStore, type ReplicaStore } from './replica-store.js';
import type { KeyClock, NodeId } from './types.js';

/** Stamp requests remembered to answer a duplicate with the first dot instead of stamping the write twice. */
export const MAX_REMEMBERED_STAMPS = 4096;

export interface ReplicaEffects {
  send(message: LeaderlessMessage): void;
  persist(write: PersistWrite): void;
  stamped(stamp: Stamp): void;
  isDown(peer: NodeId): boolean;
  nowTick(): number;
}

export interface ReplicaOptions {
  readonly id: NodeId;
  readonly bugs: ReadonlySet<LeaderlessPlantedBug>;
  readonly maxHintsPerTarget: number | undefined;
  readonly clocks: Iterable<readonly [string, KeyClock]>;
  readonly hints: Iterable<Hint>;
}

export class Replica {
  private readonly id: NodeId;
  private readonly bugs: ReadonlySet<LeaderlessPlantedBug>;
  private readonly store: ReplicaStore;
  private readonly hints: HintQueues;
  private readonly rememberedStamps = new Map<string, Dot>();

  constructor(
    options: ReplicaOptions,
    private readonly effects: ReplicaEffects,
  ) {
    this.id = options.id;
    this.bugs = options.bugs;
    this.store = new MemoryReplicaStore(options.clocks);
    this.hints = new HintQueues(options.maxHintsPerTarget, options.hints);
  }

  get(key: string): KeyClock | undefined {
    return this.store.get(key);
  }

  keys(): string[] {
    return [...this.store.keys()].sort();
  }

  hintCount(target?: NodeId): number {
    return target === undefined ? this.hints.total() : this.hints.count(target);
  }

  // ---- messages from coordinators and peers ----

  onStamp(message: StampMessage): void {
    const ref = refKey(message);
    const remembered = this.rememberedStamps.get(ref);
    // A duplicate of a stamp already given: answer with the first dot, never stamp the write twice.
    if (remembered !== undefined) return this.replyStamped(message, { ok: true, clock: this.store.get(message.key) as KeyClock, dot: remembered });
    if (!this.canTakeHint(message.hintFor, message.key)) return this.replyStamped(message, { ok: false, error: 'hints-full' });
    const local = this.bugs.has('stamp-ignores-replica') ? emptyClock() : (this.store.get(message.key) ?? emptyClock());
    const result = message.write.deleted
      ? tombstones.remove(local, message.context, this.id)
      : tombstones.put(local, message.context, message.write.value, this.id);
    if (!result.ok) return this.replyStamped(message, { ok: false, error: 'too-many-siblings' });
    const dot = newestDotOf(result.clock, this.id);
    this.mergeIntoStore(message.key, result.clock);
    this.takeHint(message.hintFor, message.key);
    this.rememberStamp(ref, dot);
    this.effects.stamped({ coordinator: message.coordinator, incarnation: message.incarnation, requestId: message.requestId, key: message.key, dot });
    this.replyStamped(message, { ok: true, clock: result.clock, dot });
  }

  onReplicate(message: ReplicateMessage): void {
    dvv.assertDvvSet(message.clock);
    const ok = this.canTakeHint(message.hintFor, message.key);
    if (ok) {
      this.mergeIntoStore(message.key, message.clock);
      this.takeHint(message.hintFor, message.key);
    }
    this.effects.send({ type: 'replicated', ...this.replyEnvelope(message), key: message.key, ok });
  }

  onRead(message: ReadMessage): void {
    this.effects.send({ type: 'read-reply', ...this.replyEnvelope(message), key: message.key, clock: this.store.get(message.key) ?? null });
  }

  onRepair(message: RepairMessage): void {
    dvv.assertDvvSet(message.clock);
    this.mergeIntoStore(message.key, message.clock);
  }

  onHandoff(message: HandoffMessage): void {
    dvv.assertDvvSet(message.clock);
    const merged = this.mergeIntoStore(message.key, message.clock);
    this.effects.send({ type: 'handoff-ack', from: this.id, to: message.from, key: message.key, context: dvv.join(merged) });
  }

  onHandoffAck(message: HandoffAckMessage): void {
    const local = this.store.get(message.key);
    // A write that joined the hint after the handoff left is not covered yet: keep the hint for the next round.
    if (local === undefined || !hasSeenAll(message.context, local)) return;
    if (this.hints.remove(message.from, message.key)) this.persistHint('hint-removed', message.from, message.key);
  }

  // ---- hints ----

  /** The target is back: hand off everything owed to it now. */
  targetReturned(target: NodeId): void {
    this.hints.makeDue(target);
    this.deliverHints(target);
  }

  deliverAllHints(): void {
    for (const target of this.hints.targets()) this.deliverHints(target);
  }

  private deliverHints(target: NodeId): void {
    if (this.effects.isDown(target)) return;
    for (const key of this.hints.takeDue(target, this.effects.nowTick())) {
      const clock = this.store.get(key);
      assert(clock !== undefined, `a hint for ${key} without a replica of it`);
      this.effects.send({ type: 'handoff', from: this.id, to: target, key, clock });
    }
  }

  private canTakeHint(hintFor: NodeId | null, key: string): boolean {
    return hintFor === null || this.bugs.has('no-hint') || this.hints.canAccept(hintFor, key);
  }

  private takeHint(hintFor: NodeId | null, key: string): void {
    if (hintFor === null || this.bugs.has('no-hint')) return;
    if (this.hints.add(hintFor, key)) this.persistHint('hint-added', hintFor, key);
    this.deliverHints(hintFor);
  }

  private persistHint(kind: 'hint-added' | 'hint-removed', target: NodeId, key: string): void {
    if (!this.bugs.has('volatile-hints')) this.effects.persist({ kind, target, key });
  }

  // ---- local state ----

  private mergeIntoStore(key: string, clock: KeyClock): KeyClock {
    const local = this.store.get(key);
    const merged = local === undefined ? clock : mergeClocks(local, clock, this.bugs);
    if (local === undefined || !sameClock(local, merged)) {
      this.store.set(key, merged);
      this.effects.persist({ kind: 'store', key, clock: merged });
    }
    return merged;
  }

  private rememberStamp(ref: string, dot: Dot): void {
    this.rememberedStamps.set(ref, dot);
    if (this.rememberedStamps.size > MAX_REMEMBERED_STAMPS) {
      const oldest = this.rememberedStamps.keys().next().value as string;
      this.rememberedStamps.delete(oldest);
    }
  }

  private replyStamped(message: StampMessage, outcome: StampedMessage['outcome']): void {
    this.effects.send({ type: 'stamped', ...this.replyEnvelope(message), key: message.key, outcome });
  }

  private replyEnvelope(message: RequestRef & { readonly from: NodeId }): { from: NodeId; to: NodeId } & RequestRef {
    return { from: this.id, to: message.from, coordinator: message.coordinator, incarnation: message.incarnation, requestId: message.requestId };
  }
}

function refKey(ref: RequestRef): string {
  return `${ref.coordinator}/${ref.incarnation}/${ref.requestId}`;
}
