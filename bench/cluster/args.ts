// Command-line flags shared by the cluster benchmarks. Each script says which
// flags it takes; anything else, or a bad value, stops the run before a
// cluster starts, with a message that says what was expected.

import { parseArgs } from 'node:util';

export interface ClusterBenchArgs {
  /** Measured time of each timed run (writes, lag, reads). */
  readonly durationMs: number;
  readonly nodes: readonly number[];
  /** Repeats of every configuration; tables show medians. */
  readonly runs: number;
  /** Leader crashes (failover). */
  readonly rounds: number;
  /** What failover does to the leader: crash (evidence), or partition / pause (silence). */
  readonly fault: LeaderFault;
}

export type LeaderFault = 'crash' | 'partition' | 'pause';
export const LEADER_FAULTS: readonly LeaderFault[] = ['crash', 'partition', 'pause'];

export type FlagName = 'duration-ms' | 'nodes' | 'runs' | 'rounds' | 'fault';

export interface FlagDefaults {
  readonly durationMs: number;
  readonly nodes: readonly number[];
  readonly runs: number;
  readonly rounds: number;
  readonly fault?: LeaderFault;
}

/** Below this a run measures start-up noise more than the cluster. */
export const MIN_DURATION_MS = 200;
/** An hour per configuration is surely a typo. */
const MAX_DURATION_MS = 3_600_000;
/** createCluster takes 1 to 9 voters. */
const MIN_NODES = 1;
const MAX_NODES = 9;
const MAX_RUNS = 20;
const MAX_ROUNDS = 1_000;

const FLAG_HELP: Readonly<Record<FlagName, (defaults: FlagDefaults) => string>> = {
  'duration-ms': (d) => `  --duration-ms N   measured time per run, in ms (${MIN_DURATION_MS}..${MAX_DURATION_MS}; default ${d.durationMs})`,
  nodes: (d) => `  --nodes LIST      comma-separated cluster sizes (${MIN_NODES}..${MAX_NODES}; default ${d.nodes.join(',')})`,
  runs: (d) => `  --runs N          repeats of each configuration, medians reported (1..${MAX_RUNS}; default ${d.runs})`,
  rounds: (d) => `  --rounds N        leader crashes (1..${MAX_ROUNDS}; default ${d.rounds})`,
  fault: (d) => `  --fault F         what happens to the leader: ${LEADER_FAULTS.join(', ')} (default ${d.fault ?? 'crash'})`,
};

export class UsageError extends Error {}

export function usage(script: string, flags: readonly FlagName[], defaults: FlagDefaults): string {
  const synopsis = flags.map((flag) => `[--${flag} ${flag === 'nodes' ? 'LIST' : flag === 'fault' ? 'F' : 'N'}]`).join(' ');
  return [
    `usage: node dist/bench/cluster/${script}.js ${synopsis}`,
    '',
    ...flags.map((flag) => FLAG_HELP[flag](defaults)),
    '  --help            print this and exit',
  ].join('\n');
}

/** Null when --help was asked for. Flags a script does not take are refused by name. */
export function parseClusterBenchArgs(argv: readonly string[], flags: readonly FlagName[], defaults: FlagDefaults): ClusterBenchArgs | null {
  for (const token of argv) {
    const name = token.startsWith('--') ? token.slice(2).split('=')[0] : undefined;
    if (name !== undefined && name in FLAG_HELP && !flags.includes(name as FlagName)) {
      throw new UsageError(`this benchmark does not take --${name} (it takes ${flags.map((flag) => `--${flag}`).join(', ')})`);
    }
  }
  let values: Partial<Record<FlagName, string>> & { help?: boolean };
  try {
    const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
    for (const flag of flags) options[flag] = { type: 'string' };
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }) as {
      values: Partial<Record<FlagName, string>> & { help?: boolean };
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return null;
  return {
    durationMs: boundedInteger(values['duration-ms'], '--duration-ms', MIN_DURATION_MS, MAX_DURATION_MS) ?? defaults.durationMs,
    nodes: values.nodes === undefined ? defaults.nodes : parseNodes(values.nodes),
    runs: boundedInteger(values.runs, '--runs', 1, MAX_RUNS) ?? defaults.runs,
    rounds: boundedInteger(values.rounds, '--rounds', 1, MAX_ROUNDS) ?? defaults.rounds,
    fault: parseFault(values.fault) ?? defaults.fault ?? 'crash',
  };
}

function parseFault(text: string | undefined): LeaderFault | undefined {
  if (text === undefined) return undefined;
  if (!(LEADER_FAULTS as readonly string[]).includes(text))
    throw new UsageError(`--fault must be one of ${LEADER_FAULTS.join(', ')}, got ${JSON.stringify(text)}`);
  return text as LeaderFault;
}

/** The same flags back as argv, for a script that starts the others (run-all). */
export function toArgv(args: ClusterBenchArgs, flags: readonly FlagName[]): string[] {
  const argv: string[] = [];
  for (const flag of flags) {
    if (flag === 'duration-ms') argv.push('--duration-ms', String(args.durationMs));
    if (flag === 'nodes') argv.push('--nodes', args.nodes.join(','));
    if (flag === 'runs') argv.push('--runs', String(args.runs));
    if (flag === 'rounds') argv.push('--rounds', String(args.rounds));
    if (flag === 'fault') argv.push('--fault', args.fault);
  }
  return argv;
}

function boundedInteger(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = parseInteger(text);
  if (value === null || value < min || value > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

function parseNodes(text: string): number[] {
  const sizes: number[] = [];
  for (const part of text.split(',').map((piece) => piece.trim())) {
    const value = parseInteger(part);
    if (value === null || value < MIN_NODES || value > MAX_NODES) {
      throw new UsageError(
        `--nodes takes comma-separated cluster sizes from ${MIN_NODES} to ${MAX_NODES} (e.g. 3,5); ` +
          `${JSON.stringify(part)} in ${JSON.stringify(text)} is not one`,
      );
    }
    if (sizes.includes(value)) throw new UsageError(`--nodes lists ${value} twice in ${JSON.stringify(text)}`);
    sizes.push(value);
  }
  return sizes;
}

/** Plain decimal digits only: Number() would take "", "1e3", "0x10" and " 5 ". */
function parseInteger(text: string): number | null {
  if (!/^\d{1,9}$/.test(text)) return null;
  return Number(text);
}
