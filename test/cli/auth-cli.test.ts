// `replikit node` and `replikit dev` with the HTTP face's security flags, run
// as a user runs them (the built bin): protected mode refuses an open API on
// an address other than loopback and names both ways out (--auth-file,
// --insecure); a bad auth file or TLS flag stops the process before it
// starts, in one line naming the file and the problem. End to end: a node
// with --http-tls-cert and --auth-file, and the CLI (so the client library)
// reaching it over HTTPS with a private CA in NODE_EXTRA_CA_CERTS and the
// token in REPLIKIT_TOKEN or --token.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestCa } from '../fixtures/tcp-certs.js';
import { AUTH_FILE_JSON, TOKENS } from '../http/auth-helpers.js';

const BIN = new URL('../../bin/replikit.js', import.meta.url).pathname;

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the bin; a long-running command is stopped with SIGINT once its output matches `until`. */
export function replikit(args: readonly string[], options: { until?: RegExp; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`replikit ${args.join(' ')} did not finish in time:\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 30_000);
    const watch = (): void => {
      if (!interrupted && options.until?.test(stdout + stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      watch();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      watch();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'replikit-auth-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const secretFile = file('secret', 'a shared secret of thirty-two bytes!');
const authFile = file('auth.json', AUTH_FILE_JSON);

/** One node alone: enough to start, on any free ports. */
function nodeArgs(http: string, extra: readonly string[] = []): string[] {
  return [
    'node',
    '--id',
    'n1',
    '--http',
    http,
    '--listen',
    '127.0.0.1:0',
    '--peers',
    'n1=127.0.0.1:0',
    '--data',
    join(dir, 'data'),
    '--secret-file',
    secretFile,
    ...extra,
  ];
}

/** The one line of a refusal, without the pointer to --help. */
function refusal(run: Run): string {
  return run.stderr.split('\n')[0] ?? '';
}

describe('protected mode', () => {
  it('replikit node refuses an open API on an address that is not loopback, and names --auth-file and --insecure', async () => {
    const run = await replikit(nodeArgs('0.0.0.0:0'));
    expect(run.code).toBe(2);
    expect(refusal(run)).toMatch(/^replikit node: --http 0\.0\.0\.0 is not a loopback address, .*--auth-file FILE.*--insecure/);
  });

  it('replikit dev --host refuses it too', async () => {
    const run = await replikit(['dev', '--host', '0.0.0.0', '--port', '0']);
    expect(run.code).toBe(2);
    expect(refusal(run)).toMatch(/^replikit dev: --host 0\.0\.0\.0 is not a loopback address, .*--auth-file FILE.*--insecure/);
  });

  it('replikit node starts on such an address with --insecure, and warns', async () => {
    const run = await replikit(nodeArgs('0.0.0.0:0', ['--insecure']), { until: /is open to anyone who can reach it/ });
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).toMatch(/http http:\/\/0\.0\.0\.0:\d+,/);
  });

  it('replikit node starts on such an address with --auth-file, and says tokens are checked', async () => {
    const run = await replikit(nodeArgs('0.0.0.0:0', ['--auth-file', authFile]), { until: /\(tokens checked\)/ });
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toMatch(/open to anyone/);
  });
});

describe('a bad auth file or TLS flag stops the process before it starts', () => {
  const cases: readonly (readonly [string, () => string[], RegExp])[] = [
    ['a missing auth file', () => ['--auth-file', join(dir, 'missing.json')], /^replikit node: --auth-file .*missing\.json: cannot read it \(no such file\)$/],
    ['an auth file that is not JSON', () => ['--auth-file', file('broken.json', '{"tokens":')], /^replikit node: --auth-file .*broken\.json: not valid JSON/],
    [
      'an unknown role',
      () => ['--auth-file', file('role.json', JSON.stringify({ tokens: [{ name: 'a', token: 'x'.repeat(30), role: 'superuser' }] }))],
      /^replikit node: --auth-file .*role\.json: tokens\[0\] \("a"\): "role" must be one of read, write, admin, got "superuser"$/,
    ],
    ['--http-tls-cert without --http-tls-key', () => ['--http-tls-cert', authFile], /^replikit node: --http-tls-cert and --http-tls-key go together/],
    [
      'a certificate that is not one',
      () => ['--http-tls-cert', authFile, '--http-tls-key', authFile],
      /^replikit node: --http-tls-cert .* and --http-tls-key .* are not a PEM certificate and its private key/,
    ],
  ];
  for (const [what, extra, message] of cases) {
    it(`replikit node: ${what}`, async () => {
      const run = await replikit(nodeArgs('127.0.0.1:0', extra()));
      expect(run.code).toBe(2);
      expect(refusal(run)).toMatch(message);
    });
  }

  it('replikit dev: a duplicate token', async () => {
    const twice = { tokens: ['a', 'b'].map((name) => ({ name, token: 'y'.repeat(30), role: 'read' })) };
    const run = await replikit(['dev', '--port', '0', '--auth-file', file('twice.json', JSON.stringify(twice))]);
    expect(run.code).toBe(2);
    expect(refusal(run)).toMatch(
      /^replikit dev: --auth-file .*twice\.json: tokens\[1\] \("b"\): the same token as tokens\[0\] \("a"\); tokens must be unique$/,
    );
    expect(run.stderr).not.toContain('y'.repeat(30));
  });
});

/** A long-running `replikit node`, once its banner names its URL. */
function startNode(args: readonly string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no banner in time:\n${output}`));
    }, 30_000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const url = /http (https?:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, output: () => output });
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
}

describe('replikit node over HTTPS with tokens, and the CLI against it', () => {
  it('serves https, and replikit put/get reach it with NODE_EXTRA_CA_CERTS and a token', async () => {
    const ca = createTestCa('replikit e2e CA');
    const leaf = ca.issue('n1');
    const caFile = file('ca.pem', ca.cert);
    const args = nodeArgs('127.0.0.1:0', [
      '--data',
      join(dir, 'tls-data'),
      '--auth-file',
      authFile,
      '--http-tls-cert',
      file('n1.pem', leaf.cert),
      '--http-tls-key',
      file('n1-key.pem', leaf.key),
    ]);
    const node = await startNode(args);
    try {
      expect(node.url).toMatch(/^https:/);
      const trusted = { NODE_EXTRA_CA_CERTS: caFile };
      const cli = (env: Record<string, string>, ...argv: string[]): Promise<Run> =>
        replikit([...argv, '--endpoints', node.url, '--timeout-ms', '8000'], { env: { ...trusted, ...env } });

      // The leader is elected soon after start: a first write may meet the election and be retried by the client.
      const put = await cli({ REPLIKIT_TOKEN: TOKENS.write }, 'put', 'tls:k', '{"over":"https"}');
      expect(put.stderr).toBe('');
      expect(put).toMatchObject({ code: 0 });
      expect(put.stdout).toMatch(/^OK: put "tls:k" at index \d+/);
      const get = await cli({}, 'get', 'tls:k', '--token', TOKENS.read);
      expect(get).toMatchObject({ code: 0, stdout: '{\n  "over": "https"\n}\n' });

      const low = await cli({ REPLIKIT_TOKEN: TOKENS.read }, 'del', 'tls:k');
      expect(low).toMatchObject({ code: 1, stderr: 'replikit del: the node refused the token: needs role write (the token has role read)\n' });
      const none = await cli({}, 'status');
      expect(none.code).toBe(1);
      expect(none.stderr).toBe('replikit status: the node refused the request: it needs a token (pass --token, or set REPLIKIT_TOKEN)\n');

      // Without the CA, the certificate is not trusted: an error in one line, not a hang.
      const untrusted = await replikit(['get', 'tls:k', '--endpoints', node.url, '--token', TOKENS.read, '--timeout-ms', '2000'], {});
      expect(untrusted.code).toBe(1);
      expect(untrusted.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      node.child.kill('SIGINT');
      await new Promise((resolve) => node.child.once('exit', resolve));
    }
  }, 60_000);

  it('replikit dev --auth-file starts, says tokens are checked, and shows the curl line with the header', async () => {
    const run = await replikit(['dev', '--nodes', '1', '--port', String(30_000 + Math.floor(Math.random() * 20_000)), '--auth-file', authFile], {
      until: /Ctrl-C stops the cluster/,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('tokens are checked (--auth-file)');
    expect(run.stdout).toMatch(/try: curl .* -H "authorization: Bearer \$REPLIKIT_TOKEN"/);
  }, 60_000);
});
