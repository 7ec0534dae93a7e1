// Fuzzing the Authorization header with fast-check over raw sockets:
// arbitrary strings and bytes, near misses of the real tokens (one character
// changed, added or dropped, another case, spaces, another scheme), and the
// exact tokens now and then, against a read, a write and an admin route.
// Whatever is sent, the answer is never a 5xx, and a request gets through
// only when its header is exactly `Bearer <token>` (the scheme in any case)
// for a token whose role is high enough.
// Replay a failure with REPLIKIT_AUTH_FUZZ_SEED=<seed> npx vitest run test/http/auth-fuzz.test.ts

import fc from 'fast-check';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAllows, type AccessRole } from '../../src/http/access.js';
import { startAuthServer, TOKENS, type AuthServer } from './auth-helpers.js';
import { portOf } from './helpers.js';

const SEED = Number(process.env['REPLIKIT_AUTH_FUZZ_SEED'] ?? 20261203);
const RUNS = 1500;

/**
 * One route per role, each answering with a status of its own once past the
 * token check (with the fakes behind it), so that getting through shows.
 */
const ROUTES: readonly { readonly head: string; readonly needs: AccessRole; readonly contentType: string; readonly passed: number }[] = [
  { head: 'GET /metrics HTTP/1.1', needs: 'read', contentType: 'application/json', passed: 200 },
  // A body type the route refuses, which only a caller let through learns.
  { head: 'PUT /key/k HTTP/1.1', needs: 'write', contentType: 'text/plain', passed: 415 },
  { head: 'POST /admin/heal HTTP/1.1', needs: 'admin', contentType: 'application/json', passed: 200 },
];

let served: AuthServer;

beforeAll(async () => {
  served = await startAuthServer();
});

afterAll(async () => {
  await served?.close();
});

/** The status line's code of the first answer, or null when the connection closed without one. */
function statusOf(port: number, request: Buffer): Promise<number | null> {
  return new Promise((resolve) => {
    let received = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const code = /^HTTP\/1\.1 (\d{3}) /.exec(received)?.[1];
      resolve(code === undefined ? null : Number(code));
    };
    const timer = setTimeout(done, 5000);
    socket.on('data', (data) => {
      received += data.toString('latin1');
      if (/^HTTP\/1\.1 \d{3} /.test(received)) done();
    });
    socket.on('close', done);
    socket.on('error', done);
  });
}

/** The role an exact `Bearer <token>` header grants, or null: what the server may let through. */
function grantedBy(value: Buffer): AccessRole | null {
  // The header ends at the first CR or LF; the HTTP parser drops spaces and tabs around it.
  const end = value.findIndex((byte) => byte === 0x0d || byte === 0x0a);
  const text = (end === -1 ? value : value.subarray(0, end)).toString('latin1').replace(/^[ \t]+|[ \t]+$/g, '');
  const match = /^bearer ([\s\S]*)$/i.exec(text);
  if (!match) return null;
  for (const [role, token] of Object.entries(TOKENS)) if (match[1] === token) return role as AccessRole;
  return null;
}

const tokens = fc.constantFrom(...Object.values(TOKENS));
const schemes = fc.constantFrom('Bearer', 'bearer', 'BEARER', 'BeArEr', 'Basic', 'Token', 'Bearer:', '');
const nearMiss = fc.oneof(
  tokens.map((token) => token.toUpperCase()),
  fc
    .tuple(tokens, fc.nat(), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }))
    .map(([t, at, c]) => `${t.slice(0, at % t.length)}${c}${t.slice(at % t.length)}`),
  fc.tuple(tokens, fc.nat()).map(([t, at]) => `${t.slice(0, at % t.length)}${t.slice((at % t.length) + 1)}`),
  fc
    .tuple(tokens, fc.nat(), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }))
    .map(([t, at, c]) => `${t.slice(0, at % t.length)}${c}${t.slice((at % t.length) + 1)}`),
  fc.tuple(tokens, fc.string({ maxLength: 4 })).map(([t, extra]) => `${t}${extra}`),
  fc.tuple(tokens, fc.constantFrom(' ', '  ', '\t', ',', ';')).map(([t, gap]) => `${t}${gap}${t}`),
);

const headerValue: fc.Arbitrary<Buffer> = fc.oneof(
  // Arbitrary text, sent as UTF-8 (non-ASCII, control characters, CR and LF included).
  fc.string({ maxLength: 700, unit: 'binary' }).map((text) => Buffer.from(text, 'utf8')),
  // Arbitrary bytes.
  fc.uint8Array({ maxLength: 700 }).map((bytes) => Buffer.from(bytes)),
  // Bearer, another scheme or none, then a near miss of a real token, with any spacing.
  fc.tuple(schemes, fc.constantFrom(' ', '  ', '\t', ''), nearMiss).map(([scheme, gap, token]) => Buffer.from(`${scheme}${gap}${token}`, 'utf8')),
  // The real thing, in any case of the scheme: these must get through.
  fc.tuple(fc.constantFrom('Bearer', 'bearer', 'BEARER'), tokens).map(([scheme, token]) => Buffer.from(`${scheme} ${token}`, 'latin1')),
  // A huge one.
  fc.tuple(fc.constantFrom('Bearer ', ''), fc.integer({ min: 513, max: 20_000 })).map(([scheme, length]) => Buffer.from(`${scheme}${'a'.repeat(length)}`)),
);

describe('the Authorization header, fuzzed', () => {
  it(`never yields a 5xx, and lets through only an exact token of a high enough role (${RUNS} runs, seed ${SEED})`, async () => {
    const port = portOf(served.url);
    let through = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), headerValue, fc.boolean(), async (route, value, twice) => {
        const header = Buffer.concat([Buffer.from('Authorization: '), value, Buffer.from('\r\n')]);
        const request = Buffer.concat([
          Buffer.from(`${route.head}\r\nHost: x\r\nConnection: close\r\nContent-Type: ${route.contentType}\r\nContent-Length: 0\r\n`),
          header,
          // A second Authorization header, sometimes: refused, whatever the first said.
          ...(twice ? [Buffer.from(`Authorization: Bearer ${TOKENS.admin}\r\n`)] : []),
          Buffer.from('\r\n'),
        ]);
        const status = await statusOf(port, request);
        const shown = `${route.head} answered ${status} to ${JSON.stringify(value.toString('latin1').slice(0, 80))}${twice ? ' (twice)' : ''}`;
        expect(status, shown).not.toBeNull();
        expect(status as number, shown).toBeLessThan(500);
        const granted = grantedBy(value);
        const mayPass = !twice && granted !== null && roleAllows(granted, route.needs);
        const passed = status === route.passed;
        if (passed) through++;
        // Through only with an exact token of a high enough role...
        if (passed) expect(mayPass, shown).toBe(true);
        // ...and always with one, when nothing follows it on its line.
        if (mayPass && !value.some((byte) => byte === 0x0d || byte === 0x0a)) expect(passed, shown).toBe(true);
        // Otherwise: refused, or HTTP Node could not parse (a control character, a header too large).
        if (!passed) expect([400, 401, 403, 431], shown).toContain(status);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // Not vacuous: exact tokens came up and got through.
    expect(through).toBeGreaterThan(20);
  }, 120_000);
});
