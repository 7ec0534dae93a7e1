// A hand-driven cluster for scripted tests: messages wait in a list until the
// test delivers them, nodes persist instantly, and a crash keeps the disk.
// Every step is explicit, so a test reads like the paper's figures.

import {
  RaftCore,
  type CoreConfigInput,
  type Entry,
  type Message,
  type NodeId,
  type Ready,
} from '../../src/core/index.js';
import { SimDisk } from '../sim/sim-disk.js';

export interface ScriptedNode {
  readonly id: NodeId;
  core: RaftCore | null;
  readonly disk: SimDisk;
  readonly applied: Entry[];
}

export class ScriptedCluster {
  readonly nodes = new Map<NodeId, ScriptedNode>();
  /** Sent and not yet delivered or dropped. */
  pending: Message[] = [];
  readonly readies: { id: NodeId; ready: Ready }[] = [];

  constructor(
    readonly ids: readonly NodeId[],
    private readonly config: Omit<CoreConfigInput, 'id'> = {},
  ) {
    for (const id of ids) {
      const node: ScriptedNode = { id, core: null, disk: new SimDisk({ voters: [...ids], learners: [] }), applied: [] };
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
    node.core = new RaftCore({ ...this.config, id, seed: this.ids.indexOf(id) + 1 }, persisted, {
      appliedIndex: persisted.snapshot?.meta.index ?? 0,
    });
    node.applied.length = 0;
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

  /** Make `id` leader: time it out, and deliver only the election's messages among `voters`. */
  elect(id: NodeId, voters: readonly NodeId[]): void {
    const among = (message: Message): boolean =>
      (message.type === 'RequestVote' || message.type === 'RequestVoteResponse') &&
      voters.includes(message.from) &&
      voters.includes(message.to);
    // Voters must be out of their startup quiet period and not stuck to an old leader.
    this.tick(voters.filter((voter) => voter !== id), 0);
    for (let i = 0; i < 400 && this.core(id).role !== 'leader'; i++) {
      this.core(id).tick();
      this.settle();
      this.deliverAll(among);
    }
    if (this.core(id).role !== 'leader') throw new Error(`${id} did not win`);
  }
}
