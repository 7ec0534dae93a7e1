// One LMDB environment per node directory, holding the node's named databases.
// Being one environment is what lets a persist (log + meta + snapshots) or a
// state-machine apply (kv + meta) commit as one transaction with one fsync.

import { open, type Database, type RootDatabase } from 'lmdb';
import { assert } from '../ground/assert.js';
import { decodeLegacyKvKey, encodeKvKey } from './kv-keys.js';
import { StorageCorruptionError } from './storage-corruption-error.js';

export const LMDB_DATABASE_NAMES = {
  /** entry index -> sealed entry record */
  log: 'log',
  /** hard state, bootstrap membership, the state machine's applied index */
  meta: 'meta',
  /** the state machine's keys (their UTF-8 bytes, kv-keys.ts) -> msgpack values */
  kv: 'kv-utf8',
  /** the same, as stores before kv-utf8 kept it (ordered-binary keys): moved to kv-utf8 at open */
  legacyKv: 'kv',
  /** the newest snapshot and its position */
  snapshots: 'snapshots',
} as const;

/** The databases above, with room for a few more without a format change. */
const MAX_NAMED_DATABASES = 8;

export interface LmdbNodeDatabases {
  readonly root: RootDatabase;
  readonly log: Database<Uint8Array, number>;
  readonly meta: Database<Uint8Array, string>;
  readonly kv: Database<Uint8Array, Uint8Array>;
  readonly snapshots: Database<Uint8Array, string>;
}

/** What opening found and did, for the node to log. */
export interface LmdbOpenNotes {
  /** Keys moved from the legacy kv database (0 when there was none). */
  readonly migratedKvKeys: number;
}

/** Shared by a node's storage and kv store; the environment closes when the last of them does. */
export class LmdbNodeEnvironment {
  private users = 0;
  private closed = false;

  private constructor(
    private readonly databases: LmdbNodeDatabases,
    readonly notes: LmdbOpenNotes,
  ) {}

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
    const named = <K extends string | number>(name: string): Database<Uint8Array, K> => root.openDB<Uint8Array, K>({ name, encoding: 'binary' });
    const binaryKeyed = (name: string): Database<Uint8Array, Uint8Array> =>
      root.openDB<Uint8Array, Uint8Array>({ name, encoding: 'binary', keyEncoding: 'binary' });
    const kv = binaryKeyed(LMDB_DATABASE_NAMES.kv);
    const migratedKvKeys = migrateLegacyKv(root, binaryKeyed(LMDB_DATABASE_NAMES.legacyKv), kv);
    const databases: LmdbNodeDatabases = {
      root,
      log: named<number>(LMDB_DATABASE_NAMES.log),
      meta: named<string>(LMDB_DATABASE_NAMES.meta),
      kv,
      snapshots: named<string>(LMDB_DATABASE_NAMES.snapshots),
    };
    return new LmdbNodeEnvironment(databases, { migratedKvKeys });
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

/**
 * Moves a store written before kv-utf8 into it, in one transaction, key for key and value for
 * value: the old database is emptied only in the transaction that fills the new one. A key that
 * cannot be read back exactly stops the open with a clear error (the old database is left as it
 * was), instead of being guessed at.
 */
function migrateLegacyKv(root: RootDatabase, legacy: Database<Uint8Array, Uint8Array>, kv: Database<Uint8Array, Uint8Array>): number {
  if (legacy.getKeysCount() === 0) return 0;
  return root.transactionSync(() => {
    let moved = 0;
    for (const { key, value } of legacy.getRange({ snapshot: false })) {
      const decoded = decodeLegacyKvKey(key);
      if (decoded === null) {
        throw new StorageCorruptionError(
          `a key of the state machine written by an older replikit (${key.byteLength} bytes) cannot be read back exactly; ` +
            "move this node's data directory away and restart it: it catches up from its peers",
        );
      }
      kv.putSync(encodeKvKey(decoded), value);
      moved++;
    }
    legacy.clearSync();
    return moved;
  });
}
