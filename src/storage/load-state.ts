// Rebuilding a node's persisted state at startup, shared by every backend.

import type { HardState, Membership } from '../core/types.js';
import { scanLog } from './log-scan.js';
import type { NodeTables } from './node-tables.js';
import { encodeHardStateRecord, encodeMembershipRecord } from './state-records.js';
import { readBootstrap, readHardState, readSnapshot } from './stored-records.js';
import type { LoadedState, TailRepair } from './types.js';

/**
 * Reads everything, then writes the repairs, inside one write transaction.
 * Throws StorageCorruptionError (before writing anything) when a record other
 * than a log entry is unreadable.
 */
export function loadState(tables: NodeTables, bootstrap: Membership): LoadedState {
  const storedHardState = readHardState(tables);
  const recordedBootstrap = readBootstrap(tables);
  const snapshot = readSnapshot(tables);
  const scan = scanLog(tables, snapshot?.meta ?? null);

  // The bootstrap membership is part of the log's history (the config before
  // entry 1), so the first one given sticks across restarts.
  if (recordedBootstrap === null) tables.putRecord('bootstrap', encodeMembershipRecord(bootstrap));

  let repairedTail: TailRepair | undefined;
  if (scan.damage) {
    const droppedCount = tables.deleteLogFrom(scan.damage.at);
    repairedTail = { droppedFrom: scan.damage.at, droppedCount, reason: scan.damage.reason };
  }
  const lastIndex = scan.entries[scan.entries.length - 1]?.index ?? snapshot?.meta.index ?? 0;
  let hardState: HardState = storedHardState;
  if (storedHardState.commit > lastIndex) {
    // The core must not start with a commit index past its log; the entries
    // are re-sent by the leader and committed again. Records can be missing
    // with none corrupt only if something outside this code deleted them.
    hardState = { ...storedHardState, commit: lastIndex };
    tables.putRecord('hard-state', encodeHardStateRecord(hardState));
    repairedTail = {
      ...(repairedTail ?? { droppedFrom: lastIndex + 1, droppedCount: 0, reason: 'missing' }),
      commitLoweredFrom: storedHardState.commit,
    };
  }
  return {
    hardState,
    snapshot,
    entries: scan.entries,
    bootstrap: recordedBootstrap ?? bootstrap,
    ...(repairedTail ? { repairedTail } : {}),
  };
}
