// The state machine's keys in LMDB: stored as their UTF-8 bytes, so every
// well-formed key comes back exactly from a read by key and from a range read
// (snapshot images, listings); stores written with the old ordered-binary
// keys are moved over once, at open.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { open } from 'lmdb';
import { writeKey as orderedBinaryWriteKey } from 'ordered-binary';
import { afterEach, describe, expect, it } from 'vitest';
import { fenceKey, keyProblem, sessionKey } from '../../src/kv/keys.js';
import { decodeLegacyKvKey, encodeLegacyKvKey } from '../../src/storage/kv-keys.js';
import { openLmdbNode } from '../../src/storage/lmdb-node.js';
import { decodeKvImage } from '../../src/storage/kv-image.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'replikit-kv-keys-'));
  dirs.push(dir);
  return dir;
}

/** Keys full of what broke the old encoding: U+0000..U+0004, lengths around 64 units, astral characters. */
const awkwardKey = fc
  .array(fc.oneof(fc.constantFrom('\u0000', '\u0001', '\u0004', '/', 'a', 'é', '\u{1F600}'), fc.string({ maxLength: 3 })), {
    minLength: 1,
    maxLength: 90,
  })
  .map((parts) => parts.join(''))
  .filter((key) => key.length > 0 && Buffer.byteLength(key) <= 1000);

describe('kv keys in LMDB', () => {
  it('the old encoding was not one-to-one: a user key and a reserved key shared their bytes', () => {
    const reserved = `\u0000${'f'.repeat(62)}`; // 63 units: written with escapes
    const forged = `\u0004${reserved}`; // 64 units: written raw
    expect(keyProblem(forged)).toBeNull(); // a user could name it
    expect(encodeLegacyKvKey(forged)).toEqual(encodeLegacyKvKey(reserved));
  });

  it('every key, reserved or not, comes back exactly from a read by key and from a range read', async () => {
    const { kv, storage } = openLmdbNode(freshDir());
    const keys = fc.sample(awkwardKey, { numRuns: 400, seed: 1203 });
    const all = [
      ...new Set([...keys, ...keys.map((key) => fenceKey(key)), sessionKey('x'.repeat(120)), `\u0004\u0000${'f'.repeat(62)}`, `\u0000${'f'.repeat(62)}`]),
    ];
    await kv.applyBatch(
      all.map((key, i) => ({ type: 'set' as const, key, value: i })),
      1,
    );
    for (const [i, key] of all.entries()) expect(kv.get(key)).toBe(i);
    const image = decodeKvImage(kv.exportImage());
    expect(image.map(([key]) => key).sort()).toEqual([...all].sort());
    expect(new Map(image)).toEqual(new Map(all.map((key, i) => [key, i])));
    await kv.close();
    await storage.close();
  });

  it('refuses a key that UTF-8 cannot hold (a lone surrogate) before anything is written', () => {
    expect(keyProblem('a\uD800b')).toMatch(/well-formed Unicode/);
    expect(keyProblem('\uDC00')).toMatch(/well-formed Unicode/);
    expect(keyProblem('ok \u{1F600}')).toBeNull();
  });

  it('reads back what the old encoding wrote (checked against ordered-binary itself)', () => {
    const target = Buffer.alloc(8192);
    fc.assert(
      fc.property(awkwardKey, (key) => {
        const end = orderedBinaryWriteKey(key, target, 0);
        const written = Buffer.from(target.subarray(0, end));
        expect(encodeLegacyKvKey(key)).toEqual(written);
        const read = decodeLegacyKvKey(written);
        // Where two keys shared the bytes, the short reading is the one taken.
        expect(encodeLegacyKvKey(read as string)).toEqual(written);
        if (!(key.length === 64 && key.startsWith('\u0004'))) expect(read).toBe(key);
      }),
      { numRuns: 2000, seed: 42 },
    );
  });

  it('moves a store written with the old keys over at open, once, values untouched', async () => {
    const dir = freshDir();
    const old = open({ path: dir, maxDbs: 8 });
    const legacy = old.openDB<Uint8Array, string>({ name: 'kv', encoding: 'binary' });
    const keys = ['plain', fenceKey('job'), fenceKey('k'.repeat(80)), sessionKey('client-with-a-long-name-'.repeat(3))];
    const { packValue } = await import('../../src/storage/msgpack.js');
    for (const [i, key] of keys.entries()) legacy.putSync(key, packValue({ i }));
    await old.close();

    const first = openLmdbNode(dir);
    expect(first.notes.migratedKvKeys).toBe(keys.length);
    for (const [i, key] of keys.entries()) expect(first.kv.get(key)).toEqual({ i });
    await first.kv.close();
    await first.storage.close();

    const second = openLmdbNode(dir);
    expect(second.notes.migratedKvKeys).toBe(0);
    expect(
      decodeKvImage(second.kv.exportImage())
        .map(([key]) => key)
        .sort(),
    ).toEqual([...keys].sort());
    await second.kv.close();
    await second.storage.close();
  });
});
