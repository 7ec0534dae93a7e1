// The stability bench: does leadership survive ordinary load with no fault?
//
//   npm run build && node dist/bench/stability/run.js [--runs 10] [--seconds 15] [--only processes|embedded]
//
// Each run starts a fresh cluster and loads it for --seconds: (a) three
// `replikit node` processes under autocannon at 64 connections, (b) the
// embedded API on a dev cluster with 2,000 writes in flight. The target is 0
// term changes, 0 non-2xx and 0 failed writes in every run. The load average
// is recorded before and after each run (the machine is shared). Writes
// results/bench-stability.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { embeddedRun, type EmbeddedRun } from './embedded.js';
import { processRun, type ProcessRun } from './processes.js';

const CONNECTIONS = 64;
const IN_FLIGHT = 2_000;

interface Recorded<T> {
  readonly run: number;
  readonly loadBefore: number[];
  readonly loadAfter: number[];
  readonly result: T;
}

function load(): number[] {
  return loadavg().map((value) => Math.round(value * 100) / 100);
}

async function recorded<T>(run: number, body: () => Promise<T>): Promise<Recorded<T>> {
  const loadBefore = load();
  const result = await body();
  return { run, loadBefore, loadAfter: load(), result };
}

function clean(result: ProcessRun | EmbeddedRun): boolean {
  if ('non2xx' in result) return result.termChanges === 0 && result.non2xx === 0 && result.errors === 0 && result.timeouts === 0;
  return result.leaderChanges === 0 && Object.keys(result.failed).length === 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, seconds: { type: 'string' }, only: { type: 'string' } } });
  const runs = Number(values.runs ?? 10);
  const seconds = Number(values.seconds ?? 15);
  const only = values.only;
  if (!Number.isInteger(runs) || runs < 1 || !Number.isFinite(seconds) || seconds < 1) throw new Error('--runs and --seconds must be positive');
  if (only !== undefined && only !== 'processes' && only !== 'embedded') throw new Error('--only is processes or embedded');
  const processes: Recorded<ProcessRun>[] = [];
  const embedded: Recorded<EmbeddedRun>[] = [];
  for (let run = 1; run <= runs; run++) {
    if (only !== 'embedded') {
      const r = await recorded(run, () => processRun(seconds, CONNECTIONS));
      processes.push(r);
      const x = r.result;
      console.log(
        `processes run ${run}: ${x.writesPerSec.toFixed(0)} writes/s, p50 ${x.p50Ms} ms, p99 ${x.p99Ms} ms, term changes ${x.termChanges}, non-2xx ${x.non2xx}, errors ${x.errors + x.timeouts}; load ${r.loadBefore[0]} -> ${r.loadAfter[0]}${clean(x) ? '' : '  NOT CLEAN'}`,
      );
      for (const line of x.roleLog) console.log(`    ${line}`);
    }
    if (only !== 'processes') {
      const r = await recorded(run, () => embeddedRun(seconds, IN_FLIGHT));
      embedded.push(r);
      const x = r.result;
      console.log(
        `embedded  run ${run}: ${x.writesPerSec.toFixed(0)} writes/s, leader changes ${x.leaderChanges}, failed ${JSON.stringify(x.failed)}; load ${r.loadBefore[0]} -> ${r.loadAfter[0]}${clean(x) ? '' : '  NOT CLEAN'}`,
      );
      for (const line of x.roleLog) console.log(`    ${line}`);
    }
  }
  const cleanRuns = (list: Recorded<ProcessRun | EmbeddedRun>[]): string => `${list.filter((r) => clean(r.result)).length}/${list.length}`;
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  if (processes.length > 0) {
    console.log(`processes: ${cleanRuns(processes)} clean runs; median ${median(processes.map((r) => r.result.writesPerSec)).toFixed(0)} writes/s`);
  }
  if (embedded.length > 0) {
    console.log(`embedded:  ${cleanRuns(embedded)} clean runs; median ${median(embedded.map((r) => r.result.writesPerSec)).toFixed(0)} writes/s`);
  }
  mkdirSync('results', { recursive: true });
  writeFileSync('results/bench-stability.json', JSON.stringify({ seconds, connections: CONNECTIONS, inFlight: IN_FLIGHT, processes, embedded }, null, 2));
}

await main();
