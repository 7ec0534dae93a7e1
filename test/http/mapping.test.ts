// The error mapping and the router on their own: every node error code has
// its status, and paths, methods and queries route as documented.

import { describe, expect, it } from 'vitest';
import { clientErrorToHttp, thrownToHttp } from '../../src/http/error-mapping.js';
import { HttpError } from '../../src/http/http-error.js';
import { parseQuery, Router } from '../../src/http/router.js';
import { ReplikitError } from '../../src/index.js';
import type { ErrorCode } from '../../src/node/requests.js';

const hint = { leaderId: 'n2', leaderUrl: 'http://127.0.0.1:7002' };

describe('error mapping', () => {
  it('gives every node error code its status and body', () => {
    const expected: Record<ErrorCode, [number, Record<string, unknown>]> = {
      'not-leader': [503, { error: 'Not the leader', leaderId: 'n2', leaderUrl: 'http://127.0.0.1:7002' }],
      'bad-request': [400, { error: 'Bad request' }],
      busy: [429, { error: 'Busy' }],
      timeout: [504, { error: 'Timeout' }],
      'unknown-outcome': [504, { error: 'Outcome unknown', term: 3, index: 17 }],
      'cas-mismatch': [409, { error: 'CAS mismatch', current: null }],
      'stale-fencing-token': [409, { error: 'Stale fencing token' }],
      'too-stale': [503, { error: 'Too stale', lagMs: 1200 }],
      stopped: [503, { error: 'Node stopped' }],
    };
    for (const [code, [status, body]] of Object.entries(expected) as [ErrorCode, [number, Record<string, unknown>]][]) {
      const mapped = clientErrorToHttp({ code, message: `it was ${code}`, lagMs: 1200 }, hint, { term: 3, index: 17 });
      expect(mapped.status, code).toBe(status);
      expect(mapped.body(), code).toMatchObject(body);
    }
    expect(clientErrorToHttp({ code: 'busy', message: '' }, hint).headers).toEqual({ 'Retry-After': '1' });
  });

  it('maps thrown errors by code and hides the message of anything unexpected', () => {
    expect(thrownToHttp(new ReplikitError('unknown-node', 'no node "n9"')).status).toBe(404);
    expect(thrownToHttp(new ReplikitError('bad-request', 'refused')).body()).toEqual({ error: 'Bad request', detail: 'refused' });
    expect(thrownToHttp(new ReplikitError('no-leader', 'none')).status).toBe(503);
    const internal = thrownToHttp(new TypeError('secret internals at /src/x.ts:1'));
    expect(internal.status).toBe(500);
    expect(internal.body()).toEqual({ error: 'Internal error' });
    const teapot = new HttpError(418, 'Teapot');
    expect(thrownToHttp(teapot)).toBe(teapot);
  });

  it('clips long details', () => {
    expect(String(new HttpError(400, 'Bad request', 'x'.repeat(10_000)).body()['detail']).length).toBeLessThan(400);
  });
});

describe('router', () => {
  const handle = async () => ({ status: 200, json: {} });
  const router = new Router().add(
    { method: 'GET', pattern: '/key/:key', access: 'read', handle },
    { method: 'PUT', pattern: '/key/:key', access: 'write', handle },
    { method: 'POST', pattern: '/key/:key/cas', access: 'write', handle },
  );

  it('matches segments, percent-decodes params, and tells 404 from 405', () => {
    expect(router.match('GET', '/key/a%2Fb%20c')).toMatchObject({ kind: 'found', params: { key: 'a/b c' } });
    expect(router.match('POST', '/key/a/cas')).toMatchObject({ kind: 'found', route: { pattern: '/key/:key/cas' } });
    expect(router.match('DELETE', '/key/a')).toEqual({ kind: 'wrong-method', allow: ['GET', 'PUT'], pattern: '/key/:key', access: 'read' });
    expect(router.match('GET', '/key/a/b')).toEqual({ kind: 'none' });
    expect(router.match('GET', '/key')).toEqual({ kind: 'none' });
    expect(() => router.match('GET', '/key/%E0%A4%A')).toThrow(/percent-encoded/);
  });

  it('accepts only whitelisted query parameters, each once', () => {
    expect([...parseQuery('a=1&b=x%20y', ['a', 'b'])]).toEqual([
      ['a', '1'],
      ['b', 'x y'],
    ]);
    expect(() => parseQuery('c=1', ['a'])).toThrow(/Unknown query parameter/);
    expect(() => parseQuery('a=1&a=2', ['a'])).toThrow(/more than once/);
    expect(() => parseQuery('x', [])).toThrow(/takes none/);
    expect(parseQuery('', []).size).toBe(0);
  });
});
