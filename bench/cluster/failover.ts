// Leader failover under a steady writer, and whether any acknowledged write
// is lost. Each round: crash the leader; a probe write issued right after the
// crash is retried (by the API, and here on an error answer) until a new
// leader acknowledges it; failover time is crash() to that acknowledgement.
// Then the old leader is restarted and must catch up before the next round.
// At the end every key written is read back with a linearizable read and
// checked against what was acknowledged (see ack-ledger.ts), and every
// replica is checked to hold the same values.
//
//   npm run build && node dist/bench/cluster/failover.js [--rounds 50] [--nodes 3]
//
// Writes results/bench-cluster-failover.json.

import type { Cluster, ClusterEvent, NodeId } from '../../src/index.js';
import { ReplikitError } from '../../src/index.js';
import { AckLedger, type LedgerVerdict } from './ack-ledger.js';
import type { ClusterBenchArgs, FlagDefaults, FlagName, LeaderFault } from './args.js';
import { waitForCatchUp, waitForHealthy, waitForStatus } from './cluster-waits.js';
import { describeLoad, isMain, load, machine, progress, runScript, waitForLeader, withCluster, writeReport, type Load, type Machine } from './harness.js';
import { ledgerValue, startLedgerWriter, type LedgerWriterStats } from './ledger-writer.js';
import { readAll } from './read-all.js';
import { distribution, formatCount, formatMs, markdownTable, verdict, type Distribution } from './stats.js';

export const FAILOVER_RESULTS_FILE = 'bench-cluster-failover.json';
/** Lanes of the steady writer: enough writes in flight at each crash to catch a lost one. */
const WRITER_LANES = 32;
/** Keys per lane: writes to a key repeat, so "the last acknowledged value" is tested, not just presence. */
const KEYS_PER_LANE = 64;
/** A probe still unacknowledged after this is a failed round (reported, not waited on forever). */
const PROBE_TIMEOUT_MS = 10_000;
/** A restarted node that has not caught up after this fails the run. */
const CATCH_UP_TIMEOUT_MS = 30_000;
/** Writer traffic before the first crash, so the log and the writer are in their steady state. */
const STEADY_BEFORE_FIRST_CRASH_MS = 1_000;
/** Settle after catch-up, so a crash never lands in the restarted node's first heartbeats. */
const SETTLE_AFTER_CATCH_UP_MS = 200;
/** The targets: a crash is known from its evidence at once; silence is judged by patience (about 1.3 s). */
export const TARGET_FAILOVER_P99_MS: Readonly<Record<LeaderFault, number>> = { crash: 100, partition: 1500, pause: 1500 };

export const FAILOVER_FLAGS: readonly FlagName[] = ['rounds', 'nodes', 'fault'];
export const FAILOVER_DEFAULTS: FlagDefaults = { durationMs: 0, nodes: [3], runs: 1, rounds: 50, fault: 'crash' };

export interface FailoverRound {
  readonly round: number;
  readonly oldLeader: NodeId;
  readonly oldTerm: number;
  readonly newLeader: NodeId | null;
  readonly newTerm: number;
  /** How long crash() itself took (terminating the worker). */
  readonly crashCallMs: number;
  /** crash() called to the supervisor reporting a leader of a newer term. */
  readonly leaderSeenMs: number;
  /** crash() called to the probe write acknowledged by the new leader. */
  readonly failoverMs: number;
  /** crash() called to the steady writer's first acknowledgement after it. */
  readonly writerStallMs: number;
  readonly probeAttempts: number;
  readonly probeErrors: readonly string[];
  /** restart() called to the old leader having applied what the leader had committed. */
  readonly restartAndCatchUpMs: number;
  readonly failed: boolean;
  /** Every cluster event of the round, ms after crash() was called: where the time went, and any surprise. */
  readonly timeline: readonly string[];
}

export interface FailoverResult {
  readonly nodes: number;
  readonly rounds: readonly FailoverRound[];
  readonly failoverMs: Distribution;
  readonly leaderSeenMs: Distribution;
  readonly writerStallMs: Distribution;
  readonly failedRounds: number;
  readonly writer: { readonly acknowledged: number; readonly unknownWrites: number; readonly errors: Readonly<Record<string, number>> };
  /** Null until the final read-back (a partial report, or a run that ended before it). */
  readonly verdict: LedgerVerdict | null;
  /** Keys whose value differs on some replica from the linearizable read, once all have applied the same index. */
  readonly divergentReplicaReads: number | null;
  readonly events: Readonly<Record<string, number>>;
  /** Why the rounds stopped before the count asked for (the read-back still ran). */
  readonly roundsStoppedBy: string | null;
}

export interface FailoverReport {
  readonly benchmark: 'cluster/failover';
  readonly date: string;
  readonly fault: LeaderFault;
  /** False in the copy saved after each round: a process that aborts (see repro-terminate-abort.ts) keeps its rounds. */
  readonly complete: boolean;
  readonly machine: Machine;
  readonly loadBefore: Load;
  readonly loadAfter: Load;
  readonly writerLanes: number;
  readonly keysPerLane: number;
  readonly results: readonly FailoverResult[];
}

/**
 * What each fault does to the leader, and how the round undoes it. A crash leaves evidence (the
 * worker's ports close) and is detected at once; a partition or a pause leaves only silence, judged
 * by the followers' patience.
 */
const FAULTS: Readonly<
  Record<LeaderFault, { readonly inject: (cluster: Cluster, id: NodeId) => Promise<void>; readonly undo: (cluster: Cluster, id: NodeId) => Promise<void> }>
> = {
  crash: { inject: (cluster, id) => cluster.crash(id), undo: (cluster, id) => cluster.restart(id) },
  partition: {
    inject: (cluster, id) => cluster.partition([[id], cluster.nodeIds().filter((other) => other !== id)]),
    undo: (cluster) => cluster.heal(),
  },
  pause: {
    inject: async (cluster, id) => cluster.pause(id),
    undo: async (cluster, id) => cluster.resume(id),
  },
};

async function crashRound(
  cluster: Cluster,
  round: number,
  writer: ReturnType<typeof startLedgerWriter>,
  ledger: AckLedger,
  fault: LeaderFault,
): Promise<FailoverRound> {
  const before = await waitForHealthy(cluster, CATCH_UP_TIMEOUT_MS);
  const oldLeader = before.leaderId as NodeId;
  const oldTerm = before.term;
  let leaderSeenAtMs = Number.NaN;
  const timeline: string[] = [];
  let crashAtMs = performance.now();
  const onEvent = (event: ClusterEvent) => {
    const atMs = performance.now();
    timeline.push(`${formatMs(atMs - crashAtMs)} ${describeEvent(event)}`);
    if (event.type === 'leader-change' && Number.isNaN(leaderSeenAtMs) && event.leaderId !== null && event.term > oldTerm) {
      leaderSeenAtMs = atMs;
    }
  };
  cluster.on('event', onEvent);
  crashAtMs = performance.now();
  const writerBack = writer.firstAckAfter(crashAtMs);
  await FAULTS[fault].inject(cluster, oldLeader);
  const crashCallMs = performance.now() - crashAtMs;

  const probeKey = `probe/${round}`;
  const probeErrors: string[] = [];
  let probeAttempts = 0;
  let acknowledged: { term: number; atMs: number } | null = null;
  while (acknowledged === null && performance.now() - crashAtMs < PROBE_TIMEOUT_MS) {
    const value = ledgerValue(-1, round * 1000 + probeAttempts);
    probeAttempts++;
    try {
      const result = await cluster.put(probeKey, value);
      ledger.acknowledged(probeKey, value);
      if (result.term > oldTerm) acknowledged = { term: result.term, atMs: performance.now() };
    } catch (error) {
      ledger.unknown(probeKey, value);
      probeErrors.push(error instanceof ReplikitError ? error.code : String(error));
    }
  }
  if (acknowledged) timeline.push(`${formatMs(acknowledged.atMs - crashAtMs)} probe acknowledged in term ${acknowledged.term}`);
  const writerBackAtMs = await Promise.race([writerBack, new Promise<number>((resolve) => setTimeout(() => resolve(Number.NaN), PROBE_TIMEOUT_MS))]);
  const after = await cluster.status();

  const restartAtMs = performance.now();
  timeline.push(`${formatMs(restartAtMs - crashAtMs)} undo ${fault} of ${oldLeader}`);
  try {
    await FAULTS[fault].undo(cluster, oldLeader);
    timeline.push(`${formatMs(performance.now() - crashAtMs)} undo of ${fault} resolved`);
    await waitForCatchUp(cluster, oldLeader, CATCH_UP_TIMEOUT_MS);
    timeline.push(`${formatMs(performance.now() - crashAtMs)} ${oldLeader} caught up`);
  } finally {
    cluster.off('event', onEvent);
  }
  const restartAndCatchUpMs = performance.now() - restartAtMs;
  return {
    round,
    oldLeader,
    oldTerm,
    newLeader: after.leaderId,
    newTerm: acknowledged?.term ?? after.term,
    crashCallMs,
    leaderSeenMs: leaderSeenAtMs - crashAtMs,
    failoverMs: acknowledged ? acknowledged.atMs - crashAtMs : Number.NaN,
    writerStallMs: writerBackAtMs - crashAtMs,
    probeAttempts,
    probeErrors,
    restartAndCatchUpMs,
    failed: acknowledged === null,
    timeline,
  };
}

function describeEvent(event: ClusterEvent): string {
  switch (event.type) {
    case 'role':
      return `${event.id} ${event.role} term ${event.term}`;
    case 'leader-change':
      return `leader-change ${event.leaderId} term ${event.term}`;
    case 'node-crashed':
      return `node-crashed ${event.id}: ${event.reason}`;
    case 'node-fenced':
      return `node-fenced ${event.id} (stale term ${event.staleTerm}, leader term ${event.leaderTerm})`;
    case 'changes':
      return `changes from ${event.id}`;
    default:
      return JSON.stringify(event);
  }
}

function summarise(
  nodes: number,
  rounds: readonly FailoverRound[],
  writer: FailoverResult['writer'],
  events: Readonly<Record<string, number>>,
  check: { verdict: LedgerVerdict; divergentReplicaReads: number } | null,
  roundsStoppedBy: string | null,
): FailoverResult {
  return {
    nodes,
    rounds,
    failoverMs: distribution(rounds.filter((r) => !r.failed).map((r) => r.failoverMs)),
    leaderSeenMs: distribution(rounds.map((r) => r.leaderSeenMs).filter(Number.isFinite)),
    writerStallMs: distribution(rounds.map((r) => r.writerStallMs).filter(Number.isFinite)),
    failedRounds: rounds.filter((r) => r.failed).length,
    writer,
    verdict: check?.verdict ?? null,
    divergentReplicaReads: check?.divergentReplicaReads ?? null,
    events: { ...events },
    roundsStoppedBy,
  };
}

async function runOne(
  nodes: number,
  roundCount: number,
  fault: LeaderFault,
  saveProgress: (partial: FailoverResult) => Promise<void>,
): Promise<FailoverResult> {
  return withCluster({ nodes }, async (cluster) => {
    const events: Record<string, number> = {};
    cluster.on('event', (event: ClusterEvent) => {
      events[event.type] = (events[event.type] ?? 0) + 1;
    });
    await waitForLeader(cluster);
    const ledger = new AckLedger();
    const writer = startLedgerWriter(cluster, ledger, WRITER_LANES, KEYS_PER_LANE);
    const rounds: FailoverRound[] = [];
    const interimWriter = () => ({ acknowledged: ledger.counts().acknowledgedWrites, unknownWrites: ledger.counts().unknownWrites, errors: {} });
    let writerStats: LedgerWriterStats;
    let roundsStoppedBy: string | null = null;
    try {
      await new Promise((resolve) => setTimeout(resolve, STEADY_BEFORE_FIRST_CRASH_MS));
      for (let round = 1; round <= roundCount; round++) {
        let result: FailoverRound;
        try {
          result = await crashRound(cluster, round, writer, ledger, fault);
        } catch (error) {
          // A round that cannot finish (e.g. no leader for CATCH_UP_TIMEOUT_MS) is a finding: report it, verify what was written.
          roundsStoppedBy = `round ${round}: ${(error as Error).message}`;
          progress(`failover ${nodes} nodes: stopping, ${roundsStoppedBy}`);
          break;
        }
        rounds.push(result);
        await saveProgress(summarise(nodes, rounds, interimWriter(), events, null, null));
        progress(
          `failover ${nodes} nodes round ${round}/${roundCount}: ${result.oldLeader} (term ${result.oldTerm}) -> ` +
            `${result.newLeader} (term ${result.newTerm}) in ${formatMs(result.failoverMs)} ms ` +
            `(leader seen ${formatMs(result.leaderSeenMs)} ms, writer back ${formatMs(result.writerStallMs)} ms, ` +
            `${result.probeAttempts} probe attempt(s)${result.probeErrors.length > 0 ? ` ${result.probeErrors.join(',')}` : ''}); ` +
            `restart + catch-up ${formatMs(result.restartAndCatchUpMs)} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, SETTLE_AFTER_CATCH_UP_MS));
      }
    } finally {
      writerStats = await writer.stop();
    }
    const writerSummary = { acknowledged: writerStats.acknowledged, unknownWrites: ledger.counts().unknownWrites, errors: writerStats.errors };
    await saveProgress(summarise(nodes, rounds, writerSummary, events, null, roundsStoppedBy));
    const keys = ledger.keys();
    const finalValues = await readAll(cluster, keys, { consistency: 'linearizable' });
    const verdictOfLedger = ledger.verify(finalValues);
    const divergentReplicaReads = await countDivergentReplicas(cluster, keys, finalValues);
    return summarise(nodes, rounds, writerSummary, events, { verdict: verdictOfLedger, divergentReplicaReads }, roundsStoppedBy);
  });
}

/** Once every node has applied the leader's commit index, each replica must hold what the linearizable read saw. */
async function countDivergentReplicas(cluster: Cluster, keys: readonly string[], expected: ReadonlyMap<string, unknown>): Promise<number> {
  const healthy = await waitForHealthy(cluster, CATCH_UP_TIMEOUT_MS);
  const target = healthy.nodes.find((node) => node.id === healthy.leaderId)?.commitIndex ?? 0;
  await waitForStatus(cluster, `every node to apply index ${target}`, CATCH_UP_TIMEOUT_MS, (status) =>
    status.nodes.every((node) => node.appliedIndex >= target),
  );
  let divergent = 0;
  for (const nodeId of cluster.nodeIds()) {
    const values = await readAll(cluster, keys, { consistency: 'eventual', nodeId });
    for (const key of keys) if (values.get(key) !== expected.get(key)) divergent++;
  }
  return divergent;
}

export async function runFailover(args: ClusterBenchArgs): Promise<FailoverReport> {
  const loadBefore = load();
  const results: FailoverResult[] = [];
  const report = (complete: boolean, partial: readonly FailoverResult[]): FailoverReport => ({
    benchmark: 'cluster/failover',
    date: new Date().toISOString(),
    fault: args.fault,
    complete,
    machine: machine(),
    loadBefore,
    loadAfter: load(),
    writerLanes: WRITER_LANES,
    keysPerLane: KEYS_PER_LANE,
    results: partial,
  });
  for (const nodes of args.nodes) {
    const save = async (partial: FailoverResult) => void (await writeReport(FAILOVER_RESULTS_FILE, report(false, [...results, partial])));
    results.push(await runOne(nodes, args.rounds, args.fault, save));
  }
  return report(true, results);
}

export function formatFailover(report: FailoverReport): string {
  const table = markdownTable(
    [
      { title: 'nodes', align: 'right' },
      { title: 'rounds', align: 'right' },
      { title: 'failover p50 ms', align: 'right' },
      { title: 'p99 ms', align: 'right' },
      { title: 'max ms', align: 'right' },
      { title: 'leader seen p50 / max ms', align: 'right' },
      { title: 'writer stall p50 / max ms', align: 'right' },
      { title: 'failed rounds', align: 'right' },
      { title: 'acked writes', align: 'right' },
      { title: 'unknown outcome', align: 'right' },
      { title: 'lost', align: 'right' },
      { title: 'replica mismatches', align: 'right' },
    ],
    report.results.map((r) => [
      String(r.nodes),
      String(r.rounds.length),
      formatMs(r.failoverMs.p50),
      formatMs(r.failoverMs.p99),
      formatMs(r.failoverMs.max),
      `${formatMs(r.leaderSeenMs.p50)} / ${formatMs(r.leaderSeenMs.max)}`,
      `${formatMs(r.writerStallMs.p50)} / ${formatMs(r.writerStallMs.max)}`,
      String(r.failedRounds),
      formatCount(r.writer.acknowledged),
      formatCount(r.writer.unknownWrites),
      r.verdict ? String(r.verdict.lost + r.verdict.unexplained) : 'not checked',
      r.divergentReplicaReads === null ? 'not checked' : String(r.divergentReplicaReads),
    ]),
  );
  const lines = [
    ...(report.complete ? [] : ['**Partial: the run ended early (see its output); these are the rounds it finished, not read back.**', '']),
    `Leader ${report.fault} under a steady writer (${report.writerLanes} lanes, ${report.keysPerLane} keys each); ` +
      `failover = ${report.fault} of the leader to the first write acknowledged by the new leader; ` +
      `${describeLoad(report.loadBefore)} before, ${describeLoad(report.loadAfter)} after.`,
    '',
    table,
    '',
  ];
  for (const r of report.results) {
    if (r.roundsStoppedBy) lines.push(`${r.nodes} nodes: rounds stopped early: ${r.roundsStoppedBy}`);
    const v = r.verdict;
    lines.push(
      (v
        ? `${r.nodes} nodes: ${v.keys} keys read back linearizably: ${v.lastAcknowledged} hold the last acknowledged write, ` +
          `${v.laterUnknown} a later unknown-outcome write, ${v.neverAcknowledged} were never acknowledged; ` +
          `lost acknowledged writes: ${v.lost}; unexplained values: ${v.unexplained}. `
        : `${r.nodes} nodes: not read back (the run ended first). `) +
        `Writer errors: ${JSON.stringify(r.writer.errors)}. Events: ${JSON.stringify(r.events)}.`,
    );
    if (v && v.lostExamples.length > 0) lines.push(`lost examples: ${JSON.stringify(v.lostExamples)}`);
    if (r.nodes === 3) {
      const outcome = !v
        ? 'not decided (no read-back)'
        : v.lost > 0 || r.failedRounds > 0 || r.roundsStoppedBy
          ? 'missed (writes lost, or rounds failed or stopped)'
          : verdict(r.failoverMs.p99, TARGET_FAILOVER_P99_MS[report.fault], 'lower');
      lines.push(
        `Target, 3 nodes ${report.fault} failover p99 <= ${TARGET_FAILOVER_P99_MS[report.fault]} ms with 0 lost: ${formatMs(r.failoverMs.p99)} ms, ` +
          `${v ? v.lost : '?'} lost -> ${outcome}.`,
      );
    }
  }
  return lines.join('\n');
}

export const failoverScript = {
  name: 'failover',
  flags: FAILOVER_FLAGS,
  defaults: FAILOVER_DEFAULTS,
  async run(args: ClusterBenchArgs): Promise<FailoverReport> {
    const report = await runFailover(args);
    console.log(`\n${formatFailover(report)}`);
    console.log(`wrote ${await writeReport(FAILOVER_RESULTS_FILE, report)}`);
    const lost = report.results.reduce((sum, r) => sum + (r.verdict ? r.verdict.lost + r.verdict.unexplained : 0) + (r.divergentReplicaReads ?? 0), 0);
    if (lost > 0 || report.results.some((r) => r.roundsStoppedBy !== null)) process.exitCode = 1;
    return report;
  },
};

if (isMain(import.meta.url)) await runScript(failoverScript);
