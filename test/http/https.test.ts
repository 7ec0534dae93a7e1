// The HTTP face over HTTPS: createNodeHttpServer given a certificate and key
// serves the same routes with the same checks, limits and JSON answers, and
// its URL says https. The certificate is a leaf of a private CA made for
// this test with node:crypto (test/fixtures/tcp-certs.ts). The client
// library, the CLI and `replikit node --http-tls-cert` over HTTPS are in
// test/cli/auth-cli.test.ts (they need NODE_EXTRA_CA_CERTS at process start).

import { request } from 'node:https';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_URL_BYTES } from '../../src/http/limits.js';
import { createNodeHttpServer, type NodeHttpServer } from '../../src/http/server.js';
import { fakeEndpoint } from '../dashboard/helpers.js';
import { createTestCa, type TestCa } from '../fixtures/tcp-certs.js';
import { testAuth, TOKENS } from './auth-helpers.js';
import { portOf } from './helpers.js';

let ca: TestCa;
let server: NodeHttpServer;
let url = '';

beforeAll(async () => {
  ca = createTestCa('replikit https test CA');
  const leaf = ca.issue('n1');
  server = createNodeHttpServer({ endpoint: fakeEndpoint('n1'), peerUrls: () => ({}), lagThresholdMs: 1000, auth: testAuth(), tls: leaf });
  ({ url } = await server.listen('127.0.0.1', 0));
});

afterAll(async () => {
  await server?.close();
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

function ask(method: string, path: string, headers: Record<string, string> = {}, trusted = true): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers, ...(trusted ? { ca: ca.cert } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the HTTP face over HTTPS', () => {
  it('says https in its URL', () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves the same routes and checks: the open /health, 401 without a token, the route with one', async () => {
    const health = await ask('GET', '/health');
    expect(health.status).toBe(503); // the fake node knows no leader
    expect(JSON.parse(health.text)).toMatchObject({ healthy: false });
    const refused = await ask('GET', '/status');
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer/);
    const status = await ask('GET', '/status', { authorization: `Bearer ${TOKENS.read}` });
    expect(status.status).toBe(503); // the fake node does not answer its status: past the token check
    expect(JSON.parse(status.text)).toMatchObject({ error: 'Node unavailable' });
  });

  it('keeps its limits and JSON errors', async () => {
    const tooLong = await ask('GET', `/key/${'a'.repeat(MAX_URL_BYTES)}`, { authorization: `Bearer ${TOKENS.read}` });
    expect(tooLong.status).toBe(414);
    expect(tooLong.headers['content-type']).toMatch(/^application\/json/);
    const missing = await ask('GET', '/nothing', { authorization: `Bearer ${TOKENS.read}` });
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toMatchObject({ error: 'Not found' });
  });

  it('is refused by a client that does not trust its CA', async () => {
    await expect(ask('GET', '/health', {}, false)).rejects.toThrow(/self[- ]signed|unable to (get|verify)|certificate/i);
  });

  it('does not answer plain HTTP on its port', async () => {
    const answer = await new Promise<string>((resolve) => {
      let received = '';
      const socket = connect(portOf(url), '127.0.0.1', () => socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n'));
      socket.on('data', (data) => (received += data.toString('latin1')));
      socket.on('close', () => resolve(received));
      socket.on('error', () => resolve(received));
      setTimeout(() => socket.destroy(), 3000);
    });
    expect(answer).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it('refuses a certificate and key that do not go together, before it listens', () => {
    const other = ca.issue('n2');
    expect(() =>
      createNodeHttpServer({ endpoint: fakeEndpoint('n1'), peerUrls: () => ({}), lagThresholdMs: 1000, tls: { cert: ca.issue('n1').cert, key: other.key } }),
    ).toThrow(/key values mismatch/);
  });
});
