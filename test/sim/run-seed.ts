// One seeded run of a whole cluster on one thread: a chaos phase (crashes,
// restarts, partitions, lossy network, leadership transfers, membership
// changes, concurrent clients), then a calm phase in which the cluster heals
// and clients read back. Each node is the shipped NodeRuntime on virtual time
// (sim-node.ts). Invariants are checked after every persist and apply; the
// client history is checked for linearizability at the end.

import { createPlainRoleDriver } from '../../machines/index.js';
import { checkHistory, lostAcknowledgedWrites, type HistoryEvent } from '../../src/check/index.js';
import { InvariantError, createRandom, type NodeId, type Random } from '../../src/core/index.js';
import { Invariants } from './invariants.js';
import type { NodeRuntimeConfig } from '../../src/node/node-config.js';
import { SimNetwork } from './sim-network.js';
import { SimNode, type ClientOp, type ClientReply } from './sim-node.js';
import { calmBusyWeather, weatherFor, type SimOptions, type SimWeather } from './sim-options.js';

export interface SeedResult {
  readonly seed: number;
  readonly nodes: number;
  readonly mode: string;
  readonly violations: string[];
  /** Linearizability anomalies the mode allows (async, degraded semi-sync): reported, not violations. */
  readonly allowedAnomalies: number;
  readonly lostWrites: number;
  readonly stats: {
    readonly ops: number;
    readonly okOps: number;
    readonly infoOps: number;
    readonly terms: number;
    readonly crashes: number;
    readonly stalls: number;
    readonly delivered: number;
    readonly dropped: number;
  };
}

/** A client gives up on an operation after this long and records an unknown outcome. */
const CLIENT_TIMEOUT_TICKS = 60;
/** Never crash more than a minority of the initial voters at once: the run must stay live. */
const MAX_CRASHED_FRACTION = 0.5;
/** A new leader marked to be cut off goes down within this many ticks of being seen. */
const MAX_CUT_OFF_DELAY_TICKS = 20;
/** Spare node ids a run may add as learners. */
const MAX_ADDED_NODES = 2;

interface Client {
  readonly process: number;
  target: NodeId;
  busy: { readonly opId: number; readonly op: ClientOp; readonly invokedAtTick: number } | null;
}

/** Runtime timeouts, in ticks (tickMs is 1): below the client's, so a node answers before the client gives up. */
const RUNTIME_REQUEST_TIMEOUT_TICKS = 50;
/** Requests a simulated node holds at once. */
const SIM_MAX_PENDING_REQUESTS = 1024;

export async function runSeed(options: SimOptions): Promise<SeedResult> {
  const random = createRandom(options.seed);
  const drawn = options.weather === 'calm-busy' ? calmBusyWeather(options.seed) : weatherFor(options.seed);
  const weather: SimWeather =
    options.electionTimeoutTicks === undefined
      ? drawn
      : { ...drawn, electionTimeoutTicks: options.electionTimeoutTicks, maxElectionTimeoutTicks: options.electionTimeoutTicks };
  const invariants = new Invariants();
  const network = new SimNetwork(random.fork(), weather);
  const fsyncRandom = random.fork();
  const clientRandom = random.fork();
  const nemesisRandom = random.fork();
  let nowTick = 0;
  let eventTime = 0;
  let crashes = 0;
  let stalls = 0;
  const history: HistoryEvent[] = [];

  const voters = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
  const nodes = new Map<NodeId, SimNode>();
  const roleDriver = options.xstate ? undefined : createPlainRoleDriver();
  const runtimeConfig = (id: NodeId, start: number): NodeRuntimeConfig => ({
    id,
    // Nodes added later boot from the initial voters, so they never campaign before the log says so.
    bootstrap: { voters, learners: [] },
    tickMs: 1,
    electionTimeoutTicks: weather.electionTimeoutTicks,
    heartbeatIntervalTicks: 1,
    defaultMode: options.mode,
    semiSyncMinReplicas: 1,
    replicationTimeoutMs: weather.electionTimeoutTicks * 5,
    snapshotEveryEntries: weather.compactEveryEntries,
    readWaitTimeoutMs: RUNTIME_REQUEST_TIMEOUT_TICKS,
    writeTimeoutMs: RUNTIME_REQUEST_TIMEOUT_TICKS,
    maxPendingRequests: SIM_MAX_PENDING_REQUESTS,
    core: {
      seed: options.seed * 7919 + start,
      maxElectionTimeoutTicks: weather.maxElectionTimeoutTicks,
      maxEntriesPerAppend: weather.maxEntriesPerAppend,
      maxInflightAppends: weather.maxInflightAppends,
      plantedBug: options.plantedBug,
      ...(roleDriver ? { roleDriver } : {}),
    },
  });
  const makeNode = (id: NodeId): SimNode => {
    const node = new SimNode(id, {
      nowTick: () => nowTick,
      send: (message) => network.send(message, nowTick),
      invariants,
      drawFsyncTicks: () => fsyncRandom.int(weather.maxFsyncTicks + 1),
      config: (start) => runtimeConfig(id, start),
      peers: () => [...nodes.keys()].filter((peer) => peer !== id),
      mode: options.mode,
      leaseReads: weather.leaseReads,
    });
    nodes.set(id, node);
    node.start();
    return node;
  };
  for (const id of voters) makeNode(id);

  const clients: Client[] = Array.from({ length: options.clients }, (_, process) => ({
    process,
    target: clientRandom.pick(voters),
    busy: null,
  }));
  const keys = Array.from({ length: options.keys }, (_, i) => `k${i}`);
  let opCounter = 0;
  const observed = new Map<string, string[]>();

  const record = (process: number, type: HistoryEvent['type'], op: ClientOp, value: unknown): void => {
    const f = op.f;
    history.push({ process, type, f, key: op.key, value, time: eventTime++ });
  };

  const invoke = (client: Client, calm: boolean): void => {
    const key = clientRandom.pick(keys);
    const opId = ++opCounter;
    const value = `v${opId}`;
    const roll = calm ? 0 : clientRandom.next();
    const seen = observed.get(key) ?? [];
    const op: ClientOp =
      roll < 0.4
        ? { f: 'read', key }
        : roll < 0.75
          ? { f: 'write', key, value }
          : roll < 0.9
            ? { f: 'cas', key, expected: seen.length > 0 && clientRandom.chance(0.8) ? clientRandom.pick(seen) : null, next: value }
            : { f: 'delete', key };
    client.busy = { opId, op, invokedAtTick: nowTick };
    record(client.process, 'invoke', op, invokeValue(op));
    const reply = (answer: ClientReply): void => complete(client, opId, answer);
    const node = nodes.get(client.target);
    if (!node) return reply({ type: 'fail' });
    node.request(op, reply);
  };

  const complete = (client: Client, opId: number, answer: ClientReply): void => {
    const busy = client.busy;
    if (!busy || busy.opId !== opId) return; // a late answer to an op the client gave up on
    client.busy = null;
    const { op } = busy;
    if (answer.type === 'ok') {
      const value = op.f === 'read' ? (answer.value ?? null) : invokeValue(op);
      record(client.process, 'ok', op, value);
      if (op.f === 'read' && typeof answer.value === 'string') rememberValue(observed, op.key, answer.value);
      if (op.f === 'write') rememberValue(observed, op.key, op.value);
    } else {
      record(client.process, answer.type, op, invokeValue(op));
      if (answer.type === 'fail') {
        const leaderId = answer.leaderId;
        client.target = leaderId && nodes.has(leaderId) ? leaderId : clientRandom.pick([...nodes.keys()]);
      }
    }
  };

  const nemesis = new Nemesis(
    nemesisRandom,
    weather,
    nodes,
    network,
    voters,
    makeNode,
    () => crashes++,
    () => nowTick,
  );
  const stallRandom = random.fork();

  const totalTicks = options.chaosTicks + options.calmTicks;
  try {
    for (nowTick = 1; nowTick <= totalTicks && !invariants.failed; nowTick++) {
      const calm = nowTick > options.chaosTicks;
      if (calm) nemesis.calm();
      else nemesis.act();
      // Busy-machine weather, in both phases: a loop that goes unscheduled for a few ticks.
      for (const node of nodes.values()) {
        if (node.alive && stallRandom.chance(weather.stallRate)) {
          node.stall(1 + stallRandom.int(weather.maxStallTicks));
          stalls++;
        }
      }
      for (const message of network.due(nowTick)) nodes.get(message.to)?.deliver(message);
      for (const client of clients) {
        if (client.busy && nowTick - client.busy.invokedAtTick > CLIENT_TIMEOUT_TICKS) {
          const { opId } = client.busy;
          complete(client, opId, { type: 'info' });
        }
        if (!client.busy && clientRandom.chance(weather.clientRate)) invoke(client, calm);
      }
      for (const node of nodes.values()) await node.turn();
    }
  } catch (error) {
    if (!(error instanceof InvariantError)) throw error;
    invariants.violation(`a node crashed on a broken invariant at tick ${nowTick}: ${error.message}`);
  }
  for (const client of clients) {
    if (client.busy) complete(client, client.busy.opId, { type: 'info' });
  }

  const verdict = checkHistory(history, { maxSteps: 2_000_000 });
  const lossAllowed = options.mode === 'async' || options.mode === 'semi-sync';
  let allowedAnomalies = 0;
  for (const keyVerdict of verdict.verdicts) {
    if (keyVerdict.result === 'not-linearizable') {
      if (lossAllowed) allowedAnomalies++;
      else invariants.violation(`linearizability: key ${keyVerdict.key}: ${keyVerdict.explanation}`);
    } else if (keyVerdict.result === 'unknown') {
      invariants.violation(`linearizability undecided for key ${keyVerdict.key}: ${keyVerdict.reason}`);
    }
  }
  const lost = lostAcknowledgedWrites(history);
  return {
    seed: options.seed,
    nodes: options.nodes,
    mode: options.mode,
    violations: invariants.violations,
    allowedAnomalies,
    lostWrites: lost.count,
    stats: {
      ops: history.filter((event) => event.type === 'invoke').length,
      okOps: history.filter((event) => event.type === 'ok').length,
      infoOps: history.filter((event) => event.type === 'info').length,
      terms: invariants.leaderCount(),
      crashes,
      stalls,
      delivered: network.delivered,
      dropped: network.dropped,
    },
  };
}

function invokeValue(op: ClientOp): unknown {
  switch (op.f) {
    case 'read':
    case 'delete':
      return null;
    case 'write':
      return op.value;
    case 'cas':
      return [op.expected, op.next];
  }
}

/** Values per key a cas may expect; bounded so long runs stay small. */
const MAX_REMEMBERED_VALUES = 8;

function rememberValue(observed: Map<string, string[]>, key: string, value: string): void {
  const values = observed.get(key) ?? [];
  values.push(value);
  if (values.length > MAX_REMEMBERED_VALUES) values.shift();
  observed.set(key, values);
}

/** The fault schedule: every decision drawn from its own seeded stream. */
class Nemesis {
  private added = 0;
  private lastLeaderTerm = 0;
  private cutOff: { readonly id: NodeId; readonly term: number; readonly atTick: number } | null = null;

  constructor(
    private readonly random: Random,
    private readonly weather: SimWeather,
    private readonly nodes: Map<NodeId, SimNode>,
    private readonly network: SimNetwork,
    private readonly initialVoters: readonly NodeId[],
    private readonly makeNode: (id: NodeId) => SimNode,
    private readonly countCrash: () => void,
    private readonly nowTick: () => number,
  ) {}

  act(): void {
    const all = [...this.nodes.values()];
    const down = all.filter((node) => !node.alive);
    if (down.length < this.maxCrashed() && this.random.chance(this.weather.crashRate)) {
      const leader = this.leader();
      // Crash the leader half the time: that is where the interesting failures are.
      const victim = leader && this.random.chance(0.5) ? leader : this.random.pick(all.filter((node) => node.alive));
      this.crash(victim);
    }
    for (const node of down) if (this.random.chance(this.weather.restartRate)) node.start();
    if (this.random.chance(this.weather.partitionRate)) this.partition();
    this.maybeCutOffNewLeader();
    if (this.network.isPartitioned() && this.random.chance(this.weather.healRate)) this.network.heal();
    if (this.random.chance(this.weather.transferRate)) this.transfer();
    if (this.random.chance(this.weather.membershipRate)) this.changeMembership();
  }

  /** Heal everything and bring every node back: the cluster must converge. */
  calm(): void {
    this.network.heal();
    for (const node of this.nodes.values()) if (!node.alive) node.start();
  }

  private leader(): SimNode | undefined {
    let best: SimNode | undefined;
    let bestTerm = -1;
    for (const node of this.nodes.values()) {
      const status = node.status();
      if (status?.role === 'leader' && status.term > bestTerm) {
        best = node;
        bestTerm = status.term;
      }
    }
    return best;
  }

  /**
   * Short-lived leaders: a leader elected in a new term is, with some chance,
   * crashed or cut off a few ticks later. Each leaves a tail of its own term
   * that others lack, the raw material of the paper's Figure 8.
   */
  private maybeCutOffNewLeader(): void {
    const leader = this.leader();
    const term = leader?.status()?.term ?? 0;
    if (leader && term > this.lastLeaderTerm) {
      this.lastLeaderTerm = term;
      if (this.random.chance(this.weather.cutOffNewLeaderRate)) {
        this.cutOff = { id: leader.id, term, atTick: this.nowTick() + this.random.int(MAX_CUT_OFF_DELAY_TICKS + 1) };
      }
    }
    const due = this.cutOff;
    if (!due || this.nowTick() < due.atTick) return;
    this.cutOff = null;
    const node = this.nodes.get(due.id);
    if (!node?.alive || node.status()?.term !== due.term) return;
    if (this.random.chance(0.5) && this.crashed() < this.maxCrashed()) {
      this.crash(node);
    } else {
      this.network.partition([[node.id], [...this.nodes.keys()].filter((id) => id !== node.id)]);
    }
  }

  /**
   * A crash, and its evidence: each node still connected to the victim may see its channel close
   * (at once, so before anything from the victim's next incarnation). Never for a node cut off from
   * it: across a partition no socket closes.
   */
  private crash(victim: SimNode): void {
    victim.crash();
    this.countCrash();
    for (const node of this.nodes.values()) {
      if (node === victim || !node.alive || !this.network.connected(node.id, victim.id)) continue;
      if (this.random.chance(this.weather.crashEvidenceRate)) node.peerGone(victim.id);
    }
  }

  private crashed(): number {
    return [...this.nodes.values()].filter((node) => !node.alive).length;
  }

  private maxCrashed(): number {
    return Math.floor((this.initialVoters.length - 1) * MAX_CRASHED_FRACTION);
  }

  private partition(): void {
    const ids = this.random.chance(0.5) ? [...this.nodes.keys()] : shuffle(this.random, [...this.nodes.keys()]);
    const leader = this.leader();
    if (leader && this.random.chance(0.5)) {
      // Isolate the leader from the rest: check-quorum must depose it.
      this.network.partition([[leader.id], ids.filter((id) => id !== leader.id)]);
      return;
    }
    const cut = 1 + this.random.int(ids.length - 1);
    this.network.partition([ids.slice(0, cut), ids.slice(cut)]);
  }

  private transfer(): void {
    const leader = this.leader();
    const runtime = leader?.node;
    const status = leader?.status();
    if (!leader || !runtime || !status) return;
    const voters = status.membership.voters.filter((id) => id !== leader.id);
    if (voters.length > 0) void runtime.transferLeadership(this.random.pick(voters)).catch(() => undefined);
  }

  private changeMembership(): void {
    const leader = this.leader();
    const runtime = leader?.node;
    const status = leader?.status();
    if (!leader || !runtime || !status) return;
    const { membership } = status;
    if (this.added < MAX_ADDED_NODES && this.random.chance(0.5)) {
      // The id is taken now; the node starts once the leader has accepted the change (a turn later).
      const id = `n${this.initialVoters.length + ++this.added}`;
      void runtime
        .proposeMembership({ type: 'add-learner', node: id })
        .then((result) => {
          if (result.ok) this.makeNode(id);
        })
        .catch(() => undefined);
      return;
    }
    // Remove a voter other than the leader, never below the initial size minus one.
    const removable = membership.voters.filter((id) => id !== leader.id);
    if (membership.voters.length > this.initialVoters.length - 1 && membership.voters.length > 3 && removable.length > 0) {
      void runtime.proposeMembership({ type: 'remove', node: this.random.pick(removable) }).catch(() => undefined);
    }
  }
}

function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
