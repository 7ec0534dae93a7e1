// `replikit node`: one node of a multi-host cluster. Flags or a JSON config
// file (flags win); every bad value is refused with a clear message, exit 2.

import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { MIN_SECRET_BYTES } from '../transport/tcp/limits.js';
import { startProcessNode, type ProcessNodeOptions } from '../serve/process-node.js';
import { resolveHttpSecurity } from '../serve/http-security.js';
import { parseAddress, parseNamedList } from './addresses.js';
import { listenProblem } from './listen-errors.js';
import { stopSignal } from './stop-signal.js';
import { createLogger, logLine, LOG_FORMATS, LOG_LEVELS, parseLogOption } from '../serve/logger.js';

const USAGE = `usage: replikit node --id n1 --http 127.0.0.1:4001 --listen 127.0.0.1:5001
                    --peers n1=127.0.0.1:5001,n2=127.0.0.1:5002,n3=127.0.0.1:5003
                    --data DIR --secret-file FILE [options]

  --id ID              this node's id (one of --peers)
  --http HOST:PORT     where clients reach this node's HTTP API
  --listen HOST:PORT   where peers connect (TCP)
  --peers LIST         every node's TCP address, this one included: id=host:port,...
  --peer-http LIST     every node's HTTP URL, for leaderUrl: id=http://host:port,...
  --data DIR           this node's LMDB files
  --secret-file FILE   shared secret (at least ${MIN_SECRET_BYTES} bytes) proving peers belong to the cluster
  --cluster-id ID      refuses nodes of other clusters (default: replikit)
  --initial-voters L   the founding voters, id,id,... (default: every node in --peers); list spares
                       in --peers but not here, and start them later with --join
  --join               start as a learner of a running cluster (add it with POST /admin/members)
  --mode M             default replication mode: quorum, sync, semi-sync, async (default quorum)
  --lag-threshold-ms N /health fails past this follower lag (default 1000)
  --tls-cert F --tls-key F --tls-ca F   mutual TLS between nodes
  --auth-file FILE     the tokens the HTTP API accepts and their roles (read, write, admin);
                       without it the API is open (see README, "Authentication")
  --insecure           serve an open API (no --auth-file) on an address that is not loopback
  --http-tls-cert F --http-tls-key F   serve the HTTP API over HTTPS with this certificate and key (PEM)
  --chaos              accept POST /admin/partition and /admin/heal (fault campaigns only)
  --log-format F       text (one readable line per record, the default) or json (one JSON record per line)
  --log-level L        debug, info (default), warn or error
  --config FILE        a JSON file with any of these keys (camelCase: id, http, listen, peers, ...)`;

const OPTION_NAMES = [
  'id',
  'http',
  'listen',
  'peers',
  'peer-http',
  'data',
  'secret-file',
  'cluster-id',
  'join',
  'mode',
  'lag-threshold-ms',
  'tls-cert',
  'tls-key',
  'tls-ca',
  'auth-file',
  'insecure',
  'http-tls-cert',
  'http-tls-key',
  'chaos',
  'initial-voters',
  'log-format',
  'log-level',
] as const;

const BOOLEAN_OPTIONS: readonly string[] = ['join', 'chaos', 'insecure'];

export async function runNodeCommand(argv: string[]): Promise<number> {
  let options: ProcessNodeOptions & { readonly securityWarning?: string };
  try {
    const flags: NonNullable<ParseArgsConfig['options']> = {
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    };
    for (const name of OPTION_NAMES) flags[name] = { type: BOOLEAN_OPTIONS.includes(name) ? 'boolean' : 'string' };
    const parsed = parseArgs({ args: argv, options: flags, strict: true });
    const values = parsed.values as Record<string, string | boolean | undefined>;
    if (values['help']) {
      console.log(USAGE);
      return 0;
    }
    options = resolve({ ...readConfig(values['config'] as string | undefined), ...stripUndefined(values) });
  } catch (error) {
    console.error(`replikit node: ${(error as Error).message}\n(replikit node --help lists the options)`);
    return 2;
  }
  const stopped = stopSignal();
  let node;
  try {
    node = await startProcessNode(options);
  } catch (error) {
    const problem = listenProblem(error, () => 'stop what holds it, or give this node another --http or --listen address');
    if (problem) {
      console.error(`replikit node ${options.id}: ${problem}`);
      return 1;
    }
    throw error;
  }
  options.log(
    `replikit node ${options.id}: http ${node.httpUrl}${options.auth ? ' (tokens checked)' : ''}, peers on ${node.raftAddress.host}:${node.raftAddress.port}`,
  );
  if (options.securityWarning) options.log(options.securityWarning, 'warn');
  await stopped;
  await node.close();
  return 0;
}

function readConfig(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read --config ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`--config ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`--config ${path} must hold a JSON object`);
  // The file uses camelCase keys; flags use kebab-case.
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const flag = key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
    if (!(OPTION_NAMES as readonly string[]).includes(flag)) throw new Error(`--config ${path}: unknown key ${JSON.stringify(key)}`);
    out[flag] = value;
  }
  return out;
}

function resolve(values: Record<string, unknown>): ProcessNodeOptions & { readonly securityWarning?: string } {
  const text = (name: string, required = true): string | undefined => {
    const value = values[name];
    if (value === undefined || value === '') {
      if (required) throw new Error(`--${name} is required`);
      return undefined;
    }
    if (typeof value !== 'string') throw new Error(`--${name} must be a string`);
    return value;
  };
  const id = text('id') as string;
  const peers = Object.fromEntries(
    Object.entries(parseNamedList(text('peers') as string, '--peers')).map(([peer, address]) => [peer, parseAddress(address, `--peers ${peer}`)]),
  );
  if (!Object.hasOwn(peers, id)) {
    throw new Error(`--id ${id} is not in --peers (${Object.keys(peers).join(', ')}): list every node there, this one included`);
  }
  const peerHttp = text('peer-http', false) ? parseNamedList(text('peer-http') as string, '--peer-http') : {};
  for (const [peer, url] of Object.entries(peerHttp)) {
    if (!/^https?:\/\/[^/]+$/.test(url)) throw new Error(`--peer-http ${peer}: expected http://host:port, got ${url}`);
  }
  const secretFile = text('secret-file') as string;
  let secret: Buffer;
  try {
    secret = readFileSync(secretFile);
  } catch (error) {
    throw new Error(`cannot read --secret-file ${secretFile}: ${(error as Error).message}`);
  }
  if (secret.byteLength < MIN_SECRET_BYTES) {
    throw new Error(`--secret-file ${secretFile} holds ${secret.byteLength} bytes; at least ${MIN_SECRET_BYTES} are needed`);
  }
  const mode = (text('mode', false) ?? 'quorum') as ProcessNodeOptions['mode'];
  if (!['quorum', 'sync', 'semi-sync', 'async'].includes(mode)) throw new Error(`--mode must be quorum, sync, semi-sync or async, got ${mode}`);
  const lagThresholdMs = Number(text('lag-threshold-ms', false) ?? '1000');
  if (!Number.isFinite(lagThresholdMs) || lagThresholdMs <= 0) throw new Error('--lag-threshold-ms must be a positive number');
  const http = parseAddress(text('http') as string, '--http');
  const flag = (name: string): boolean => {
    const value = values[name];
    if (value !== undefined && typeof value !== 'boolean') throw new Error(`--${name} takes no value (in --config: true or false)`);
    return value === true;
  };
  const security = resolveHttpSecurity({
    authFile: values['auth-file'] === undefined ? undefined : (text('auth-file', false) ?? ''),
    insecure: flag('insecure'),
    tlsCert: text('http-tls-cert', false),
    tlsKey: text('http-tls-key', false),
    host: http.host,
    hostFlag: '--http',
  });
  const tlsFiles = ['tls-cert', 'tls-key', 'tls-ca'].map((name) => text(name, false));
  if (tlsFiles.some(Boolean) && !tlsFiles.every(Boolean)) throw new Error('--tls-cert, --tls-key and --tls-ca go together');
  const readPem = (path: string): Buffer => readFileSync(path);
  const logger = createLogger({
    format: parseLogOption('log-format', text('log-format', false) ?? 'text', LOG_FORMATS),
    level: parseLogOption('log-level', text('log-level', false) ?? 'info', LOG_LEVELS),
    node: id,
  });
  return {
    id,
    http,
    listen: parseAddress(text('listen') as string, '--listen'),
    peers,
    peerHttp,
    dataDir: text('data') as string,
    clusterId: text('cluster-id', false) ?? 'replikit',
    secret,
    join: values['join'] === true,
    ...(text('initial-voters', false)
      ? {
          initialVoters: (text('initial-voters') as string)
            .split(',')
            .map((voter) => voter.trim())
            .filter(Boolean),
        }
      : {}),
    chaos: values['chaos'] === true,
    mode,
    lagThresholdMs,
    ...(tlsFiles.every(Boolean)
      ? { tls: { cert: readPem(tlsFiles[0] as string), key: readPem(tlsFiles[1] as string), ca: readPem(tlsFiles[2] as string) } }
      : {}),
    log: logLine(logger),
    ...(security.auth ? { auth: security.auth } : {}),
    ...(security.tls ? { httpTls: security.tls } : {}),
    ...(security.warning ? { securityWarning: security.warning } : {}),
  };
}

function stripUndefined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([key, value]) => value !== undefined && key !== 'config' && key !== 'help'));
}
