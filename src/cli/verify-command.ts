// `replikit verify`: a Jepsen-style fault campaign against a replikit cluster,
// checked for linearizability. Exit 0 when the history is linearizable and no
// acknowledged write was lost, 1 when not (or the campaign could not run),
// 2 on bad usage.

import { parseArgs } from 'node:util';
import type { ReplicationMode } from '../client/index.js';
import { tokenSyntaxProblem } from '../ground/bearer-token.js';
import { runVerify, type VerifyOptions } from '../verify/campaign.js';
import { killAllNodeProcesses } from '../verify/local-cluster.js';
import { DEFAULT_RATE_OPS_PER_S, MAX_CLIENTS, MAX_KEYS, MAX_NODES, MAX_TIME_S } from '../verify/limits.js';
import { isNemesisName, NEMESIS_NAMES, PROCESS_NEMESES, type NemesisName } from '../verify/nemesis-names.js';

const MODES: readonly ReplicationMode[] = ['quorum', 'sync', 'semi-sync', 'async'];
const EXIT_USAGE = 2;
const EXIT_FAILED = 1;
const DEFAULTS = { nodes: 5, timeS: 60, clients: 10, keys: 5 } as const;
/** Rates above this would only measure the checker's patience. */
const MAX_RATE_OPS_PER_S = 100_000;

const USAGE = `usage: replikit verify [options]

Runs a cluster of replikit node processes on loopback (or targets --endpoints),
drives concurrent clients against a few keys while a nemesis injects faults,
then checks the history for linearizability and lost acknowledged writes.
Ends with: verify: N ops, A anomalies, L lost acknowledged writes
Exit 0 when A = L = 0, 1 otherwise, 2 on bad usage.

  --nodes N          cluster size (default ${DEFAULTS.nodes}, at most ${MAX_NODES})
  --time S           seconds of load and faults (default ${DEFAULTS.timeS})
  --clients N        concurrent clients, one op outstanding each (default ${DEFAULTS.clients})
  --keys N           keys the clients share (default ${DEFAULTS.keys})
  --rate N           ops per second across all clients, at most (default ${DEFAULT_RATE_OPS_PER_S})
  --nemesis LIST     faults, comma-separated (default ${NEMESIS_NAMES.join(',')}; "none" for none):
                       kill          kill -9 a node (often the leader) and restart it
                       pause         SIGSTOP a node, then SIGCONT
                       partition     random halves or the leader alone (the nodes' --chaos controls)
                       transfer      hand leadership to another voter
                       membership    remove a voter, then add it back
                       corrupt-tail  stop a follower, flip bytes in its last log records, restart it
  --mode M           replication mode: ${MODES.join(', ')} (default quorum)
  --history FILE     write the history as JSON lines
  --report DIR       write report.txt, availability.json, timeline.html and the nodes' logs
  --seed S           the nemesis and client schedule (default: from the clock, printed)
  --endpoints URLS   a running cluster instead (comma-separated node URLs); only
                     ${NEMESIS_NAMES.filter((name) => !PROCESS_NEMESES.includes(name)).join(', ')} then
                     (partition needs the nodes started with --chaos)
  --token T          for --endpoints nodes started with --auth-file: a token with role admin
                     (default: $REPLIKIT_TOKEN)
  -h, --help         show this help`;

class UsageError extends Error {}

export async function runVerifyCommand(argv: string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  let options: VerifyOptions;
  try {
    const parsed = parse(argv, env);
    if (parsed === 'help') {
      console.log(USAGE);
      return 0;
    }
    options = parsed;
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof TypeError)) throw error;
    console.error(`replikit verify: ${error.message}\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  // Stopped by a signal, Node runs no 'exit' handlers: the launched nodes must not outlive the campaign.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAllNodeProcesses();
      process.exit(EXIT_FAILED);
    });
  }
  try {
    const result = await runVerify(options);
    console.log(result.report);
    if (options.reportDir) console.log(`report: ${options.reportDir}/report.txt, timeline: ${options.reportDir}/timeline.html`);
    if (options.historyFile) console.log(`history: ${options.historyFile}`);
    console.log(result.summary);
    return result.exitCode;
  } catch (error) {
    console.error(`replikit verify: the campaign could not run: ${(error as Error).message}`);
    return EXIT_FAILED;
  }
}

function parse(argv: string[], env: Readonly<Record<string, string | undefined>>): VerifyOptions | 'help' {
  // parseArgs throws a TypeError (ERR_PARSE_ARGS_*) on unknown or malformed options.
  const { values } = parseArgs({
    args: argv,
    options: {
      nodes: { type: 'string' },
      time: { type: 'string' },
      clients: { type: 'string' },
      keys: { type: 'string' },
      rate: { type: 'string' },
      nemesis: { type: 'string' },
      mode: { type: 'string' },
      history: { type: 'string' },
      report: { type: 'string' },
      seed: { type: 'string' },
      endpoints: { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const integer = (name: string, text: string | undefined, fallback: number, min: number, max: number): number => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
  const mode = (values.mode ?? 'quorum') as ReplicationMode;
  if (!MODES.includes(mode)) throw new UsageError(`--mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(values.mode)}`);
  const endpoints =
    values.endpoints === undefined
      ? null
      : values.endpoints
          .split(',')
          .map((url) => url.trim())
          .filter(Boolean);
  if (endpoints !== null && endpoints.length === 0) throw new UsageError('--endpoints is empty');
  if (endpoints !== null && values.nodes !== undefined) throw new UsageError('--nodes and --endpoints do not go together: --endpoints names the cluster');
  let nemeses: NemesisName[];
  if (values.nemesis === undefined) {
    nemeses = NEMESIS_NAMES.filter((name) => endpoints === null || !PROCESS_NEMESES.includes(name));
  } else if (values.nemesis.trim() === 'none') {
    nemeses = [];
  } else {
    nemeses = [];
    for (const name of values.nemesis
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)) {
      if (!isNemesisName(name)) throw new UsageError(`unknown nemesis ${JSON.stringify(name)}; expected ${NEMESIS_NAMES.join(', ')} or none`);
      if (endpoints !== null && PROCESS_NEMESES.includes(name)) {
        throw new UsageError(
          `--nemesis ${name} needs process control, which --endpoints does not give (use ${NEMESIS_NAMES.filter((n) => !PROCESS_NEMESES.includes(n)).join(', ')})`,
        );
      }
      if (!nemeses.includes(name)) nemeses.push(name);
    }
    if (nemeses.length === 0) throw new UsageError('--nemesis is empty; say "none" for a run without faults');
  }
  // As the client commands: the flag wins, an empty variable is no token. A launched cluster checks none, and ignores it.
  const fromEnv = env['REPLIKIT_TOKEN'];
  const token = values.token ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined);
  if (token !== undefined) {
    const problem = tokenSyntaxProblem(token);
    if (problem) throw new UsageError(`${values.token !== undefined ? '--token' : 'REPLIKIT_TOKEN'}: ${problem}`);
  }
  const seedText = values.seed;
  const seed = seedText === undefined ? Date.now() % 2 ** 31 : integer('seed', seedText, 0, 0, 2 ** 32 - 1);
  return {
    nodes: integer('nodes', values.nodes, DEFAULTS.nodes, 1, MAX_NODES),
    timeS: integer('time', values.time, DEFAULTS.timeS, 1, MAX_TIME_S),
    clients: integer('clients', values.clients, DEFAULTS.clients, 1, MAX_CLIENTS),
    keys: integer('keys', values.keys, DEFAULTS.keys, 1, MAX_KEYS),
    rateOpsPerS: integer('rate', values.rate, DEFAULT_RATE_OPS_PER_S, 1, MAX_RATE_OPS_PER_S),
    nemeses,
    mode,
    seed,
    historyFile: values.history ?? null,
    reportDir: values.report ?? null,
    endpoints,
    ...(token !== undefined ? { token } : {}),
    log: (line) => console.error(line),
  };
}
