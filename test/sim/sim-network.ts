// A network that loses, delays, duplicates and reorders messages, and can be
// cut into partitions. Delivery order is decided by the seeded generator only.

import type { Message, NodeId, Random } from '../../src/core/index.js';
import type { SimWeather } from './sim-options.js';

interface InFlight {
  readonly deliverAtTick: number;
  readonly order: number;
  readonly message: Message;
}

/** Messages in flight at once; past this the network drops, as a full buffer would. */
const MAX_IN_FLIGHT_MESSAGES = 200_000;

export class SimNetwork {
  private inFlight: InFlight[] = [];
  private order = 0;
  /** Group number per node; nodes in different groups cannot talk. Absent: group 0. */
  private groups = new Map<NodeId, number>();
  dropped = 0;
  delivered = 0;

  constructor(
    private readonly random: Random,
    private readonly weather: SimWeather,
  ) {}

  send(message: Message, nowTick: number): void {
    if (!this.connected(message.from, message.to)) return void this.dropped++;
    if (this.random.chance(this.weather.dropRate) || this.inFlight.length >= MAX_IN_FLIGHT_MESSAGES) {
      return void this.dropped++;
    }
    const copies = this.random.chance(this.weather.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.inFlight.push({
        deliverAtTick: nowTick + 1 + this.random.int(this.weather.maxDelayTicks + 1),
        order: this.order++,
        message,
      });
    }
  }

  /** Messages due by `nowTick`, in a seeded shuffle (reordering), still connected. */
  due(nowTick: number): Message[] {
    const ready: InFlight[] = [];
    const later: InFlight[] = [];
    for (const item of this.inFlight) (item.deliverAtTick <= nowTick ? ready : later).push(item);
    this.inFlight = later;
    ready.sort((a, b) => a.order - b.order);
    for (let i = ready.length - 1; i > 0; i--) {
      const j = this.random.int(i + 1);
      [ready[i], ready[j]] = [ready[j] as InFlight, ready[i] as InFlight];
    }
    const out: Message[] = [];
    for (const { message } of ready) {
      if (this.connected(message.from, message.to)) out.push(message);
      else this.dropped++;
    }
    this.delivered += out.length;
    return out;
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
