// Runs the four cluster benchmarks, each in its own Node process (a fresh
// heap, and a profiler flag can target one), then writes their tables, the
// machine and its load to bench/cluster/RESULTS.md.
//
//   npm run build && node dist/bench/cluster/run-all.js [--duration-ms 5000] [--nodes 3,5] [--runs 3] [--rounds 50]
//
// --nodes goes to every benchmark; without it writes measures 3 and 5 nodes
// and the others 3. writes runs first: lag paces its writer at half of the
// rate writes measured.

import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError, parseClusterBenchArgs, toArgv, usage, type ClusterBenchArgs, type FlagDefaults, type FlagName } from './args.js';
import { FAILOVER_DEFAULTS, FAILOVER_FLAGS, FAILOVER_RESULTS_FILE, formatFailover, type FailoverReport } from './failover.js';
import { RESULTS_DIR, describeLoad, load, machine, type Load } from './harness.js';
import { LAG_DEFAULTS, LAG_FLAGS, LAG_RESULTS_FILE, formatLag, type LagReport } from './lag.js';
import { READS_DEFAULTS, READS_FLAGS, READS_RESULTS_FILE, formatReads, type ReadsReport } from './reads.js';
import { WRITES_DEFAULTS, WRITES_FLAGS, WRITES_RESULTS_FILE, formatWrites, type WritesReport } from './writes.js';

const RUN_ALL_FLAGS: readonly FlagName[] = ['duration-ms', 'nodes', 'runs', 'rounds'];
/** Sentinel: "not given", so each benchmark keeps its own default. */
const UNSET_NODES: readonly number[] = [];
const RUN_ALL_DEFAULTS: FlagDefaults = {
  durationMs: WRITES_DEFAULTS.durationMs,
  nodes: UNSET_NODES,
  runs: WRITES_DEFAULTS.runs,
  rounds: FAILOVER_DEFAULTS.rounds,
};
const RESULTS_MARKDOWN = fileURLToPath(new URL('../../../bench/cluster/RESULTS.md', import.meta.url));

interface Step<R> {
  readonly name: string;
  readonly flags: readonly FlagName[];
  readonly defaults: FlagDefaults;
  readonly resultsFile: string;
  readonly format: (report: R) => string;
}

interface StepOutcome {
  readonly name: string;
  readonly command: string;
  readonly exitCode: number;
  /** The signal that ended the child, if one did (a native crash shows as SIGABRT or SIGSEGV). */
  readonly signal: string | null;
  readonly loadBefore: Load;
  readonly loadAfter: Load;
  readonly elapsedMs: number;
  readonly table: string;
}

const STEPS: readonly Step<never>[] = [
  { name: 'writes', flags: WRITES_FLAGS, defaults: WRITES_DEFAULTS, resultsFile: WRITES_RESULTS_FILE, format: (r: WritesReport) => formatWrites(r) },
  {
    name: 'failover',
    flags: FAILOVER_FLAGS,
    defaults: FAILOVER_DEFAULTS,
    resultsFile: FAILOVER_RESULTS_FILE,
    format: (r: FailoverReport) => formatFailover(r),
  },
  { name: 'lag', flags: LAG_FLAGS, defaults: LAG_DEFAULTS, resultsFile: LAG_RESULTS_FILE, format: (r: LagReport) => formatLag(r) },
  { name: 'reads', flags: READS_FLAGS, defaults: READS_DEFAULTS, resultsFile: READS_RESULTS_FILE, format: (r: ReadsReport) => formatReads(r) },
] as readonly Step<never>[];

function stepArgs(step: Step<never>, args: ClusterBenchArgs): ClusterBenchArgs {
  return { ...args, nodes: args.nodes === UNSET_NODES ? step.defaults.nodes : args.nodes };
}

function runChild(script: string, argv: readonly string[]): Promise<{ exitCode: number; signal: string | null }> {
  return new Promise((resolve, reject) => {
    // Same Node flags as this process (e.g. --expose-gc), so a whole suite can be run one way.
    const child = spawn(process.execPath, [...process.execArgv, script, ...argv], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ exitCode: code ?? 128, signal }));
  });
}

async function runStep(step: Step<never>, args: ClusterBenchArgs): Promise<StepOutcome> {
  const script = fileURLToPath(new URL(`./${step.name}.js`, import.meta.url));
  const argv = toArgv(stepArgs(step, args), step.flags);
  const command = `node dist/bench/cluster/${step.name}.js ${argv.join(' ')}`;
  process.stderr.write(`\n=== ${command}\n`);
  const loadBefore = load();
  const startedMs = performance.now();
  const { exitCode, signal } = await runChild(script, argv);
  const elapsedMs = performance.now() - startedMs;
  const loadAfter = load();
  let table: string;
  try {
    const report = JSON.parse(await readFile(join(RESULTS_DIR, step.resultsFile), 'utf8')) as { date: string };
    // A file left by an earlier run must not pass for this one's.
    if (Date.parse(report.date) < Date.parse(loadBefore.atIso)) throw new Error(`${step.resultsFile} is from an earlier run (${report.date})`);
    table = step.format(report as never);
  } catch (error) {
    table = `(no results: ${(error as Error).message})`;
  }
  if (signal !== null) table = `**${step.name} was killed by ${signal}** (a native crash; see its output).\n\n${table}`;
  else if (exitCode !== 0) table = `**${step.name} exited with code ${exitCode}** (see its output; 1 means lost writes or wrong reads).\n\n${table}`;
  return { name: step.name, command, exitCode, signal, loadBefore, loadAfter, elapsedMs, table };
}

function markdown(args: ClusterBenchArgs, outcomes: readonly StepOutcome[], startedAt: string): string {
  const box = machine();
  const lines = [
    '# Cluster benchmarks',
    '',
    'Single-process clusters through the embedded API (`createCluster`): each node a worker thread with its own',
    'LMDB environment (fsync on), nodes talking over MessageChannels. Produced by `bench/cluster/run-all.ts`;',
    'numbers from a shared machine, so read them with the load beside them.',
    '',
    `- date: ${startedAt}`,
    `- machine: ${box.cpus} x ${box.cpuModel}, ${box.memoryGiB} GiB, ${box.platform}, Node ${box.node}; data under ${box.dataDirParent}`,
    `- command: \`npm run build && node dist/bench/cluster/run-all.js ${toArgv(
      args,
      RUN_ALL_FLAGS.filter((flag) => flag !== 'nodes' || args.nodes !== UNSET_NODES),
    ).join(' ')}\``,
    '',
  ];
  for (const outcome of outcomes) {
    lines.push(
      `## ${outcome.name}`,
      '',
      `\`${outcome.command}\` — ${Math.round(outcome.elapsedMs / 1000)} s; ${describeLoad(outcome.loadBefore)} before, ` +
        `${describeLoad(outcome.loadAfter)} after.`,
      '',
      outcome.table,
      '',
    );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

async function main(): Promise<void> {
  let args: ClusterBenchArgs | null;
  try {
    args = parseClusterBenchArgs(process.argv.slice(2), RUN_ALL_FLAGS, RUN_ALL_DEFAULTS);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench/cluster/run-all: ${error.message}\n\n${usage('run-all', RUN_ALL_FLAGS, { ...RUN_ALL_DEFAULTS, nodes: [3, 5] })}\n`);
    process.exitCode = 2;
    return;
  }
  if (args === null) {
    console.log(usage('run-all', RUN_ALL_FLAGS, { ...RUN_ALL_DEFAULTS, nodes: [3, 5] }));
    console.log('\n  --nodes goes to every benchmark; without it writes measures 3,5 and the others 3.');
    return;
  }
  const startedAt = new Date().toISOString();
  const outcomes: StepOutcome[] = [];
  for (const step of STEPS) outcomes.push(await runStep(step, args));
  await writeFile(RESULTS_MARKDOWN, markdown(args, outcomes, startedAt));
  console.log(`\nwrote ${RESULTS_MARKDOWN}`);
  if (outcomes.some((outcome) => outcome.exitCode !== 0)) process.exitCode = 1;
}

await main();
