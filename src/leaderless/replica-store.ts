// A node's replicas of the keys it holds, primary or fallback. The core keeps
// them in memory through this interface and reports every change as a
// `store` write to persist; a runtime backs it with LMDB and fills it at
// start from what it persisted. Nothing is removed in this step: tombstones
// stay (reaping needs every replica to hold them, not built yet), and a
// fallback keeps what it held after handing it off, because the node stamps
// new dots on top of its own replica and must never number an event twice.

import type { KeyClock } from './types.js';

export interface ReplicaStore {
  get(key: string): KeyClock | undefined;
  set(key: string, clock: KeyClock): void;
  keys(): IterableIterator<string>;
  readonly size: number;
}

export class MemoryReplicaStore implements ReplicaStore {
  private readonly clocks = new Map<string, KeyClock>();

  constructor(entries: Iterable<readonly [string, KeyClock]> = []) {
    for (const [key, clock] of entries) this.clocks.set(key, clock);
  }

  get(key: string): KeyClock | undefined {
    return this.clocks.get(key);
  }

  set(key: string, clock: KeyClock): void {
    this.clocks.set(key, clock);
  }

  keys(): IterableIterator<string> {
    return this.clocks.keys();
  }

  get size(): number {
    return this.clocks.size;
  }
}
