// One LMDB environment per node directory, holding the node's named databases.
// Being one environment is what lets a persist (log + meta + snapshots) or a
// state-machine apply (kv + meta) commit as one transaction with one fsync.

import { open, type Database, type RootDatabase } from 'lmdb';
import { assert } from '../core/assert.js';

export const LMDB_DATABASE_NAMES = {
  /** entry index -> sealed entry record */
  log: 'log',
  /** hard state, bootstrap membership, the state machine's applied index */
  meta: 'meta',
  /** the state machine's keys -> msgpack values */
  kv: 'kv',
  /** the newest snapshot and its position */
  snapshots: 'snapshots',
} as const;

/** The databases above, with room for a few more without a format change. */
const MAX_NAMED_DATABASES = 8;

export interface LmdbNodeDatabases {
  readonly root: RootDatabase;
  readonly log: Database<Uint8Array, number>;
  readonly meta: Database<Uint8Array, string>;
  readonly kv: Database<Uint8Array, string>;
  readonly snapshots: Database<Uint8Array, string>;
}

/** Shared by a node's storage and kv store; the environment closes when the last of them does. */
export class LmdbNodeEnvironment {
  private users = 0;
  private closed = false;

  private constructor(private readonly databases: LmdbNodeDatabases) {}

  static open(directory: string): LmdbNodeEnvironment {
    const root = open({
      path: directory,
      maxDbs: MAX_NAMED_DATABASES,
      // Durability: with noSync false every commit is fsynced. overlappingSync
      // runs that fsync after the commit instead of under the write lock, so a
      // commit is visible before it is durable; callers that need durability
      // await `root.flushed`, which lmdb-js resolves only once everything
      // committed before it has been flushed to disk. (Checked with strace:
      // one fdatasync per persist, before its promise resolves.)
      noSync: false,
      overlappingSync: true,
    });
    const named = <K extends string | number>(name: string): Database<Uint8Array, K> =>
      root.openDB<Uint8Array, K>({ name, encoding: 'binary' });
    return new LmdbNodeEnvironment({
      root,
      log: named<number>(LMDB_DATABASE_NAMES.log),
      meta: named<string>(LMDB_DATABASE_NAMES.meta),
      kv: named<string>(LMDB_DATABASE_NAMES.kv),
      snapshots: named<string>(LMDB_DATABASE_NAMES.snapshots),
    });
  }

  retain(): LmdbNodeDatabases {
    assert(!this.closed, 'lmdb environment already closed');
    this.users++;
    return this.databases;
  }

  async release(): Promise<void> {
    assert(this.users > 0, 'lmdb environment released more often than retained');
    this.users--;
    if (this.users > 0) return;
    this.closed = true;
    // Waits for outstanding transactions and their flush before closing.
    await this.databases.root.close();
  }
}
