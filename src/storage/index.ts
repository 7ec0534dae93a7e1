export type {
  KvMutation,
  KvStore,
  LoadedState,
  NodeStorage,
  PersistBatch,
  TailDamage,
  TailRepair,
} from './types.js';
export { MemoryNodeStorage } from './memory-storage.js';
export { MemoryKvStore } from './memory-kv.js';
export { LmdbNodeStorage } from './lmdb-storage.js';
export { LmdbKvStore } from './lmdb-kv.js';
export { LmdbNodeEnvironment, LMDB_DATABASE_NAMES } from './lmdb-environment.js';
export { openLmdbNode, type LmdbNode } from './lmdb-node.js';
export { StorageCorruptionError } from './storage-corruption-error.js';
export { MAX_KV_KEY_BYTES } from './kv-rules.js';
export { crc32 } from './crc32.js';
