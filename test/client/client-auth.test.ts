// The client library against nodes that check tokens: the `token` option is
// sent as `Authorization: Bearer` on every request (the calls themselves and
// the /status questions of leader discovery), a 401 or 403 is thrown at once
// as `unauthorized` or `forbidden` with the role the node asked for, and is
// never retried. A bad token is refused before any request, without being
// quoted. The CLI takes --token or REPLIKIT_TOKEN (the flag wins) and says a
// refusal in one line.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClientCommand } from '../../src/cli/client-commands.js';
import { createClient, ReplikitClientError } from '../../src/client/index.js';
import { testAuth, TOKENS } from '../http/auth-helpers.js';
import { leaderOf, startHttpCluster, type HttpCluster } from './http-cluster.js';

async function refusal(call: Promise<unknown>): Promise<ReplikitClientError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(ReplikitClientError);
    return error as ReplikitClientError;
  }
  throw new Error('the call succeeded');
}

let http: HttpCluster;

beforeAll(async () => {
  http = await startHttpCluster({}, { auth: testAuth() });
  await leaderOf(http.cluster);
});

afterAll(async () => {
  await http?.close();
});

describe('a client against a cluster that checks tokens', () => {
  it('writes and reads with a write token, and reads with a read token', async () => {
    const writer = createClient({ endpoints: http.urls, token: TOKENS.write });
    const reader = createClient({ endpoints: http.urls, token: TOKENS.read });
    try {
      const written = await writer.put('auth:k', { v: 1 });
      expect(written.index).toBeGreaterThan(0);
      expect((await reader.get('auth:k'))?.value).toEqual({ v: 1 });
      expect((await reader.get('auth:k', { consistency: 'eventual', minIndex: undefined }))?.value).toEqual({ v: 1 });
      expect((await reader.status()).nodeId).toMatch(/^n\d$/);
    } finally {
      writer.close();
      reader.close();
    }
  });

  it('throws forbidden at once when the role is too low, naming the role needed', async () => {
    const reader = createClient({ endpoints: http.urls, token: TOKENS.read });
    try {
      const startedMs = performance.now();
      const error = await refusal(reader.put('auth:k', 2));
      expect(error.code).toBe('forbidden');
      expect(error.status).toBe(403);
      expect(error.details).toMatchObject({ neededRole: 'write', tokenRole: 'read', attempts: 1 });
      expect(error.message).toMatch(
        /^PUT auth:k: http:\/\/127\.0\.0\.1:\d+ refused the token \(403\): PUT \/key\/:key needs role write; the token "reader" has role read$/,
      );
      expect(performance.now() - startedMs).toBeLessThan(2000);
    } finally {
      reader.close();
    }
  });

  it('throws unauthorized at once without a token, or with one the nodes do not know', async () => {
    for (const token of [undefined, 'not-a-token-of-this-cluster-000']) {
      const stranger = createClient({ endpoints: http.urls, ...(token ? { token } : {}) });
      try {
        for (const call of [() => stranger.put('auth:k', 3), () => stranger.get('auth:k'), () => stranger.status(), () => stranger.status(http.urls[0])]) {
          const error = await refusal(call());
          expect(error.code).toBe('unauthorized');
          expect(error.status).toBe(401);
          expect(error.message).toMatch(/refused the request \(401\): /);
        }
      } finally {
        stranger.close();
      }
    }
  });
});

describe('the token option', () => {
  let server: Server;
  let url = '';
  const seen: string[] = [];
  let answer: 'leader' | 'forbidden' = 'leader';

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url?.split('?')[0]} ${req.headers.authorization ?? '-'}`);
      req.resume();
      res.setHeader('content-type', 'application/json');
      if (answer === 'forbidden') {
        res.statusCode = 403;
        res.end(JSON.stringify({ error: 'Forbidden', detail: 'PUT /key/:key needs role write; the token "x" has role read', needs: 'write', role: 'read' }));
      } else if (req.url === '/status') {
        res.end(JSON.stringify({ nodeId: 'n1', role: 'leader', term: 2, leaderId: 'n1' }));
      } else {
        res.end(JSON.stringify({ success: true, key: 'k', term: 2, index: 5, leaderId: 'n1' }));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('goes with every request: discovery, status and the call', async () => {
    seen.length = 0;
    answer = 'leader';
    const client = createClient({ endpoints: [url], token: TOKENS.write });
    try {
      await client.put('k', 1);
      await client.status(url);
    } finally {
      client.close();
    }
    expect(seen).toEqual([`GET /status Bearer ${TOKENS.write}`, `PUT /key/k Bearer ${TOKENS.write}`, `GET /status Bearer ${TOKENS.write}`]);
  });

  it('is not retried when refused: one request for the call, after discovery', async () => {
    seen.length = 0;
    answer = 'forbidden';
    const client = createClient({ endpoints: [url], token: TOKENS.read, maxRetries: 8 });
    try {
      const error = await refusal(client.put('k', 1));
      expect(error.code).toBe('forbidden');
    } finally {
      client.close();
    }
    expect(seen.filter((line) => line.startsWith('PUT'))).toHaveLength(1);
  });

  it('refuses a token no header can carry, before any request, without quoting it', () => {
    seen.length = 0;
    for (const token of ['', 'short', 'has a space in it somewhere', 'line\r\nbreak-0123456789abcdef']) {
      let error: unknown;
      try {
        createClient({ endpoints: [url], token });
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(ReplikitClientError);
      expect((error as ReplikitClientError).code).toBe('bad-request');
      expect((error as Error).message).toMatch(/token: a token/);
      if (token.length > 0) expect((error as Error).message).not.toContain(token);
    }
    expect(seen).toEqual([]);
  });
});

describe('replikit put, get, del and status with a token', () => {
  async function cli(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io = { stdout: { write: (chunk: string) => (stdout += chunk) }, stderr: { write: (chunk: string) => (stderr += chunk) }, env };
    const code = await runClientCommand([...argv, '--endpoints', http.urls.join(',')], io);
    return { code, stdout, stderr };
  }

  it('reads the token from REPLIKIT_TOKEN, or from --token, which wins', async () => {
    expect(await cli({ REPLIKIT_TOKEN: TOKENS.write }, 'put', 'cli:k', '7')).toMatchObject({ code: 0, stderr: '' });
    expect(await cli({}, 'get', 'cli:k', '--token', TOKENS.read)).toMatchObject({ code: 0, stdout: '7\n' });
    // A read token in the variable, a write token in the flag: the flag's is sent.
    expect(await cli({ REPLIKIT_TOKEN: TOKENS.read }, 'del', 'cli:k', '--token', TOKENS.write)).toMatchObject({ code: 0 });
  });

  it('says a refused token in one line, and does not retry', async () => {
    const startedMs = performance.now();
    const low = await cli({ REPLIKIT_TOKEN: TOKENS.read }, 'put', 'cli:k', '8');
    expect(low).toEqual({ code: 1, stdout: '', stderr: 'replikit put: the node refused the token: needs role write (the token has role read)\n' });
    const none = await cli({}, 'get', 'cli:k');
    expect(none).toEqual({
      code: 1,
      stdout: '',
      stderr: 'replikit get: the node refused the request: it needs a token (pass --token, or set REPLIKIT_TOKEN)\n',
    });
    const unknown = await cli({}, 'del', 'cli:k', '--token', 'not-a-token-of-this-cluster-000');
    expect(unknown).toEqual({
      code: 1,
      stdout: '',
      stderr: 'replikit del: the node refused the token: it is not one the node accepts (check --token or REPLIKIT_TOKEN)\n',
    });
    expect(performance.now() - startedMs).toBeLessThan(5000);
  });

  it('replikit status: the table, or the refusal in one line when no node would answer', async () => {
    const table = await cli({ REPLIKIT_TOKEN: TOKENS.read }, 'status');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NODE\s+ROLE/);
    const refused = await cli({}, 'status');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/refused .*\(unauthorized\)/);
    expect(refused.stderr).toBe('replikit status: the node refused the request: it needs a token (pass --token, or set REPLIKIT_TOKEN)\n');
  });

  it('refuses a token no header can carry as bad usage, saying where it came from', async () => {
    const flag = await cli({}, 'get', 'k', '--token', 'short');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/^replikit get: --token: a token is at least 20 characters \(this one has 5\)\n/);
    const variable = await cli({ REPLIKIT_TOKEN: 'has spaces in it, which no header can carry' }, 'get', 'k');
    expect(variable.code).toBe(2);
    expect(variable.stderr).toMatch(/^replikit get: REPLIKIT_TOKEN: a token is made of/);
    expect(variable.stderr).not.toContain('has spaces');
  });
});
