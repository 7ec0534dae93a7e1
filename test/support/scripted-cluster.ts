// A hand-driven cluster for scripted tests: messages wait in a list until the
// test delivers them, nodes persist instantly, and a crash keeps the disk.
// Every step is explicit, so a test reads like the paper's figures.

import {
  DEFAULT_ELECTION_TIMEOUT_TICKS,
  RaftCore,
  type CoreConfigInput,
  type Entry,
  type Membership,
  type Message,
  type NodeId,
  type Ready,
  type Snapshot,
} from '../../src/core/index.js';
import { CoreDisk } from './core-disk.js';

export interface ScriptedNode {
  readonly id: NodeId;
  core: RaftCore | null;
  readonly disk: CoreDisk;
  readonly applied: Entry[];
}

/** Sees every Ready after it is persisted and before advance(), e.g. to feed test/sim/invariants.ts. */
export type ReadyObserver = (id: NodeId, ready: Ready, core: RaftCore) => void;

export class ScriptedCluster {
  readonly nodes = new Map<NodeId, ScriptedNode>();
  /** Sent and not yet delivered or dropped. */
  pending: Message[] = [];
  readonly readies: { id: NodeId; ready: Ready }[] = [];
  /** Called for every Ready, in order, after the disk write and before advance(). */
  readonly observers: ReadyObserver[] = [];

  constructor(
    readonly ids: readonly NodeId[],
    private readonly config: Omit<CoreConfigInput, 'id'> = {},
  ) {
    for (const id of ids) {
      const node: ScriptedNode = { id, core: null, disk: new CoreDisk({ voters: [...ids], learners: [] }), applied: [] };
      this.nodes.set(id, node);
      this.start(id);
    }
  }

  node(id: NodeId): ScriptedNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  core(id: NodeId): RaftCore {
    const core = this.node(id).core;
    if (!core) throw new Error(`${id} is down`);
    return core;
  }

  start(id: NodeId): void {
    const node = this.node(id);
    const persisted = node.disk.load();
    node.core = new RaftCore({ ...this.config, id, seed: this.seedOf(id) }, persisted, {
      appliedIndex: persisted.snapshot?.meta.index ?? 0,
    });
    node.applied.length = 0;
  }

  /**
   * A node that is not in the initial membership (to be added as a learner):
   * it boots from the initial voters, so it never campaigns, and learns the
   * real membership from the leader's log.
   */
  addNode(id: NodeId): ScriptedNode {
    if (this.nodes.has(id)) throw new Error(`node ${id} already exists`);
    const node: ScriptedNode = { id, core: null, disk: new CoreDisk({ voters: [...this.ids], learners: [] }), applied: [] };
    this.nodes.set(id, node);
    this.start(id);
    return node;
  }

  /** Write a log (and hard state) onto a node's disk and restart it from there. */
  restartWith(id: NodeId, term: number, entries: readonly Entry[], vote: NodeId | null = null, commit = 0): void {
    const node = this.node(id);
    node.disk.persist({ term, vote, commit }, undefined, entries);
    this.crash(id);
    this.start(id);
  }

  /** The state machine of `id` took a snapshot at `index`: compact its log and its disk. */
  compact(id: NodeId, index: number, data: Uint8Array = new Uint8Array()): Snapshot | null {
    const snapshot = this.core(id).compact(index, data);
    if (snapshot) this.node(id).disk.compact(snapshot);
    return snapshot;
  }

  crash(id: NodeId): void {
    this.node(id).core = null;
    this.pending = this.pending.filter((message) => message.to !== id);
  }

  /** Run every node's ready loop until quiet: persist, queue messages, apply, advance. */
  settle(): void {
    for (let round = 0; round < 100; round++) {
      let busy = false;
      for (const node of this.nodes.values()) {
        const core = node.core;
        if (!core || !core.hasReady()) continue;
        busy = true;
        const ready = core.ready();
        node.disk.persist(ready.hardState, ready.snapshot, ready.entries);
        this.pending.push(...ready.messages);
        node.applied.push(...ready.committed);
        this.readies.push({ id: node.id, ready });
        for (const observer of this.observers) observer(node.id, ready, core);
        core.advance(ready);
      }
      if (!busy) return;
    }
    throw new Error('cluster did not settle in 100 rounds');
  }

  /** Deliver (and remove) the pending messages that match, then settle. */
  deliver(filter: (message: Message) => boolean = () => true): number {
    const now = this.pending.filter(filter);
    this.pending = this.pending.filter((message) => !filter(message));
    for (const message of now) this.nodes.get(message.to)?.core?.step(message);
    this.settle();
    return now.length;
  }

  /** Deliver until nothing matching is left (bounded). */
  deliverAll(filter: (message: Message) => boolean = () => true): void {
    for (let round = 0; round < 100; round++) if (this.deliver(filter) === 0) return;
    throw new Error('messages kept flowing for 100 rounds');
  }

  drop(filter: (message: Message) => boolean = () => true): void {
    this.pending = this.pending.filter((message) => !filter(message));
  }

  /**
   * Each tick: tick every running node, then deliver the pending messages
   * `allow` accepts until quiet, and drop the rest (a lossy link or a partition).
   */
  run(ticks: number, allow: (message: Message) => boolean = () => true): void {
    for (let i = 0; i < ticks; i++) {
      for (const node of this.nodes.values()) node.core?.tick();
      this.settle();
      this.deliverAll(allow);
      this.drop();
    }
  }

  /**
   * Tick each of `ids` through the startup quiet period (a node that started
   * less than electionTimeoutTicks ago ignores campaigns when check-quorum is
   * on). Throws if one of them campaigns meanwhile: pick other seeds or ids.
   * Messages sent meanwhile stay pending.
   */
  passStartupQuiet(ids: readonly NodeId[] = [...this.nodes.keys()]): void {
    const ticks = this.config.electionTimeoutTicks ?? DEFAULT_ELECTION_TIMEOUT_TICKS;
    for (const id of ids) {
      const core = this.core(id);
      const role = core.role;
      for (let i = 0; i < ticks; i++) core.tick();
      if (core.role !== role) throw new Error(`${id} became ${core.role} during its startup quiet period`);
    }
    this.settle();
  }

  /** The membership `id` currently runs with. */
  membership(id: NodeId): Membership {
    return this.core(id).status().membership;
  }

  /** The terms of `id`'s log from its first index, e.g. [1, 1, 2] (entries compacted away are left out). */
  logTerms(id: NodeId): number[] {
    const { firstIndex, lastIndex } = this.core(id).status();
    const terms: number[] = [];
    for (let index = firstIndex; index <= lastIndex; index++) terms.push(this.core(id).entryAt(index)?.term ?? -1);
    return terms;
  }

  /** Tick one node until its role changes (bounded), settling after each tick. */
  tickUntilRoleChanges(id: NodeId, maxTicks = 200): void {
    const core = this.core(id);
    const role = core.role;
    for (let i = 0; i < maxTicks; i++) {
      core.tick();
      this.settle();
      if (core.role !== role) return;
    }
    throw new Error(`${id} stayed ${role} for ${maxTicks} ticks`);
  }

  tick(ids: readonly NodeId[], ticks: number): void {
    for (let i = 0; i < ticks; i++) {
      for (const id of ids) this.nodes.get(id)?.core?.tick();
      this.settle();
    }
  }

  /**
   * Make `id` leader: time it out, and deliver only the election's messages among `voters`.
   * Only `id` is ticked: with check-quorum on, call passStartupQuiet() first (the voters
   * must be out of their startup quiet period), and the voters must not have heard from
   * a leader within an election timeout, or they ignore the campaign and this throws.
   */
  elect(id: NodeId, voters: readonly NodeId[]): void {
    const among = (message: Message): boolean =>
      (message.type === 'RequestVote' || message.type === 'RequestVoteResponse') && voters.includes(message.from) && voters.includes(message.to);
    // Voters must be out of their startup quiet period and not stuck to an old leader.
    this.tick(
      voters.filter((voter) => voter !== id),
      0,
    );
    for (let i = 0; i < 400 && this.core(id).role !== 'leader'; i++) {
      this.core(id).tick();
      this.settle();
      this.deliverAll(among);
    }
    if (this.core(id).role !== 'leader') throw new Error(`${id} did not win`);
  }

  /** Initial ids first, in order, then added nodes: a stable seed per node. */
  private seedOf(id: NodeId): number {
    const initial = this.ids.indexOf(id);
    if (initial >= 0) return initial + 1;
    return this.ids.length + [...this.nodes.keys()].filter((known) => !this.ids.includes(known)).indexOf(id) + 1;
  }
}

// ------------------------------------------------- a lone core, driven by hand

/** A core with an empty disk in a cluster of `voters` (the others exist only as message addresses). */
export function loneCore(
  id: NodeId,
  voters: readonly NodeId[],
  config: Omit<CoreConfigInput, 'id'> = {},
  persisted: { term?: number; vote?: NodeId | null; commit?: number; entries?: readonly Entry[] } = {},
): RaftCore {
  return new RaftCore(
    { seed: 1, ...config, id },
    {
      hardState: { term: persisted.term ?? 0, vote: persisted.vote ?? null, commit: persisted.commit ?? 0 },
      snapshot: null,
      entries: persisted.entries ?? [],
      bootstrap: { voters: [...voters], learners: [] },
    },
  );
}

/** Take the core's Ready (if any) and advance at once, as a runtime with an instant disk would. */
export function drain(core: RaftCore): Ready {
  const ready = core.ready();
  core.advance(ready);
  return ready;
}

/** Command entries at indexes 1..n carrying the given terms, e.g. entriesWithTerms([1, 1, 2]). */
export function entriesWithTerms(terms: readonly number[], firstIndex = 1): Entry[] {
  return terms.map((term, i) => ({
    index: firstIndex + i,
    term,
    kind: 'command' as const,
    data: new Uint8Array([firstIndex + i]),
  }));
}
