// NodeStorage in memory, for the deterministic simulator. "On disk" means what
// `persist` was given, as sealed records (the same encoding and checks as
// LMDB): the caller's objects are never stored, so mutating them after a
// persist changes nothing, and a crash keeps exactly what was persisted.
//
// A persist takes effect when it is called (before its promise resolves), as
// if the fsync finished at once. The simulator models a crash before the fsync
// by not calling persist.

import { assert } from '../ground/assert.js';
import type { Membership } from '../core/types.js';
import { ContiguousRecordLog } from './contiguous-record-log.js';
import { loadState } from './load-state.js';
import type { NodeTables, RecordName } from './node-tables.js';
import { prepareBatch, writeBatch } from './persist-batch.js';
import type { LoadedState, NodeStorage, PersistBatch } from './types.js';

export class MemoryNodeStorage implements NodeStorage {
  private readonly log = new ContiguousRecordLog();
  private readonly records = new Map<RecordName, Uint8Array>();
  private closed = false;
  private readonly tables: NodeTables = {
    lastLogIndex: () => this.log.lastIndex(),
    logRecord: (index) => this.log.get(index),
    logRecordsFrom: (index) => this.log.from(index),
    putLogRecord: (index, record) => this.log.append(index, record),
    deleteLogFrom: (index) => this.log.deleteFrom(index),
    deleteLogThrough: (index) => this.log.deleteThrough(index),
    getRecord: (name) => this.records.get(name),
    putRecord: (name, record) => void this.records.set(name, record),
  };

  async persist(batch: PersistBatch): Promise<void> {
    assert(!this.closed, 'persist after close');
    writeBatch(this.tables, prepareBatch(batch));
  }

  /**
   * Also the way to reopen: after a simulated crash (no close) or a clean
   * close, load again and get exactly what was persisted.
   */
  async load(bootstrap: Membership): Promise<LoadedState> {
    this.closed = false;
    return loadState(this.tables, bootstrap);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** The indexes of the entry records held, including any at or before the snapshot (inspection for tests and the simulator). */
  storedEntryIndexes(): number[] {
    return [...this.log.from(0)].map(([index]) => index);
  }

  /**
   * Fault injection: replaces the stored record of entry `index` with `bytes`,
   * or by default flips one bit of it, as bit rot or a torn write would.
   */
  damageEntry(index: number, bytes?: Uint8Array): void {
    const record = this.log.get(index);
    assert(record !== undefined, `no stored entry at ${index} to damage`);
    this.log.replace(index, bytes ? Uint8Array.from(bytes) : withLastBitFlipped(record));
  }
}

function withLastBitFlipped(record: Uint8Array): Uint8Array {
  const damaged = Uint8Array.from(record);
  const last = damaged.length - 1;
  damaged[last] = (damaged[last] ?? 0) ^ 0x01;
  return damaged;
}
