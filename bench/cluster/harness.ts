// What every cluster benchmark shares: a cluster on a fresh temp directory
// that is always closed and removed, a description of the machine and its
// load (the box is shared, so numbers mean little without it), and the
// JSON report and entry point conventions.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCluster, type Cluster, type ClusterOptions } from '../../src/index.js';
import { UsageError, parseClusterBenchArgs, usage, type ClusterBenchArgs, type FlagDefaults, type FlagName } from './args.js';

export const RESULTS_DIR = 'results';

export interface Machine {
  readonly node: string;
  readonly platform: string;
  readonly cpuModel: string;
  readonly cpus: number;
  readonly memoryGiB: number;
  /** Where the LMDB directories live; fsync on tmpfs costs nothing. */
  readonly dataDirParent: string;
}

export interface Load {
  readonly atIso: string;
  /** os.loadavg(): 1, 5 and 15 minutes. */
  readonly loadAverage: readonly [number, number, number];
}

export function machine(): Machine {
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    dataDirParent: dataDirParent(),
  };
}

export function load(): Load {
  const [one, five, fifteen] = os.loadavg();
  return { atIso: new Date().toISOString(), loadAverage: [round2(one ?? 0), round2(five ?? 0), round2(fifteen ?? 0)] };
}

export function describeLoad(value: Load): string {
  return `load average ${value.loadAverage.join(', ')} on ${os.cpus().length} cores`;
}

/** BENCH_CLUSTER_DIR picks the parent of the temp data directories (default: the OS temp dir). */
function dataDirParent(): string {
  return process.env.BENCH_CLUSTER_DIR ?? os.tmpdir();
}

/** A fresh cluster on a fresh temp directory; closed and removed whatever `body` does. */
export async function withCluster<T>(options: Omit<ClusterOptions, 'dataDir'>, body: (cluster: Cluster) => Promise<T>): Promise<T> {
  const dataDir = await mkdtemp(join(dataDirParent(), 'replikit-bench-'));
  let cluster: Cluster | null = null;
  try {
    cluster = await createCluster({ ...options, dataDir });
    return await body(cluster);
  } finally {
    try {
      await cluster?.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
}

/** How long a fresh cluster may take to commit its first write (elections may repeat on a busy box). */
const LEADER_TIMEOUT_MS = 30_000;
const LEADER_RETRY_DELAY_MS = 50;

/** Resolves once a leader has committed a write of its own term, so the first measured write finds it. */
export async function waitForLeader(cluster: Cluster): Promise<void> {
  const deadlineMs = performance.now() + LEADER_TIMEOUT_MS;
  for (;;) {
    try {
      await cluster.put('bench/ready', 1);
      return;
    } catch (error) {
      // A leader change during start-up answers unknown-outcome: harmless for this marker write, try again.
      if (performance.now() > deadlineMs) throw error;
      await sleep(LEADER_RETRY_DELAY_MS);
    }
  }
}

/** Cluster events by type until stop() (leader changes during a measurement explain its outliers). */
export function countEvents(cluster: Cluster): { stop(): Record<string, number> } {
  const counts: Record<string, number> = {};
  const listener = (event: { type: string }) => {
    counts[event.type] = (counts[event.type] ?? 0) + 1;
  };
  cluster.on('event', listener);
  return {
    stop() {
      cluster.off('event', listener);
      return counts;
    },
  };
}

export async function writeReport(fileName: string, report: object): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, fileName);
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

export interface BenchScript<R> {
  readonly name: string;
  readonly flags: readonly FlagName[];
  readonly defaults: FlagDefaults;
  run(args: ClusterBenchArgs): Promise<R>;
}

/** Parse flags (exit 2 with usage on a bad one), run, and let a failure exit non-zero. */
export async function runScript<R>(script: BenchScript<R>): Promise<void> {
  let args: ClusterBenchArgs | null;
  try {
    args = parseClusterBenchArgs(process.argv.slice(2), script.flags, script.defaults);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench/cluster/${script.name}: ${error.message}\n\n${usage(script.name, script.flags, script.defaults)}\n`);
    process.exitCode = 2;
    return;
  }
  if (args === null) {
    console.log(usage(script.name, script.flags, script.defaults));
    return;
  }
  await script.run(args);
}

/** True when this module is the script node was started with (not imported by run-all). */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && fileURLToPath(moduleUrl) === resolve(entry);
}

export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
