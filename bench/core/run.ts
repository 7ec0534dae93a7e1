// How many entries a second the Raft core commits, with the XState role driver
// and with the plain one, for clusters of 3, 5 and 9 nodes on one thread over
// a perfect in-memory network (see cluster.ts for what that leaves out).
//
//   npm run build && node dist/bench/core/run.js [--duration-ms 2000] [--nodes 3,5,9]
//
// Each configuration runs RUNS times, interleaved so that a noisy moment on a
// shared machine hits every configuration alike; the table shows medians.
// Writes a table to stdout and results/bench-core.json.

import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { USAGE, UsageError, parseBenchArgs, type BenchArgs } from './args.js';
import { MAX_IN_FLIGHT_PROPOSALS, PAYLOAD_BYTES, PROPOSALS_PER_ROUND, ROUNDS_PER_TICK, type DriverName } from './cluster.js';
import { WARMUP_MS, measureOnce, type RunResult } from './measure.js';

const RUNS = 3;
const DRIVERS: readonly DriverName[] = ['plain', 'xstate'];
const RESULTS_FILE = join('results', 'bench-core.json');

interface Row {
  readonly nodes: number;
  readonly driver: DriverName;
  readonly entriesPerSec: number;
  readonly messagesPerSec: number;
  readonly p50LatencyRounds: number;
  readonly p99LatencyRounds: number;
  /** Median entries/s of this driver over the plain driver's, same cluster size. */
  readonly ratioToPlain: number;
  readonly roleEventsMeasured: number;
  readonly runs: readonly RunResult[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] as number;
  return ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function measureAll(args: BenchArgs): Row[] {
  const runs = new Map<string, RunResult[]>();
  const key = (nodes: number, driver: DriverName) => `${nodes}/${driver}`;
  const collectGarbage = (globalThis as { gc?: () => void }).gc;
  for (let run = 1; run <= RUNS; run++) {
    for (const nodes of args.nodes) {
      for (const driver of DRIVERS) {
        collectGarbage?.(); // only with --expose-gc: the last run's garbage stays out of this one
        const result = measureOnce(nodes, driver, args.durationMs);
        const list = runs.get(key(nodes, driver)) ?? [];
        list.push(result);
        runs.set(key(nodes, driver), list);
        process.stderr.write(`run ${run}/${RUNS}  ${String(nodes).padStart(2)} nodes  ${driver.padEnd(6)}  ${Math.round(result.entriesPerSec)} entries/s\n`);
      }
    }
  }
  const rows: Row[] = [];
  for (const nodes of args.nodes) {
    const plainEntriesPerSec = median((runs.get(key(nodes, 'plain')) ?? []).map((r) => r.entriesPerSec));
    for (const driver of DRIVERS) {
      const list = runs.get(key(nodes, driver)) ?? [];
      const entriesPerSec = median(list.map((r) => r.entriesPerSec));
      rows.push({
        nodes,
        driver,
        entriesPerSec,
        messagesPerSec: median(list.map((r) => r.messagesPerSec)),
        p50LatencyRounds: median(list.map((r) => r.p50LatencyRounds)),
        p99LatencyRounds: median(list.map((r) => r.p99LatencyRounds)),
        ratioToPlain: entriesPerSec / plainEntriesPerSec,
        roleEventsMeasured: list.reduce((sum, r) => sum + r.roleEvents, 0),
        runs: list,
      });
    }
  }
  return rows;
}

function formatTable(rows: readonly Row[]): string {
  const header = ['nodes', 'driver', 'entries/s', 'messages/s', 'p50 rounds', 'p99 rounds', 'xstate/plain'];
  const body = rows.map((row) => [
    String(row.nodes),
    row.driver,
    Math.round(row.entriesPerSec).toLocaleString('en-US'),
    Math.round(row.messagesPerSec).toLocaleString('en-US'),
    String(row.p50LatencyRounds),
    String(row.p99LatencyRounds),
    row.driver === 'xstate' ? row.ratioToPlain.toFixed(2) : '',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column < 2 ? `${'-'.repeat(width + 1)}-` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  let args: BenchArgs | null;
  try {
    args = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench/core: ${error.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (args === null) {
    console.log(USAGE);
    return;
  }

  const rows = measureAll(args);
  console.log(
    `\ncore commit throughput: ${PROPOSALS_PER_ROUND} proposals of ${PAYLOAD_BYTES} bytes per round, ` +
      `at most ${MAX_IN_FLIGHT_PROPOSALS} in flight, a tick every ${ROUNDS_PER_TICK} rounds; ` +
      `median of ${RUNS} runs of ${args.durationMs} ms after ${WARMUP_MS} ms warm-up\n`,
  );
  console.log(formatTable(rows));
  const roleEvents = rows.reduce((sum, row) => sum + row.roleEventsMeasured, 0);
  const electionEvents = rows.flatMap((row) => row.runs.map((run) => run.electionRoleEvents));
  console.log(
    `\nrole driver calls: ${roleEvents} in all measured intervals; ` +
      `${Math.min(...electionEvents)}..${Math.max(...electionEvents)} per election (all nodes)`,
  );

  await mkdir('results', { recursive: true });
  const report = {
    benchmark: 'core/commit-throughput',
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    durationMs: args.durationMs,
    warmupMs: WARMUP_MS,
    runs: RUNS,
    payloadBytes: PAYLOAD_BYTES,
    proposalsPerRound: PROPOSALS_PER_ROUND,
    maxInFlightProposals: MAX_IN_FLIGHT_PROPOSALS,
    roundsPerTick: ROUNDS_PER_TICK,
    rows,
  };
  await writeFile(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${RESULTS_FILE}`);
}

await main();
