// `replikit status|put|get|del` through runClientCommand with a fake io:
// exit codes, output in text and JSON, --help, and bad input.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_COMMANDS, runClientCommand } from '../../src/cli/client-commands.js';
import { leaderOf, startHttpCluster, type HttpCluster } from './http-cluster.js';
import { closedPort } from './lossy-proxy.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let h: HttpCluster;
let endpoints: string;

async function cli(...argv: string[]): Promise<Run> {
  return cliWithEnv({}, ...argv);
}

async function cliWithEnv(env: Record<string, string>, ...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env,
  };
  const code = await runClientCommand(argv, io);
  return { code, stdout, stderr };
}

/** A cluster command: the test cluster's endpoints appended. */
function onCluster(...argv: string[]): Promise<Run> {
  return cli(...argv, '--endpoints', endpoints);
}

beforeAll(async () => {
  h = await startHttpCluster();
  endpoints = h.urls.join(',');
  await leaderOf(h.cluster);
});

afterAll(async () => {
  await h?.close();
});

describe('against a cluster', () => {
  it('put, get and del in text', async () => {
    const put = await onCluster('put', 'color', '{"name":"teal","rgb":[0,128,128]}');
    expect(put).toMatchObject({ code: 0, stderr: '' });
    expect(put.stdout).toMatch(/^OK: put "color" at index \d+ \(term \d+\)\n$/);

    // stdout holds the value and nothing else, so it parses (and pipes into jq).
    const get = await onCluster('get', 'color');
    expect(get).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(get.stdout)).toEqual({ name: 'teal', rgb: [0, 128, 128] });
    const verbose = await onCluster('get', 'color', '--verbose');
    expect(JSON.parse(verbose.stdout)).toEqual({ name: 'teal', rgb: [0, 128, 128] });
    expect(verbose.stderr).toMatch(/^\(index \d+, from n\d (leader|follower), lag \d+ ms\)\n$/);

    const del = await onCluster('del', 'color');
    expect(del.code).toBe(0);
    expect(del.stdout).toMatch(/^OK: deleted "color" at index \d+/);

    const gone = await onCluster('get', 'color');
    expect(gone).toMatchObject({ code: 1, stdout: '', stderr: 'replikit get: key "color" not found\n' });
  });

  it('--json output, --string values, and read options', async () => {
    const put = await onCluster('put', 'greeting', 'hello world', '--string', '--json');
    expect(put.code).toBe(0);
    const written = JSON.parse(put.stdout) as { key: string; term: number; index: number };
    expect(written).toMatchObject({ key: 'greeting' });

    const get = await onCluster('get', 'greeting', '--json', '--consistency', 'read-your-writes', '--min-index', String(written.index));
    expect(get.code).toBe(0);
    expect(JSON.parse(get.stdout)).toMatchObject({ key: 'greeting', found: true, value: 'hello world' });
    expect(JSON.parse(get.stdout).index).toBeGreaterThanOrEqual(written.index);

    const bounded = await onCluster('get', 'greeting', '--json', '--consistency', 'bounded', '--max-lag-ms', '5000');
    expect(JSON.parse(bounded.stdout)).toMatchObject({ value: 'hello world' });

    // --string keeps even JSON-looking text as a string.
    await onCluster('put', 'digits', '42', '--string');
    expect(JSON.parse((await onCluster('get', 'digits', '--json')).stdout).value).toBe('42');
    // After "--" every word is positional, so options go before it.
    expect((await cli('put', '--endpoints', endpoints, 'number', '--', '-5')).code).toBe(0);
    expect(JSON.parse((await onCluster('get', 'number', '--json')).stdout).value).toBe(-5);

    const missing = await onCluster('get', 'no-such-key', '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toEqual({ key: 'no-such-key', found: false });
  });

  it('status prints one line per node, in text and JSON', async () => {
    const leader = await leaderOf(h.cluster);
    const text = await onCluster('status');
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NODE\s+ROLE\s+TERM\s+LEADER\s+COMMIT\s+APPLIED\s+LAG\s+URL$/);
    expect(lines).toHaveLength(4);
    expect(lines.filter((line) => /\bleader\b/.test(line.split(/\s+/)[1] ?? ''))).toHaveLength(1);

    const json = await onCluster('status', '--json');
    const nodes = (JSON.parse(json.stdout) as { nodes: { url: string; status: { nodeId: string; leaderId: string } }[] }).nodes;
    expect(nodes.map((node) => node.status.nodeId).sort()).toEqual(['n1', 'n2', 'n3']);
    expect(nodes.every((node) => node.status.leaderId === leader)).toBe(true);
  });

  it('status with one endpoint down still shows the others; all down exits 1', async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    const some = await cli('status', '--endpoints', `${h.urls[0]},${down}`);
    expect(some.code).toBe(0);
    expect(some.stdout).toContain(`unreachable`);
    expect(some.stdout).toContain(down);
    const none = await cli('status', '--endpoints', down);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('replikit status: no endpoint answered\n');
  });
});

describe('usage', () => {
  it('--help on every command prints its usage and exits 0', async () => {
    for (const command of CLIENT_COMMANDS) {
      const help = await cli(command, '--help');
      expect(help).toMatchObject({ code: 0, stderr: '' });
      expect(help.stdout.startsWith(`usage: replikit ${command}`)).toBe(true);
      expect(help.stdout).toContain('--endpoints');
      expect(help.stdout).toContain('--json');
    }
    expect((await cli('get', '-h')).code).toBe(0);
  });

  it('REPLIKIT_ENDPOINTS names the cluster when --endpoints does not; --endpoints wins', async () => {
    const put = await cliWithEnv({ REPLIKIT_ENDPOINTS: endpoints }, 'put', 'from-env', '1');
    expect(put.code, put.stderr).toBe(0);
    const down = `http://127.0.0.1:${await closedPort()}`;
    const overridden = await cliWithEnv({ REPLIKIT_ENDPOINTS: down }, 'get', 'from-env', '--endpoints', endpoints);
    expect(overridden).toMatchObject({ code: 0, stdout: '1\n' });
    const bad = await cliWithEnv({ REPLIKIT_ENDPOINTS: 'ftp://x' }, 'get', 'from-env');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^replikit get: REPLIKIT_ENDPOINTS: "ftp:\/\/x" is not an http\(s\) URL\n/);
  });

  it('bad input exits 2 with one line that points to --help, and sends nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['put', 'k', 'not json'], /is not valid JSON .*--string/],
      [['put', 'k'], /missing <json-value>/],
      [['get'], /missing <key>/],
      [['del', 'a', 'b'], /unexpected argument "b"/],
      [['get', 'k', '--consistency', 'strong'], /--consistency must be one of/],
      [['get', 'k', '--min-index', 'x'], /--min-index must be a non-negative integer/],
      [['get', 'k', '--consistency', 'eventual', '--max-lag-ms', '5'], /maxLagMs applies to consistency bounded/],
      [['put', 'k', '1', '--mode', 'fast'], /--mode must be one of/],
      [['put', 'k', '1', '--bogus'], /Unknown option '--bogus'/],
      [['status', '--endpoints', 'ftp://x'], /is not an http\(s\) URL/],
      [['put', '', '1'], /non-empty string/],
    ];
    for (const [argv, message] of cases) {
      // Endpoints nothing listens on: if a case reached the network it would fail with exit 1, not 2.
      const run = await cli(...argv, ...(argv.includes('--endpoints') ? [] : ['--endpoints', 'http://127.0.0.1:9']));
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      const [first, pointer, end] = run.stderr.split('\n');
      expect(first, argv.join(' ')).toMatch(message);
      expect(first?.startsWith(`replikit ${argv[0]}: `)).toBe(true);
      expect(pointer).toBe(`(replikit ${argv[0]} --help shows its usage)`);
      expect(end).toBe('');
    }
  });

  it('an unknown or missing command exits 2', async () => {
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli()).code).toBe(2);
  });

  it('a cluster that cannot be reached exits 1 with the error in one line', async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    const run = await cli('put', 'k', '1', '--endpoints', down, '--timeout-ms', '300');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr.trimEnd()).toMatch(/^replikit put: PUT k: gave up after \d+ attempts?; last: http:\/\/127.0.0.1:\d+ did not answer \(ECONNREFUSED\)$/);
    const json = await cli('get', 'k', '--endpoints', down, '--timeout-ms', '300', '--json', '--consistency', 'eventual');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'unavailable', status: null } });
  });
});
