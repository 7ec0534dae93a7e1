// Placement: a consistent-hash ring with virtual nodes. Each node owns
// `vnodesPerNode` points on a 32-bit circle; a key belongs to the points that
// follow its own position clockwise. Adding a node only moves the keys that
// fall just before its new points, which is why Dynamo places data this way.
// Positions come from the deterministic hash of src/convergence, so every
// node (and every run of the simulator) computes the same ring.

import { assert } from '../ground/assert.js';
import { hashString } from '../convergence/hash.js';
import type { NodeId } from './types.js';

/** Riak's default ring has 64 partitions; 64 points per node keeps each node's share of keys within tens of percent of fair. */
export const DEFAULT_VNODES_PER_NODE = 64;

/** A ring bigger than this is a configuration mistake, not a cluster this core was written for. */
export const MAX_RING_NODES = 256;

interface RingPoint {
  readonly position: number;
  readonly node: NodeId;
}

export interface Ring {
  /** Sorted, distinct. */
  readonly nodes: readonly NodeId[];
  readonly vnodesPerNode: number;
  /** Sorted by position, then node id (two nodes may hash a point to the same position). */
  readonly points: readonly RingPoint[];
}

/** One entry of a sloppy preference list: a node, and the primary it holds writes for when it is a fallback. */
export interface SloppyTarget {
  readonly node: NodeId;
  /** null for a primary; for a fallback, the down primary it stands in for (its hints go to that node). */
  readonly standsInFor: NodeId | null;
}

export function createRing(nodes: readonly NodeId[], vnodesPerNode: number = DEFAULT_VNODES_PER_NODE): Ring {
  const distinct = [...new Set(nodes)].sort();
  assert(distinct.length === nodes.length, 'ring nodes must be distinct');
  assert(distinct.length > 0 && distinct.length <= MAX_RING_NODES, `a ring has 1 to ${MAX_RING_NODES} nodes`);
  assert(Number.isSafeInteger(vnodesPerNode) && vnodesPerNode > 0, 'vnodesPerNode must be a positive integer');
  const points: RingPoint[] = [];
  for (const node of distinct) {
    for (let vnode = 0; vnode < vnodesPerNode; vnode++) points.push({ position: hashString(`${node}#${vnode}`), node });
  }
  points.sort((a, b) => a.position - b.position || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  return { nodes: distinct, vnodesPerNode, points };
}

export function keyPosition(key: string): number {
  return hashString(key);
}

/** The first `n` distinct nodes clockwise from the key's position: the key's primaries, in order. */
export function preferenceList(ring: Ring, key: string, n: number): NodeId[] {
  assertReplicaCount(ring, n);
  return distinctNodesFrom(ring, keyPosition(key), n, () => false);
}

/**
 * The first `n` reachable nodes clockwise, skipping those `isDown` names: the
 * primaries that are up, then fallbacks, each standing in for one of the
 * down primaries in ring order. Shorter than `n` when fewer nodes are up.
 */
export function sloppyPreferenceList(ring: Ring, key: string, n: number, isDown: (node: NodeId) => boolean): SloppyTarget[] {
  assertReplicaCount(ring, n);
  const start = keyPosition(key);
  const primaries = distinctNodesFrom(ring, start, n, () => false);
  const downPrimaries = primaries.filter(isDown);
  const reachable = distinctNodesFrom(ring, start, n, isDown);
  let fallbackIndex = 0;
  return reachable.map((node) => {
    if (primaries.includes(node)) return { node, standsInFor: null };
    const standsInFor = downPrimaries[fallbackIndex++];
    assert(standsInFor !== undefined, 'a fallback without a down primary to stand in for');
    return { node, standsInFor };
  });
}

/** Each node's share of the circle, in [0, 1]; the shares sum to 1. For balance checks and the dashboard. */
export function ownershipShares(ring: Ring): Map<NodeId, number> {
  const shares = new Map<NodeId, number>(ring.nodes.map((node) => [node, 0]));
  const circle = 2 ** 32;
  ring.points.forEach((point, index) => {
    // A point owns the arc from the previous point (exclusive) up to itself.
    const previous = ring.points[(index - 1 + ring.points.length) % ring.points.length] as RingPoint;
    const arc = ring.points.length === 1 ? circle : (point.position - previous.position + circle) % circle;
    shares.set(point.node, (shares.get(point.node) ?? 0) + arc / circle);
  });
  return shares;
}

function assertReplicaCount(ring: Ring, n: number): void {
  assert(Number.isSafeInteger(n) && n >= 1 && n <= ring.nodes.length, `n must be between 1 and the ring's ${ring.nodes.length} nodes, not ${n}`);
}

function distinctNodesFrom(ring: Ring, position: number, n: number, skip: (node: NodeId) => boolean): NodeId[] {
  const found: NodeId[] = [];
  const first = firstPointAtOrAfter(ring, position);
  for (let step = 0; step < ring.points.length && found.length < n; step++) {
    const node = (ring.points[(first + step) % ring.points.length] as RingPoint).node;
    if (!skip(node) && !found.includes(node)) found.push(node);
  }
  return found;
}

// Binary search: the index of the first point whose position is >= `position`, wrapping to 0.
function firstPointAtOrAfter(ring: Ring, position: number): number {
  let low = 0;
  let high = ring.points.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((ring.points[middle] as RingPoint).position < position) low = middle + 1;
    else high = middle;
  }
  return low === ring.points.length ? 0 : low;
}
