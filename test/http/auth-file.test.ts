// The auth file and the security flags of `replikit node` and `replikit dev`:
// every bad file or flag is one line that names the file (or flag) and what
// is wrong, and never quotes a token; protected mode refuses an open face on
// an address other than loopback unless told --insecure.

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthFileError, loadAuthFile, parseAuthFile } from '../../src/http/auth-file.js';
import { HttpSecurityError, isLoopbackHost, resolveHttpSecurity } from '../../src/serve/http-security.js';
import { createTestCa } from '../fixtures/tcp-certs.js';
import { AUTH_FILE_JSON, TOKENS } from './auth-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'replikit-auth-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const SECRET_LOOKING = 'this-token-must-never-be-printed-0123';

function problemOf(content: string | Buffer): string {
  try {
    parseAuthFile(Buffer.from(content), '--auth-file a.json');
  } catch (error) {
    expect(error).toBeInstanceOf(AuthFileError);
    return (error as Error).message;
  }
  throw new Error('the file was accepted');
}

const entry = (fields: Record<string, unknown>): string => JSON.stringify({ tokens: [fields] });

describe('the auth file', () => {
  it('loads tokens with their roles', () => {
    const auth = loadAuthFile(file('good.json', AUTH_FILE_JSON));
    expect(auth.identify(TOKENS.write)).toEqual({ name: 'writer', role: 'write' });
    expect(auth.identify(TOKENS.admin)).toEqual({ name: 'operator', role: 'admin' });
  });

  const bad: readonly (readonly [string, string | Buffer, RegExp])[] = [
    ['not JSON', '{"tokens": [', /not valid JSON \(it ends too early\)/],
    ['text whose parser message would quote it', `${SECRET_LOOKING}`, /not valid JSON; expected \{"tokens"/],
    ['JSON broken in the middle', '{"tokens": [\n  {"name": "a" "token": 1}]}', /not valid JSON \(at line 2, column 16\)/],
    ['not an object', '[]', /expected a JSON object/],
    ['an unknown top-level field', '{"tokens": [], "extra": 1}', /unknown field "extra"/],
    ['no tokens field', '{}', /"tokens" must be an array/],
    ['an empty list', '{"tokens": []}', /"tokens" is empty/],
    ['an entry that is not an object', '{"tokens": ["x"]}', /tokens\[0\] must be an object/],
    ['an unknown entry field', entry({ name: 'a', token: SECRET_LOOKING, role: 'read', roles: ['x'] }), /tokens\[0\]: unknown field "roles"/],
    ['a missing name', entry({ token: SECRET_LOOKING, role: 'read' }), /tokens\[0\]: "name" must be/],
    ['a name with spaces', entry({ name: 'a b', token: SECRET_LOOKING, role: 'read' }), /"name" must be 1 to 64 characters/],
    ['a missing token', entry({ name: 'a', role: 'read' }), /tokens\[0\] \("a"\): "token" is missing/],
    ['an empty token', entry({ name: 'a', token: '', role: 'read' }), /bad "token": a token is at least 20 characters \(this one has 0\)/],
    ['a short token', entry({ name: 'a', token: 'short', role: 'read' }), /at least 20 characters \(this one has 5\)/],
    ['a token with a space', entry({ name: 'a', token: `${SECRET_LOOKING} x`, role: 'read' }), /without spaces/],
    ['a token with non-ASCII', entry({ name: 'a', token: `${SECRET_LOOKING}é`, role: 'read' }), /A-Z a-z 0-9/],
    ['a token that is a number', entry({ name: 'a', token: 12345678901234567890, role: 'read' }), /a token must be a string/],
    ['an unknown role', entry({ name: 'a', token: SECRET_LOOKING, role: 'root' }), /"role" must be one of read, write, admin, got "root"/],
    ['no role', entry({ name: 'a', token: SECRET_LOOKING }), /"role" must be one of read, write, admin, got none/],
    [
      'a duplicate token',
      JSON.stringify({
        tokens: [
          { name: 'a', token: SECRET_LOOKING, role: 'read' },
          { name: 'b', token: SECRET_LOOKING, role: 'admin' },
        ],
      }),
      /tokens\[1\] \("b"\): the same token as tokens\[0\] \("a"\); tokens must be unique/,
    ],
    [
      'a duplicate name',
      JSON.stringify({
        tokens: [
          { name: 'a', token: SECRET_LOOKING, role: 'read' },
          { name: 'a', token: `${SECRET_LOOKING}x`, role: 'read' },
        ],
      }),
      /tokens\[1\] \("a"\): the name is used by tokens\[0\] too/,
    ],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not UTF-8 text/],
  ];

  for (const [what, content, message] of bad) {
    it(`refuses ${what} in one line naming the file, without quoting a token`, () => {
      const problem = problemOf(content);
      expect(problem).toMatch(/^--auth-file a\.json: /);
      expect(problem).toMatch(message);
      expect(problem).not.toContain('\n');
      expect(problem).not.toContain(SECRET_LOOKING);
    });
  }

  it('refuses a missing file, a folder, and one it may not read, naming it', () => {
    expect(() => loadAuthFile(join(dir, 'nope.json'))).toThrow(`--auth-file ${join(dir, 'nope.json')}: cannot read it (no such file)`);
    expect(() => loadAuthFile(dir)).toThrow(`--auth-file ${dir}: cannot read it (it is a folder)`);
    if (process.getuid?.() !== 0) {
      const locked = file('locked.json', AUTH_FILE_JSON);
      chmodSync(locked, 0o000);
      expect(() => loadAuthFile(locked)).toThrow(/cannot read it \(permission denied\)/);
    }
  });
});

describe('protected mode and the HTTPS flags', () => {
  const authFile = file('auth.json', AUTH_FILE_JSON);

  it('knows loopback addresses from others', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', '::ffff:10.0.0.1', 'example.com', 'localhost.example.com', '']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('refuses an open face on another address, naming both ways out', () => {
    expect(() => resolveHttpSecurity({ host: '0.0.0.0', hostFlag: '--http' })).toThrow(HttpSecurityError);
    expect(() => resolveHttpSecurity({ host: '10.0.0.1', hostFlag: '--host' })).toThrow(
      /^--host 10\.0\.0\.1 is not a loopback address, .* give --auth-file FILE .*, or --insecure to serve it open anyway$/,
    );
  });

  it('serves an open face on loopback as before, and anywhere with --auth-file or --insecure', () => {
    expect(resolveHttpSecurity({ host: '127.0.0.1', hostFlag: '--http' })).toEqual({});
    const withAuth = resolveHttpSecurity({ host: '0.0.0.0', hostFlag: '--http', authFile });
    expect(withAuth.auth?.identify(TOKENS.read)).toEqual({ name: 'reader', role: 'read' });
    expect(withAuth.warning).toBeUndefined();
    const insecure = resolveHttpSecurity({ host: '0.0.0.0', hostFlag: '--http', insecure: true });
    expect(insecure.auth).toBeUndefined();
    expect(insecure.warning).toMatch(/open to anyone/);
  });

  it('passes the auth file problems on as they are, and refuses an empty --auth-file', () => {
    expect(() => resolveHttpSecurity({ host: '127.0.0.1', hostFlag: '--http', authFile: file('bad.json', '{"tokens": []}') })).toThrow(
      /^--auth-file .*bad\.json: "tokens" is empty/,
    );
    expect(() => resolveHttpSecurity({ host: '127.0.0.1', hostFlag: '--http', authFile: '' })).toThrow('--auth-file needs a file name');
  });

  it('takes --http-tls-cert and --http-tls-key together, readable, and matching', () => {
    const ca = createTestCa('security flags CA');
    const leaf = ca.issue('n1');
    const cert = file('cert.pem', leaf.cert);
    const key = file('key.pem', leaf.key);
    const tls = resolveHttpSecurity({ host: '127.0.0.1', hostFlag: '--http', tlsCert: cert, tlsKey: key }).tls;
    expect(tls?.cert.toString()).toBe(leaf.cert);
    const base = { host: '127.0.0.1', hostFlag: '--http' };
    expect(() => resolveHttpSecurity({ ...base, tlsCert: cert })).toThrow(/^--http-tls-cert and --http-tls-key go together/);
    expect(() => resolveHttpSecurity({ ...base, tlsKey: key })).toThrow(/go together/);
    expect(() => resolveHttpSecurity({ ...base, tlsCert: join(dir, 'none.pem'), tlsKey: key })).toThrow(
      /^--http-tls-cert .*none\.pem: cannot read it \(no such file\)$/,
    );
    const garbage = file('garbage.pem', 'not a certificate');
    expect(() => resolveHttpSecurity({ ...base, tlsCert: garbage, tlsKey: key })).toThrow(
      /^--http-tls-cert .*garbage\.pem and --http-tls-key .*key\.pem are not a PEM certificate and its private key \(.+\)$/,
    );
    const otherKey = file('other-key.pem', ca.issue('n2').key);
    expect(() => resolveHttpSecurity({ ...base, tlsCert: cert, tlsKey: otherKey })).toThrow(/key values mismatch/);
  });
});
