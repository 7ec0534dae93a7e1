// Which membership is in force, from the config entries in the log. A config
// takes effect as soon as it is appended (thesis §4.1), so truncating it away
// reverts to the one before; the membership before any config still in the
// log comes from the snapshot, or the bootstrap.

import { assert } from '../ground/assert.js';
import type { Entry, Membership } from './types.js';

export class MembershipLog {
  /** Indexes of config entries in the log, ascending. */
  private configIndexes: number[];
  private current: Membership;

  constructor(
    /** In force before any config entry still in the log. */
    private base: Membership,
    configIndexes: readonly number[],
    lastIndex: number,
    private readonly entryAt: (index: number) => Entry | undefined,
  ) {
    this.configIndexes = [...configIndexes];
    this.current = this.at(lastIndex);
    assert(this.current.voters.length > 0, 'a membership needs at least one voter');
  }

  /** The membership in force after the last entry. */
  get inForce(): Membership {
    return this.current;
  }

  /** The membership in force after the entry at `index`. */
  at(index: number): Membership {
    for (let i = this.configIndexes.length - 1; i >= 0; i--) {
      const configIndex = this.configIndexes[i];
      assert(configIndex !== undefined, `config index ${i} of ${this.configIndexes.length}`);
      if (configIndex > index) continue;
      const membership = this.entryAt(configIndex)?.membership;
      assert(membership, `the config entry at ${configIndex} holds a membership`);
      return membership;
    }
    return this.base;
  }

  /** An entry was appended; true when it changed the membership in force. */
  appended(entry: Entry): boolean {
    if (entry.kind !== 'config') return false;
    assert(entry.membership, `config entry ${entry.index} without membership`);
    this.configIndexes.push(entry.index);
    this.current = entry.membership;
    return true;
  }

  /** Entries from `index` on were removed (the log now ends at `lastIndex`); true when a config went with them. */
  truncatedFrom(index: number, lastIndex: number): boolean {
    const before = this.configIndexes.length;
    while ((this.configIndexes.at(-1) ?? -1) >= index) this.configIndexes.pop();
    if (this.configIndexes.length === before) return false;
    this.current = this.at(lastIndex);
    return true;
  }

  /** The log was compacted through `index`: configs up to it live on in the snapshot's membership. */
  compactedTo(index: number): void {
    this.base = this.at(index);
    this.configIndexes = this.configIndexes.filter((configIndex) => configIndex > index);
  }

  /** A snapshot replaced the whole log. */
  restored(membership: Membership): void {
    this.base = membership;
    this.configIndexes = [];
    this.current = membership;
  }

  /** A config entry not yet committed: a change is in progress (one at a time). */
  hasUncommittedChange(commitIndex: number): boolean {
    const last = this.configIndexes.at(-1);
    return last !== undefined && last > commitIndex;
  }
}
