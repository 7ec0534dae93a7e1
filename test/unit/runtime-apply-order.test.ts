// The runtime writes a Ready's state-machine batch beside its persist (one
// LMDB commit instead of two), but only when every entry the batch applies was
// already durable on this node. These tests run real NodeRuntimes on
// in-memory storage whose persists land a little later, as a disk's would,
// and watch the order of persists and applies on every node.

import { afterEach, describe, expect, it } from 'vitest';
import type { Message, NodeId } from '../../src/core/types.js';
import type { KvMutation } from '../../src/kv/apply.js';
import type { NodeRuntimeConfig } from '../../src/node/node-config.js';
import { NodeRuntime } from '../../src/node/node-runtime.js';
import type { ClientAnswer } from '../../src/node/requests.js';
import { MemoryKvStore } from '../../src/storage/memory-kv.js';
import { MemoryNodeStorage } from '../../src/storage/memory-storage.js';
import type { PersistBatch } from '../../src/storage/types.js';
import type { ReceiveHandler, Transport, TransportStats } from '../../src/transport/types.js';

/** Every wait in these tests; far above what a run takes. */
const WAIT_LIMIT_MS = 10_000;

interface Observed {
  /** The last log index a persist that has finished covered: what this node has on disk. */
  durableIndex: number;
  persistsInFlight: number;
  /** Applies begun while a persist of the same node was still in flight. */
  appliesBesidePersist: number;
  /** Applies of entries that were not yet durable here when the apply began. */
  appliesAheadOfLog: string[];
  appliedIndex: number;
}

/** In-memory storage whose persists land on a later turn of the event loop, as a disk's do. */
class SlowDiskStorage extends MemoryNodeStorage {
  constructor(private readonly observed: Observed) {
    super();
  }

  override async persist(batch: PersistBatch): Promise<void> {
    this.observed.persistsInFlight++;
    await new Promise((resolve) => setImmediate(resolve));
    await super.persist(batch);
    const last = batch.entries[batch.entries.length - 1];
    if (last) this.observed.durableIndex = last.index;
    this.observed.persistsInFlight--;
  }
}

class WatchedKv extends MemoryKvStore {
  constructor(
    private readonly id: NodeId,
    private readonly observed: Observed,
  ) {
    super();
  }

  override async applyBatch(mutations: readonly KvMutation[], appliedIndex: number): Promise<void> {
    if (this.observed.persistsInFlight > 0) this.observed.appliesBesidePersist++;
    if (appliedIndex > this.observed.durableIndex) {
      this.observed.appliesAheadOfLog.push(`${this.id} applied through ${appliedIndex} with only ${this.observed.durableIndex} on disk`);
    }
    await super.applyBatch(mutations, appliedIndex);
    this.observed.appliedIndex = appliedIndex;
  }
}

/** Delivers between runtimes of one test on the next turn of the event loop; a node can be cut off. */
class Switchboard {
  private readonly handlers = new Map<NodeId, ReceiveHandler>();
  readonly cutOff = new Set<NodeId>();

  transport(self: NodeId, peers: NodeId[]): Transport {
    const stats: TransportStats = { sentMessages: 0, sentBatches: 0, sentBytes: 0, receivedMessages: 0, receivedBatches: 0, droppedMessages: 0 };
    return {
      peers,
      send: (messages: readonly Message[]) => {
        for (const message of messages) {
          if (this.cutOff.has(message.to) || this.cutOff.has(self)) continue;
          setImmediate(() => this.handlers.get(message.to)?.([message]));
        }
      },
      onReceive: (handler) => void this.handlers.set(self, handler),
      close: () => void this.handlers.delete(self),
      stats: () => stats,
    };
  }
}

const runtimes: NodeRuntime[] = [];
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.stop()));
});

async function startCluster(ids: NodeId[]): Promise<{ nodes: Map<NodeId, NodeRuntime>; observed: Map<NodeId, Observed>; board: Switchboard }> {
  const board = new Switchboard();
  const nodes = new Map<NodeId, NodeRuntime>();
  const observed = new Map<NodeId, Observed>();
  for (const id of ids) {
    const seen: Observed = { durableIndex: 0, persistsInFlight: 0, appliesBesidePersist: 0, appliesAheadOfLog: [], appliedIndex: 0 };
    const config: NodeRuntimeConfig = {
      id,
      bootstrap: { voters: ids, learners: [] },
      tickMs: 5,
      electionTimeoutTicks: 10,
      heartbeatIntervalTicks: 1,
      defaultMode: 'quorum',
      semiSyncMinReplicas: 1,
      replicationTimeoutMs: 1000,
      snapshotEveryEntries: 1_000_000,
      readWaitTimeoutMs: 2000,
      writeTimeoutMs: 2000,
      maxPendingRequests: 1024,
      core: { seed: ids.indexOf(id) + 1 },
    };
    const runtime = await NodeRuntime.open(config, {
      storage: new SlowDiskStorage(seen),
      kv: new WatchedKv(id, seen),
      transport: board.transport(
        id,
        ids.filter((peer) => peer !== id),
      ),
      nowMs: () => performance.now(),
    });
    runtimes.push(runtime);
    nodes.set(id, runtime);
    observed.set(id, seen);
    runtime.start();
  }
  return { nodes, observed, board };
}

async function until<T>(probe: () => T | undefined | null | false, what: string): Promise<T> {
  const deadline = performance.now() + WAIT_LIMIT_MS;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function leaderOf(nodes: Map<NodeId, NodeRuntime>): Promise<NodeRuntime> {
  return until(() => [...nodes.values()].find((node) => node.status().role === 'leader'), 'a leader');
}

/** Writes one after another, each sent as soon as the previous one is answered (a client on one connection). */
async function writeInSequence(leader: NodeRuntime, count: number): Promise<ClientAnswer[]> {
  const answers: ClientAnswer[] = [];
  for (let i = 0; i < count; i++) answers.push(await leader.submitOne({ kind: 'put', key: `k${i % 4}`, value: i }));
  return answers;
}

describe('the state-machine batch and the persist of one Ready', () => {
  it('are written together on the leader when the applied entries were already on its disk', async () => {
    const { nodes, observed } = await startCluster(['a', 'b', 'c']);
    const leader = await leaderOf(nodes);
    // Writes arriving all the time, a few per millisecond, without waiting for answers: a turn of the
    // leader then appends new entries and applies older, committed ones.
    const pending: Promise<ClientAnswer>[] = [];
    for (let wave = 0; wave < 40; wave++) {
      for (let i = 0; i < 3; i++) pending.push(leader.submitOne({ kind: 'put', key: `p${wave}`, value: i }));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const answers = await Promise.all(pending);
    expect(answers.every((answer) => answer.ok)).toBe(true);
    const seenOnLeader = observed.get(leader.status().id) as Observed;
    expect(seenOnLeader.appliesBesidePersist).toBeGreaterThan(0);
    for (const seen of observed.values()) expect(seen.appliesAheadOfLog).toEqual([]);
  });

  it('waits for the persist when a Ready applies entries it also brings (a follower catching up)', async () => {
    const { nodes, observed, board } = await startCluster(['a', 'b', 'c']);
    const leader = await leaderOf(nodes);
    const lagging = [...nodes.keys()].find((id) => id !== leader.status().id) as NodeId;
    // Committed without the lagging node; when it is back, one AppendEntries brings it entries it
    // must apply at once, since the leader's commit index already covers them.
    board.cutOff.add(lagging);
    const answers = await writeInSequence(leader, 20);
    expect(answers.every((answer) => answer.ok)).toBe(true);
    board.cutOff.delete(lagging);
    const target = leader.status().commitIndex;
    await until(() => (observed.get(lagging) as Observed).appliedIndex >= target, `${lagging} to apply through ${target}`);
    for (const seen of observed.values()) expect(seen.appliesAheadOfLog).toEqual([]);
    // Every node's store holds every write.
    for (const node of nodes.values()) {
      const read = await node.submitOne({ kind: 'get', key: 'k3', consistency: 'eventual' });
      expect(read.ok && 'value' in read ? read.value : read).toBe(19);
    }
  });
});
