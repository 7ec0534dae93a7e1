// Reading the log back at startup: every record must pass its checksum, decode
// as the entry its key names, follow the previous index by one, and not lower
// the term. The first record that fails ends the usable log.
//
// A bad record in the middle, with good-looking records after it, also ends
// the log there. What follows a hole cannot be trusted: without the missing
// entry there is no proof the later ones continue the same history (the
// log-matching check needs the entry just before), and keeping them would hand
// the core a log with a gap. The leader re-sends everything after the last
// entry this node still has, so the cut costs replication, not history, as long
// as the rest of the cluster holds those entries. That is why the cut is
// reported: an entry this node acknowledged and then lost may have counted
// towards a commit quorum this node no longer backs.

import type { Entry } from '../core/types.js';
import { decodeEntryRecord } from './entry-record.js';
import type { NodeTables } from './node-tables.js';
import type { SnapshotPosition } from './state-records.js';
import type { TailDamage } from './types.js';

export interface LogScan {
  /** The usable entries after the snapshot, contiguous. */
  readonly entries: readonly Entry[];
  /** Where the usable log ends early, if it does. */
  readonly damage?: { readonly at: number; readonly reason: TailDamage };
}

export function scanLog(tables: NodeTables, snapshot: SnapshotPosition | null): LogScan {
  const entries: Entry[] = [];
  let expectedIndex = (snapshot?.index ?? 0) + 1;
  let previousTerm = snapshot?.term ?? 0;
  for (const [key, record] of tables.logRecordsFrom(expectedIndex)) {
    const entry = decodeEntryRecord(record);
    if (entry === null || entry.index !== key) return { entries, damage: { at: key, reason: 'corrupt' } };
    if (key !== expectedIndex) return { entries, damage: { at: key, reason: 'not-contiguous' } };
    if (entry.term < previousTerm) return { entries, damage: { at: key, reason: 'term-decreased' } };
    entries.push(entry);
    expectedIndex = key + 1;
    previousTerm = entry.term;
  }
  return { entries };
}
