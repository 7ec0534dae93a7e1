// A cluster of leaderless cores whose network delivers every message at once,
// in order, unless a test blocks it: for scripted unit tests of the protocol.
// Each node's disk is what its drained writes said, and a restart rebuilds
// the core from that disk alone.

import {
  LeaderlessCore,
  type Answer,
  type ClientRequest,
  type KeyClock,
  type LeaderlessMessage,
  type LeaderlessPlantedBug,
  type NodeId,
} from '../../../../src/leaderless/index.js';

interface Disk {
  readonly clocks: Map<string, KeyClock>;
  readonly hints: Set<string>;
}

/** Messages delivered by one `run()` at most: a protocol that talks forever is a bug these tests should see. */
const MAX_MESSAGES_PER_RUN = 10_000;

export interface InstantClusterOptions {
  readonly maxHintsPerTarget?: number;
  readonly plantedBugs?: readonly LeaderlessPlantedBug[];
}

export class InstantCluster {
  readonly cores = new Map<NodeId, LeaderlessCore>();
  readonly disks = new Map<NodeId, Disk>();
  private readonly incarnations = new Map<NodeId, number>();
  private readonly answers: Answer[] = [];
  private readonly queue: LeaderlessMessage[] = [];
  /** Messages this returns true for are dropped. */
  block: (message: LeaderlessMessage) => boolean = () => false;
  delivered: LeaderlessMessage[] = [];

  constructor(
    readonly nodes: readonly NodeId[],
    private readonly options: InstantClusterOptions = {},
  ) {
    for (const id of nodes) {
      this.disks.set(id, { clocks: new Map(), hints: new Set() });
      this.start(id, 0);
    }
  }

  core(id: NodeId): LeaderlessCore {
    const core = this.cores.get(id);
    if (core === undefined) throw new Error(`${id} is not running`);
    return core;
  }

  /** Sends the request to `via`, runs the network dry, and returns its answer (or undefined if none yet). */
  request(via: NodeId, request: Partial<ClientRequest> & Pick<ClientRequest, 'op' | 'key'>): Answer | undefined {
    const requestId = this.core(via).request({ n: 3, r: 2, w: 2, deadlineTicks: 10, ...request });
    this.run();
    return this.answerOf(via, requestId);
  }

  answerOf(_via: NodeId, requestId: number): Answer | undefined {
    return [...this.answers].reverse().find((answer) => answer.requestId === requestId);
  }

  tick(times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const core of this.cores.values()) core.tick();
      this.run();
    }
  }

  /** Drains every core and delivers until no message is left. */
  run(): void {
    let delivered = 0;
    for (;;) {
      for (const core of this.cores.values()) this.drain(core);
      const message = this.queue.shift();
      if (message === undefined) return;
      if (++delivered > MAX_MESSAGES_PER_RUN) throw new Error('the network never went quiet');
      const target = this.cores.get(message.to);
      if (target === undefined || this.block(message)) continue;
      this.delivered.push(message);
      target.step(message);
    }
  }

  crash(id: NodeId): void {
    this.cores.delete(id);
  }

  restart(id: NodeId): void {
    this.start(id, (this.incarnations.get(id) ?? 0) + 1);
  }

  private start(id: NodeId, incarnation: number): void {
    const disk = this.disks.get(id) as Disk;
    this.incarnations.set(id, incarnation);
    const hints = [...disk.hints].map((entry) => {
      const [target, key] = JSON.parse(entry) as [string, string];
      return { target, key };
    });
    const config = { id, nodes: this.nodes, incarnation, maxHintsPerTarget: this.options.maxHintsPerTarget, plantedBugs: this.options.plantedBugs };
    this.cores.set(id, new LeaderlessCore(config, { clocks: disk.clocks.entries(), hints }));
  }

  private drain(core: LeaderlessCore): void {
    const output = core.drain();
    const disk = this.disks.get(core.id) as Disk;
    for (const write of output.writes) {
      if (write.kind === 'store') disk.clocks.set(write.key, write.clock);
      else if (write.kind === 'hint-added') disk.hints.add(JSON.stringify([write.target, write.key]));
      else disk.hints.delete(JSON.stringify([write.target, write.key]));
    }
    this.queue.push(...output.messages);
    this.answers.push(...output.answers);
  }
}
