// A core's disk for scripted tests, benchmarks of the core and the demo: it
// holds exactly what the loop around the core persisted. A crash keeps this.

import type { Entry, HardState, Membership, PersistedState, Snapshot } from '../../src/core/index.js';
import { assert } from '../../src/core/index.js';

export class CoreDisk {
  hardState: HardState = { term: 0, vote: null, commit: 0 };
  snapshot: Snapshot | null = null;
  private entries: Entry[] = [];

  constructor(private readonly bootstrap: Membership) {}

  /** Ready semantics: a leader's snapshot replaces the log; entries overwrite from their first index. */
  persist(hardState: HardState | undefined, snapshot: Snapshot | undefined, entries: readonly Entry[]): void {
    if (hardState) this.hardState = hardState;
    if (snapshot) {
      this.snapshot = snapshot;
      this.entries = [];
    }
    const first = entries[0];
    if (first) {
      const offset = this.firstIndex();
      assert(first.index >= offset && first.index <= offset + this.entries.length, `disk gap before ${first.index}`);
      this.entries.length = first.index - offset;
      this.entries.push(...entries);
    }
  }

  /** A snapshot taken locally: keep it and drop the entries it covers. */
  compact(snapshot: Snapshot): void {
    const drop = snapshot.meta.index - this.firstIndex() + 1;
    assert(drop >= 0, 'compacting backwards');
    this.entries.splice(0, drop);
    this.snapshot = snapshot;
  }

  load(): PersistedState {
    return { hardState: this.hardState, snapshot: this.snapshot, entries: [...this.entries], bootstrap: this.bootstrap };
  }

  private firstIndex(): number {
    return (this.snapshot?.meta.index ?? 0) + 1;
  }
}
