import fc from 'fast-check';
import { pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { fnv1a32 } from '../../../src/convergence/hash.js';
import * as tictac from '../../../src/convergence/tictac-tree.js';
import * as vv from '../../../src/convergence/version-vector.js';

// FNV-1a 32 over the bytes TextEncoder gives: the reference the hand-written UTF-8 encoder must match.
function referenceFnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

const anyUtf16 = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 12 }).map((units) => String.fromCharCode(...units));
const key = fc.string({ minLength: 1, maxLength: 8 });
const versionHash = fc.integer({ min: 0, max: 0xffff_ffff });
const partition = fc.dictionary(key, versionHash, { maxKeys: 60 });

type Change = { readonly key: string; readonly after: number | null };
const change: fc.Arbitrary<Change> = fc.record({ key: fc.string({ minLength: 1, maxLength: 3 }), after: fc.option(versionHash, { nil: null }) });

const sortedUnique = (values: Iterable<number>): number[] => [...new Set(values)].sort((x, y) => x - y);
const entriesOf = (record: Record<string, number>): Array<[string, number]> => Object.entries(record);

describe('hash', () => {
  it('is FNV-1a 32 (the published test vectors)', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('property: hashes the UTF-8 bytes TextEncoder gives, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.oneof(anyUtf16, fc.string({ unit: 'binary', maxLength: 12 })), (text) => {
        expect(fnv1a32(text)).toBe(referenceFnv1a32(text));
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('TicTac tree', () => {
  it('has the named shape: SEGMENT_COUNT leaf segments under BRANCH_COUNT branches', () => {
    expect([tictac.SEGMENT_COUNT, tictac.BRANCH_COUNT, tictac.SEGMENTS_PER_BRANCH]).toEqual([1024, 32, 32]);
    expect(tictac.empty().segments).toHaveLength(1024);
    expect(tictac.branchHashes(tictac.empty())).toHaveLength(32);
  });

  it('spreads keys over every segment (10,000 keys: no segment empty, none over three times the mean)', () => {
    const counts = new Array<number>(tictac.SEGMENT_COUNT).fill(0);
    for (let index = 0; index < 10_000; index++) counts[tictac.segmentOf(`user:${index}`)]! += 1;
    expect(Math.min(...counts)).toBeGreaterThan(0);
    expect(Math.max(...counts)).toBeLessThan((3 * 10_000) / tictac.SEGMENT_COUNT);
  });

  it('a write changes one segment, its branch and the root, and nothing else', () => {
    const before = tictac.build([
      ['a', 1],
      ['b', 2],
    ]);
    const after = tictac.update(before, 'a', 1, 5);
    expect(tictac.diff(before, after)).toEqual({ branches: [tictac.branchOf(tictac.segmentOf('a'))], segments: [tictac.segmentOf('a')] });
    expect(tictac.rootHash(after)).not.toBe(tictac.rootHash(before));
    expect(tictac.update(after, 'a', 5, 1)).toEqual(before);
  });

  it('the version hash of a version vector does not depend on how the vector was built', () => {
    const one = vv.merge({ n2: 1 }, { n1: 3 });
    const other = vv.fromEntries([
      ['n1', 3],
      ['n2', 1],
    ]);
    expect(tictac.versionVectorHash(one)).toBe(tictac.versionVectorHash(other));
    expect(tictac.versionVectorHash(vv.increment(one, 'n1'))).not.toBe(tictac.versionVectorHash(one));
  });

  it('round-trips through JSON and msgpackr unchanged', () => {
    const tree = tictac.build([['k', 0xffff_ffff]]);
    expect(JSON.parse(JSON.stringify(tree))).toEqual(tree);
    expect(unpack(pack(tree))).toEqual(tree);
  });

  it('property: a tree kept up to date write by write equals the tree built from scratch', () => {
    fc.assert(
      fc.property(partition, fc.array(change, { maxLength: 80, size: 'max' }), (initial, changes) => {
        const current = new Map(entriesOf(initial));
        let tree = tictac.build(current);
        for (const { key: changed, after } of changes) {
          tree = tictac.update(tree, changed, current.get(changed) ?? null, after);
          if (after === null) current.delete(changed);
          else current.set(changed, after);
        }
        expect(tree).toEqual(tictac.build(current));
        expect(tictac.rootHash(tree)).toBe(tictac.rootHash(tictac.build([...current].reverse())));
      }),
      { numRuns: 300 },
    );
  });

  it('property: diff finds exactly the segments (and branches) holding a key whose version differs', () => {
    fc.assert(
      fc.property(partition, fc.array(change, { maxLength: 20 }), (local, changes) => {
        const remote = new Map(entriesOf(local));
        for (const { key: changed, after } of changes) {
          if (after === null) remote.delete(changed);
          else remote.set(changed, after);
        }
        const localMap = new Map(entriesOf(local));
        const differingKeys = [...new Set([...localMap.keys(), ...remote.keys()])].filter((k) => localMap.get(k) !== remote.get(k));
        const expectedSegments = sortedUnique(differingKeys.map(tictac.segmentOf));
        const found = tictac.diff(tictac.build(localMap), tictac.build(remote));
        expect(found.segments).toEqual(expectedSegments);
        expect(found.branches).toEqual(sortedUnique(expectedSegments.map(tictac.branchOf)));
        // The exchange in steps (branch hashes, then the segments under differing branches) finds the same.
        const localTree = tictac.build(localMap);
        const remoteTree = tictac.build(remote);
        const branches = tictac.diffBranches(tictac.branchHashes(localTree), tictac.branchHashes(remoteTree));
        expect(tictac.diffSegmentHashes(tictac.segmentHashes(localTree, branches), tictac.segmentHashes(remoteTree, branches))).toEqual(expectedSegments);
        // And the key-level step, over the keys of those segments, names exactly the keys to repair.
        const inSegments = (pairs: Map<string, number>) => [...pairs].filter(([k]) => expectedSegments.includes(tictac.segmentOf(k)));
        const keys = tictac.compareKeyVersions(inSegments(localMap), inSegments(remote));
        expect([...keys.missingLocally, ...keys.missingRemotely, ...keys.differing].sort()).toEqual([...differingKeys].sort());
        for (const k of keys.missingLocally) expect(localMap.has(k) || !remote.has(k)).toBe(false);
        for (const k of keys.missingRemotely) expect(remote.has(k) || !localMap.has(k)).toBe(false);
        for (const k of keys.differing) expect(localMap.has(k) && remote.has(k)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
