// The persist rules, shared by every backend so the simulator's memory storage
// and the LMDB storage cannot drift apart.

import { assert } from '../ground/assert.js';
import type { HardState } from '../core/types.js';
import { encodeEntryRecord, peekEntryTerm } from './entry-record.js';
import type { NodeTables } from './node-tables.js';
import { isIndex } from './record-shapes.js';
import { encodeHardStateRecord, encodeSnapshotPositionRecord, encodeSnapshotRecord, type SnapshotPosition } from './state-records.js';
import { readHardState, readSnapshotPosition } from './stored-records.js';
import type { PersistBatch } from './types.js';

interface PreparedEntry {
  readonly index: number;
  readonly term: number;
  readonly record: Uint8Array;
}

/** A batch checked on its own and encoded: the records to write, plus what the in-transaction checks need. */
export interface PreparedBatch {
  readonly hardState?: { readonly value: HardState; readonly record: Uint8Array };
  readonly snapshot?: {
    readonly position: SnapshotPosition;
    readonly record: Uint8Array;
    readonly positionRecord: Uint8Array;
  };
  readonly entries: readonly PreparedEntry[];
  readonly compactThrough?: number;
}

/**
 * Checks what can be checked without the stored state and encodes every
 * record. Runs before the write transaction so the write lock covers only the
 * writes, and so encoding copies the caller's data: nothing the caller mutates
 * later can reach what is on disk.
 */
export function prepareBatch(batch: PersistBatch): PreparedBatch {
  const entries: PreparedEntry[] = [];
  let previous: PreparedEntry | undefined;
  for (const entry of batch.entries) {
    assert(isIndex(entry.index) && entry.index >= 1, `entry index ${entry.index} is not a positive integer`);
    assert(isIndex(entry.term), `entry ${entry.index} has term ${entry.term}, not a non-negative integer`);
    if (previous) {
      assert(entry.index === previous.index + 1, `batch entries jump from ${previous.index} to ${entry.index}`);
      assert(entry.term >= previous.term, `batch entry ${entry.index} lowers the term to ${entry.term}`);
    }
    previous = { index: entry.index, term: entry.term, record: encodeEntryRecord(entry) };
    entries.push(previous);
  }
  assert(batch.compactThrough === undefined || isIndex(batch.compactThrough), `compactThrough ${batch.compactThrough} is not a non-negative integer`);
  const { hardState, snapshot } = batch;
  return {
    ...(hardState ? { hardState: { value: hardState, record: encodeHardStateRecord(hardState) } } : {}),
    ...(snapshot
      ? {
          snapshot: {
            position: { index: snapshot.meta.index, term: snapshot.meta.term },
            record: encodeSnapshotRecord(snapshot),
            positionRecord: encodeSnapshotPositionRecord(snapshot.meta),
          },
        }
      : {}),
    entries,
    ...(batch.compactThrough !== undefined ? { compactThrough: batch.compactThrough } : {}),
  };
}

/** The term of the stored log entry at `index`; undefined if absent or unreadable (load deals with the latter). */
function logTermAt(tables: NodeTables, index: number): number | undefined {
  const record = tables.logRecord(index);
  return record === undefined ? undefined : peekEntryTerm(record);
}

/**
 * Applies a prepared batch inside one write transaction. All reads and checks
 * come before the first write: an lmdb-js transaction commits whatever its
 * callback wrote even if the callback then throws, so a failed invariant must
 * find nothing half-written.
 */
export function writeBatch(tables: NodeTables, batch: PreparedBatch): void {
  const storedSnapshot = readSnapshotPosition(tables);
  const incoming = batch.snapshot?.position;
  // Raft §7: a snapshot whose last entry the log holds (same index and term)
  // leaves the entries after it in place; any other snapshot replaces the log.
  let keepLog = true;
  if (incoming) {
    assert(
      storedSnapshot === null || incoming.index >= storedSnapshot.index,
      `snapshot at ${incoming.index} is older than the stored one at ${storedSnapshot?.index}`,
    );
    const knownTerm = logTermAt(tables, incoming.index) ?? (storedSnapshot?.index === incoming.index ? storedSnapshot.term : undefined);
    keepLog = knownTerm === incoming.term;
  }
  const snapshot = incoming ?? storedSnapshot;
  const snapshotIndex = snapshot?.index ?? 0;
  const logLast = keepLog ? (tables.lastLogIndex() ?? 0) : 0;

  const first = batch.entries[0];
  const last = batch.entries[batch.entries.length - 1];
  if (first) {
    const end = Math.max(logLast, snapshotIndex);
    assert(first.index <= end + 1, `entries start at ${first.index}, leaving a gap after ${end}`);
    const previousIndex = first.index - 1;
    const previousTerm = previousIndex === 0 ? 0 : snapshot?.index === previousIndex ? snapshot.term : keepLog ? logTermAt(tables, previousIndex) : undefined;
    assert(previousTerm === undefined || previousTerm <= first.term, `entry ${first.index} has term ${first.term}, lower than the ${previousTerm} before it`);
  }
  if (batch.compactThrough !== undefined) {
    assert(batch.compactThrough <= snapshotIndex, `compactThrough ${batch.compactThrough} passes the snapshot at ${snapshotIndex}: entries would be lost`);
  }
  const lastIndex = Math.max(last ? last.index : logLast, snapshotIndex);
  const commit = (batch.hardState?.value ?? readHardState(tables)).commit;
  assert(commit <= lastIndex, `commit ${commit} is beyond the last stored index ${lastIndex}`);

  if (batch.hardState) tables.putRecord('hard-state', batch.hardState.record);
  if (batch.snapshot) {
    if (!keepLog) tables.deleteLogFrom(0);
    tables.putRecord('snapshot', batch.snapshot.record);
    tables.putRecord('snapshot-position', batch.snapshot.positionRecord);
  }
  if (first) {
    tables.deleteLogFrom(first.index);
    for (const entry of batch.entries) tables.putLogRecord(entry.index, entry.record);
  }
  if (batch.compactThrough !== undefined) tables.deleteLogThrough(batch.compactThrough);
}
