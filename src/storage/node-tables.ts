// What the shared persist/load logic needs from a backend, inside one write
// transaction and synchronously: a log of sealed records keyed by entry index,
// and a few named single records. Memory and LMDB implement it, so both run the
// same persist and repair rules.

/** The single records besides the log; `snapshot-position` duplicates the snapshot's index and term in a few bytes. */
export type RecordName = 'hard-state' | 'bootstrap' | 'snapshot' | 'snapshot-position';

export interface NodeTables {
  lastLogIndex(): number | undefined;
  logRecord(index: number): Uint8Array | undefined;
  /** Stored records with key >= index, ascending by key. */
  logRecordsFrom(index: number): Iterable<readonly [number, Uint8Array]>;
  /** Only ever called with index === lastLogIndex() + 1, or on an empty log. */
  putLogRecord(index: number, record: Uint8Array): void;
  /** Deletes records with key >= index; returns how many. */
  deleteLogFrom(index: number): number;
  /** Deletes records with key <= index; returns how many. */
  deleteLogThrough(index: number): number;
  getRecord(name: RecordName): Uint8Array | undefined;
  putRecord(name: RecordName, record: Uint8Array): void;
}
