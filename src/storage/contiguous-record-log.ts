// An in-memory log of sealed records with no gaps: records for firstIndex,
// firstIndex + 1, ... The persist rules never create a gap, so an array with a
// base index is enough, and index lookups are O(1).

import { assert } from '../ground/assert.js';

export class ContiguousRecordLog {
  private firstIndex = 0;
  private records: Uint8Array[] = [];

  lastIndex(): number | undefined {
    return this.records.length === 0 ? undefined : this.firstIndex + this.records.length - 1;
  }

  get(index: number): Uint8Array | undefined {
    return this.records[index - this.firstIndex];
  }

  *from(index: number): Generator<readonly [number, Uint8Array]> {
    for (let position = Math.max(0, index - this.firstIndex); position < this.records.length; position++) {
      yield [this.firstIndex + position, this.records[position]!];
    }
  }

  append(index: number, record: Uint8Array): void {
    if (this.records.length === 0) this.firstIndex = index;
    assert(index === this.firstIndex + this.records.length, `append at ${index} would leave a gap in the log`);
    this.records.push(record);
  }

  /** Overwrites a stored record in place (fault injection only). */
  replace(index: number, record: Uint8Array): void {
    assert(this.get(index) !== undefined, `no stored record at ${index}`);
    this.records[index - this.firstIndex] = record;
  }

  /** Deletes records >= index; returns how many. */
  deleteFrom(index: number): number {
    const keep = Math.max(0, index - this.firstIndex);
    const dropped = Math.max(0, this.records.length - keep);
    this.records.length = Math.min(this.records.length, keep);
    return dropped;
  }

  /** Deletes records <= index; returns how many. */
  deleteThrough(index: number): number {
    const dropped = Math.min(this.records.length, Math.max(0, index - this.firstIndex + 1));
    this.records.splice(0, dropped);
    this.firstIndex += dropped;
    return dropped;
  }
}
