// Opening a node's directory: its log storage and its state machine's store
// share one LMDB environment.

import { LmdbNodeEnvironment, type LmdbOpenNotes } from './lmdb-environment.js';
import { LmdbKvStore } from './lmdb-kv.js';
import { LmdbNodeStorage } from './lmdb-storage.js';

export interface LmdbNode {
  readonly storage: LmdbNodeStorage;
  readonly kv: LmdbKvStore;
  /** What opening found and did (a migration of an older store), for the node to log. */
  readonly notes: LmdbOpenNotes;
}

/** Close both to close the environment. */
export function openLmdbNode(directory: string): LmdbNode {
  const environment = LmdbNodeEnvironment.open(directory);
  return { storage: new LmdbNodeStorage(environment), kv: new LmdbKvStore(environment), notes: environment.notes };
}
