// Data written before values became tagged JSON text still reads, exactly as
// it read then; bytes this code cannot read are refused with a reason, never
// read as something else.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decodeCommand, encodeCommand } from '../../src/kv/index.js';
import { TaggedJsonError, decodeTaggedJson, encodeTaggedJson } from '../../src/kv/tagged-json.js';
import { decodeKvImage, decodeStoredKvImage } from '../../src/storage/kv-image.js';
import { encodeKvKey } from '../../src/storage/kv-keys.js';
import { LMDB_DATABASE_NAMES } from '../../src/storage/lmdb-environment.js';
import { openLmdbNode } from '../../src/storage/lmdb-node.js';
import { MemoryKvStore } from '../../src/storage/memory-kv.js';
import { packValue } from '../../src/storage/msgpack.js';

/** How commands were packed before tagged JSON (and how an older replikit still reads them). */
const before = new Packr({ useRecords: false, moreTypes: false });
const WITH_PROTO = JSON.parse('{"__proto__":{"x":1},"n":[1,"two"]}') as unknown;

describe('commands', () => {
  it('written as msgpack before tagged JSON decode as they always did, so a replayed log computes what peers computed', () => {
    const old = before.pack({ op: 'put', key: 'k', value: { a: [1, 'two'], b: null }, fencingToken: 3 });
    expect(decodeCommand(old)).toEqual({ op: 'put', key: 'k', value: { a: [1, 'two'], b: null }, fencingToken: 3 });
    // The bytes hold `__proto__`; the decoding of then renamed it, and must still.
    const altered = decodeCommand(before.pack({ op: 'put', key: 'k', value: WITH_PROTO }));
    expect(JSON.stringify(altered.op === 'put' ? altered.value : null)).toBe('{"__proto_":{"x":1},"n":[1,"two"]}');
  });

  it('written as tagged JSON are refused by the decoding of an older replikit, not misread', () => {
    const bytes = encodeCommand({ op: 'put', key: 'k', value: '{"looks":"like json"}' });
    expect(() => before.unpack(bytes)).toThrow();
  });

  it('of a tagged JSON version this code does not know are refused with a reason', () => {
    const bytes = encodeTaggedJson({ op: 'put', key: 'k', value: 1 });
    bytes[1] = 9;
    expect(() => decodeTaggedJson(bytes)).toThrow(TaggedJsonError);
    expect(() => decodeCommand(bytes)).toThrow(/version 9.*newer replikit/);
    const broken = encodeTaggedJson({ op: 'put', key: 'k', value: 'é' });
    broken[broken.length - 3] = 0xff;
    expect(() => decodeCommand(broken)).toThrow(/not UTF-8/);
  });
});

describe('stored values', () => {
  it('written as msgpack by an older replikit read as then, beside tagged ones, across a restart', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'replikit-formats-'));
    try {
      let node = openLmdbNode(directory);
      await node.kv.applyBatch([{ type: 'set', key: 'new', value: WITH_PROTO }], 1);
      await node.kv.close();
      await node.storage.close();
      // As an older replikit wrote it: msgpack of the value, under the same key encoding.
      const root = open({ path: directory, maxDbs: 8 });
      const kv = root.openDB<Uint8Array, Uint8Array>({ name: LMDB_DATABASE_NAMES.kv, encoding: 'binary', keyEncoding: 'binary' });
      await kv.put(encodeKvKey('old'), packValue({ kept: ['as', 'is'], n: 2 ** 40 }));
      await kv.put(encodeKvKey('old-proto'), packValue(WITH_PROTO));
      await root.close();

      node = openLmdbNode(directory);
      expect(node.kv.get('old')).toEqual({ kept: ['as', 'is'], n: 2 ** 40 });
      expect(JSON.stringify(node.kv.get('old-proto'))).toBe('{"__proto_":{"x":1},"n":[1,"two"]}');
      expect(JSON.stringify(node.kv.get('new'))).toBe('{"__proto__":{"x":1},"n":[1,"two"]}');
      // An image carries each value as stored: the old one stays msgpack, the new one tagged JSON.
      const copy = new MemoryKvStore();
      await copy.importImage(node.kv.exportImage(), 1);
      expect(copy.get('old')).toEqual({ kept: ['as', 'is'], n: 2 ** 40 });
      expect(JSON.stringify(copy.get('new'))).toBe('{"__proto__":{"x":1},"n":[1,"two"]}');
      expect(copy.exportImage()).toEqual(node.kv.exportImage());
      await node.kv.close();
      await node.storage.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('snapshot images', () => {
  it('in the format before tagged JSON import into both stores', async () => {
    const legacyImage = packValue([
      ['a', { deep: [1, { x: 'y' }] }],
      ['b', 'text'],
    ]);
    expect(decodeKvImage(legacyImage)).toEqual([
      ['a', { deep: [1, { x: 'y' }] }],
      ['b', 'text'],
    ]);
    const directory = await mkdtemp(join(tmpdir(), 'replikit-formats-'));
    try {
      const node = openLmdbNode(directory);
      const memory = new MemoryKvStore();
      for (const store of [node.kv, memory]) {
        await store.importImage(legacyImage, 5);
        expect([...store.entries()]).toEqual([
          ['a', { deep: [1, { x: 'y' }] }],
          ['b', 'text'],
        ]);
      }
      expect(node.kv.exportImage()).toEqual(memory.exportImage());
      await node.kv.close();
      await node.storage.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('of a format this code does not know are refused', () => {
    expect(() => decodeStoredKvImage(packValue(['kv-image/3', []]))).toThrow(/unknown format kv-image\/3/);
    expect(() => decodeStoredKvImage(packValue(['kv-image/2', [['k', 'not bytes']]]))).toThrow(/malformed pair/);
  });
});
