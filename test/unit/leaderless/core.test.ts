import { describe, expect, it } from 'vitest';
import { preferenceList, sloppyPreferenceList, type Answer, type KeyClock, type LeaderlessMessage } from '../../../src/leaderless/index.js';
import * as dvv from '../../../src/convergence/dvv-set.js';
import * as vv from '../../../src/convergence/version-vector.js';
import { InstantCluster } from './support/instant-cluster.js';

const NODES = ['a', 'b', 'c', 'd', 'e'];
const KEY = 'cart:1';

function ok<T extends Answer>(answer: T | undefined): Extract<T, { ok: true }> {
  expect(answer?.ok, JSON.stringify(answer)).toBe(true);
  return answer as Extract<T, { ok: true }>;
}

function getValues(
  cluster: InstantCluster,
  via: string,
  options: { r?: number } = {},
): { values: unknown[]; context: vv.VersionVector; replicasAnswered: number } {
  const answer = ok(cluster.request(via, { op: 'get', key: KEY, ...options }));
  if (answer.op !== 'get') throw new Error('not a get answer');
  return { values: [...answer.values].sort(), context: answer.context, replicasAnswered: answer.replicasAnswered };
}

const primaries = preferenceList(new InstantCluster(NODES).core('a').ring, KEY, 3);
const outsider = NODES.find((node) => !primaries.includes(node)) as string;

describe('leaderless core: requests', () => {
  it('a put is acknowledged by w replicas and read back with a context', () => {
    const cluster = new InstantCluster(NODES);
    const put = ok(cluster.request(outsider, { op: 'put', key: KEY, value: 'v1' }));
    expect(put.replicasAnswered).toBe(2);
    const read = getValues(cluster, outsider);
    expect(read.values).toEqual(['v1']);
    expect(read.replicasAnswered).toBe(2);
    // The put went to all three primaries (w only decides when the client hears); nobody else holds it.
    for (const node of NODES) expect(cluster.core(node).replicaOf(KEY) !== undefined).toBe(primaries.includes(node));
  });

  it('w = n waits for every replica, r = 1 answers from the first', () => {
    const cluster = new InstantCluster(NODES);
    expect(ok(cluster.request('a', { op: 'put', key: KEY, value: 1, w: 3 })).replicasAnswered).toBe(3);
    expect(getValues(cluster, 'a', { r: 1 }).replicasAnswered).toBe(1);
  });

  it('blind writes are concurrent: both kept as siblings; a write with the read context resolves them', () => {
    const cluster = new InstantCluster(NODES);
    ok(cluster.request(primaries[0]!, { op: 'put', key: KEY, value: 'x' }));
    ok(cluster.request(primaries[1]!, { op: 'put', key: KEY, value: 'y' }));
    const read = getValues(cluster, outsider);
    expect(read.values).toEqual(['x', 'y']);
    ok(cluster.request(outsider, { op: 'put', key: KEY, value: 'xy', context: read.context }));
    expect(getValues(cluster, outsider, { r: 3 }).values).toEqual(['xy']);
  });

  it('a write with a stale context keeps the value it did not see', () => {
    const cluster = new InstantCluster(NODES);
    ok(cluster.request('a', { op: 'put', key: KEY, value: 'first' }));
    const stale = getValues(cluster, 'a').context;
    ok(cluster.request('b', { op: 'put', key: KEY, value: 'second', context: stale }));
    ok(cluster.request('c', { op: 'put', key: KEY, value: 'third', context: stale }));
    expect(getValues(cluster, 'a', { r: 3 }).values).toEqual(['second', 'third']);
  });

  it('a delete with the read context leaves a tombstone that reads as absent; a concurrent put survives it', () => {
    const cluster = new InstantCluster(NODES);
    ok(cluster.request('a', { op: 'put', key: KEY, value: 'old' }));
    const context = getValues(cluster, 'a').context;
    ok(cluster.request('b', { op: 'put', key: KEY, value: 'concurrent' }));
    ok(cluster.request('a', { op: 'delete', key: KEY, context }));
    expect(getValues(cluster, 'a', { r: 3 }).values).toEqual(['concurrent']);
    const after = getValues(cluster, 'a', { r: 3 });
    ok(cluster.request('a', { op: 'delete', key: KEY, context: after.context }));
    expect(getValues(cluster, 'a', { r: 3 }).values).toEqual([]);
    // The tombstone is kept, not the key dropped: a replica that missed the delete must not bring the value back.
    expect(dvv.siblingCount(cluster.core(primaries[0]!).replicaOf(KEY)!)).toBe(1);
  });

  it('a write that reaches fewer than w replicas times out at its deadline, saying how many answered', () => {
    const cluster = new InstantCluster(NODES);
    cluster.block = (message) => message.to === primaries[2] || message.from === primaries[2];
    const requestId = cluster.core(primaries[0]!).request({ op: 'put', key: KEY, value: 'v', n: 3, r: 2, w: 3, deadlineTicks: 5 });
    cluster.run();
    cluster.tick(4);
    expect(cluster.answerOf(primaries[0]!, requestId)).toBeUndefined();
    cluster.tick(1);
    const answer = cluster.answerOf(primaries[0]!, requestId);
    expect(answer).toMatchObject({ ok: false, error: 'timeout', replicasAnswered: 2 });
    expect(answer && 'dot' in answer && answer.dot).toEqual({ actor: primaries[0], counter: 1 });
  });

  it('refuses requests it cannot serve as asked', () => {
    const cluster = new InstantCluster(NODES);
    expect(cluster.request('a', { op: 'put', key: KEY, value: 1, n: 6 })).toMatchObject({ ok: false, error: 'bad-request' });
    expect(cluster.request('a', { op: 'get', key: KEY, r: 4 })).toMatchObject({ ok: false, error: 'bad-request' });
    expect(cluster.request('a', { op: 'put', key: KEY })).toMatchObject({ ok: false, error: 'bad-request' });
  });
});

describe('leaderless core: duplicates and restarts', () => {
  it('a duplicated stamp request is stamped once', () => {
    const cluster = new InstantCluster(NODES);
    ok(cluster.request(outsider, { op: 'put', key: KEY, value: 'once' }));
    const stamp = cluster.delivered.find((message) => message.type === 'stamp');
    expect(stamp).toBeDefined();
    cluster.core(stamp!.to).step(stamp!);
    cluster.run();
    expect(getValues(cluster, outsider, { r: 3 }).values).toEqual(['once']);
  });

  it('a reply to a request of an earlier incarnation is not counted for a new request of the same id', () => {
    const cluster = new InstantCluster(NODES);
    const coordinator = primaries[0]!;
    // First life: request 1 stamps on itself; the replicate replies are held back.
    const held: LeaderlessMessage[] = [];
    cluster.block = (message) => message.type === 'replicated' && (held.push(message), true);
    cluster.core(coordinator).request({ op: 'put', key: KEY, value: 'before', n: 3, r: 2, w: 3, deadlineTicks: 50 });
    cluster.run();
    expect(held.length).toBe(2);
    cluster.crash(coordinator);
    cluster.restart(coordinator);
    // Second life: request 1 again, its replicas unreachable; the old replies must not complete it.
    cluster.block = (message) => message.type === 'replicate';
    const requestId = cluster.core(coordinator).request({ op: 'put', key: KEY, value: 'after', n: 3, r: 2, w: 2, deadlineTicks: 3 });
    for (const message of held) cluster.core(coordinator).step(message);
    cluster.tick(3);
    expect(cluster.answerOf(coordinator, requestId)).toMatchObject({ ok: false, error: 'timeout', replicasAnswered: 1 });
  });
});

describe('leaderless core: read repair', () => {
  it('after answering, a read sends the merge to replicas that answered missing or stale', () => {
    const cluster = new InstantCluster(NODES);
    const lagging = primaries[2]!;
    cluster.block = (message) => message.to === lagging;
    ok(cluster.request(primaries[0]!, { op: 'put', key: KEY, value: 'v' }));
    expect(cluster.core(lagging).replicaOf(KEY)).toBeUndefined();
    cluster.block = () => false;
    getValues(cluster, primaries[0]!, { r: 1 });
    expect(cluster.delivered.filter((message) => message.type === 'repair').map((message) => message.to)).toEqual([lagging]);
    expect(tombValues(cluster.core(lagging).replicaOf(KEY))).toEqual(['v']);
  });

  it('replicas already in agreement get no repair', () => {
    const cluster = new InstantCluster(NODES);
    ok(cluster.request('a', { op: 'put', key: KEY, value: 'v', w: 3 }));
    getValues(cluster, 'a', { r: 3 });
    expect(cluster.delivered.some((message) => message.type === 'repair')).toBe(false);
  });
});

describe('leaderless core: hinted handoff', () => {
  const down = primaries[1]!;
  const coordinator = primaries[0]!;
  const fallback = sloppyPreferenceList(new InstantCluster(NODES).core('a').ring, KEY, 3, (node) => node === down).find(
    (target) => target.standsInFor === down,
  )!.node;

  it('a write for a primary known down goes to a fallback with a hint, handed off when the primary is back', () => {
    const cluster = new InstantCluster(NODES);
    cluster.crash(down);
    cluster.core(coordinator).peerDown(down);
    expect(ok(cluster.request(coordinator, { op: 'put', key: KEY, value: 'while-down', w: 3 })).replicasAnswered).toBe(3);
    expect(cluster.core(fallback).hintCount(down)).toBe(1);
    expect(cluster.disks.get(fallback)!.hints.size).toBe(1);
    cluster.restart(down);
    expect(cluster.core(down).replicaOf(KEY)).toBeUndefined();
    cluster.core(fallback).peerUp(down);
    cluster.run();
    expect(tombValues(cluster.core(down).replicaOf(KEY))).toEqual(['while-down']);
    expect(cluster.core(fallback).hintCount()).toBe(0);
    expect(cluster.disks.get(fallback)!.hints.size).toBe(0);
  });

  it('hints survive the fallback restarting, and are retried on tick until acknowledged', () => {
    const cluster = new InstantCluster(NODES);
    cluster.crash(down);
    cluster.core(coordinator).peerDown(down);
    ok(cluster.request(coordinator, { op: 'put', key: KEY, value: 'kept', w: 3 }));
    cluster.crash(fallback);
    cluster.restart(fallback);
    expect(cluster.core(fallback).hintCount(down)).toBe(1);
    cluster.restart(down);
    cluster.block = (message) => message.type === 'handoff-ack';
    cluster.tick(1);
    expect(cluster.core(fallback).hintCount(down)).toBe(1);
    cluster.block = () => false;
    cluster.tick(25);
    expect(cluster.core(fallback).hintCount(down)).toBe(0);
    expect(tombValues(cluster.core(down).replicaOf(KEY))).toEqual(['kept']);
  });

  it('a fallback whose hints for a target are full refuses further hinted writes for it', () => {
    const cluster = new InstantCluster(NODES, { maxHintsPerTarget: 1 });
    cluster.crash(down);
    cluster.core(coordinator).peerDown(down);
    ok(cluster.request(coordinator, { op: 'put', key: KEY, value: 'first', w: 3 }));
    // The same key joins the existing hint; it takes no new room.
    ok(cluster.request(coordinator, { op: 'put', key: KEY, value: 'again', w: 3 }));
    const other = Array.from({ length: 50 }, (_, index) => `k${index}`).find((key) =>
      sloppyPreferenceList(cluster.core(coordinator).ring, key, 3, (node) => node === down).some(
        (target) => target.node === fallback && target.standsInFor === down,
      ),
    );
    expect(other).toBeDefined();
    const requestId = cluster.core(coordinator).request({ op: 'put', key: other!, value: 'no-room', n: 3, r: 2, w: 3, deadlineTicks: 2 });
    cluster.run();
    cluster.tick(2);
    expect(cluster.answerOf(coordinator, requestId)).toMatchObject({ ok: false, error: 'timeout', replicasAnswered: 2 });
    expect(cluster.core(fallback).hintCount(down)).toBe(1);
    expect(cluster.core(fallback).replicaOf(other!)).toBeUndefined();
  });

  it('planted bug no-hint: the fallback keeps no hint, and the primary never hears of the write', () => {
    const cluster = new InstantCluster(NODES, { plantedBugs: ['no-hint'] });
    cluster.crash(down);
    cluster.core(coordinator).peerDown(down);
    ok(cluster.request(coordinator, { op: 'put', key: KEY, value: 'lost-to-down', w: 3 }));
    cluster.restart(down);
    cluster.core(fallback).peerUp(down);
    cluster.tick(30);
    expect(cluster.core(down).replicaOf(KEY)).toBeUndefined();
  });
});

function tombValues(clock: KeyClock | undefined): unknown[] {
  if (clock === undefined) return [];
  return dvv.values(clock).map((sibling) => (sibling.deleted ? '<tombstone>' : sibling.value));
}
