// Reading the single records back. An unreadable one is not repairable (unlike
// a log tail, nothing re-sends it), so it is reported as corruption.

import type { HardState, Membership, Snapshot } from '../core/types.js';
import type { NodeTables, RecordName } from './node-tables.js';
import { decodeHardStateRecord, decodeMembershipRecord, decodeSnapshotPositionRecord, decodeSnapshotRecord, type SnapshotPosition } from './state-records.js';
import { StorageCorruptionError } from './storage-corruption-error.js';

export const INITIAL_HARD_STATE: HardState = Object.freeze({ term: 0, vote: null, commit: 0 });

function readRecord<T>(tables: NodeTables, name: RecordName, decode: (record: Uint8Array) => T | null): T | null {
  const record = tables.getRecord(name);
  if (record === undefined) return null;
  const value = decode(record);
  if (value === null) throw new StorageCorruptionError(`stored ${name} record is corrupt (checksum or shape)`);
  return value;
}

export function readHardState(tables: NodeTables): HardState {
  return readRecord(tables, 'hard-state', decodeHardStateRecord) ?? INITIAL_HARD_STATE;
}

export function readBootstrap(tables: NodeTables): Membership | null {
  return readRecord(tables, 'bootstrap', decodeMembershipRecord);
}

export function readSnapshot(tables: NodeTables): Snapshot | null {
  return readRecord(tables, 'snapshot', decodeSnapshotRecord);
}

export function readSnapshotPosition(tables: NodeTables): SnapshotPosition | null {
  return readRecord(tables, 'snapshot-position', decodeSnapshotPositionRecord);
}
