// A TicTac tree for anti-entropy (after kv_index_tictactree, Riak's TicTac
// AAE): a fixed-shape hash tree over one partition's keys. A leaf segment's
// hash is the XOR of the hashes of its (key, version hash) pairs, so a write
// updates it in O(1) by XOR-ing the old pair out and the new pair in, with
// no rehash of anything else, and the result does not depend on the order
// in which keys arrived. Branch hashes are the XOR of their segments, and
// the root the XOR of the branches.
//
// Two replicas compare roots, then the BRANCH_COUNT branch hashes, then the
// segments under the branches that differ, then the keys of the segments
// that differ (compareKeyVersions). XOR hashing has one blind spot, shared
// with every 32-bit summary: two different sets of pairs whose hashes XOR to
// the same value (about one in 2^32 for unrelated data) look alike.

import { assert } from '../ground/assert.js';
import { fnv1a32, fnv1a32Uint32, hashString, mix32 } from './hash.js';
import * as vv from './version-vector.js';

/** Leaf segments per tree (Riak's "small" TicTac tree has 1024). A power of two, so a segment is the low bits of a hash. */
export const SEGMENT_COUNT = 1024;
/** Branches per tree; each covers SEGMENT_COUNT / BRANCH_COUNT consecutive segments. */
export const BRANCH_COUNT = 32;
export const SEGMENTS_PER_BRANCH = SEGMENT_COUNT / BRANCH_COUNT;

export interface TictacTree {
  readonly kind: 'tictac-tree';
  /** SEGMENT_COUNT unsigned 32-bit hashes; 0 for a segment with no keys. */
  readonly segments: readonly number[];
}

export interface SegmentHash {
  readonly segment: number;
  readonly hash: number;
}

export interface KeyVersionDiff {
  /** Keys the remote side has and the local side does not. */
  readonly missingLocally: string[];
  /** Keys the local side has and the remote side does not. */
  readonly missingRemotely: string[];
  /** Keys both have, with different version hashes. */
  readonly differing: string[];
}

export function empty(): TictacTree {
  return { kind: 'tictac-tree', segments: new Array<number>(SEGMENT_COUNT).fill(0) };
}

/** The segment a key lives in, whatever its version. */
export function segmentOf(key: string): number {
  return hashString(key) & (SEGMENT_COUNT - 1);
}

export function branchOf(segment: number): number {
  assertSegment(segment);
  return Math.floor(segment / SEGMENTS_PER_BRANCH);
}

/** The hash of a version, from a canonical text of it (a version vector's JSON, an object hash...). */
export function versionHash(canonicalVersion: string): number {
  return hashString(canonicalVersion);
}

/** The version hash of a key whose version is a version vector (for a dvv-set: the vector of its join). */
export function versionVectorHash(vector: vv.VersionVector): number {
  return versionHash(JSON.stringify(vv.entries(vector)));
}

/** What one (key, version) pair contributes to its segment. */
export function entryHash(key: string, keyVersionHash: number): number {
  return mix32(fnv1a32Uint32(fnv1a32(key), keyVersionHash >>> 0));
}

/**
 * The tree after a key changed version: `before` is the version hash the
 * tree holds for it (null if the key was absent), `after` the new one (null
 * if the key is gone). Getting `before` wrong corrupts the segment, which
 * the next rebuild (or anti-entropy exchange) then shows as a difference.
 */
export function update(tree: TictacTree, key: string, before: number | null, after: number | null): TictacTree {
  if (before === after) return tree;
  const segment = segmentOf(key);
  let hash = tree.segments[segment] as number;
  if (before !== null) hash ^= entryHash(key, before);
  if (after !== null) hash ^= entryHash(key, after);
  const segments = tree.segments.slice();
  segments[segment] = hash >>> 0;
  return { kind: 'tictac-tree', segments };
}

/** The tree of a whole partition, from scratch. Each key must appear once. */
export function build(pairs: Iterable<readonly [key: string, keyVersionHash: number]>): TictacTree {
  const segments = new Array<number>(SEGMENT_COUNT).fill(0);
  for (const [key, keyVersionHash] of pairs) {
    const segment = segmentOf(key);
    segments[segment] = ((segments[segment] as number) ^ entryHash(key, keyVersionHash)) >>> 0;
  }
  return { kind: 'tictac-tree', segments };
}

export function branchHashes(tree: TictacTree): number[] {
  assertTree(tree);
  const branches = new Array<number>(BRANCH_COUNT).fill(0);
  tree.segments.forEach((hash, segment) => {
    const branch = Math.floor(segment / SEGMENTS_PER_BRANCH);
    branches[branch] = ((branches[branch] as number) ^ hash) >>> 0;
  });
  return branches;
}

export function rootHash(tree: TictacTree): number {
  return branchHashes(tree).reduce((root, hash) => (root ^ hash) >>> 0, 0);
}

/** The branches whose hashes differ, given both sides' branchHashes. */
export function diffBranches(local: readonly number[], remote: readonly number[]): number[] {
  assert(local.length === BRANCH_COUNT && remote.length === BRANCH_COUNT, `branch lists have ${BRANCH_COUNT} hashes`);
  const differing: number[] = [];
  for (let branch = 0; branch < BRANCH_COUNT; branch++) if (local[branch] !== remote[branch]) differing.push(branch);
  return differing;
}

/** The segment hashes under the given branches: what one side sends the other once branches differ. */
export function segmentHashes(tree: TictacTree, branches: readonly number[]): SegmentHash[] {
  assertTree(tree);
  const hashes: SegmentHash[] = [];
  for (const branch of [...new Set(branches)].sort((x, y) => x - y)) {
    assert(Number.isInteger(branch) && branch >= 0 && branch < BRANCH_COUNT, `no branch ${branch}`);
    for (let segment = branch * SEGMENTS_PER_BRANCH; segment < (branch + 1) * SEGMENTS_PER_BRANCH; segment++) {
      hashes.push({ segment, hash: tree.segments[segment] as number });
    }
  }
  return hashes;
}

/** The segments whose hashes differ, given both sides' segmentHashes for the same branches. */
export function diffSegmentHashes(local: readonly SegmentHash[], remote: readonly SegmentHash[]): number[] {
  const remoteBySegment = new Map(remote.map(({ segment, hash }) => [segment, hash]));
  assert(remoteBySegment.size === local.length, 'both sides must send the segments of the same branches');
  const differing: number[] = [];
  for (const { segment, hash } of local) {
    const other = remoteBySegment.get(segment);
    assert(other !== undefined, `the remote side did not send segment ${segment}`);
    if (other !== hash) differing.push(segment);
  }
  return differing.sort((x, y) => x - y);
}

/** The whole exchange between two trees at hand: the branches that differ, and the segments under them that differ. */
export function diff(local: TictacTree, remote: TictacTree): { branches: number[]; segments: number[] } {
  const branches = diffBranches(branchHashes(local), branchHashes(remote));
  return { branches, segments: diffSegmentHashes(segmentHashes(local, branches), segmentHashes(remote, branches)) };
}

/** The last step: given both sides' (key, version hash) pairs of the differing segments, which keys to repair. */
export function compareKeyVersions(
  local: Iterable<readonly [key: string, keyVersionHash: number]>,
  remote: Iterable<readonly [key: string, keyVersionHash: number]>,
): KeyVersionDiff {
  const localByKey = new Map(local);
  const remoteByKey = new Map(remote);
  const missingLocally: string[] = [];
  const missingRemotely: string[] = [];
  const differing: string[] = [];
  for (const [key, hash] of localByKey) {
    const other = remoteByKey.get(key);
    if (other === undefined) missingRemotely.push(key);
    else if (other !== hash) differing.push(key);
  }
  for (const key of remoteByKey.keys()) if (!localByKey.has(key)) missingLocally.push(key);
  const byCodeUnits = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return {
    missingLocally: missingLocally.sort(byCodeUnits),
    missingRemotely: missingRemotely.sort(byCodeUnits),
    differing: differing.sort(byCodeUnits),
  };
}

export function assertTree(tree: TictacTree): void {
  assert(tree.kind === 'tictac-tree', 'not a tictac tree');
  assert(tree.segments.length === SEGMENT_COUNT, `a tictac tree has ${SEGMENT_COUNT} segments`);
}

function assertSegment(segment: number): void {
  assert(Number.isInteger(segment) && segment >= 0 && segment < SEGMENT_COUNT, `no segment ${segment}`);
}
