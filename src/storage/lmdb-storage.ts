// NodeStorage on LMDB. A persist is one lmdb-js transaction (one commit, one
// fsync) over the log, meta and snapshots databases, however many entries it
// carries: group commit per loop turn.

import type { Membership } from '../core/types.js';
import type { LmdbNodeDatabases, LmdbNodeEnvironment } from './lmdb-environment.js';
import { loadState } from './load-state.js';
import type { NodeTables, RecordName } from './node-tables.js';
import { prepareBatch, writeBatch } from './persist-batch.js';
import type { LoadedState, NodeStorage, PersistBatch } from './types.js';

export class LmdbNodeStorage implements NodeStorage {
  private readonly databases: LmdbNodeDatabases;
  private readonly tables: NodeTables;

  constructor(private readonly environment: LmdbNodeEnvironment) {
    this.databases = environment.retain();
    this.tables = lmdbTables(this.databases);
  }

  async persist(batch: PersistBatch): Promise<void> {
    const prepared = prepareBatch(batch);
    const { root } = this.databases;
    await root.transaction(() => writeBatch(this.tables, prepared));
    // `transaction` resolves at commit; this is what waits for the fsync.
    await root.flushed;
  }

  async load(bootstrap: Membership): Promise<LoadedState> {
    const { root } = this.databases;
    // A write transaction: the repairs load decides on commit with the reads they are based on.
    const state = await root.transaction(() => loadState(this.tables, bootstrap));
    await root.flushed;
    return state;
  }

  async close(): Promise<void> {
    await this.environment.release();
  }
}

function lmdbTables({ log, meta, snapshots }: LmdbNodeDatabases): NodeTables {
  const place = (name: RecordName) => {
    switch (name) {
      case 'hard-state':
      case 'bootstrap':
        return { db: meta, key: name };
      case 'snapshot':
        return { db: snapshots, key: 'latest' };
      case 'snapshot-position':
        return { db: snapshots, key: 'position' };
    }
  };
  const removeAll = (keys: Iterable<number>): number => {
    // Collect first: deleting under a live cursor is not something to rely on.
    const doomed = [...keys];
    for (const key of doomed) log.removeSync(key);
    return doomed.length;
  };
  return {
    lastLogIndex: () => {
      for (const key of log.getKeys({ reverse: true, limit: 1 })) return key;
      return undefined;
    },
    logRecord: (index) => log.get(index),
    logRecordsFrom: (index) => log.getRange({ start: index }).map(({ key, value }) => [key, value] as const),
    putLogRecord: (index, record) => void log.putSync(index, record),
    deleteLogFrom: (index) => removeAll(log.getKeys({ start: index })),
    deleteLogThrough: (index) => removeAll(log.getKeys({ end: index, inclusiveEnd: true })),
    getRecord: (name) => {
      const { db, key } = place(name);
      return db.get(key);
    },
    putRecord: (name, record) => {
      const { db, key } = place(name);
      db.putSync(key, record);
    },
  };
}
