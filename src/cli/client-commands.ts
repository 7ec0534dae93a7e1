// `replikit status|put|get|del`: the HTTP client from a shell. Human-readable
// output by default, JSON with --json. Exit codes: 0 done, 1 the cluster
// said no (or a key is absent, or no endpoint answered), 2 bad usage.

import { parseArgs } from 'node:util';
import { tokenSyntaxProblem } from '../ground/bearer-token.js';
import {
  createClient,
  READ_CONSISTENCIES,
  ReplikitClientError,
  type NodeStatusView,
  type ReadConsistency,
  type ReplicationMode,
  type ReplikitClient,
} from '../client/index.js';

export interface CliIo {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  /** Where REPLIKIT_ENDPOINTS and REPLIKIT_TOKEN are read (process.env by default). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export const CLIENT_COMMANDS = ['status', 'put', 'get', 'del'] as const;
export type ClientCommandName = (typeof CLIENT_COMMANDS)[number];

export const DEFAULT_ENDPOINTS = 'http://127.0.0.1:4001,http://127.0.0.1:4002,http://127.0.0.1:4003';
/** A command gives up after this, retries included, unless --timeout-ms says otherwise. */
const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;
/** One node's /status question in `replikit status`: a down node should not hold up the table. */
const STATUS_TIMEOUT_MS = 2_000;
const MODES: readonly ReplicationMode[] = ['quorum', 'sync', 'semi-sync', 'async'];

const EXIT_OK = 0;
const EXIT_REMOTE = 1;
const EXIT_USAGE = 2;

const COMMON_HELP = `  --endpoints URLS   comma-separated node URLs (default: $REPLIKIT_ENDPOINTS, else
                     ${DEFAULT_ENDPOINTS})
  --token T          sent as Authorization: Bearer T, for nodes started with --auth-file
                     (default: $REPLIKIT_TOKEN; the variable keeps it out of ps and shell history)
  --timeout-ms N     give up after N ms, retries included (default ${DEFAULT_COMMAND_TIMEOUT_MS})
  --json             print JSON instead of text
  -h, --help         show this help`;

const USAGE: Readonly<Record<ClientCommandName, string>> = {
  status: `usage: replikit status [options]

Asks every endpoint for its /status and prints one line per node.
Exits 1 when no endpoint answers.

${COMMON_HELP}`,
  put: `usage: replikit put <key> <json-value> [options]

Writes <json-value> (parsed as JSON: 42, true, null, '"text"', '{"a":1}')
to <key> through the leader, exactly once even if retried.
A value starting with "-" goes after "--": replikit put k -- -5

  --string           store <json-value> as a plain string, verbatim
  --mode M           replication mode: ${MODES.join(', ')}
${COMMON_HELP}`,
  get: `usage: replikit get <key> [options]

Prints the value of <key> as JSON on stdout, and nothing else (so it pipes
into jq); --verbose adds where it came from on stderr. Exits 1 when the key
is absent.

  --consistency C    ${READ_CONSISTENCIES.join(', ')} (default linearizable)
  --min-index N      read-your-writes/monotonic: a state at least as new as index N
  --max-lag-ms N     bounded: refuse nodes further behind the leader than N ms
  --verbose          say on stderr which node answered, at which index and lag
${COMMON_HELP}`,
  del: `usage: replikit del <key> [options]

Deletes <key> through the leader (deleting an absent key succeeds).

${COMMON_HELP}`,
};

const OVERVIEW = `usage: replikit <${CLIENT_COMMANDS.join('|')}> [options]; replikit <command> --help for its options`;

const COMMON_OPTIONS = {
  endpoints: { type: 'string' },
  token: { type: 'string' },
  'timeout-ms': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

const OPTIONS = {
  status: COMMON_OPTIONS,
  put: { ...COMMON_OPTIONS, string: { type: 'boolean', default: false }, mode: { type: 'string' } },
  get: {
    ...COMMON_OPTIONS,
    consistency: { type: 'string' },
    'min-index': { type: 'string' },
    'max-lag-ms': { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
  del: COMMON_OPTIONS,
} as const;

/** Bad usage: reported in one line that points to the command's --help, exit 2. */
class UsageError extends Error {}

interface Common {
  readonly endpoints: string[];
  /** From --token, else REPLIKIT_TOKEN; undefined when neither is set. */
  readonly token: string | undefined;
  readonly timeoutMs: number;
  readonly json: boolean;
}

/** `argv` starts with the command name: `['put', 'k', '1', '--json']`. */
export async function runClientCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout).write(`${OVERVIEW}\n`);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (!isCommand(name)) {
    io.stderr.write(`replikit: unknown client command ${JSON.stringify(name)}\n${OVERVIEW}\n`);
    return EXIT_USAGE;
  }
  try {
    return await run(name, args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`replikit ${name}: ${error.message}\n(replikit ${name} --help shows its usage)\n`);
      return EXIT_USAGE;
    }
    // Not the cluster's answer nor bad usage: still one line, never a stack.
    io.stderr.write(`replikit ${name}: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_REMOTE;
  }
}

async function run(name: ClientCommandName, args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS[name], allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values['help'] === true) {
    io.stdout.write(`${USAGE[name]}\n`);
    return EXIT_OK;
  }
  const common = commonOptions(values, io.env ?? process.env);
  const positionals = parsed.positionals;
  // Each command checks all its input before the client exists, so bad usage never touches the network.
  const command = prepare(name, positionals, values);
  // One status question per node, so a down node gets a short timeout; other commands may use the whole budget.
  const timeoutMs = name === 'status' ? Math.min(STATUS_TIMEOUT_MS, common.timeoutMs) : common.timeoutMs;
  let client: ReplikitClient | null = null;
  try {
    client = createClient({
      endpoints: common.endpoints,
      totalTimeoutMs: common.timeoutMs,
      timeoutMs,
      ...(common.token !== undefined ? { token: common.token } : {}),
    });
    return await command(client, common, io);
  } catch (error) {
    if (!(error instanceof ReplikitClientError)) throw error;
    if (error.code === 'bad-request' && error.status === null) throw new UsageError(error.message);
    io.stderr.write(`replikit ${name}: ${refusalText(error, common) ?? error.message}\n`);
    if (common.json) io.stdout.write(`${JSON.stringify({ error: { code: error.code, status: error.status, message: error.message } })}\n`);
    return EXIT_REMOTE;
  } finally {
    client?.close();
  }
}

type Command = (client: ReplikitClient, common: Common, io: CliIo) => Promise<number>;

function prepare(name: ClientCommandName, positionals: string[], values: Record<string, string | boolean | undefined>): Command {
  switch (name) {
    case 'status':
      expectPositionals(positionals, []);
      return status;
    case 'put': {
      const [key, raw] = expectPositionals(positionals, ['key', 'json-value']) as [string, string];
      const value = values['string'] === true ? raw : parseValue(raw);
      const mode = values['mode'];
      if (typeof mode === 'string' && !MODES.includes(mode as ReplicationMode)) {
        throw new UsageError(`--mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
      }
      return async (client, common, io) => {
        const result = await client.put(key, value, typeof mode === 'string' ? { mode: mode as ReplicationMode } : {});
        print(io, common, { key, term: result.term, index: result.index }, `OK: put ${JSON.stringify(key)} at index ${result.index} (term ${result.term})`);
        return EXIT_OK;
      };
    }
    case 'get': {
      const [key] = expectPositionals(positionals, ['key']) as [string];
      const consistency = values['consistency'];
      if (typeof consistency === 'string' && !READ_CONSISTENCIES.includes(consistency as ReadConsistency)) {
        throw new UsageError(`--consistency must be one of ${READ_CONSISTENCIES.join(', ')}, got ${JSON.stringify(consistency)}`);
      }
      const minIndex = count(values['min-index'], '--min-index');
      const maxLagMs = count(values['max-lag-ms'], '--max-lag-ms');
      const options = {
        ...(typeof consistency === 'string' ? { consistency: consistency as ReadConsistency } : {}),
        ...(minIndex !== undefined ? { minIndex } : {}),
        ...(maxLagMs !== undefined ? { maxLagMs } : {}),
      };
      return async (client, common, io) => {
        const result = await client.get(key, options);
        if (!result) {
          if (common.json) io.stdout.write(`${JSON.stringify({ key, found: false })}\n`);
          else io.stderr.write(`replikit get: key ${JSON.stringify(key)} not found\n`);
          return EXIT_REMOTE;
        }
        const { value, index, nodeId, role, lagMs } = result;
        print(io, common, { key, found: true, value, index, nodeId, role, lagMs }, JSON.stringify(value, null, 2));
        if (values['verbose'] === true) io.stderr.write(`(index ${index}, from ${nodeId} ${role}, lag ${Math.round(lagMs)} ms)\n`);
        return EXIT_OK;
      };
    }
    case 'del': {
      const [key] = expectPositionals(positionals, ['key']) as [string];
      return async (client, common, io) => {
        const result = await client.delete(key);
        print(io, common, { key, term: result.term, index: result.index }, `OK: deleted ${JSON.stringify(key)} at index ${result.index} (term ${result.term})`);
        return EXIT_OK;
      };
    }
  }
}

async function status(client: ReplikitClient, common: Common, io: CliIo): Promise<number> {
  const rows = await Promise.all(
    common.endpoints.map(async (url): Promise<StatusRow> => {
      try {
        return { url, status: await client.status(url) };
      } catch (error) {
        if (!(error instanceof ReplikitClientError)) throw error;
        const refusal = refusalText(error, common);
        return { url, error: { code: error.code, message: error.message }, ...(refusal !== null ? { refusal } : {}) };
      }
    }),
  );
  const answered = rows.filter((row) => 'status' in row).length;
  if (common.json) {
    io.stdout.write(`${JSON.stringify({ nodes: rows.map(({ url, status, error }) => ({ url, ...(status ? { status } : { error }) })) })}\n`);
  } else {
    io.stdout.write(`${statusTable(rows)}\n`);
  }
  if (answered === 0) {
    const refused = rows.find((row) => row.refusal !== undefined)?.refusal;
    io.stderr.write(`replikit status: ${refused ?? 'no endpoint answered'}\n`);
    return EXIT_REMOTE;
  }
  return EXIT_OK;
}

interface StatusRow {
  readonly url: string;
  readonly status?: NodeStatusView;
  readonly error?: { readonly code: string; readonly message: string };
  /** The one line of a refused token, when that is why this node did not answer. */
  readonly refusal?: string;
}

/**
 * A 401 or 403 in one line that says what to do: no retry can help, and the
 * client's own message names routes and endpoints a shell user need not read.
 */
function refusalText(error: ReplikitClientError, common: Common): string | null {
  if (error.code === 'forbidden') {
    const needed = error.details.neededRole;
    const held = error.details.tokenRole;
    return `the node refused the token: ${needed ? `needs role ${needed}` : 'its role is too low'}${held ? ` (the token has role ${held})` : ''}`;
  }
  if (error.code !== 'unauthorized') return null;
  return common.token === undefined
    ? 'the node refused the request: it needs a token (pass --token, or set REPLIKIT_TOKEN)'
    : 'the node refused the token: it is not one the node accepts (check --token or REPLIKIT_TOKEN)';
}

function statusTable(rows: readonly StatusRow[]): string {
  const header = ['NODE', 'ROLE', 'TERM', 'LEADER', 'COMMIT', 'APPLIED', 'LAG', 'URL'];
  const lines = rows.map((row) =>
    row.status
      ? [
          row.status.nodeId,
          row.status.role,
          String(row.status.term),
          row.status.leaderId ?? '-',
          String(row.status.commitIndex),
          String(row.status.appliedIndex),
          `${Math.round(row.status.lagMs)} ms`,
          row.url,
        ]
      : ['-', row.refusal ? 'refused' : 'unreachable', '-', '-', '-', '-', '-', `${row.url} (${row.error?.code ?? 'no answer'})`],
  );
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)));
  return [header, ...lines]
    .map((line) =>
      line
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function commonOptions(values: Record<string, string | boolean | undefined>, env: Readonly<Record<string, string | undefined>>): Common {
  const fromEnv = env['REPLIKIT_ENDPOINTS'];
  const raw = typeof values['endpoints'] === 'string' ? values['endpoints'] : fromEnv !== undefined && fromEnv !== '' ? fromEnv : DEFAULT_ENDPOINTS;
  const source = typeof values['endpoints'] === 'string' || !fromEnv ? '--endpoints' : 'REPLIKIT_ENDPOINTS';
  const endpoints = raw
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (endpoints.length === 0) throw new UsageError(`${source} needs at least one URL`);
  for (const endpoint of endpoints) {
    let url: URL | null = null;
    try {
      url = new URL(endpoint);
    } catch {
      // reported below
    }
    if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new UsageError(`${source}: ${JSON.stringify(endpoint)} is not an http(s) URL`);
    }
  }
  const timeoutMs = count(values['timeout-ms'], '--timeout-ms') ?? DEFAULT_COMMAND_TIMEOUT_MS;
  if (timeoutMs === 0) throw new UsageError('--timeout-ms must be above 0');
  // The flag wins over the variable, as for the endpoints; an empty variable is no token.
  const tokenFromEnv = env['REPLIKIT_TOKEN'];
  const token = typeof values['token'] === 'string' ? values['token'] : tokenFromEnv !== undefined && tokenFromEnv !== '' ? tokenFromEnv : undefined;
  if (token !== undefined) {
    const problem = tokenSyntaxProblem(token);
    if (problem) throw new UsageError(`${typeof values['token'] === 'string' ? '--token' : 'REPLIKIT_TOKEN'}: ${problem}`);
  }
  return { endpoints, token, timeoutMs, json: values['json'] === true };
}

function expectPositionals(positionals: string[], names: string[]): string[] {
  if (positionals.length < names.length) {
    throw new UsageError(
      `missing ${names
        .slice(positionals.length)
        .map((name) => `<${name}>`)
        .join(' ')}`,
    );
  }
  if (positionals.length > names.length) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[names.length])}`);
  return positionals;
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new UsageError(`the value ${JSON.stringify(raw)} is not valid JSON (quote it as '"text"', or pass --string to store it as a string)`);
  }
}

function count(raw: string | boolean | undefined, name: string): number | undefined {
  if (typeof raw !== 'string') return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw new UsageError(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

function print(io: CliIo, common: Common, data: Record<string, unknown>, text: string): void {
  io.stdout.write(`${common.json ? JSON.stringify(data) : text}\n`);
}

function isCommand(name: string): name is ClientCommandName {
  return (CLIENT_COMMANDS as readonly string[]).includes(name);
}
