// Authentication and authorization on the HTTP face, route by route: every
// route a node can serve (the router's in every mode, the dashboard's, the
// ones `replikit node` adds) is asked with no token and with a read, write
// and admin token. No token is a 401 (JSON, WWW-Authenticate: Bearer) except
// on the open routes; a token whose role is too low is a 403; admin passes
// everywhere. The roles are the issue's policy, written in auth-helpers.ts
// from the method and path alone, so a route given the wrong role in the code
// fails here twice: its `access` differs from the policy, and the server
// lets the wrong token through (or refuses the right one).

import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signFenceNotice, type FenceNotice } from '../../src/host/fence-request.js';
import { HttpAuth, roleAllows, type AccessRole, type RouteAccess } from '../../src/http/access.js';
import { ask, CLUSTER_ID, concrete, everyRoute, policyRole, SECRET, startAuthServer, TOKENS, type AuthServer } from './auth-helpers.js';
import { parseResponses, portOf, rawExchange } from './helpers.js';

let served: AuthServer;

beforeAll(async () => {
  served = await startAuthServer();
});

afterAll(async () => {
  await served?.close();
});

const HOLDERS: readonly (AccessRole | null)[] = [null, 'read', 'write', 'admin'];

function allowed(holder: AccessRole | null, needed: RouteAccess): boolean {
  if (needed === 'open') return true;
  return holder !== null && roleAllows(holder, needed);
}

describe('the role of every route', () => {
  const routes = everyRoute();

  it('walks every kind of route: key-value, status, admin, chaos, dashboard, forwarded and host routes', () => {
    const patterns = routes.map((route) => `${route.method} ${route.pattern}`);
    for (const expected of [
      'PUT /key/:key',
      'GET /status',
      'GET /health',
      'GET /metrics',
      'POST /admin/members',
      'POST /admin/nodes/:id/crash',
      'POST /admin/partition',
      'GET /dashboard/events',
      'GET /',
      'POST /dashboard/nodes/:id/admin/transfer-leadership',
      'POST /admin/fence',
      'POST /admin/debug/hang',
    ]) {
      expect(patterns).toContain(expected);
    }
    expect(routes.length).toBeGreaterThanOrEqual(30);
  });

  it("gives every route, in the code, the role of the issue's policy", () => {
    const wrong = routes.filter((route) => route.access !== policyRole(route.method, route.pattern));
    expect(wrong.map((route) => `${route.method} ${route.pattern}: code ${route.access}, policy ${policyRole(route.method, route.pattern)}`)).toEqual([]);
  });

  it('answers no token with 401, a token too low with 403, and lets every role at least as high through', async () => {
    const problems: string[] = [];
    for (const route of routes) {
      if (route.pattern === '/admin/fence') continue; // signed between hosts: below
      const needed = policyRole(route.method, route.pattern);
      for (const holder of HOLDERS) {
        const answer = await ask(route.method, `${served.url}${concrete(route.pattern)}`, holder === null ? null : TOKENS[holder]);
        const who = `${route.method} ${route.pattern} with ${holder ?? 'no'} token`;
        if (allowed(holder, needed)) {
          if (answer.status === 401 || answer.status === 403) problems.push(`${who}: refused with ${answer.status} (${answer.body?.detail})`);
        } else if (holder === null) {
          if (answer.status !== 401) problems.push(`${who}: ${answer.status}, expected 401`);
          else if (answer.body?.error !== 'Unauthorized' || !/^Bearer\b/.test(answer.headers.get('www-authenticate') ?? '')) {
            problems.push(`${who}: 401 without the JSON error or WWW-Authenticate: Bearer`);
          }
        } else if (answer.status !== 403) {
          problems.push(`${who}: ${answer.status}, expected 403`);
        } else if (answer.body?.error !== 'Forbidden' || answer.body?.needs !== needed || answer.body?.role !== holder) {
          problems.push(`${who}: 403 body ${JSON.stringify(answer.body)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('checks the token before anything else about the request: no token gets 401 even where the request is bad', async () => {
    // A body that is not JSON, a param that is not percent-encoding, a query parameter the route does not take.
    expect((await ask('PUT', `${served.url}/key/k?nope=1`, null)).status).toBe(401);
    expect((await ask('GET', `${served.url}/key/%E0%A4%A`, null)).status).toBe(401);
    expect((await ask('GET', `${served.url}/no/such/route`, null)).status).toBe(401);
    // ...and only then the request itself.
    expect((await ask('GET', `${served.url}/key/%E0%A4%A`, TOKENS.read)).status).toBe(400);
    expect((await ask('GET', `${served.url}/no/such/route`, TOKENS.read)).status).toBe(404);
    // A 405 needs the least role of the path's methods: read can learn that PUT is not DELETE's path's only method.
    expect((await ask('PATCH', `${served.url}/key/k`, null)).status).toBe(401);
    expect((await ask('PATCH', `${served.url}/key/k`, TOKENS.read)).status).toBe(405);
    expect((await ask('GET', `${served.url}/admin/partition`, TOKENS.write)).status).toBe(403);
    expect((await ask('GET', `${served.url}/admin/partition`, TOKENS.admin)).status).toBe(405);
  });

  it('refuses a body sent without a token unread: the 401 comes before the body has arrived', async () => {
    const port = portOf(served.url);
    // Headers promise a body that never comes: a handler reading it would wait for the body timeout.
    const head = `PUT /key/k HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
    const startedMs = performance.now();
    const first = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(`${head}{"partial":`));
      const timer = setTimeout(() => reject(new Error('no answer while the body was still due')), 3000);
      socket.once('data', (data) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.toString('latin1'));
      });
    });
    expect(first).toMatch(/^HTTP\/1\.1 401 /);
    // The body timeout would be 10 s: the answer came without waiting for the body.
    expect(performance.now() - startedMs).toBeLessThan(2000);
  });
});

describe('POST /admin/fence between hosts', () => {
  it('takes no client token: it is checked by its HMAC alone, with or without a token', async () => {
    for (const holder of HOLDERS) {
      const answer = await ask('POST', `${served.url}/admin/fence`, holder === null ? null : TOKENS[holder], {}, { clusterId: CLUSTER_ID });
      expect(answer.status).toBe(403);
      expect(answer.body?.error).toBe('Fence notice refused');
    }
    const notice: FenceNotice = { clusterId: CLUSTER_ID, from: 'n2', to: 'n1', staleTerm: 3, newerTerm: 4, sentAtMs: Date.now() };
    const signed = await ask('POST', `${served.url}/admin/fence`, null, { 'x-replikit-signature': signFenceNotice(notice, SECRET) }, notice);
    expect(signed).toMatchObject({ status: 200, body: { fenced: false } });
    expect(served.fenced).toEqual(['n2:3']);
  });
});

describe('a malformed Authorization header', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['another scheme', `Basic ${Buffer.from(`u:${TOKENS.admin}`).toString('base64')}`],
    ['the token alone', TOKENS.admin],
    ['Bearer and nothing', 'Bearer'],
    ['two spaces', `Bearer  ${TOKENS.admin}`],
    ['a tab', `Bearer\t${TOKENS.admin}`],
    ['a token and more', `Bearer ${TOKENS.admin} extra`],
    ['a token with a byte more', `Bearer ${TOKENS.admin}x`],
    ['a token with a byte less', `Bearer ${TOKENS.admin.slice(0, -1)}`],
    ['a token in another case', `Bearer ${TOKENS.admin.toUpperCase()}`],
    ['a huge header', `Bearer ${'a'.repeat(8000)}`],
    ['a short one', 'Bearer abc'],
  ];

  for (const [what, value] of cases) {
    it(`is a 401 with a JSON error: ${what}`, async () => {
      const answer = await ask('GET', `${served.url}/status`, null, { authorization: value });
      expect(answer.status).toBe(401);
      expect(answer.body?.error).toBe('Unauthorized');
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="replikit", error="invalid_token"$/);
    });
  }

  it('is a 401 for an empty header, non-ASCII bytes, and two Authorization headers (raw bytes)', async () => {
    const port = portOf(served.url);
    const requests = [
      'Authorization: \r\n',
      `Authorization: Bearer ${TOKENS.admin.slice(0, -1)}\u00e9\r\n`,
      Buffer.concat([Buffer.from('Authorization: Bearer '), Buffer.from([0xc3, 0xa9, 0xff, 0x80]), Buffer.from(`${TOKENS.admin}\r\n`)]),
      `Authorization: Bearer ${TOKENS.admin}\r\nAuthorization: Bearer ${TOKENS.read}\r\n`,
    ];
    for (const header of requests) {
      const bytes = Buffer.concat([
        Buffer.from('GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n', 'latin1'),
        Buffer.from(header as string | Buffer),
        Buffer.from('\r\n'),
      ]);
      const [answer] = parseResponses(await rawExchange(port, [bytes], 3000));
      expect(answer?.status).toBe(401);
      expect(JSON.parse(answer?.body ?? '{}')).toMatchObject({ error: 'Unauthorized' });
    }
  });

  it('lets the scheme be written in any case, as HTTP has it', async () => {
    expect((await ask('GET', `${served.url}/status`, null, { authorization: `bearer ${TOKENS.read}` })).status).not.toBe(401);
    expect((await ask('GET', `${served.url}/status`, null, { authorization: `BEARER ${TOKENS.read}` })).status).not.toBe(401);
  });
});

describe('HttpAuth', () => {
  it('knows each token by its digest, and no other string', () => {
    const auth = new HttpAuth([
      { name: 'a', token: TOKENS.read, role: 'read' },
      { name: 'b', token: TOKENS.admin, role: 'admin' },
    ]);
    expect(auth.identify(TOKENS.read)).toEqual({ name: 'a', role: 'read' });
    expect(auth.identify(TOKENS.admin)).toEqual({ name: 'b', role: 'admin' });
    expect(auth.identify(TOKENS.write)).toBeNull();
    expect(auth.identify('')).toBeNull();
    // The dashboard asks its peers with the least of them.
    expect(auth.peerToken).toBe(TOKENS.read);
  });

  it('nests the roles: admin ⊃ write ⊃ read', () => {
    expect(roleAllows('admin', 'write') && roleAllows('admin', 'read') && roleAllows('write', 'read')).toBe(true);
    expect(roleAllows('read', 'write') || roleAllows('write', 'admin') || roleAllows('read', 'admin')).toBe(false);
  });
});

describe('without an auth file', () => {
  it('serves every route open, as before', async () => {
    const open = await startAuthServer({ auth: null });
    try {
      for (const route of everyRoute()) {
        if (route.pattern === '/admin/fence') continue;
        const answer = await ask(route.method, `${open.url}${concrete(route.pattern)}`, null);
        expect([401, 403], `${route.method} ${route.pattern}`).not.toContain(answer.status);
      }
    } finally {
      await open.close();
    }
  });
});
