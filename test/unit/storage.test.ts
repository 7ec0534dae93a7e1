import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvariantError } from '../../src/ground/assert.js';
import { encodeEntryRecord } from '../../src/storage/entry-record.js';
import type { Entry, HardState, Membership, Snapshot } from '../../src/core/types.js';
import {
  crc32,
  LMDB_DATABASE_NAMES,
  MAX_KV_KEY_BYTES,
  MemoryKvStore,
  MemoryNodeStorage,
  openLmdbNode,
  StorageCorruptionError,
  type KvStore,
  type NodeStorage,
} from '../../src/storage/index.js';

const BOOTSTRAP: Membership = { voters: ['a', 'b', 'c'], learners: [] };
/** JSON that msgpackr alone would change: an own `__proto__` key (renamed) and a lone surrogate (replaced). */
const ODD_JSON = JSON.parse('{"__proto__":{"x":1},"constructor":"c","s":"a\\ud800b","":[{"__proto__":null}]}') as unknown;

/** One node's storage and kv store, and how to restart or damage them. */
interface Harness {
  storage: NodeStorage;
  kv: KvStore;
  /** Stops the node as a crash would (memory) or by closing (LMDB), then opens it again. */
  restart(): Promise<void>;
  /** Stops the node, overwrites the stored record of entry `index` with `bytes`, opens it again. */
  overwriteEntryRecord(index: number, bytes: Uint8Array): Promise<void>;
  /** Every entry index held on disk, including those at or before the snapshot. */
  storedEntryIndexes(): Promise<number[]>;
  dispose(): Promise<void>;
}

function memoryHarness(): Harness {
  const storage = new MemoryNodeStorage();
  const kv = new MemoryKvStore();
  return {
    storage,
    kv,
    // A crash keeps exactly what was persisted: the same objects, nothing flushed.
    restart: async () => {},
    overwriteEntryRecord: async (index, bytes) => storage.damageEntry(index, bytes),
    storedEntryIndexes: async () => storage.storedEntryIndexes(),
    dispose: async () => {
      await storage.close();
      await kv.close();
    },
  };
}

async function lmdbHarness(): Promise<Harness> {
  const directory = await mkdtemp(join(tmpdir(), 'replikit-storage-'));
  const closeNode = async (): Promise<void> => {
    await harness.storage.close();
    await harness.kv.close();
  };
  const openNode = (): void => {
    const node = openLmdbNode(directory);
    harness.storage = node.storage;
    harness.kv = node.kv;
  };
  const withRawLog = async <T>(action: (log: ReturnType<typeof openRawLog>['log']) => T | Promise<T>): Promise<T> => {
    await closeNode();
    const raw = openRawLog(directory);
    try {
      return await action(raw.log);
    } finally {
      await raw.root.close();
      openNode();
    }
  };
  const node = openLmdbNode(directory);
  const harness: Harness = {
    storage: node.storage,
    kv: node.kv,
    restart: async () => {
      await closeNode();
      openNode();
    },
    overwriteEntryRecord: (index, bytes) => withRawLog((log) => log.put(index, bytes).then(() => undefined)),
    storedEntryIndexes: () => withRawLog((log) => [...log.getKeys()]),
    dispose: async () => {
      await closeNode();
      await rm(directory, { recursive: true, force: true });
    },
  };
  return harness;
}

/** The node's LMDB opened directly, bypassing the storage code, as a disk fault would. */
function openRawLog(directory: string) {
  const root = open({ path: directory, maxDbs: 8 });
  const log = root.openDB<Uint8Array, number>({ name: LMDB_DATABASE_NAMES.log, encoding: 'binary' });
  return { root, log };
}

function entry(index: number, term: number, data?: Uint8Array): Entry {
  return data ? { index, term, kind: 'command', data } : { index, term, kind: 'noop' };
}

function entries(first: number, last: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let index = first; index <= last; index++) out.push(entry(index, term, new Uint8Array([index & 0xff, 7])));
  return out;
}

function snapshotAt(index: number, term: number, data = new Uint8Array([1, 2, 3])): Snapshot {
  return { meta: { index, term, membership: { voters: ['a', 'b'], learners: ['c'] } }, data };
}

const HARNESSES: ReadonlyArray<[string, () => Harness | Promise<Harness>]> = [
  ['memory', memoryHarness],
  ['lmdb', lmdbHarness],
];

describe.each(HARNESSES)('storage contract: %s', (_name, makeHarness) => {
  let node: Harness;

  beforeEach(async () => {
    node = await makeHarness();
  });

  afterEach(async () => {
    await node.dispose();
  });

  it('loads the initial state from empty storage', async () => {
    const state = await node.storage.load(BOOTSTRAP);
    expect(state).toEqual({
      hardState: { term: 0, vote: null, commit: 0 },
      snapshot: null,
      entries: [],
      bootstrap: BOOTSTRAP,
    });
  });

  it('round-trips hard state, entries of every kind, and the snapshot', async () => {
    const hardState: HardState = { term: 3, vote: 'b', commit: 2 };
    const log: Entry[] = [
      { index: 1, term: 1, kind: 'noop' },
      { index: 2, term: 2, kind: 'command', data: new Uint8Array([9, 8, 7]) },
      { index: 3, term: 3, kind: 'config', membership: { voters: ['a', 'b'], learners: ['d'] } },
    ];
    await node.storage.persist({ hardState, entries: log });
    await node.restart();
    expect(await node.storage.load(BOOTSTRAP)).toEqual({ hardState, snapshot: null, entries: log, bootstrap: BOOTSTRAP });

    const snapshot = snapshotAt(2, 2);
    await node.storage.persist({ snapshot, entries: [], compactThrough: 2 });
    await node.restart();
    const state = await node.storage.load(BOOTSTRAP);
    expect(state.snapshot).toEqual(snapshot);
    expect(state.entries).toEqual([log[2]]);
    expect(state.hardState).toEqual(hardState);
  });

  it('records the first bootstrap membership and keeps it across restarts', async () => {
    await node.storage.load(BOOTSTRAP);
    await node.restart();
    const state = await node.storage.load({ voters: ['z'], learners: [] });
    expect(state.bootstrap).toEqual(BOOTSTRAP);
  });

  it('truncates the stored tail when entries start at an index already stored', async () => {
    await node.storage.persist({ entries: entries(1, 5, 1) });
    await node.storage.persist({ entries: entries(3, 4, 2) });
    await node.restart();
    const state = await node.storage.load(BOOTSTRAP);
    expect(state.entries).toEqual([...entries(1, 2, 1), ...entries(3, 4, 2)]);
    expect(await node.storedEntryIndexes()).toEqual([1, 2, 3, 4]);
  });

  it('compacts entries through the snapshot in the same write', async () => {
    await node.storage.persist({ hardState: { term: 1, vote: 'a', commit: 8 }, entries: entries(1, 10, 1) });
    await node.storage.persist({ snapshot: snapshotAt(6, 1), entries: [], compactThrough: 4 });
    expect(await node.storedEntryIndexes()).toEqual([5, 6, 7, 8, 9, 10]);
    await node.storage.persist({ entries: [], compactThrough: 6 });
    expect(await node.storedEntryIndexes()).toEqual([7, 8, 9, 10]);
    const state = await node.storage.load(BOOTSTRAP);
    expect(state.snapshot?.meta.index).toBe(6);
    expect(state.entries).toEqual(entries(7, 10, 1));
  });

  it('refuses to compact past the snapshot, leaving storage unchanged', async () => {
    await node.storage.persist({ entries: entries(1, 5, 1) });
    await node.storage.persist({ snapshot: snapshotAt(2, 1), entries: [] });
    await expect(node.storage.persist({ entries: [], compactThrough: 3 })).rejects.toBeInstanceOf(InvariantError);
    expect(await node.storedEntryIndexes()).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps the log after a snapshot that matches it, and drops a log that conflicts (Raft §7)', async () => {
    await node.storage.persist({ entries: entries(1, 5, 1) });
    await node.storage.persist({ snapshot: snapshotAt(3, 1), entries: [] });
    expect((await node.storage.load(BOOTSTRAP)).entries).toEqual(entries(4, 5, 1));

    await node.storage.persist({ snapshot: snapshotAt(4, 2), entries: [] });
    const state = await node.storage.load(BOOTSTRAP);
    expect(state.snapshot?.meta).toMatchObject({ index: 4, term: 2 });
    expect(state.entries).toEqual([]);
    expect(await node.storedEntryIndexes()).toEqual([]);
  });

  it('rejects a batch that breaks an invariant and writes none of it', async () => {
    await node.storage.persist({ hardState: { term: 1, vote: null, commit: 1 }, entries: entries(1, 3, 1) });
    // A gap after the stored log.
    await expect(node.storage.persist({ entries: entries(5, 6, 1) })).rejects.toBeInstanceOf(InvariantError);
    // A commit index past the log, together with an otherwise fine append.
    await expect(node.storage.persist({ hardState: { term: 1, vote: null, commit: 9 }, entries: entries(4, 4, 1) })).rejects.toBeInstanceOf(InvariantError);
    // A term lower than the entry before.
    await expect(node.storage.persist({ entries: [entry(4, 0)] })).rejects.toBeInstanceOf(InvariantError);
    await node.restart();
    const state = await node.storage.load(BOOTSTRAP);
    expect(state.hardState.commit).toBe(1);
    expect(state.entries).toEqual(entries(1, 3, 1));
  });

  it('drops a corrupt last entry at load, persists the cut, and reports it', async () => {
    await node.storage.persist({ hardState: { term: 1, vote: 'a', commit: 3 }, entries: entries(1, 5, 1) });
    await node.overwriteEntryRecord(5, new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x01]));
    const state = await node.storage.load(BOOTSTRAP);
    expect(state.entries).toEqual(entries(1, 4, 1));
    expect(state.repairedTail).toEqual({ droppedFrom: 5, droppedCount: 1, reason: 'corrupt' });

    await node.restart();
    const again = await node.storage.load(BOOTSTRAP);
    expect(again.repairedTail).toBeUndefined();
    expect(again.entries).toEqual(entries(1, 4, 1));
    expect(await node.storedEntryIndexes()).toEqual([1, 2, 3, 4]);
  });

  it('treats a corrupt entry in the middle as the start of the tail, lowering the commit index', async () => {
    await node.storage.persist({ hardState: { term: 1, vote: 'a', commit: 6 }, entries: entries(1, 6, 1) });
    await node.overwriteEntryRecord(3, new Uint8Array(40));
    const state = await node.storage.load(BOOTSTRAP);
    expect(state.entries).toEqual(entries(1, 2, 1));
    expect(state.hardState).toEqual({ term: 1, vote: 'a', commit: 2 });
    expect(state.repairedTail).toEqual({ droppedFrom: 3, droppedCount: 4, reason: 'corrupt', commitLoweredFrom: 6 });
    await node.restart();
    expect((await node.storage.load(BOOTSTRAP)).hardState.commit).toBe(2);
  });

  it('detects a valid record filed under the wrong index', async () => {
    await node.storage.persist({ entries: entries(1, 4, 1) });
    // A well-formed, correctly checksummed record, but of entry 7.
    await node.overwriteEntryRecord(3, encodeEntryRecord(entry(7, 1)));
    const state = await node.storage.load(BOOTSTRAP);
    expect(state.entries).toEqual(entries(1, 2, 1));
    expect(state.repairedTail).toMatchObject({ droppedFrom: 3, droppedCount: 2 });
  });

  it('keeps a Uint8Array command payload byte-exact, even one viewing a larger buffer', async () => {
    const all = new Uint8Array(256).map((_, i) => i);
    const backing = new Uint8Array(1000).fill(0xaa);
    backing.set(all, 300);
    const view = backing.subarray(300, 556);
    await node.storage.persist({ entries: [entry(1, 1, view), entry(2, 1, new Uint8Array(0))] });
    await node.restart();
    const [first, second] = (await node.storage.load(BOOTSTRAP)).entries;
    expect(first?.data).toBeInstanceOf(Uint8Array);
    expect(first?.data?.byteLength).toBe(256);
    expect(Array.from(first?.data ?? [])).toEqual(Array.from(all));
    expect(second?.data).toEqual(new Uint8Array(0));
  });

  it('applies kv batches atomically with the applied index, which survive a restart', async () => {
    expect(node.kv.appliedIndex()).toBe(0);
    await node.kv.applyBatch(
      [
        { type: 'set', key: 'user/1', value: { name: 'ada', tags: ['x'] } },
        { type: 'set', key: 'user/2', value: 42 },
        { type: 'set', key: 'odd', value: ODD_JSON },
      ],
      5,
    );
    await node.kv.applyBatch(
      [
        { type: 'delete', key: 'user/2' },
        { type: 'set', key: 'user/3', value: null },
      ],
      7,
    );
    await node.restart();
    expect(node.kv.appliedIndex()).toBe(7);
    expect(node.kv.get('user/1')).toEqual({ name: 'ada', tags: ['x'] });
    expect(node.kv.get('user/2')).toBeUndefined();
    expect(node.kv.get('user/3')).toBeNull();
    expect(JSON.stringify(node.kv.get('odd'))).toBe(JSON.stringify(ODD_JSON));
  });

  it('iterates kv entries by prefix in code point order, up to a limit', async () => {
    const keys = ['b', 'a/2', 'a/1', 'a/\u{10000}', 'a/\uffff', 'ab'];
    await node.kv.applyBatch(
      keys.map((key) => ({ type: 'set', key, value: key })),
      1,
    );
    expect([...node.kv.entries('a/')].map(([key]) => key)).toEqual(['a/1', 'a/2', 'a/\uffff', 'a/\u{10000}']);
    expect([...node.kv.entries('a/', 2)]).toEqual([
      ['a/1', 'a/1'],
      ['a/2', 'a/2'],
    ]);
    expect([...node.kv.entries()].map(([key]) => key)).toEqual(['a/1', 'a/2', 'a/\uffff', 'a/\u{10000}', 'ab', 'b']);
  });

  it('exports an image that imports into an empty store with the same contents', async () => {
    await node.kv.applyBatch(
      [
        { type: 'set', key: 'k2', value: [1, 'two', { three: 3 }] },
        { type: 'set', key: 'k1', value: ODD_JSON },
      ],
      11,
    );
    const image = node.kv.exportImage();
    const restored = new MemoryKvStore();
    await restored.importImage(image, 11);
    expect(JSON.stringify([...restored.entries()])).toBe(JSON.stringify([...node.kv.entries()]));
    expect(JSON.stringify(restored.get('k1'))).toBe(JSON.stringify(ODD_JSON));
    expect(restored.exportImage()).toEqual(image);

    // And importing replaces whatever was there.
    await node.kv.applyBatch([{ type: 'set', key: 'k3', value: 'later' }], 12);
    await node.kv.importImage(image, 11);
    await node.restart();
    expect(node.kv.appliedIndex()).toBe(11);
    expect(node.kv.get('k3')).toBeUndefined();
    expect(node.kv.exportImage()).toEqual(image);
  });

  it('refuses kv keys over the limit and applied indexes that go back', async () => {
    await node.kv.applyBatch([{ type: 'set', key: 'x', value: 1 }], 3);
    const long = 'k'.repeat(MAX_KV_KEY_BYTES + 1);
    await expect(node.kv.applyBatch([{ type: 'set', key: long, value: 1 }], 4)).rejects.toBeInstanceOf(InvariantError);
    await expect(node.kv.applyBatch([], 2)).rejects.toBeInstanceOf(InvariantError);
    expect(node.kv.appliedIndex()).toBe(3);
  });
});

describe('MemoryNodeStorage', () => {
  it('is unaffected by the caller mutating what it persisted or what it loaded', async () => {
    const storage = new MemoryNodeStorage();
    const data = new Uint8Array([1, 2, 3]);
    const batchEntries: Entry[] = [entry(1, 1, data)];
    const hardState = { term: 1, vote: 'a' as string | null, commit: 1 };
    const voters = ['a', 'b'];
    const snapshot: Snapshot = { meta: { index: 1, term: 1, membership: { voters, learners: [] } }, data: new Uint8Array([4]) };
    await storage.persist({ hardState, entries: batchEntries });
    await storage.persist({ snapshot, entries: [] });

    data[0] = 99;
    batchEntries.push(entry(2, 1));
    hardState.term = 7;
    voters.push('z');
    snapshot.data[0] = 0;

    const loaded = await storage.load(BOOTSTRAP);
    expect(loaded.hardState).toEqual({ term: 1, vote: 'a', commit: 1 });
    expect(loaded.snapshot).toEqual({
      meta: { index: 1, term: 1, membership: { voters: ['a', 'b'], learners: [] } },
      data: new Uint8Array([4]),
    });
    expect(storage.storedEntryIndexes()).toEqual([1]);

    (loaded.snapshot?.data as Uint8Array)[0] = 42;
    expect((await storage.load(BOOTSTRAP)).snapshot?.data).toEqual(new Uint8Array([4]));
  });

  it('keeps an entry the caller mutates after persisting it', async () => {
    const storage = new MemoryNodeStorage();
    const data = new Uint8Array([1, 2, 3]);
    await storage.persist({ entries: [entry(1, 1, data)] });
    data.fill(0);
    expect((await storage.load(BOOTSTRAP)).entries[0]?.data).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('refuses persists after close, and reopens with what was persisted on the next load', async () => {
    const storage = new MemoryNodeStorage();
    await storage.persist({ entries: entries(1, 2, 1) });
    await storage.close();
    await expect(storage.persist({ entries: entries(3, 3, 1) })).rejects.toBeInstanceOf(InvariantError);
    expect((await storage.load(BOOTSTRAP)).entries).toEqual(entries(1, 2, 1));
    await storage.persist({ entries: entries(3, 3, 1) });
    expect(storage.storedEntryIndexes()).toEqual([1, 2, 3]);
  });

  it('damages a record by flipping a bit by default', async () => {
    const storage = new MemoryNodeStorage();
    await storage.persist({ entries: entries(1, 3, 1) });
    storage.damageEntry(2);
    const state = await storage.load(BOOTSTRAP);
    expect(state.repairedTail).toEqual({ droppedFrom: 2, droppedCount: 2, reason: 'corrupt' });
  });
});

describe('LmdbNodeStorage damage outside the log', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'replikit-storage-'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  async function persistThenClose(): Promise<void> {
    const node = openLmdbNode(directory);
    await node.storage.persist({ hardState: { term: 2, vote: 'a', commit: 4 }, entries: entries(1, 4, 1) });
    await node.storage.close();
    await node.kv.close();
  }

  async function loadAfterwards() {
    const node = openLmdbNode(directory);
    try {
      return await node.storage.load(BOOTSTRAP);
    } finally {
      await node.storage.close();
      await node.kv.close();
    }
  }

  it('lowers the commit index when committed records are missing, and says so', async () => {
    await persistThenClose();
    const raw = openRawLog(directory);
    await raw.log.remove(4);
    await raw.root.close();
    const state = await loadAfterwards();
    expect(state.entries).toEqual(entries(1, 3, 1));
    expect(state.hardState.commit).toBe(3);
    expect(state.repairedTail).toEqual({ droppedFrom: 4, droppedCount: 0, reason: 'missing', commitLoweredFrom: 4 });
  });

  it('refuses to start from a corrupt hard state', async () => {
    await persistThenClose();
    const root = open({ path: directory, maxDbs: 8 });
    const meta = root.openDB<Uint8Array, string>({ name: LMDB_DATABASE_NAMES.meta, encoding: 'binary' });
    await meta.put('hard-state', new Uint8Array([1, 2, 3, 4, 5, 6]));
    await root.close();
    await expect(loadAfterwards()).rejects.toBeInstanceOf(StorageCorruptionError);
  });
});

describe('images', () => {
  it('are byte-identical between memory and LMDB stores', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'replikit-storage-'));
    const lmdb = openLmdbNode(directory);
    const memory = new MemoryKvStore();
    try {
      const batch = [
        { type: 'set', key: 'z', value: { deep: [1, 2, { x: 'y' }] } },
        { type: 'set', key: '\u{1F600}', value: 'emoji' },
        { type: 'set', key: '\uffff', value: 'bmp end' },
        { type: 'set', key: 'a', value: ODD_JSON },
      ] as const;
      await lmdb.kv.applyBatch(batch, 4);
      await memory.applyBatch(batch, 4);
      expect(lmdb.kv.exportImage()).toEqual(memory.exportImage());
    } finally {
      await lmdb.storage.close();
      await lmdb.kv.close();
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});
