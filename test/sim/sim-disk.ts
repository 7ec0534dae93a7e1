// A node's disk in the simulator, with the write-back cache of a real one.
// Every write (a log persist, a state machine batch, a snapshot import) is a
// commit, visible at once and flushed a seeded number of ticks later, as
// lmdb-js flushes after each commit; a flush makes that commit and every one
// before it durable. A persist resolves at its flush. A crash loses every
// commit not yet durable, the log's and the state machine's alike, so a
// runtime that lets its state machine get ahead of its own log on disk is
// caught (storeAheadOfLog).

import type { Membership } from '../../src/core/index.js';
import type { KvMutation } from '../../src/kv/index.js';
import { MemoryKvStore } from '../../src/storage/memory-kv.js';
import { MemoryNodeStorage } from '../../src/storage/memory-storage.js';
import type { KvStore, LoadedState, NodeStorage, PersistBatch } from '../../src/storage/types.js';

type Commit = { readonly flushAtTick: number } & (
  | { readonly kind: 'persist'; readonly batch: PersistBatch; readonly durable: () => void }
  | { readonly kind: 'kv-batch'; readonly mutations: readonly KvMutation[]; readonly appliedIndex: number }
  | { readonly kind: 'kv-image'; readonly image: Uint8Array; readonly appliedIndex: number }
);

export class SimDisk {
  private readonly durableLog = new MemoryNodeStorage();
  private durableKv = new MemoryKvStore();
  private pending: Commit[] = [];
  /** The highest log index the durable log holds (or its snapshot covers), as far as the persists said. */
  private durableLogEnd = 0;
  /** Bumped by a crash: views of an older incarnation write nothing. */
  private incarnation = 0;

  constructor(
    private readonly nowTick: () => number,
    private readonly drawFsyncTicks: () => number,
  ) {}

  /** The storage and the state machine store one incarnation of the node runs on. */
  open(): { storage: NodeStorage; kv: KvStore } {
    const incarnation = this.incarnation;
    const live = cloneKv(this.durableKv);
    const current = (): boolean => incarnation === this.incarnation;
    const storage: NodeStorage = {
      persist: (batch: PersistBatch): Promise<void> => {
        if (!current()) return new Promise(() => undefined);
        return new Promise((resolve) => {
          this.pending.push({ kind: 'persist', batch, durable: resolve, flushAtTick: this.flushTick() });
        });
      },
      load: (bootstrap: Membership): Promise<LoadedState> => this.durableLog.load(bootstrap),
      close: async () => undefined,
    };
    const kv: KvStore = {
      get: (key) => live.get(key),
      appliedIndex: () => live.appliedIndex(),
      exportImage: () => live.exportImage(),
      entries: (prefix, limit) => live.entries(prefix, limit),
      close: async () => undefined,
      // The commit takes its place in the disk's order when it is called, as an LMDB transaction does.
      applyBatch: (mutations, appliedIndex) => {
        if (current()) this.pending.push({ kind: 'kv-batch', mutations, appliedIndex, flushAtTick: this.flushTick() });
        return live.applyBatch(mutations, appliedIndex);
      },
      importImage: (image, appliedIndex) => {
        if (current()) this.pending.push({ kind: 'kv-image', image, appliedIndex, flushAtTick: this.flushTick() });
        return live.importImage(image, appliedIndex);
      },
    };
    return { storage, kv };
  }

  /**
   * Flushes due by now: the last commit whose flush is due, and every commit before it, become
   * durable; the persists among them resolve. True when a persist resolved (its waiter continues at
   * the next microtask drain).
   */
  async flushDue(): Promise<boolean> {
    const now = this.nowTick();
    let through = -1;
    for (let i = 0; i < this.pending.length; i++) if ((this.pending[i] as Commit).flushAtTick <= now) through = i;
    if (through < 0) return false;
    const commits = this.pending.splice(0, through + 1);
    let resolved = false;
    for (const commit of commits) {
      if (commit.kind === 'persist') {
        await this.durableLog.persist(commit.batch);
        this.durableLogEnd = logEndAfter(this.durableLogEnd, commit.batch);
        commit.durable();
        resolved = true;
      } else if (commit.kind === 'kv-batch') {
        await this.durableKv.applyBatch(commit.mutations, commit.appliedIndex);
      } else {
        await this.durableKv.importImage(commit.image, commit.appliedIndex);
      }
    }
    return resolved;
  }

  /**
   * The runtime's rule that the state machine is never ahead of the node's own log on disk: after a
   * crash it resumes from its applied index, and entries it applied that the log lost could be
   * replaced by a new leader. A description of the breach, or null.
   */
  storeAheadOfLog(): string | null {
    const applied = this.durableKv.appliedIndex();
    return applied > this.durableLogEnd ? `its state machine durably applied index ${applied} with only ${this.durableLogEnd} in its log on disk` : null;
  }

  /** Power lost: what was not fsynced is gone, and the old incarnation's views write nothing more. */
  crash(): void {
    this.pending = [];
    this.incarnation++;
  }

  private flushTick(): number {
    return this.nowTick() + this.drawFsyncTicks();
  }

  /** Inspection for tests: the log indexes durably stored. */
  durableEntryIndexes(): number[] {
    return this.durableLog.storedEntryIndexes();
  }
}

function cloneKv(source: MemoryKvStore): MemoryKvStore {
  const copy = new MemoryKvStore();
  void copy.importImage(source.exportImage(), source.appliedIndex());
  return copy;
}

/** Where the log ends after a persist: its last entry, or at least the snapshot it installed. */
function logEndAfter(end: number, batch: PersistBatch): number {
  const last = batch.entries[batch.entries.length - 1];
  const afterEntries = last ? last.index : end;
  return batch.snapshot ? Math.max(afterEntries, batch.snapshot.meta.index) : afterEntries;
}
