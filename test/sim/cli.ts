// npm run sim -- --seeds N --nodes 3,5,7,9 [--mode quorum] [--plant-bug NAME] [--seed S] [--weather calm-busy]
// Spreads seeds over a piscina pool (one worker per core), prints every
// violation with the command that replays it, and ends with one line:
// `sim: N seeds, V violations`. Exits non-zero when V > 0.

import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Piscina } from 'piscina';
import { PLANTED_BUGS, isPlantedBug, type PlantedBug, type ReplicationMode } from '../../src/core/index.js';
import type { SeedResult } from './run-seed.js';
import type { SeedBatch } from './seed-batch.js';

/** Seeds per task: large enough to amortise messaging, small enough to balance the pool. */
const SEEDS_PER_TASK = 10;
const MODES: readonly ReplicationMode[] = ['quorum', 'sync', 'semi-sync', 'async'];

const USAGE = `usage: npm run sim -- [--seeds N] [--first S] [--seed S] [--nodes 3,5,7,9]
                      [--mode quorum|sync|semi-sync|async] [--plant-bug ${PLANTED_BUGS.join('|')}]
                      [--weather chaos|calm-busy] [--ticks N] [--plain] [--threads N]
  --seeds N      how many seeds to run (default 100), starting at --first (default 1)
  --seed S       run exactly one seed (replay), with the first --nodes value
  --nodes LIST   cluster sizes; seed i runs with LIST[i mod length]
  --plain        drive roles with the plain driver instead of the XState machine
  --plant-bug    break one rule on purpose: the checkers must report violations
  --weather      chaos (default): faults drawn from each seed; calm-busy: no fault, only stalled
                 loops, slow disks and delays, and any leader change counts as a violation
  --ticks N      ticks of weather before the calm phase (default 600)`;

interface CliOptions {
  readonly seeds: number[];
  readonly nodes: number[];
  readonly mode: ReplicationMode;
  readonly plantedBug: PlantedBug | null;
  readonly xstate: boolean;
  readonly threads: number;
  readonly weather: 'chaos' | 'calm-busy';
  readonly chaosTicks: number | undefined;
}

function parse(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      seeds: { type: 'string' },
      first: { type: 'string' },
      seed: { type: 'string' },
      nodes: { type: 'string' },
      mode: { type: 'string' },
      'plant-bug': { type: 'string' },
      plain: { type: 'boolean' },
      threads: { type: 'string' },
      weather: { type: 'string' },
      ticks: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const integer = (name: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got ${text}`);
    return value;
  };
  const nodes = (values.nodes ?? '3,5,7,9').split(',').map((text) => integer('nodes', text.trim(), 3, 1));
  for (const size of nodes) if (size < 1 || size > 9) throw new Error(`--nodes sizes must be 1 to 9, got ${size}`);
  const mode = (values.mode ?? 'quorum') as ReplicationMode;
  if (!MODES.includes(mode)) throw new Error(`--mode must be one of ${MODES.join(', ')}, got ${values.mode}`);
  const weather = values.weather ?? 'chaos';
  if (weather !== 'chaos' && weather !== 'calm-busy') throw new Error(`--weather must be chaos or calm-busy, got ${weather}`);
  const bug = values['plant-bug'];
  if (bug !== undefined && !isPlantedBug(bug)) throw new Error(`unknown --plant-bug ${bug}`);
  const seeds =
    values.seed !== undefined
      ? [integer('seed', values.seed, 1, 0)]
      : Array.from({ length: integer('seeds', values.seeds, 100, 1) }, (_, i) => integer('first', values.first, 1, 0) + i);
  return {
    seeds,
    nodes,
    mode,
    plantedBug: bug ?? null,
    xstate: !values.plain,
    threads: integer('threads', values.threads, Math.max(1, availableParallelism()), 1),
    weather,
    chaosTicks: values.ticks === undefined ? undefined : integer('ticks', values.ticks, 600, 1),
  };
}

async function main(): Promise<number> {
  let options: CliOptions;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`sim: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const assignments = options.seeds.map((seed, i) => ({ seed, nodes: options.nodes[i % options.nodes.length] as number }));
  const batches: SeedBatch[] = [];
  for (let i = 0; i < assignments.length; i += SEEDS_PER_TASK) {
    batches.push({
      seeds: assignments.slice(i, i + SEEDS_PER_TASK),
      mode: options.mode,
      plantedBug: options.plantedBug,
      xstate: options.xstate,
      weather: options.weather,
      ...(options.chaosTicks !== undefined ? { chaosTicks: options.chaosTicks } : {}),
    });
  }
  const pool = new Piscina({
    filename: fileURLToPath(new URL('./worker.js', import.meta.url)),
    maxThreads: options.threads,
    minThreads: Math.min(options.threads, batches.length),
  });
  const started = performance.now();
  let violations = 0;
  let failedSeeds = 0;
  let allowed = 0;
  let ops = 0;
  const bySize = new Map<number, number>();
  try {
    const results = await Promise.all(
      batches.map(async (batch) => {
        const batchResults = (await pool.run(batch)) as SeedResult[];
        for (const result of batchResults) report(result);
        return batchResults;
      }),
    );
    for (const batchResults of results) {
      for (const result of batchResults) {
        const broken = result.violations.length + (leadershipMoved(result) ? 1 : 0);
        violations += broken;
        if (broken > 0) failedSeeds++;
        allowed += result.allowedAnomalies;
        ops += result.stats.ops;
        bySize.set(result.nodes, (bySize.get(result.nodes) ?? 0) + 1);
      }
    }
  } finally {
    await pool.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  const sizes = [...bySize].map(([size, count]) => `${count}x${size}`).join(' ');
  console.log(`seeds by size: ${sizes}; client ops: ${ops}; ${(options.seeds.length / seconds).toFixed(1)} seeds/s in ${seconds.toFixed(1)} s`);
  if (allowed > 0) {
    console.log(`mode ${options.mode}: ${allowed} keys lost acknowledged writes or read stale data, as this mode allows`);
  }
  if (failedSeeds > 0) console.log(`failing seeds: ${failedSeeds}`);
  console.log(`sim: ${options.seeds.length} seeds, ${violations} violations`);
  return violations > 0 ? 1 : 0;

  /** In calm-busy weather nothing failed, so any second leader is a liveness violation. */
  function leadershipMoved(result: SeedResult): boolean {
    return options.weather === 'calm-busy' && result.stats.terms !== 1;
  }

  function report(result: SeedResult): void {
    for (const violation of result.violations) {
      console.log(`seed ${result.seed} (${result.nodes} nodes, ${result.mode}): ${violation}`);
    }
    if (leadershipMoved(result)) {
      console.log(`seed ${result.seed} (${result.nodes} nodes): liveness: ${result.stats.terms} leaders where nothing failed`);
    }
    if (result.violations.length > 0 || leadershipMoved(result)) {
      const bug = options.plantedBug ? ` --plant-bug ${options.plantedBug}` : '';
      const plain = options.xstate ? '' : ' --plain';
      const weather = options.weather === 'chaos' ? '' : ` --weather ${options.weather}`;
      const ticks = options.chaosTicks !== undefined ? ` --ticks ${options.chaosTicks}` : '';
      console.log(`  replay: npm run sim -- --seed ${result.seed} --nodes ${result.nodes} --mode ${result.mode}${bug}${plain}${weather}${ticks}`);
    }
  }
}

process.exitCode = await main();
