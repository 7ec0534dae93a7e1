// Reads/s for each consistency level on a preloaded key set, pipelined (256
// in flight by default), nothing else writing. Every value read is checked
// against the one preloaded: a fast wrong answer is not a result.
//
//   npm run build && node dist/bench/cluster/reads.js [--duration-ms 5000] [--nodes 3] [--runs 3]
//
// linearizable and lease reads go to the leader; read-your-writes, monotonic
// (one session per lane), bounded and eventual go to a random running node.
// Writes results/bench-cluster-reads.json.

import type { Cluster, ReadConsistency, ReadOptions, ReadSession } from '../../src/index.js';
import { READ_CONSISTENCIES } from '../../src/index.js';
import type { ClusterBenchArgs, FlagDefaults, FlagName } from './args.js';
import { describeLoad, isMain, load, machine, progress, runScript, waitForLeader, withCluster, writeReport, type Load, type Machine } from './harness.js';
import { KEY_SPACE, VALUE_BYTES, benchKey, leaderChanges, measureWindow, type WindowResult } from './load.js';
import { formatCount, formatMs, markdownTable, median } from './stats.js';
import { WARMUP_MS } from './writes.js';

export const READS_RESULTS_FILE = 'bench-cluster-reads.json';
const READS_IN_FLIGHT = 256;
/** Writes in flight while preloading the key set. */
const PRELOAD_IN_FLIGHT = 256;
/** A preload put that fails (e.g. a leader change) is repeated, same value, this many times at most. */
const PRELOAD_MAX_ATTEMPTS = 10;
const PRELOAD_RETRY_DELAY_MS = 50;
/** bounded reads accept a follower this far behind; generous, since nothing writes during the run. */
const BOUNDED_MAX_LAG_MS = 100;

export const READS_FLAGS: readonly FlagName[] = ['duration-ms', 'nodes', 'runs'];
export const READS_DEFAULTS: FlagDefaults = { durationMs: 5_000, nodes: [3], runs: 3, rounds: 0 };

export interface ReadsRow {
  readonly nodes: number;
  readonly consistency: ReadConsistency;
  readonly readsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** Reads that returned something other than the preloaded value. */
  readonly wrongValues: number;
  readonly leaderChanges: number;
  readonly cpuUsPerRead: number;
  readonly runs: readonly WindowResult[];
}

export interface ReadsReport {
  readonly benchmark: 'cluster/reads';
  readonly date: string;
  readonly machine: Machine;
  readonly loadBefore: Load;
  readonly loadAfter: Load;
  readonly durationMs: number;
  readonly warmupMs: number;
  readonly inFlight: number;
  readonly keySpace: number;
  readonly rows: readonly ReadsRow[];
}

function preloadValue(n: number): string {
  return `value of ${benchKey(n)}:`.padEnd(VALUE_BYTES, '.');
}

/** Every key once; returns the highest index written, for read-your-writes. */
async function preload(cluster: Cluster): Promise<number> {
  let highestIndex = 0;
  let next = 0;
  const putWithRetries = async (n: number): Promise<number> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await cluster.put(benchKey(n), preloadValue(n))).index;
      } catch (error) {
        // Writing the same value again is harmless; reads check the value, not how often it was written.
        if (attempt >= PRELOAD_MAX_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, PRELOAD_RETRY_DELAY_MS));
      }
    }
  };
  const lane = async (): Promise<void> => {
    while (next < KEY_SPACE) {
      highestIndex = Math.max(highestIndex, await putWithRetries(next++));
    }
  };
  await Promise.all(Array.from({ length: PRELOAD_IN_FLIGHT }, lane));
  return highestIndex;
}

function readOp(
  cluster: Cluster,
  consistency: ReadConsistency,
  highestIndex: number,
  sessions: readonly ReadSession[],
  wrong: { count: number },
): (n: number, lane: number) => Promise<unknown> {
  const options: ReadOptions =
    consistency === 'read-your-writes'
      ? { consistency, minIndex: highestIndex }
      : consistency === 'bounded'
        ? { consistency, maxLagMs: BOUNDED_MAX_LAG_MS }
        : { consistency };
  const check = (n: number, value: unknown) => {
    if (value !== preloadValue(n)) wrong.count++;
  };
  if (consistency === 'monotonic') {
    return async (n, lane) => check(n, (await (sessions[lane] as ReadSession).get(benchKey(n)))?.value);
  }
  return async (n) => check(n, (await cluster.get(benchKey(n), options))?.value);
}

export async function runReads(args: ClusterBenchArgs): Promise<ReadsReport> {
  const loadBefore = load();
  const results = new Map<string, { window: WindowResult; wrong: number }[]>();
  const keyOf = (nodes: number, consistency: ReadConsistency) => `${nodes}/${consistency}`;
  for (let run = 1; run <= args.runs; run++) {
    for (const nodes of args.nodes) {
      await withCluster({ nodes }, async (cluster) => {
        await waitForLeader(cluster);
        const highestIndex = await preload(cluster);
        for (const consistency of READ_CONSISTENCIES) {
          const sessions = Array.from({ length: READS_IN_FLIGHT }, () => cluster.session());
          const wrong = { count: 0 };
          const window = await measureWindow(
            cluster,
            { inFlight: READS_IN_FLIGHT, warmupMs: WARMUP_MS, durationMs: args.durationMs },
            readOp(cluster, consistency, highestIndex, sessions, wrong),
          );
          const list = results.get(keyOf(nodes, consistency)) ?? [];
          list.push({ window, wrong: wrong.count });
          results.set(keyOf(nodes, consistency), list);
          progress(
            `reads run ${run}/${args.runs}  ${nodes} nodes  ${consistency.padEnd(16)}  ${formatCount(window.opsPerSec)} reads/s  ` +
              `p50 ${formatMs(window.latencyMs.p50)} ms  wrong ${wrong.count}  errors ${JSON.stringify(window.errors)}  events ${JSON.stringify(window.events)}`,
          );
        }
      });
    }
  }
  const rows: ReadsRow[] = [];
  for (const nodes of args.nodes) {
    for (const consistency of READ_CONSISTENCIES) {
      const list = results.get(keyOf(nodes, consistency)) ?? [];
      rows.push({
        nodes,
        consistency,
        readsPerSec: median(list.map((r) => r.window.opsPerSec)),
        p50Ms: median(list.map((r) => r.window.latencyMs.p50)),
        p99Ms: median(list.map((r) => r.window.latencyMs.p99)),
        errors: list.reduce((sum, r) => sum + Object.values(r.window.errors).reduce((a, b) => a + b, 0), 0),
        wrongValues: list.reduce((sum, r) => sum + r.wrong, 0),
        leaderChanges: list.reduce((sum, r) => sum + leaderChanges(r.window.events), 0),
        cpuUsPerRead: median(list.map((r) => r.window.cpuUsPerOp)),
        runs: list.map((r) => r.window),
      });
    }
  }
  return {
    benchmark: 'cluster/reads',
    date: new Date().toISOString(),
    machine: machine(),
    loadBefore,
    loadAfter: load(),
    durationMs: args.durationMs,
    warmupMs: WARMUP_MS,
    inFlight: READS_IN_FLIGHT,
    keySpace: KEY_SPACE,
    rows,
  };
}

export function formatReads(report: ReadsReport): string {
  const table = markdownTable(
    [
      { title: 'nodes', align: 'right' },
      { title: 'consistency', align: 'left' },
      { title: 'reads/s (median)', align: 'right' },
      { title: 'reads/s per run', align: 'right' },
      { title: 'p50 ms', align: 'right' },
      { title: 'p99 ms', align: 'right' },
      { title: 'CPU µs/read', align: 'right' },
      { title: 'errors', align: 'right' },
      { title: 'wrong values', align: 'right' },
      { title: 'leader changes', align: 'right' },
    ],
    report.rows.map((row) => [
      String(row.nodes),
      row.consistency,
      formatCount(row.readsPerSec),
      row.runs.map((r) => formatCount(r.opsPerSec)).join(' / '),
      formatMs(row.p50Ms),
      formatMs(row.p99Ms),
      formatCount(row.cpuUsPerRead),
      String(row.errors),
      String(row.wrongValues),
      String(row.leaderChanges),
    ]),
  );
  return [
    `Reads on ${formatCount(report.keySpace)} preloaded keys, ${report.inFlight} in flight, nothing writing; ` +
      `median of runs of ${report.durationMs} ms after ${report.warmupMs} ms warm-up; ` +
      `${describeLoad(report.loadBefore)} before, ${describeLoad(report.loadAfter)} after.`,
    '',
    table,
  ].join('\n');
}

export const readsScript = {
  name: 'reads',
  flags: READS_FLAGS,
  defaults: READS_DEFAULTS,
  async run(args: ClusterBenchArgs): Promise<ReadsReport> {
    const report = await runReads(args);
    console.log(`\n${formatReads(report)}`);
    console.log(`wrote ${await writeReport(READS_RESULTS_FILE, report)}`);
    if (report.rows.some((row) => row.wrongValues > 0)) process.exitCode = 1;
    return report;
  },
};

if (isMain(import.meta.url)) await runScript(readsScript);
