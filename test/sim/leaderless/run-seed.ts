// One seeded run of a leaderless cluster: 3-9 pure cores, clients issuing
// puts, gets and deletes with per-request r and w, and weather drawn from the
// seed (loss, delay, duplication, partitions, crashes that keep only what
// was persisted, and down-evidence that is sometimes wrong). Then the
// weather stops, every node is back and told so, the cluster runs until
// quiet (hints delivered), one read per key repairs the replicas, and the
// checks run: no acknowledged write lost, every key's primaries agree.
// The same seed gives the same run.

import { canonicalJson } from '../../../src/check/canonical-json.js';
import { createRandom, type Random } from '../../../src/core/random.js';
import { sameClock } from '../../../src/leaderless/clocks.js';
import {
  LeaderlessCore,
  preferenceList,
  type Answer,
  type ClientRequest,
  type KeyClock,
  type LeaderlessOutput,
  type LeaderlessPlantedBug,
  type NodeId,
  type Ring,
  type Sibling,
} from '../../../src/leaderless/index.js';
import * as dvv from '../../../src/convergence/dvv-set.js';
import * as vv from '../../../src/convergence/version-vector.js';
import { LossyNetwork } from './lossy-network.js';
import { WriteHistory, divergentKeys, type WriteRecord } from './write-history.js';

export interface LeaderlessSeedOptions {
  readonly seed: number;
  readonly nodeCount: number;
  readonly plantedBugs?: readonly LeaderlessPlantedBug[];
  /** Ticks of weather and client traffic before the calm (default 300). */
  readonly chaosTicks?: number;
}

export interface LeaderlessSeedResult {
  readonly seed: number;
  readonly nodeCount: number;
  readonly violations: string[];
  readonly stats: {
    readonly writesAcked: number;
    readonly writesAttempted: number;
    readonly readsAnswered: number;
    readonly crashes: number;
    readonly partitions: number;
    readonly messagesSent: number;
    readonly messagesDropped: number;
    readonly keys: number;
    readonly quietAfterTicks: number;
    /** Requests answered with an error, by reason (timeouts, full hint queues, ...). */
    readonly failures: Readonly<Record<string, number>>;
  };
}

const DEFAULT_CHAOS_TICKS = 300;
/** After the weather stops, the cluster must go quiet (hints delivered, requests settled) within this many ticks. */
const QUIESCENCE_LIMIT_TICKS = 2_000;
const REQUEST_DEADLINE_TICKS = 20;
/** Hint bounds a seed draws from: small ones so that hinted writes meet the bound (and are refused) in some seeds. */
const MAX_HINTS_PER_TARGET_CHOICES = [1, 2, 16];

interface Disk {
  readonly clocks: Map<string, KeyClock>;
  readonly hints: Map<string, { target: NodeId; key: string }>;
}

interface SimNode {
  readonly id: NodeId;
  core: LeaderlessCore | null;
  incarnation: number;
  readonly disk: Disk;
  restartAtTick: number;
}

interface Weather {
  readonly crashChancePerTick: number;
  readonly partitionChancePerTick: number;
  /** Chance that a partition also makes each side believe the other is down (a failure detector fooled by silence). */
  readonly falseSuspicionChance: number;
  readonly requestChancePerClientTick: number;
  readonly blindWriteChance: number;
}

type Pending = { readonly via: NodeId; readonly incarnation: number; readonly requestId: number; readonly r: number; readonly w: number } & (
  { readonly op: 'get'; readonly key: string } | { readonly op: 'put' | 'delete'; readonly record: WriteRecord }
);

interface Client {
  readonly name: string;
  pending: Pending | null;
  readonly contexts: Map<string, vv.VersionVector>;
}

export function runLeaderlessSeed(options: LeaderlessSeedOptions): LeaderlessSeedResult {
  return new LeaderlessSimulation(options).run();
}

class LeaderlessSimulation {
  private readonly random: Random;
  private readonly nodes: SimNode[];
  private readonly ids: NodeId[];
  private readonly keys: string[];
  private readonly n: number;
  private readonly clients: Client[];
  private readonly network: LossyNetwork;
  private readonly weather: Weather;
  private readonly history = new WriteHistory();
  private readonly violations: string[] = [];
  private readonly ring: Ring;
  private readonly maxHintsPerTarget: number;
  private nowTick = 0;
  private healAtTick = -1;
  private crashes = 0;
  private partitions = 0;
  private readsAnswered = 0;
  private writesAcked = 0;
  private readonly failures: Record<string, number> = {};
  private readonly attemptedValues = new Set<string>();

  constructor(private readonly options: LeaderlessSeedOptions) {
    this.random = createRandom(options.seed);
    this.maxHintsPerTarget = this.random.pick(MAX_HINTS_PER_TARGET_CHOICES);
    this.ids = Array.from({ length: options.nodeCount }, (_, index) => `n${index + 1}`);
    this.nodes = this.ids.map((id) => ({ id, core: null, incarnation: 0, disk: { clocks: new Map(), hints: new Map() }, restartAtTick: -1 }));
    for (const node of this.nodes) this.start(node);
    this.ring = (this.nodes[0]?.core as LeaderlessCore).ring;
    this.keys = Array.from({ length: 2 + this.random.int(7) }, (_, index) => `k${index}`);
    this.n = Math.min(3, options.nodeCount);
    this.clients = Array.from({ length: 2 + this.random.int(4) }, (_, index) => ({ name: `c${index}`, pending: null, contexts: new Map() }));
    this.network = new LossyNetwork(this.random.fork(), {
      dropRate: this.random.pick([0, 0.02, 0.1, 0.25]),
      duplicateRate: this.random.pick([0, 0.05, 0.2]),
      maxDelayTicks: this.random.pick([0, 2, 6]),
    });
    this.weather = {
      crashChancePerTick: this.random.pick([0, 0.02, 0.05]),
      partitionChancePerTick: this.random.pick([0, 0.01, 0.03]),
      falseSuspicionChance: this.random.pick([0, 0.5, 1]),
      requestChancePerClientTick: this.random.pick([0.2, 0.5]),
      blindWriteChance: this.random.pick([0.1, 0.3]),
    };
  }

  run(): LeaderlessSeedResult {
    const chaosTicks = this.options.chaosTicks ?? DEFAULT_CHAOS_TICKS;
    for (let tick = 0; tick < chaosTicks; tick++) {
      this.weatherTurn();
      this.clientTurn();
      this.tickTurn();
    }
    this.calm();
    const quietAfterTicks = this.runUntilQuiet('hint delivery');
    this.checkLostWrites();
    this.readEveryKey();
    this.runUntilQuiet('read repair');
    this.checkConvergence();
    return {
      seed: this.options.seed,
      nodeCount: this.options.nodeCount,
      violations: this.violations,
      stats: {
        writesAcked: this.writesAcked,
        writesAttempted: this.history.writes.length,
        readsAnswered: this.readsAnswered,
        crashes: this.crashes,
        partitions: this.partitions,
        messagesSent: this.network.sent,
        messagesDropped: this.network.dropped,
        keys: this.keys.length,
        quietAfterTicks,
        failures: this.failures,
      },
    };
  }

  // ---- nodes ----

  private start(node: SimNode): void {
    node.core = new LeaderlessCore(
      { id: node.id, nodes: this.ids, incarnation: node.incarnation, maxHintsPerTarget: this.maxHintsPerTarget, plantedBugs: this.options.plantedBugs },
      { clocks: node.disk.clocks.entries(), hints: node.disk.hints.values() },
    );
  }

  private crash(node: SimNode): void {
    node.core = null;
    node.incarnation++;
    node.restartAtTick = this.nowTick + 5 + this.random.int(60);
    this.crashes++;
    // Crash evidence: the others' connections to it close.
    for (const other of this.running()) other.core?.peerDown(node.id);
    for (const client of this.clients) if (client.pending?.via === node.id) client.pending = null;
  }

  private restart(node: SimNode): void {
    this.start(node);
    node.restartAtTick = -1;
    for (const other of this.running()) if (other !== node) other.core?.peerUp(node.id);
  }

  private running(): SimNode[] {
    return this.nodes.filter((node) => node.core !== null);
  }

  // ---- one tick ----

  private weatherTurn(): void {
    for (const node of this.nodes) if (node.core === null && node.restartAtTick <= this.nowTick) this.restart(node);
    const up = this.running();
    if (up.length > 1 && this.random.chance(this.weather.crashChancePerTick)) this.crash(this.random.pick(up));
    if (this.network.isPartitioned() && this.nowTick >= this.healAtTick) this.healPartition();
    else if (!this.network.isPartitioned() && this.random.chance(this.weather.partitionChancePerTick)) this.cutPartition();
  }

  private cutPartition(): void {
    const order = shuffled(this.ids, this.random);
    const cut = 1 + this.random.int(order.length - 1);
    const sides = [order.slice(0, cut), order.slice(cut)];
    this.network.partition(sides);
    this.healAtTick = this.nowTick + 10 + this.random.int(60);
    this.partitions++;
    if (!this.random.chance(this.weather.falseSuspicionChance)) return;
    for (const [mine, theirs] of [sides, [...sides].reverse()] as const) {
      for (const id of mine ?? []) for (const peer of theirs ?? []) this.nodeById(id).core?.peerDown(peer);
    }
  }

  private healPartition(): void {
    this.network.heal();
    this.tellEveryoneAllAreUp();
  }

  private tellEveryoneAllAreUp(): void {
    for (const node of this.running()) {
      for (const peer of this.ids) if (peer !== node.id && this.nodeById(peer).core !== null && node.core?.isDown(peer)) node.core.peerUp(peer);
    }
  }

  private clientTurn(): void {
    for (const client of this.clients) {
      if (client.pending !== null || !this.random.chance(this.weather.requestChancePerClientTick)) continue;
      const up = this.running();
      if (up.length === 0) continue;
      this.issue(client, this.random.pick(up));
    }
  }

  private issue(client: Client, node: SimNode): void {
    const core = node.core as LeaderlessCore;
    const key = this.random.pick(this.keys);
    const roll = this.random.next();
    const op = roll < 0.45 ? 'get' : roll < 0.9 ? 'put' : 'delete';
    // Mostly the cluster's n; sometimes fewer replicas for this one request (the final read uses the full n).
    const n = this.random.chance(0.2) ? 1 + this.random.int(this.n) : this.n;
    const r = 1 + this.random.int(n);
    const w = 1 + this.random.int(n);
    const base = { key, n, r, w, deadlineTicks: REQUEST_DEADLINE_TICKS };
    if (op === 'get') {
      const requestId = core.request({ op, ...base });
      client.pending = { op, key, via: node.id, incarnation: node.incarnation, requestId, r, w };
      return this.drainNode(node);
    }
    const context = this.random.chance(this.weather.blindWriteChance) ? vv.empty() : (client.contexts.get(key) ?? vv.empty());
    const request: ClientRequest =
      op === 'put' ? { op, ...base, context, value: `${client.name}-w${this.history.writes.length + 1}` } : { op, ...base, context };
    const requestId = core.request(request);
    // Recorded before the drain that reports its stamp (a coordinator that is a replica stamps at once).
    if (request.op === 'put') this.attemptedValues.add(canonicalJson(request.value));
    const sibling: Sibling = request.op === 'put' ? { deleted: false, value: request.value ?? null } : { deleted: true };
    const record = this.history.record({ coordinator: node.id, incarnation: node.incarnation, requestId }, { key, op, context, sibling });
    client.pending = { op, record, via: node.id, incarnation: node.incarnation, requestId, r, w };
    this.drainNode(node);
  }

  private tickTurn(): void {
    this.nowTick++;
    for (const message of this.network.due(this.nowTick)) {
      const target = this.nodeById(message.to);
      if (target.core === null) continue;
      target.core.step(message);
      this.drainNode(target);
    }
    for (const node of this.running()) {
      node.core?.tick();
      this.drainNode(node);
    }
  }

  /** The runtime's contract: persist first, then send and answer. */
  private drainNode(node: SimNode): void {
    const output = (node.core as LeaderlessCore).drain();
    this.persist(node, output);
    for (const stamp of output.stamps) this.history.stamped(stamp);
    for (const message of output.messages) this.network.send(message, this.nowTick);
    for (const answer of output.answers) this.deliverAnswer(node, answer);
  }

  private persist(node: SimNode, output: LeaderlessOutput): void {
    for (const write of output.writes) {
      if (write.kind === 'store') node.disk.clocks.set(write.key, write.clock);
      else if (write.kind === 'hint-added') node.disk.hints.set(`${write.target}/${write.key}`, { target: write.target, key: write.key });
      else node.disk.hints.delete(`${write.target}/${write.key}`);
    }
  }

  private deliverAnswer(node: SimNode, answer: Answer): void {
    const client = this.clients.find(
      (candidate) =>
        candidate.pending?.via === node.id && candidate.pending.incarnation === node.incarnation && candidate.pending.requestId === answer.requestId,
    );
    if (client === undefined) return; // the final pass's reads
    const pending = client.pending as Pending;
    client.pending = null;
    if (!answer.ok) {
      this.failures[answer.error] = (this.failures[answer.error] ?? 0) + 1;
      return;
    }
    if (answer.op === 'get' || pending.op === 'get') {
      if (answer.op !== 'get' || pending.op !== 'get') return void this.violations.push(`a ${pending.op} answered as a ${answer.op}`);
      this.readsAnswered++;
      if (answer.replicasAnswered < pending.r) this.violations.push(`a read of ${pending.key} answered by ${answer.replicasAnswered} < r = ${pending.r}`);
      client.contexts.set(pending.key, answer.context);
      for (const value of answer.values) {
        if (!this.attemptedValues.has(canonicalJson(value)))
          this.violations.push(`a read of ${pending.key} returned ${JSON.stringify(value)}, which nobody wrote`);
      }
      return;
    }
    this.writesAcked++;
    if (answer.replicasAnswered < pending.w)
      this.violations.push(`write ${pending.record.writeId} acknowledged by ${answer.replicasAnswered} < w = ${pending.w}`);
    const problem = this.history.acknowledged(pending.record, answer.dot);
    if (problem !== null) this.violations.push(problem);
  }

  // ---- the calm and the checks ----

  private calm(): void {
    this.network.heal();
    this.network.weather.dropRate = 0;
    this.network.weather.duplicateRate = 0;
    for (const node of this.nodes) if (node.core === null) this.restart(node);
    this.tellEveryoneAllAreUp();
    for (const client of this.clients) client.pending = null;
  }

  private runUntilQuiet(phase: string): number {
    for (let tick = 0; tick < QUIESCENCE_LIMIT_TICKS; tick++) {
      if (this.isQuiet()) return tick;
      this.tickTurn();
    }
    const hints = this.nodes.reduce((sum, node) => sum + (node.core?.hintCount() ?? 0), 0);
    this.violations.push(`${phase}: not quiet after ${QUIESCENCE_LIMIT_TICKS} ticks (${hints} hints, ${this.network.inFlightCount} messages in flight)`);
    return QUIESCENCE_LIMIT_TICKS;
  }

  private isQuiet(): boolean {
    if (this.network.inFlightCount > 0) return false;
    return this.nodes.every((node) => node.core !== null && node.core.hintCount() === 0 && node.core.pendingRequestCount() === 0);
  }

  /** The anti-entropy this step does not have yet, done as reads: one read of every key, from every replica, repairs them all. */
  private readEveryKey(): void {
    this.allKeys().forEach((key, index) => {
      const node = this.nodes[index % this.nodes.length] as SimNode;
      node.core?.request({ op: 'get', key, n: this.n, r: this.n, w: 1, deadlineTicks: QUIESCENCE_LIMIT_TICKS });
      this.drainNode(node);
    });
  }

  private checkLostWrites(): void {
    const merged = new Map<string, KeyClock>();
    for (const key of this.allKeys()) {
      let clock: KeyClock | undefined;
      for (const node of preferenceList(this.ring, key, this.n)) {
        const replica = this.nodeById(node).disk.clocks.get(key);
        // The checker merges with the DVV module itself, never with the core's (possibly planted) merge.
        if (replica !== undefined) clock = clock === undefined ? replica : dvv.sync(clock, replica);
      }
      if (clock !== undefined) merged.set(key, clock);
    }
    for (const lost of this.history.lostWrites(merged)) {
      this.violations.push(`acknowledged ${lost.op} ${lost.writeId} of ${lost.key} (dot ${lost.ackedDot?.actor}:${lost.ackedDot?.counter}) is lost`);
    }
  }

  private checkConvergence(): void {
    const divergent = divergentKeys(
      this.allKeys(),
      (key) => preferenceList(this.ring, key, this.n),
      (node, key) => this.nodeById(node).core?.replicaOf(key),
    );
    for (const key of divergent) this.violations.push(`replicas of ${key} differ after read repair`);
    // A restart from disk must give the same replicas as memory: the runtime's contract held.
    for (const node of this.nodes) {
      for (const key of this.allKeys()) {
        const inMemory = node.core?.replicaOf(key);
        const onDisk = node.disk.clocks.get(key);
        const same = inMemory === undefined || onDisk === undefined ? inMemory === onDisk : sameClock(inMemory, onDisk);
        if (!same) this.violations.push(`${node.id}'s replica of ${key} differs from what it persisted`);
      }
    }
  }

  private allKeys(): string[] {
    const keys = new Set<string>();
    for (const node of this.nodes) for (const key of node.disk.clocks.keys()) keys.add(key);
    return [...keys].sort();
  }

  private nodeById(id: NodeId): SimNode {
    const node = this.nodes.find((candidate) => candidate.id === id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }
}

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
