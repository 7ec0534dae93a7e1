// Wraps any Transport with network faults that can be changed while it runs:
// loss, delay with jitter (which reorders), duplication and partitions. Used by
// tests and by the dev dashboard's chaos buttons. All randomness comes from a
// seed, so a failing run can be replayed.

import { assert } from '../ground/assert.js';
import type { Message, NodeId } from '../core/types.js';
import { createSeededRandom, type RandomSource } from './seeded-random.js';
import type { PeerGoneHandler, ReceiveHandler, Transport, TransportStats } from './types.js';

/** Delayed messages held at once; beyond it new delayed messages are dropped, so chaos cannot exhaust memory. */
export const MAX_DELAYED_MESSAGES = 10_000;

export interface NetworkFaults {
  /** Probability that a sent message is lost, 0..1. */
  readonly dropRate: number;
  /** Added to every sent message. */
  readonly delayMs: number;
  /** Extra delay, uniform in 0..jitterMs per message; messages to one peer can then arrive out of order. */
  readonly jitterMs: number;
  /** Probability that a sent message is delivered twice, 0..1. */
  readonly duplicateRate: number;
}

export const NO_FAULTS: NetworkFaults = Object.freeze({ dropRate: 0, delayMs: 0, jitterMs: 0, duplicateRate: 0 });

export interface FaultStats {
  readonly droppedByChance: number;
  /** Dropped on the way out or in because a peer was partitioned away (including delayed messages cut by a later partition). */
  readonly droppedByPartition: number;
  /** Dropped because MAX_DELAYED_MESSAGES were already held, or held when the transport closed. */
  readonly droppedDelayed: number;
  readonly duplicated: number;
  /** Delayed messages held right now. */
  readonly delayedNow: number;
}

export interface FaultyTransportOptions {
  readonly seed: number;
  readonly faults?: Partial<NetworkFaults>;
}

/**
 * Loss, delay and duplication apply on the way out only, so in a cluster where
 * every node is wrapped each message meets them once. Partitions apply both ways,
 * because the blocked peer's own transport may not be wrapped.
 */
export interface FaultyTransport extends Transport {
  /** Crash evidence from the inner transport, except about a peer partitioned away. */
  onPeerGone(handler: PeerGoneHandler): void;
  /** Changes only the faults given; the others keep their current values. */
  setFaults(faults: Partial<NetworkFaults>): void;
  faults(): NetworkFaults;
  /** Drops everything to and from these peers, until `heal`; replaces any earlier partition. */
  partition(blocked: Iterable<NodeId>): void;
  heal(): void;
  blockedPeers(): readonly NodeId[];
  faultStats(): FaultStats;
}

function isProbability(value: number): boolean {
  return value >= 0 && value <= 1;
}

function isDuration(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}

export function createFaultyTransport(inner: Transport, options: FaultyTransportOptions): FaultyTransport {
  // One stream per kind of fault, so the drop pattern for a seed does not
  // change when, say, jitter is turned on.
  const dropRandom: RandomSource = createSeededRandom(options.seed);
  const duplicateRandom: RandomSource = createSeededRandom(options.seed ^ 0x5bd1e995);
  const jitterRandom: RandomSource = createSeededRandom(options.seed ^ 0x27d4eb2f);

  let faults: NetworkFaults = NO_FAULTS;
  let blocked = new Set<NodeId>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let delayedNow = 0;
  let closed = false;
  let droppedByChance = 0;
  let droppedByPartition = 0;
  let droppedDelayed = 0;
  let duplicated = 0;

  function setFaults(changes: Partial<NetworkFaults>): void {
    const next: NetworkFaults = { ...faults, ...changes };
    assert(isProbability(next.dropRate), `dropRate is within 0..1, got ${next.dropRate}`);
    assert(isProbability(next.duplicateRate), `duplicateRate is within 0..1, got ${next.duplicateRate}`);
    assert(isDuration(next.delayMs), `delayMs is a finite non-negative number, got ${next.delayMs}`);
    assert(isDuration(next.jitterMs), `jitterMs is a finite non-negative number, got ${next.jitterMs}`);
    faults = Object.freeze(next);
  }

  function deliverLater(delayMs: number, messages: Message[]): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      delayedNow -= messages.length;
      // A partition that started while the messages were in the air cuts them too.
      const survivors = messages.filter((message) => !blocked.has(message.to));
      droppedByPartition += messages.length - survivors.length;
      if (survivors.length > 0) inner.send(survivors);
    }, delayMs);
    // A delayed message must not keep a finished worker alive; losing it is a fault like any other.
    timer.unref();
    timers.add(timer);
    delayedNow += messages.length;
  }

  function delayFor(): number {
    const jitterMs = faults.jitterMs > 0 ? Math.floor(jitterRandom() * (faults.jitterMs + 1)) : 0;
    return faults.delayMs + jitterMs;
  }

  function send(messages: readonly Message[]): void {
    if (closed) {
      inner.send(messages); // the inner transport counts them as dropped
      return;
    }
    const now: Message[] = [];
    // Grouped by delay so messages that share one keep sharing a frame.
    const later = new Map<number, Message[]>();
    let heldLater = 0;
    const route = (message: Message): void => {
      const delayMs = delayFor();
      if (delayMs === 0) {
        now.push(message);
        return;
      }
      if (delayedNow + heldLater >= MAX_DELAYED_MESSAGES) {
        droppedDelayed += 1;
        return;
      }
      heldLater += 1;
      const group = later.get(delayMs);
      if (group === undefined) later.set(delayMs, [message]);
      else group.push(message);
    };
    for (const message of messages) {
      if (blocked.has(message.to)) {
        droppedByPartition += 1;
        continue;
      }
      if (faults.dropRate > 0 && dropRandom() < faults.dropRate) {
        droppedByChance += 1;
        continue;
      }
      route(message);
      if (faults.duplicateRate > 0 && duplicateRandom() < faults.duplicateRate) {
        duplicated += 1;
        route(message);
      }
    }
    if (now.length > 0) inner.send(now);
    for (const [delayMs, group] of later) deliverLater(delayMs, group);
  }

  function onReceive(handler: ReceiveHandler): void {
    inner.onReceive((messages) => {
      if (blocked.size === 0) {
        handler(messages);
        return;
      }
      const survivors = messages.filter((message) => !blocked.has(message.from));
      droppedByPartition += messages.length - survivors.length;
      if (survivors.length > 0) handler(survivors);
    });
  }

  /** A partitioned peer's crash is not seen: across a real partition no socket closes either. */
  function onPeerGone(handler: PeerGoneHandler): void {
    inner.onPeerGone?.((peer) => {
      if (!blocked.has(peer)) handler(peer);
    });
  }

  function close(): void {
    if (closed) return;
    closed = true;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    droppedDelayed += delayedNow;
    delayedNow = 0;
    inner.close();
  }

  function stats(): TransportStats {
    const innerStats = inner.stats();
    return {
      ...innerStats,
      droppedMessages: innerStats.droppedMessages + droppedByChance + droppedByPartition + droppedDelayed,
    };
  }

  if (options.faults !== undefined) setFaults(options.faults);

  return {
    send,
    onReceive,
    onPeerGone,
    get peers() {
      return inner.peers;
    },
    close,
    stats,
    setFaults,
    faults: () => faults,
    partition(peers: Iterable<NodeId>) {
      blocked = new Set(peers);
    },
    heal() {
      blocked = new Set();
    },
    blockedPeers: () => [...blocked],
    faultStats: () => ({ droppedByChance, droppedByPartition, droppedDelayed, duplicated, delayedNow }),
  };
}
