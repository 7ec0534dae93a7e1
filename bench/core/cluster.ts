// A whole cluster of cores on one thread over a perfect network: nothing is
// lost, reordered or delayed beyond the next round, and "persisting" is an
// in-memory copy (the simulator's disk). So the figures are the cost of the
// core itself (plus this loop), with no fsync and no serialization.
//
// One round: every node ticks (when due), steps the messages sent to it in the
// previous round, the leader takes a batch of proposals, and every node runs
// its ready loop until the core has nothing more to hand over.

import { createPlainRoleDriver, createXStateRoleDriver, type RoleDriver } from '../../machines/index.js';
import { RaftCore, emptyPersistedState, type Message, type NodeId } from '../../src/core/index.js';
import { CoreDisk } from '../../test/support/core-disk.js';

export type DriverName = 'xstate' | 'plain';

export const PAYLOAD_BYTES = 64;
export const PROPOSALS_PER_ROUND = 256;
/** Proposed but not yet applied on the leader; the leader stops proposing at this bound. */
export const MAX_IN_FLIGHT_PROPOSALS = 4_096;
/**
 * A round is one network hop; a tick is a heartbeat interval, which in a real
 * deployment spans many hops (100 ms ticks, sub-millisecond hops). Ticking
 * every round would make heartbeats half the traffic.
 */
export const ROUNDS_PER_TICK = 100;
/** Each node snapshots (with an empty image) this often, as a real node would, so logs stay bounded. */
const COMPACT_EVERY_ENTRIES = 16_384;
/** Entries kept behind the applied index, so a follower a little behind never needs a snapshot. */
const LOG_RETAIN_ENTRIES = 2 * MAX_IN_FLIGHT_PROPOSALS;
/** An election on a perfect network takes a few dozen ticked rounds; far more means something broke. */
const MAX_ELECTION_ROUNDS = 1_000;
/** Latencies at or past this many rounds share the last histogram bucket. */
const MAX_LATENCY_ROUNDS = 1_023;
/** Power of two above the in-flight bound, so each in-flight index has its own slot. */
const PROPOSED_ROUND_SLOTS = 8_192;

const EMPTY_IMAGE = new Uint8Array(0);

/** Counters since the last reset(). */
export interface ClusterCounters {
  rounds: number;
  /** Command entries the leader committed and applied. */
  appliedCommands: number;
  /** Messages every node sent. */
  messages: number;
  /** Calls into the role driver on any node: elections and step-downs, nothing else. */
  roleEvents: number;
  /** Propose→apply latency on the leader, in rounds: count per latency. */
  readonly latencyRounds: Uint32Array;
}

class BenchNode {
  readonly disk: CoreDisk;
  readonly core: RaftCore;
  inbox: Message[] = [];
  nextInbox: Message[] = [];
  appliedIndex = 0;
  private compactedIndex = 0;

  constructor(id: NodeId, voters: readonly NodeId[], driver: RoleDriver, seed: number) {
    const persisted = emptyPersistedState(voters);
    this.disk = new CoreDisk(persisted.bootstrap);
    this.core = new RaftCore({ id, seed, roleDriver: driver }, persisted);
  }

  maybeCompact(): void {
    if (this.appliedIndex - this.compactedIndex < COMPACT_EVERY_ENTRIES) return;
    const index = this.appliedIndex - LOG_RETAIN_ENTRIES;
    const snapshot = this.core.compact(index, EMPTY_IMAGE);
    if (snapshot) this.disk.compact(snapshot);
    this.compactedIndex = index;
  }
}

export class BenchCluster {
  readonly counters: ClusterCounters = newCounters();
  private readonly nodes: BenchNode[] = [];
  private readonly byId = new Map<NodeId, BenchNode>();
  private leader: BenchNode | null = null;
  private round = 0;
  /** Since the start, unlike the counters: the in-flight bound must survive a reset. */
  private proposedCommands = 0;
  private appliedCommands = 0;
  private readonly proposedRound = new Int32Array(PROPOSED_ROUND_SLOTS);
  private readonly payload = new Uint8Array(PAYLOAD_BYTES).map((_, i) => i);

  constructor(size: number, driverName: DriverName) {
    const voters = Array.from({ length: size }, (_, i) => `n${i + 1}`);
    voters.forEach((id, i) => {
      // One driver per node, counted; distinct seeds, or every node would time out at once.
      const driver = countRoleEvents(driverName === 'xstate' ? createXStateRoleDriver() : createPlainRoleDriver(), this.counters);
      const node = new BenchNode(id, voters, driver, i + 1);
      this.nodes.push(node);
      this.byId.set(id, node);
    });
  }

  /** Tick every round until one node leads and has committed its first entry. Returns the rounds taken. */
  electLeader(): number {
    for (let rounds = 1; rounds <= MAX_ELECTION_ROUNDS; rounds++) {
      this.runRound(true);
      const leader = this.nodes.find((node) => node.core.role === 'leader');
      if (leader && leader.appliedIndex > 0 && leader.appliedIndex === leader.core.status().lastIndex) {
        this.leader = leader;
        return rounds;
      }
    }
    throw new Error(`no leader after ${MAX_ELECTION_ROUNDS} rounds on a perfect network`);
  }

  /** One round of steady-state load. */
  step(): void {
    this.runRound(this.round % ROUNDS_PER_TICK === 0);
  }

  resetCounters(): void {
    this.counters.rounds = 0;
    this.counters.appliedCommands = 0;
    this.counters.messages = 0;
    this.counters.roleEvents = 0;
    this.counters.latencyRounds.fill(0);
  }

  private runRound(tick: boolean): void {
    this.round++;
    this.counters.rounds++;
    for (const node of this.nodes) {
      const core = node.core;
      if (tick) core.tick();
      for (const message of node.inbox) core.step(message);
      node.inbox.length = 0;
      if (node === this.leader) this.proposeBatch(node);
      this.drainReady(node);
    }
    for (const node of this.nodes) [node.inbox, node.nextInbox] = [node.nextInbox, node.inbox];
  }

  private proposeBatch(leader: BenchNode): void {
    if (leader.core.role !== 'leader') throw new Error(`${leader.core.id} lost leadership on a perfect network`);
    const inFlight = this.proposedCommands - this.appliedCommands;
    const count = Math.min(PROPOSALS_PER_ROUND, MAX_IN_FLIGHT_PROPOSALS - inFlight);
    for (let i = 0; i < count; i++) {
      const result = leader.core.propose(this.payload);
      if (!result.ok) throw new Error(`proposal refused: ${result.reason}`);
      this.proposedRound[result.index & (PROPOSED_ROUND_SLOTS - 1)] = this.round;
      this.proposedCommands++;
    }
  }

  private drainReady(node: BenchNode): void {
    const core = node.core;
    const isLeader = node === this.leader;
    while (core.hasReady()) {
      const ready = core.ready();
      node.disk.persist(ready.hardState, ready.snapshot, ready.entries);
      for (const message of ready.messages) {
        if (message.type === 'InstallSnapshot') throw new Error('a snapshot was sent: the log was compacted too eagerly');
        (this.byId.get(message.to) as BenchNode).nextInbox.push(message);
      }
      this.counters.messages += ready.messages.length;
      for (const entry of ready.committed) {
        if (!isLeader || entry.kind !== 'command') continue;
        this.counters.appliedCommands++;
        this.appliedCommands++;
        const latency = this.round - (this.proposedRound[entry.index & (PROPOSED_ROUND_SLOTS - 1)] as number);
        const bucket = Math.min(latency, MAX_LATENCY_ROUNDS);
        this.counters.latencyRounds[bucket] = (this.counters.latencyRounds[bucket] as number) + 1;
      }
      const last = ready.committed[ready.committed.length - 1];
      if (last) node.appliedIndex = last.index;
      core.advance(ready);
    }
    node.maybeCompact();
  }
}

function newCounters(): ClusterCounters {
  return { rounds: 0, appliedCommands: 0, messages: 0, roleEvents: 0, latencyRounds: new Uint32Array(MAX_LATENCY_ROUNDS + 1) };
}

/** The driver as is, counting its calls: shows which phases the driver is on the path of. */
function countRoleEvents(driver: RoleDriver, counters: ClusterCounters): RoleDriver {
  return {
    name: driver.name,
    initial: () => driver.initial(),
    send: (state, event) => {
      counters.roleEvents++;
      return driver.send(state, event);
    },
  };
}

/** The latency at `fraction` of the histogram's mass (0.5: the median), in rounds. */
export function latencyPercentile(histogram: Uint32Array, fraction: number): number {
  let total = 0;
  for (const count of histogram) total += count;
  if (total === 0) return Number.NaN;
  const target = Math.ceil(total * fraction);
  let seen = 0;
  for (let rounds = 0; rounds < histogram.length; rounds++) {
    seen += histogram[rounds] as number;
    if (seen >= target) return rounds;
  }
  return histogram.length - 1;
}
