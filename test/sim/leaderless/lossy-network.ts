// The leaderless simulator's network: it loses, delays, duplicates and
// reorders messages and can be cut into partitions, all decided by the
// seeded generator. The same weather as test/sim/sim-network.ts, over the
// leaderless message type (that one is typed to the Raft core's messages).

import type { Random } from '../../../src/core/random.js';
import type { LeaderlessMessage, NodeId } from '../../../src/leaderless/index.js';

export interface NetworkWeather {
  dropRate: number;
  duplicateRate: number;
  maxDelayTicks: number;
}

interface InFlight {
  readonly deliverAtTick: number;
  readonly order: number;
  readonly message: LeaderlessMessage;
}

/** Messages in flight at once; past this the network drops, as a full buffer would. */
const MAX_IN_FLIGHT_MESSAGES = 100_000;

export class LossyNetwork {
  private inFlight: InFlight[] = [];
  private order = 0;
  /** Group number per node; nodes in different groups cannot talk. Absent: group 0. */
  private groups = new Map<NodeId, number>();
  sent = 0;
  dropped = 0;

  constructor(
    private readonly random: Random,
    readonly weather: NetworkWeather,
  ) {}

  send(message: LeaderlessMessage, nowTick: number): void {
    this.sent++;
    if (!this.connected(message.from, message.to)) return void this.dropped++;
    if (this.random.chance(this.weather.dropRate) || this.inFlight.length >= MAX_IN_FLIGHT_MESSAGES) return void this.dropped++;
    const copies = this.random.chance(this.weather.duplicateRate) ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      this.inFlight.push({ deliverAtTick: nowTick + 1 + this.random.int(this.weather.maxDelayTicks + 1), order: this.order++, message });
    }
  }

  /** Messages due by `nowTick`, shuffled by the seed (reordering), and still connected. */
  due(nowTick: number): LeaderlessMessage[] {
    const ready: InFlight[] = [];
    const later: InFlight[] = [];
    for (const item of this.inFlight) (item.deliverAtTick <= nowTick ? ready : later).push(item);
    this.inFlight = later;
    for (let i = ready.length - 1; i > 0; i--) {
      const j = this.random.int(i + 1);
      [ready[i], ready[j]] = [ready[j] as InFlight, ready[i] as InFlight];
    }
    const out: LeaderlessMessage[] = [];
    for (const { message } of ready) {
      if (this.connected(message.from, message.to)) out.push(message);
      else this.dropped++;
    }
    return out;
  }

  get inFlightCount(): number {
    return this.inFlight.length;
  }

  partition(groups: readonly (readonly NodeId[])[]): void {
    this.groups = new Map();
    groups.forEach((group, number) => {
      for (const id of group) this.groups.set(id, number);
    });
  }

  heal(): void {
    this.groups = new Map();
  }

  isPartitioned(): boolean {
    return this.groups.size > 0;
  }

  connected(a: NodeId, b: NodeId): boolean {
    return (this.groups.get(a) ?? 0) === (this.groups.get(b) ?? 0);
  }
}
