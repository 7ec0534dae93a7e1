// Follower lag while a writer runs at about half the pipelined top rate:
// status().lag sampled every 10 ms (the leader's view: the age of the oldest
// entry a follower is not known to hold). The writer is paced by a token
// bucket; the top rate comes from results/bench-cluster-writes.json (3-node
// quorum, best pipelined median) or, without it, from a short pipelined run
// here.
//
//   npm run build && node dist/bench/cluster/lag.js [--duration-ms 5000] [--nodes 3] [--runs 3]
//
// Writes results/bench-cluster-lag.json.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cluster } from '../../src/index.js';
import type { ClusterBenchArgs, FlagDefaults, FlagName } from './args.js';
import {
  RESULTS_DIR,
  describeLoad,
  isMain,
  load,
  machine,
  progress,
  runScript,
  waitForLeader,
  withCluster,
  writeReport,
  type Load,
  type Machine,
} from './harness.js';
import { leaderChanges, measureWindow, putOp, startPacedWriter, type PacedResult } from './load.js';
import { distribution, formatCount, formatMs, markdownTable, median, verdict, type Distribution } from './stats.js';
import { WARMUP_MS, WRITES_RESULTS_FILE, topPipelinedQuorumRate, type WritesReport } from './writes.js';

export const LAG_RESULTS_FILE = 'bench-cluster-lag.json';
export const SAMPLE_INTERVAL_MS = 10;
/** "About half of the pipelined top rate". */
const LOAD_FRACTION = 0.5;
/** Outstanding writes the paced writer allows; a pace the cluster cannot follow shows as skipped tokens. */
const PACED_MAX_IN_FLIGHT = 4096;
/** When no writes result exists: the in-flight level and duration of the short run that finds the top rate. */
const FALLBACK_IN_FLIGHT = 4096;
const FALLBACK_DURATION_MS = 3_000;
export const TARGET_LAG_P99_MS = 2;

export const LAG_FLAGS: readonly FlagName[] = ['duration-ms', 'nodes', 'runs'];
export const LAG_DEFAULTS: FlagDefaults = { durationMs: 5_000, nodes: [3], runs: 3, rounds: 0 };

export interface LagRun {
  readonly writer: PacedResult;
  readonly samples: number;
  /** Sampling rounds in which status() found no leader. */
  readonly noLeaderSamples: number;
  readonly lagMs: Distribution;
  readonly lagEntries: Distribution;
  /** Achieved sampling interval: status() itself may take longer than SAMPLE_INTERVAL_MS on a busy box. */
  readonly sampleIntervalMs: Distribution;
}

export interface LagRow {
  readonly nodes: number;
  readonly topRatePerSec: number;
  readonly topRateSource: string;
  readonly targetPerSec: number;
  readonly achievedPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly p50Entries: number;
  readonly p99Entries: number;
  readonly writeErrors: number;
  readonly leaderChanges: number;
  readonly runs: readonly LagRun[];
}

export interface LagReport {
  readonly benchmark: 'cluster/lag';
  readonly date: string;
  readonly machine: Machine;
  readonly loadBefore: Load;
  readonly loadAfter: Load;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly sampleIntervalMs: number;
  readonly rows: readonly LagRow[];
}

async function topRate(nodes: number): Promise<{ ratePerSec: number; source: string }> {
  try {
    const report = JSON.parse(await readFile(join(RESULTS_DIR, WRITES_RESULTS_FILE), 'utf8')) as WritesReport;
    const rate = topPipelinedQuorumRate(report, nodes);
    if (Number.isFinite(rate) && rate > 0) return { ratePerSec: rate, source: `${WRITES_RESULTS_FILE} of ${report.date}` };
  } catch {
    // No usable writes result: measure below.
  }
  const measured = await withCluster({ nodes }, async (cluster) => {
    await waitForLeader(cluster);
    return measureWindow(cluster, { inFlight: FALLBACK_IN_FLIGHT, warmupMs: WARMUP_MS, durationMs: FALLBACK_DURATION_MS }, putOp(cluster, 'quorum'));
  });
  return { ratePerSec: measured.opsPerSec, source: `measured here: ${FALLBACK_IN_FLIGHT} in flight for ${FALLBACK_DURATION_MS} ms` };
}

/** Samples status().lag of every follower every SAMPLE_INTERVAL_MS until stopped. */
function startSampler(cluster: Cluster): { stop(): Promise<Omit<LagRun, 'writer'>> } {
  const lagMs: number[] = [];
  const lagEntries: number[] = [];
  const intervalsMs: number[] = [];
  let noLeaderSamples = 0;
  let stopped = false;
  const loop = (async () => {
    let lastMs = performance.now();
    while (!stopped) {
      const status = await cluster.status();
      if (status.leaderId === null) noLeaderSamples++;
      for (const lag of Object.values(status.lag)) {
        lagMs.push(lag.ms);
        lagEntries.push(lag.entries);
      }
      const waitMs = Math.max(0, lastMs + SAMPLE_INTERVAL_MS - performance.now());
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      const nowMs = performance.now();
      intervalsMs.push(nowMs - lastMs);
      lastMs = nowMs;
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return {
        samples: intervalsMs.length,
        noLeaderSamples,
        lagMs: distribution(lagMs),
        lagEntries: distribution(lagEntries),
        sampleIntervalMs: distribution(intervalsMs),
      };
    },
  };
}

async function measureLag(nodes: number, ratePerSec: number, durationMs: number): Promise<LagRun> {
  return withCluster({ nodes }, async (cluster) => {
    await waitForLeader(cluster);
    const writer = startPacedWriter(cluster, ratePerSec, PACED_MAX_IN_FLIGHT);
    // Lag is sampled only after the warm-up, in steady state.
    await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
    const sampler = startSampler(cluster);
    await new Promise((resolve) => setTimeout(resolve, durationMs));
    const sampled = await sampler.stop();
    return { writer: await writer.stop(), ...sampled };
  });
}

export async function runLag(args: ClusterBenchArgs): Promise<LagReport> {
  const loadBefore = load();
  const rows: LagRow[] = [];
  for (const nodes of args.nodes) {
    const top = await topRate(nodes);
    const targetPerSec = Math.max(1, Math.round(top.ratePerSec * LOAD_FRACTION));
    const runs: LagRun[] = [];
    for (let run = 1; run <= args.runs; run++) {
      const result = await measureLag(nodes, targetPerSec, args.durationMs);
      runs.push(result);
      progress(
        `lag run ${run}/${args.runs}  ${nodes} nodes  ${formatCount(result.writer.achievedPerSec)}/${formatCount(targetPerSec)} writes/s  ` +
          `lag p50 ${formatMs(result.lagMs.p50)} p99 ${formatMs(result.lagMs.p99)} ms  ${result.samples} samples  ` +
          `skipped ${result.writer.skipped}  errors ${JSON.stringify(result.writer.errors)}  events ${JSON.stringify(result.writer.events)}`,
      );
    }
    rows.push({
      nodes,
      topRatePerSec: top.ratePerSec,
      topRateSource: top.source,
      targetPerSec,
      achievedPerSec: median(runs.map((r) => r.writer.achievedPerSec)),
      p50Ms: median(runs.map((r) => r.lagMs.p50)),
      p99Ms: median(runs.map((r) => r.lagMs.p99)),
      maxMs: Math.max(...runs.map((r) => r.lagMs.max)),
      p50Entries: median(runs.map((r) => r.lagEntries.p50)),
      p99Entries: median(runs.map((r) => r.lagEntries.p99)),
      writeErrors: runs.reduce((sum, r) => sum + Object.values(r.writer.errors).reduce((a, b) => a + b, 0), 0),
      leaderChanges: runs.reduce((sum, r) => sum + leaderChanges(r.writer.events), 0),
      runs,
    });
  }
  return {
    benchmark: 'cluster/lag',
    date: new Date().toISOString(),
    machine: machine(),
    loadBefore,
    loadAfter: load(),
    durationMs: args.durationMs,
    warmupMs: WARMUP_MS,
    sampleIntervalMs: SAMPLE_INTERVAL_MS,
    rows,
  };
}

export function formatLag(report: LagReport): string {
  const table = markdownTable(
    [
      { title: 'nodes', align: 'right' },
      { title: 'top rate writes/s', align: 'right' },
      { title: 'paced at writes/s', align: 'right' },
      { title: 'achieved writes/s', align: 'right' },
      { title: 'lag p50 ms', align: 'right' },
      { title: 'lag p99 ms', align: 'right' },
      { title: 'lag max ms', align: 'right' },
      { title: 'lag p50 / p99 entries', align: 'right' },
      { title: 'samples per run', align: 'right' },
      { title: 'write p50 / p99 ms', align: 'right' },
      { title: 'write errors', align: 'right' },
      { title: 'leader changes', align: 'right' },
    ],
    report.rows.map((row) => [
      String(row.nodes),
      formatCount(row.topRatePerSec),
      formatCount(row.targetPerSec),
      formatCount(row.achievedPerSec),
      formatMs(row.p50Ms),
      formatMs(row.p99Ms),
      formatMs(row.maxMs),
      `${formatCount(row.p50Entries)} / ${formatCount(row.p99Entries)}`,
      row.runs.map((r) => String(r.samples)).join(' / '),
      `${formatMs(median(row.runs.map((r) => r.writer.latencyMs.p50)))} / ${formatMs(median(row.runs.map((r) => r.writer.latencyMs.p99)))}`,
      String(row.writeErrors),
      String(row.leaderChanges),
    ]),
  );
  const lines = [
    `Follower lag from status().lag every ${report.sampleIntervalMs} ms while a token-bucket writer runs at half the top pipelined rate; ` +
      `median of runs of ${report.durationMs} ms after ${report.warmupMs} ms warm-up; ` +
      `${describeLoad(report.loadBefore)} before, ${describeLoad(report.loadAfter)} after.`,
    '',
    table,
    '',
  ];
  for (const row of report.rows) {
    lines.push(`${row.nodes} nodes: top rate from ${row.topRateSource}.`);
    if (row.nodes === 3) {
      lines.push(
        `Target, 3 nodes lag p99 <= ${TARGET_LAG_P99_MS} ms at half load: ${formatMs(row.p99Ms)} ms -> ${verdict(row.p99Ms, TARGET_LAG_P99_MS, 'lower')}.`,
      );
    }
  }
  return lines.join('\n');
}

export const lagScript = {
  name: 'lag',
  flags: LAG_FLAGS,
  defaults: LAG_DEFAULTS,
  async run(args: ClusterBenchArgs): Promise<LagReport> {
    const report = await runLag(args);
    console.log(`\n${formatLag(report)}`);
    console.log(`wrote ${await writeReport(LAG_RESULTS_FILE, report)}`);
    return report;
  },
};

if (isMain(import.meta.url)) await runScript(lagScript);
