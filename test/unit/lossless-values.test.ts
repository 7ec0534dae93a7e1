// Whatever JSON a client sends comes back unchanged from every layer that
// encodes it: the command in the log, the value in the store (memory and
// LMDB, across a restart), the snapshot image, and compare-and-set's equality.
// Each property runs over RUNS generated values (test/support/json-values.ts).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/check/canonical-json.js';
import { applyToMap, decodeCommand, encodeCommand, type KvCommand } from '../../src/kv/index.js';
import { openLmdbNode } from '../../src/storage/lmdb-node.js';
import { MemoryKvStore } from '../../src/storage/memory-kv.js';
import { decodeStoredValue, encodeStoredValue } from '../../src/storage/stored-value.js';
import { jsonValues, sameJsonText } from '../support/json-values.js';

const RUNS = 10_000;
const SEED = 1313;

/** The issue's own example, and its neighbours. */
const NAMED_CASES: readonly [string, string][] = [
  ['__proto__ at the top', '{"__proto__":{"x":1}}'],
  ['__proto__ deep down', '{"a":[{"b":{"__proto__":{"__proto__":[1,{"__proto__":null}]}}}]}'],
  ['constructor and prototype', '{"constructor":{"prototype":{"toString":"no"}},"hasOwnProperty":1}'],
  ['largest safe integers', `[${Number.MAX_SAFE_INTEGER},${Number.MIN_SAFE_INTEGER},4294967296,-2147483649]`],
  ['unicode and a lone surrogate', '{"zoë":"\\u00e9\\ud83d\\ude00\\u2028","s":"a\\ud800b","\\udc00":"\\u0000"}'],
  ['empty strings and keys', '{"":"","e":[""],"o":{"":{}}}'],
];

function put(value: unknown): KvCommand {
  return { op: 'put', key: 'k', value, session: { clientId: 'c', seq: 1 } };
}

describe('values are lossless through every codec', () => {
  it.each(NAMED_CASES)('%s survives the command, the store and the image', async (_name, text) => {
    const value: unknown = JSON.parse(text);
    const sent = JSON.stringify(value);
    const decoded = decodeCommand(encodeCommand(put(value)));
    expect(JSON.stringify(decoded.op === 'put' ? decoded.value : undefined)).toBe(sent);
    expect(JSON.stringify(decodeStoredValue(encodeStoredValue(value)))).toBe(sent);
    const store = new MemoryKvStore();
    await store.applyBatch([{ type: 'set', key: 'k', value }], 1);
    const restored = new MemoryKvStore();
    await restored.importImage(store.exportImage(), 1);
    expect(JSON.stringify(restored.get('k'))).toBe(sent);
  });

  it(`a command's values decode as encoded (${RUNS} values)`, () => {
    fc.assert(
      fc.property(jsonValues, jsonValues, (a, b) => {
        const putBack = decodeCommand(encodeCommand(put(a)));
        const casBack = decodeCommand(encodeCommand({ op: 'cas', key: '\u{1F600}', expected: a, next: b, fencingToken: 7 }));
        return (
          putBack.op === 'put' &&
          sameJsonText(putBack.value, a) &&
          casBack.op === 'cas' &&
          sameJsonText(casBack.expected, a) &&
          sameJsonText(casBack.next, b) &&
          casBack.fencingToken === 7
        );
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`a stored value decodes as stored, and equal after canonical JSON (${RUNS} values)`, () => {
    fc.assert(
      fc.property(jsonValues, (value) => {
        const back = decodeStoredValue(encodeStoredValue(value));
        return sameJsonText(back, value) && canonicalJson(back) === canonicalJson(value);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`a memory store gives each value back, and so does a store restored from its image (${RUNS} values)`, async () => {
    await fc.assert(
      fc.asyncProperty(jsonValues, async (value) => {
        const store = new MemoryKvStore();
        await store.applyBatch([{ type: 'set', key: 'k', value }], 1);
        const restored = new MemoryKvStore();
        await restored.importImage(store.exportImage(), 1);
        return sameJsonText(store.get('k'), value) && sameJsonText(restored.get('k'), value) && sameJsonText([...restored.entries()][0]?.[1], value);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it(`an LMDB store gives every value back after a restart and through an image (${RUNS} values)`, async () => {
    const values = fc.sample(jsonValues, { numRuns: RUNS, seed: SEED });
    const first = await mkdtemp(join(tmpdir(), 'replikit-lossless-'));
    const second = await mkdtemp(join(tmpdir(), 'replikit-lossless-'));
    try {
      const keyOf = (i: number): string => `v/${String(i).padStart(5, '0')}`;
      let node = openLmdbNode(first);
      await node.kv.applyBatch(
        values.map((value, i) => ({ type: 'set' as const, key: keyOf(i), value })),
        1,
      );
      await node.kv.close();
      await node.storage.close();
      node = openLmdbNode(first);
      const changed = values.filter((value, i) => !sameJsonText(node.kv.get(keyOf(i)), value));
      expect(changed).toEqual([]);
      const copy = openLmdbNode(second);
      await copy.kv.importImage(node.kv.exportImage(), 1);
      const ranged = [...copy.kv.entries('v/')];
      expect(ranged.length).toBe(values.length);
      expect(ranged.filter(([key, value], i) => key !== keyOf(i) || !sameJsonText(value, values[i]))).toEqual([]);
      for (const opened of [node, copy]) {
        await opened.kv.close();
        await opened.storage.close();
      }
    } finally {
      await rm(first, { recursive: true, force: true });
      await rm(second, { recursive: true, force: true });
    }
  });

  it(`compare-and-set finds every value equal to itself after the log, and applies its next value unchanged (${RUNS} values)`, () => {
    fc.assert(
      fc.property(jsonValues, jsonValues, (current, next) => {
        const state = new Map<string, unknown>();
        applyToMap(state, decodeCommand(encodeCommand(put(current))));
        const result = applyToMap(state, decodeCommand(encodeCommand({ op: 'cas', key: 'k', expected: current, next })));
        return result.ok && sameJsonText(state.get('k'), next);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

describe('the generated values', () => {
  it('are the ones codecs get wrong, often', () => {
    const texts = fc.sample(jsonValues, { numRuns: RUNS, seed: SEED }).map((value) => JSON.stringify(value));
    const share = (pattern: RegExp): number => texts.filter((text) => pattern.test(text)).length / texts.length;
    expect(share(/"__proto__":/)).toBeGreaterThan(0.2);
    expect(share(/"constructor":/)).toBeGreaterThan(0.1);
    expect(share(/\\ud[89a-f][0-9a-f]{2}/)).toBeGreaterThan(0.05);
    expect(share(/"":/)).toBeGreaterThan(0.05);
  });
});
