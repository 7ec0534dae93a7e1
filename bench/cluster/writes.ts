// Durable replicated writes/s through the embedded API: 64-byte values over
// 10k keys, fsync on (LMDB's default), for each cluster size. Pipelined: 256,
// 1024 and 4096 writes in flight, quorum and (for comparison) async mode.
// One at a time: a single writer awaiting each put, for its latency.
//
//   npm run build && node dist/bench/cluster/writes.js [--duration-ms 5000] [--nodes 3,5] [--runs 3]
//
// Each run starts a fresh cluster per (nodes, mode) on a fresh temp dir and
// measures every load level on it, 1 s of warm-up before each window. Runs
// are repeated and the table shows medians. Writes results/bench-cluster-writes.json.

import type { ReplicationMode } from '../../src/index.js';
import type { ClusterBenchArgs, FlagDefaults, FlagName } from './args.js';
import { describeLoad, isMain, load, machine, progress, runScript, waitForLeader, withCluster, writeReport, type Load, type Machine } from './harness.js';
import { KEY_SPACE, VALUE_BYTES, leaderChanges, measureWindow, putOp, type WindowResult } from './load.js';
import { formatCount, formatMs, markdownTable, median, verdict } from './stats.js';

export const WRITES_RESULTS_FILE = 'bench-cluster-writes.json';
const IN_FLIGHT_LEVELS: readonly number[] = [256, 1024, 4096];
/** The single writer: one put at a time. */
const SINGLE_WRITER = 1;
const MODES: readonly ReplicationMode[] = ['quorum', 'async'];
const LEVELS: readonly number[] = [...IN_FLIGHT_LEVELS, SINGLE_WRITER];
/** Untimed load before each window: JIT, LMDB file growth, the log reaching its compacted size. */
export const WARMUP_MS = 1_000;
export const TARGET_WRITES_PER_SEC = 150_000;
export const TARGET_SINGLE_P50_MS = 0.4;

export const WRITES_FLAGS: readonly FlagName[] = ['duration-ms', 'nodes', 'runs'];
export const WRITES_DEFAULTS: FlagDefaults = { durationMs: 5_000, nodes: [3, 5], runs: 3, rounds: 0 };

export interface WritesRow {
  readonly nodes: number;
  readonly mode: ReplicationMode;
  readonly inFlight: number;
  readonly writesPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** Leader changes during all runs of this row: each one stalls or fails the writes in flight. */
  readonly leaderChanges: number;
  /** Process CPU (all threads) per acknowledged write. */
  readonly cpuUsPerWrite: number;
  readonly cpuCores: number;
  readonly runs: readonly WindowResult[];
}

export interface WritesReport {
  readonly benchmark: 'cluster/writes';
  readonly date: string;
  /** False in the copy saved after each configuration: a process that aborts (see repro-terminate-abort.ts) keeps what it measured. */
  readonly complete: boolean;
  readonly machine: Machine;
  readonly loadBefore: Load;
  readonly loadAfter: Load;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly runs: number;
  readonly valueBytes: number;
  readonly keySpace: number;
  readonly rows: readonly WritesRow[];
}

export async function runWrites(args: ClusterBenchArgs): Promise<WritesReport> {
  const loadBefore = load();
  const results = new Map<string, WindowResult[]>();
  // Interleaved runs: a noisy moment on the shared box hits every configuration alike.
  for (let run = 1; run <= args.runs; run++) {
    for (const nodes of args.nodes) {
      for (const mode of MODES) {
        await withCluster({ nodes, mode }, async (cluster) => {
          await waitForLeader(cluster);
          for (const inFlight of LEVELS) {
            const result = await measureWindow(cluster, { inFlight, warmupMs: WARMUP_MS, durationMs: args.durationMs }, putOp(cluster, mode));
            const list = results.get(keyOf(nodes, mode, inFlight)) ?? [];
            list.push(result);
            results.set(keyOf(nodes, mode, inFlight), list);
            await writeReport(WRITES_RESULTS_FILE, buildReport(args, results, loadBefore, false));
            progress(
              `writes run ${run}/${args.runs}  ${nodes} nodes  ${mode.padEnd(6)}  ${String(inFlight).padStart(4)} in flight  ` +
                `${formatCount(result.opsPerSec)} writes/s  p50 ${formatMs(result.latencyMs.p50)} ms  ` +
                `${formatCount(result.cpuUsPerOp)} CPU µs/write  ` +
                `errors ${JSON.stringify(result.errors)}  events ${JSON.stringify(result.events)}`,
            );
          }
        });
      }
    }
  }
  return buildReport(args, results, loadBefore, true);
}

function keyOf(nodes: number, mode: ReplicationMode, inFlight: number): string {
  return `${nodes}/${mode}/${inFlight}`;
}

function buildReport(args: ClusterBenchArgs, results: ReadonlyMap<string, WindowResult[]>, loadBefore: Load, complete: boolean): WritesReport {
  const rows: WritesRow[] = [];
  for (const nodes of args.nodes) {
    for (const mode of MODES) {
      for (const inFlight of LEVELS) {
        const list = results.get(keyOf(nodes, mode, inFlight)) ?? [];
        if (list.length === 0) continue;
        rows.push({
          nodes,
          mode,
          inFlight,
          writesPerSec: median(list.map((r) => r.opsPerSec)),
          p50Ms: median(list.map((r) => r.latencyMs.p50)),
          p99Ms: median(list.map((r) => r.latencyMs.p99)),
          errors: list.reduce((sum, r) => sum + Object.values(r.errors).reduce((a, b) => a + b, 0), 0),
          leaderChanges: list.reduce((sum, r) => sum + leaderChanges(r.events), 0),
          cpuUsPerWrite: median(list.map((r) => r.cpuUsPerOp)),
          cpuCores: median(list.map((r) => r.cpuCores)),
          runs: list,
        });
      }
    }
  }
  return {
    benchmark: 'cluster/writes',
    date: new Date().toISOString(),
    complete,
    machine: machine(),
    loadBefore,
    loadAfter: load(),
    durationMs: args.durationMs,
    warmupMs: WARMUP_MS,
    runs: args.runs,
    valueBytes: VALUE_BYTES,
    keySpace: KEY_SPACE,
    rows,
  };
}

/** The highest median pipelined quorum rate of a cluster size, or NaN if it was not measured. */
export function topPipelinedQuorumRate(report: WritesReport, nodes: number): number {
  const rates = report.rows.filter((row) => row.nodes === nodes && row.mode === 'quorum' && row.inFlight !== SINGLE_WRITER).map((row) => row.writesPerSec);
  return rates.length > 0 ? Math.max(...rates) : Number.NaN;
}

export function formatWrites(report: WritesReport): string {
  const table = markdownTable(
    [
      { title: 'nodes', align: 'right' },
      { title: 'mode', align: 'left' },
      { title: 'in flight', align: 'right' },
      { title: 'writes/s (median)', align: 'right' },
      { title: 'writes/s per run', align: 'right' },
      { title: 'p50 ms', align: 'right' },
      { title: 'p99 ms', align: 'right' },
      { title: 'CPU µs/write', align: 'right' },
      { title: 'cores busy', align: 'right' },
      { title: 'errors', align: 'right' },
      { title: 'leader changes', align: 'right' },
    ],
    report.rows.map((row) => [
      String(row.nodes),
      row.mode,
      row.inFlight === SINGLE_WRITER ? '1 (single writer)' : String(row.inFlight),
      formatCount(row.writesPerSec),
      row.runs.map((r) => formatCount(r.opsPerSec)).join(' / '),
      formatMs(row.p50Ms),
      formatMs(row.p99Ms),
      formatCount(row.cpuUsPerWrite),
      row.cpuCores.toFixed(2),
      String(row.errors),
      String(row.leaderChanges),
    ]),
  );
  const lines = [
    ...(report.complete ? [] : ['**Partial: the run ended early (see its output); these are the configurations it finished.**', '']),
    `Durable replicated writes (fsync on), ${report.valueBytes}-byte values over ${formatCount(report.keySpace)} keys; ` +
      `median of ${report.runs} run(s) of ${report.durationMs} ms after ${report.warmupMs} ms warm-up; ` +
      `${describeLoad(report.loadBefore)} before, ${describeLoad(report.loadAfter)} after.`,
    '',
    table,
    '',
  ];
  const threeNodes = report.rows.filter((row) => row.nodes === 3 && row.mode === 'quorum');
  if (threeNodes.length > 0) {
    const top = topPipelinedQuorumRate(report, 3);
    const single = threeNodes.find((row) => row.inFlight === SINGLE_WRITER);
    lines.push(
      `Target, 3 nodes quorum pipelined >= ${formatCount(TARGET_WRITES_PER_SEC)} writes/s: ${formatCount(top)} -> ${verdict(top, TARGET_WRITES_PER_SEC, 'higher')}.`,
      `Target, 3 nodes quorum single writer p50 <= ${TARGET_SINGLE_P50_MS} ms: ${formatMs(single?.p50Ms ?? Number.NaN)} ms -> ` +
        `${verdict(single?.p50Ms ?? Number.NaN, TARGET_SINGLE_P50_MS, 'lower')}.`,
    );
  }
  return lines.join('\n');
}

export const writesScript = {
  name: 'writes',
  flags: WRITES_FLAGS,
  defaults: WRITES_DEFAULTS,
  async run(args: ClusterBenchArgs): Promise<WritesReport> {
    const report = await runWrites(args);
    console.log(`\n${formatWrites(report)}`);
    console.log(`wrote ${await writeReport(WRITES_RESULTS_FILE, report)}`);
    return report;
  },
};

if (isMain(import.meta.url)) await runScript(writesScript);
