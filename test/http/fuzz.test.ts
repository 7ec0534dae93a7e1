// Seeded fuzzing of the HTTP handlers over raw sockets: thousands of random
// requests (methods, paths with random bytes and percent-escapes, query
// strings, JSON, garbage, oversized and unfinished bodies, wrong content
// types, malformed HTTP). Every one must get a JSON answer without a stack
// trace and without a 500; the servers must stay up; and a value written
// before the fuzzing must read the same after it.
// Replay a failure with REPLIKIT_HTTP_FUZZ_SEED=<seed> npx vitest run test/http/fuzz.test.ts

import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../src/http/index.js';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES } from '../../src/index.js';
import { createSeededRandom } from '../../src/transport/seeded-random.js';
import { agreedLeader, call, parsePrometheus, portOf, startDevCluster, until, writeFollowingLeader, type DevCluster } from './helpers.js';

const SEED = Number(process.env['REPLIKIT_HTTP_FUZZ_SEED'] ?? 20261122);
const REQUESTS = 2000;
const CONCURRENCY = 8;
/** Short timeouts so the unfinished-body and slow-header cases answer quickly. */
const LIMITS = { bodyTimeoutMs: 400, headersTimeoutMs: 1000, requestTimeoutMs: 1500 };
/** Generous: a loaded machine is slow, and no answer at all is what this catches. */
const ANSWER_TIMEOUT_MS = 10_000;
const SENTINEL = { key: 'fuzz sentinel ⚑', value: { kept: ['exactly', 1, null, true] } };

let dev: DevCluster;

beforeAll(async () => {
  // Reads that wait for an index give up after requestTimeoutMs: short, so random minIndex values cost little.
  dev = await startDevCluster({ requestTimeoutMs: 1000 }, { limits: LIMITS, fixedPorts: true });
  const leader = await agreedLeader(dev.http.urls);
  const written = await writeFollowingLeader('PUT', leader.url, `/key/${encodeURIComponent(SENTINEL.key)}`, SENTINEL.value, {
    clientId: 'fuzz-sentinel',
    seq: 1,
  });
  expect(written.status).toBe(200);
});

afterAll(async () => {
  await dev?.close();
});

// ------------------------------------------------------------ the exchange

interface Exchange {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Sends `request` on a fresh connection and resolves with the first final
 * response (1xx skipped), or null if none came in time. Closes the
 * connection as soon as the answer is complete, as a client would.
 */
function exchange(port: number, request: Buffer | readonly Buffer[], isHead: boolean, timeoutMs = ANSWER_TIMEOUT_MS): Promise<Exchange | null> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const socket = connect(port, '127.0.0.1');
    let settled = false;
    const settle = (answer: Exchange | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => settle(null), timeoutMs);
    const tryParse = (final: boolean): void => {
      for (;;) {
        const headEnd = received.indexOf('\r\n\r\n');
        if (headEnd === -1) break;
        const head = received.subarray(0, headEnd).toString('latin1');
        const [statusLine, ...lines] = head.split('\r\n');
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? '')?.[1] ?? NaN);
        if (status >= 100 && status < 200) {
          received = received.subarray(headEnd + 4);
          continue;
        }
        const headers: Record<string, string> = {};
        for (const line of lines) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
        const length = isHead ? 0 : Number(headers['content-length']);
        if (Number.isInteger(length) && received.length >= headEnd + 4 + length) {
          settle({ status, headers, body: received.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8') });
          return;
        }
        if (final) settle({ status: Number.isNaN(status) ? -1 : status, headers, body: received.subarray(headEnd + 4).toString('utf8') });
        return;
      }
      if (final) settle(received.length === 0 ? null : { status: -1, headers: {}, body: received.toString('latin1') });
    };
    socket.on('data', (data) => {
      received = Buffer.concat([received, data]);
      tryParse(false);
    });
    socket.on('close', () => tryParse(true));
    socket.on('error', () => tryParse(true));
    socket.on('connect', () => {
      for (const chunk of Array.isArray(request) ? request : [request]) socket.write(chunk as Buffer);
    });
  });
}

/** What every answer must be: a JSON body (Prometheus text only for a 200 from /metrics), no stack, no 500. */
function problemWith(answer: Exchange | null, isMetrics: boolean, isHead: boolean): string | null {
  if (!answer) return 'no answer';
  if (!(answer.status >= 200 && answer.status < 600)) return `bad status ${answer.status}`;
  if (answer.status === 500) return `500: ${answer.body}`;
  // A stack line, raw or escaped inside a JSON string, or a source path.
  if (/(\n|\\n)\s+at \S|node:internal|file:\/\/|\/src\/http\//.test(answer.body)) return `a stack trace leaked: ${answer.body.slice(0, 300)}`;
  if (isHead) return answer.body === '' ? null : 'a body in an answer to HEAD';
  if (isMetrics && answer.status === 200) return answer.headers['content-type']?.startsWith('text/plain') ? null : 'metrics not text';
  if (!answer.headers['content-type']?.startsWith('application/json')) return `content-type ${answer.headers['content-type']}`;
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return `not JSON: ${answer.body.slice(0, 200)}`;
  }
  // /health says "unhealthy" with its own shape, as the contract has it.
  if (answer.status === 503 && typeof (body as { healthy?: unknown })?.healthy === 'boolean') return null;
  if (answer.status >= 400 && typeof (body as { error?: unknown })?.error !== 'string') return `an error without "error": ${answer.body.slice(0, 200)}`;
  return null;
}

// -------------------------------------------------------------- generator

type Random = () => number;

class RequestFuzzer {
  constructor(private readonly random: Random) {}

  private int(below: number): number {
    return Math.floor(this.random() * below);
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  private bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }

  private text(length: number, alphabet: string): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }

  private unicode(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++)
      out += String.fromCodePoint(this.pick([this.int(128), 0x80 + this.int(0x780), 0x4e00 + this.int(500), 0x1f300 + this.int(200)]));
    return out;
  }

  keySegment(): string {
    switch (this.int(12)) {
      case 0:
        return '';
      case 9:
      case 10:
        return `k${this.int(40)}`;
      case 1:
      case 2:
        return `k${this.int(40)}`;
      case 3:
        return this.text(1 + this.int(30), "abcxyzABC0123456789-._~!$&'()*+,;=:@");
      case 4: // percent-escapes of random bytes: often not UTF-8
        return Array.from({ length: 1 + this.int(12) }, () => `%${this.int(256).toString(16).padStart(2, '0')}`).join('');
      case 5:
        return encodeURIComponent(this.unicode(1 + this.int(20)));
      case 6: // around the key limit
        return 'k'.repeat(MAX_KEY_BYTES - 5 + this.int(10));
      case 7: // broken escapes, NUL, encoded slash
        return this.pick(['%', '%Z', '%ZZ', '%0', '%E0%A4', '%00', '%00fence%2Fx', 'a%2Fb', '%C0%AF', '%ED%A0%80']);
      default: // raw bytes in the request line (latin1 on the wire), never a space or '?'
        return this.bytes(1 + this.int(10))
          .toString('latin1')
          .replace(/[\s?#/]/g, 'x');
    }
  }

  path(): string {
    const key = (): string => this.keySegment();
    switch (this.int(14)) {
      case 0:
      case 1:
      case 2:
        return `/key/${key()}`;
      case 3:
        return `/key/${key()}/cas`;
      case 4:
        return `/key/${key()}/${key()}`;
      case 5:
        return this.pick(['/status', '/health', '/metrics', '/', '/favicon.ico', '/status/', '/KEY/a', '//key//a', '/key/../status', '/key']);
      case 6:
        return this.pick(['/admin/transfer-leadership', '/admin/heal', '/admin/partition', '/admin', '/admin/nodes']);
      case 7: // never a real node: chaos on a real one is the admin test's business
        return `/admin/nodes/x${this.int(9)}/${this.pick(['crash', 'restart', 'pause', 'resume', 'explode', ''])}`;
      case 8:
        return `/admin/members/x${this.int(9)}`;
      case 9:
        return this.pick(['*', 'http://example.com/key/a', '', 'key/a', '/\u0000', '/key/a#frag']);
      default:
        return `/${Array.from({ length: 1 + this.int(4) }, key).join('/')}`;
    }
  }

  query(): string {
    if (this.chance(0.45)) return '';
    if (this.chance(0.05)) return this.pick(['?', '?&&', '?=x', '?%ZZ=1', '?a=%ZZ', `?${'p'.repeat(9000)}=1`]);
    const names = ['consistency', 'minIndex', 'maxLagMs', 'mode', 'minReplicas', 'timeoutMs', 'fencingToken', 'clientId', 'seq', 'foo', 'Consistency', ''];
    const values = [
      () => String(this.int(20)),
      () => String(-1 - this.int(5)),
      () => `${this.int(9)}.${this.int(9)}`,
      () => '99999999999999999999',
      () => this.pick(['linearizable', 'lease', 'read-your-writes', 'monotonic', 'bounded', 'eventual', 'strong']),
      () => this.pick(['quorum', 'sync', 'semi-sync', 'async', 'fast']),
      () => this.pick(['', '0x10', '1e3', 'NaN', 'Infinity', ' 1', 'true']),
      () => encodeURIComponent(this.unicode(1 + this.int(140))),
    ];
    const pairs = Array.from({ length: 1 + this.int(4) }, () => `${this.pick(names)}=${this.pick(values)()}`);
    return `?${pairs.join('&')}`;
  }

  private json(depth: number): unknown {
    const kind = this.int(depth > 3 ? 5 : 8);
    switch (kind) {
      case 0:
        return null;
      case 1:
        return this.chance(0.5);
      case 2:
        return this.pick([this.int(1000), -this.random() * 1e6, 0, Number.MAX_SAFE_INTEGER]);
      case 3:
        return this.unicode(this.int(20));
      case 4:
        return this.text(this.int(10), 'ab"\\\u0000\n');
      case 5:
        return Array.from({ length: this.int(5) }, () => this.json(depth + 1));
      default: {
        const object: Record<string, unknown> = {};
        for (let i = this.int(5); i > 0; i--)
          object[this.pick(['a', 'expected', 'next', 'to', 'groups', 'id', '__proto__', 'constructor', this.unicode(3)])] = this.json(depth + 1);
        return object;
      }
    }
  }

  body(): Buffer | null {
    switch (this.int(16)) {
      case 0:
      case 1:
      case 2:
        return null;
      case 3:
      case 4:
      case 5:
        return Buffer.from(JSON.stringify(this.json(0)) ?? 'null');
      case 6:
      case 7:
        return Buffer.from(JSON.stringify({ expected: this.chance(0.5) ? null : this.json(1), next: this.json(1) }));
      case 8:
        return this.bytes(this.int(200)); // garbage, mostly not UTF-8
      case 9:
        return Buffer.from(JSON.stringify(this.json(0)).slice(0, -1) || '{'); // truncated
      case 10:
        return Buffer.from(
          this.pick([
            '1e400',
            '-1e400',
            '"\\ud800"',
            '{"__proto__":{"polluted":1}}',
            '{"a":1,"a":2}',
            '\ufeff"bom"',
            '[]',
            '""',
            ' ',
            'nul',
            '{"to":"n1"}',
            '{"to":"x1"}',
            '{"groups":[["n1"],["x"]]}',
          ]),
        );
      case 11: {
        const depth = 50 + this.int(20_000); // deep nesting, balanced or not
        return Buffer.from(`${'['.repeat(depth)}${this.chance(0.5) ? ']'.repeat(depth) : ''}`);
      }
      case 12: // around the value limit
        return this.chance(0.25) ? Buffer.from(JSON.stringify('v'.repeat(MAX_VALUE_BYTES - 8 + this.int(16)))) : Buffer.from(JSON.stringify(this.unicode(50)));
      case 13: // over the body limit (rarely: they are big)
        return this.chance(0.15) ? Buffer.alloc(MAX_BODY_BYTES + 1 + this.int(1000), 0x31) : Buffer.from('"small"');
      default:
        return Buffer.from(JSON.stringify(this.unicode(this.int(300))));
    }
  }

  contentType(): string | null {
    return this.pick([
      'application/json',
      'application/json',
      'application/json; charset=utf-8',
      'application/merge-patch+json',
      null,
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'json',
      '',
      'application/json\u00e9',
    ]);
  }

  method(): string {
    return this.chance(0.75)
      ? this.pick(['GET', 'GET', 'PUT', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'])
      : this.pick(['TRACE', 'CONNECT', 'PROPFIND', 'BREW', 'get', 'G\u0000T', '', 'GET /x']);
  }

  /** A request a real client might send, with a random twist or none: it gets past the parser and into the handlers. */
  private plausible(): { method: string; path: string; query: string; body: Buffer | null; contentType: string | null } {
    const key = `k${this.int(40)}`;
    const valid = (): Buffer => Buffer.from(JSON.stringify(this.json(0)));
    const twist = <T>(value: T, other: () => T): T => (this.chance(0.2) ? other() : value);
    switch (this.int(6)) {
      case 0:
        return {
          method: 'PUT',
          path: `/key/${twist(key, () => this.keySegment())}`,
          query: twist('', () => this.query()),
          body: twist(valid(), () => this.body()),
          contentType: 'application/json',
        };
      case 1:
        return {
          method: 'GET',
          path: `/key/${twist(key, () => this.keySegment())}`,
          query: twist(`?consistency=${this.pick(['eventual', 'linearizable', 'lease', 'monotonic&minIndex=1', 'bounded&maxLagMs=5000'])}`, () => this.query()),
          body: null,
          contentType: null,
        };
      case 2:
        return { method: 'DELETE', path: `/key/${key}`, query: twist('', () => this.query()), body: null, contentType: null };
      case 3:
        return {
          method: 'POST',
          path: `/key/${key}/cas`,
          query: '',
          body: twist(Buffer.from(JSON.stringify({ expected: this.chance(0.5) ? null : this.json(2), next: this.json(1) })), () => this.body()),
          contentType: twist('application/json', () => this.contentType()),
        };
      case 4:
        return { method: 'GET', path: this.pick(['/status', '/health', '/metrics']), query: twist('', () => this.query()), body: null, contentType: null };
      default:
        return {
          method: 'POST',
          path: this.pick(['/admin/transfer-leadership', '/admin/partition', '/admin/heal']),
          query: '',
          body: this.body(),
          contentType: 'application/json',
        };
    }
  }

  /** One request as bytes on the wire, plus what the check needs to know about it. */
  request(): { wire: Buffer; isHead: boolean; isMetrics: boolean } {
    const plausible = this.chance(0.4) ? this.plausible() : null;
    const method = plausible?.method ?? this.method();
    const path = plausible?.path ?? this.path();
    const target = `${path}${plausible ? plausible.query : this.query()}`;
    const body = plausible ? plausible.body : this.body();
    const lines = [`${method} ${target} HTTP/1.1`];
    if (!this.chance(0.02)) lines.push('Host: fuzz');
    const contentType = plausible ? plausible.contentType : this.contentType();
    if (contentType !== null && (body || this.chance(0.2))) lines.push(`Content-Type: ${contentType}`);
    let payload = body ?? Buffer.alloc(0);
    const framing = this.int(40);
    if (body && framing < 4) {
      // chunked, in random pieces; sometimes with a broken size line
      lines.push('Transfer-Encoding: chunked');
      const pieces: Buffer[] = [];
      for (let at = 0; at < body.length;) {
        const size = Math.min(body.length - at, 1 + this.int(65_536));
        pieces.push(Buffer.from(`${framing === 0 ? 'zz' : size.toString(16)}\r\n`), body.subarray(at, at + size), Buffer.from('\r\n'));
        at += size;
      }
      pieces.push(Buffer.from('0\r\n\r\n'));
      payload = Buffer.concat(pieces);
    } else if (body && framing === 4) {
      lines.push(`Content-Length: ${body.length + 1 + this.int(50)}`); // promises more than it sends: 408
    } else if (body && framing === 5) {
      lines.push(`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`); // conflicting
    } else if (body || this.chance(0.1)) {
      lines.push(`Content-Length: ${payload.length}`);
    }
    if (this.chance(0.03))
      lines.push(
        this.pick([
          'Expect: 100-continue',
          'Expect: teapot',
          'Upgrade: websocket\r\nConnection: Upgrade',
          `X-Big: ${'b'.repeat(20_000)}`,
          'Bad Header: x',
          'X-Ctl: a\u0001b',
          'Connection: close',
        ]),
      );
    const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    return { wire: Buffer.concat([head, payload]), isHead: method === 'HEAD', isMetrics: path === '/metrics' };
  }
}

// ------------------------------------------------------------------ tests

describe('HTTP handlers under fuzzing', () => {
  it('serves n{i} on basePort+i-1', () => {
    const ports = ['n1', 'n2', 'n3'].map((id) => portOf(dev.http.urls[id] as string));
    expect(ports).toEqual([ports[0], (ports[0] as number) + 1, (ports[0] as number) + 2]);
  });

  it(`answers ${REQUESTS} seeded random requests (seed ${SEED}) with JSON, stays up, and harms nothing stored`, async () => {
    const fuzzer = new RequestFuzzer(createSeededRandom(SEED));
    const urls = Object.values(dev.http.urls);
    const planned = Array.from({ length: REQUESTS }, (_, i) => ({ i, port: portOf(urls[i % urls.length] as string), ...fuzzer.request() }));
    const problems: string[] = [];
    const statuses = new Set<number>();
    /** "status error" → count, printed with REPLIKIT_HTTP_FUZZ_VERBOSE=1 to see what the mix reached. */
    const outcomes = new Map<string, number>();
    let next = 0;
    const lane = async (): Promise<void> => {
      for (let item = planned[next++]; item; item = planned[next++]) {
        const answer = await exchange(item.port, item.wire, item.isHead);
        if (answer) {
          const outcome = `${answer.status} ${/"error":"([^"]*)"/.exec(answer.body)?.[1] ?? ''}`.trim();
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
          statuses.add(answer.status);
        }
        const problem = problemWith(answer, item.isMetrics, item.isHead);
        if (problem && problems.length < 10) {
          problems.push(`#${item.i} ${JSON.stringify(item.wire.subarray(0, 160).toString('latin1'))}: ${problem}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));
    if (process.env['REPLIKIT_HTTP_FUZZ_VERBOSE']) console.log(Object.fromEntries([...outcomes].sort(([a], [b]) => a.localeCompare(b))));
    expect(problems).toEqual([]);
    // The mix reached the handlers, not just the parser (413 has its own test below: big bodies are rare here).
    for (const status of [200, 400, 404, 405, 415]) expect(statuses.has(status), `answers with ${status}`).toBe(true);

    // Every server is up; the sentinel is as it was; nothing polluted Object.prototype.
    await call('POST', `${urls[0]}/admin/heal`);
    for (const url of urls) expect((await call('GET', `${url}/status`)).status).toBe(200);
    // A linearizable read, asked again if leadership moved under it.
    const read = await until(async () => {
      const answer = await call('GET', `${(await agreedLeader(dev.http.urls)).url}/key/${encodeURIComponent(SENTINEL.key)}`);
      return answer.status === 503 ? null : answer;
    }, 'a linearizable read of the sentinel');
    expect(read.status).toBe(200);
    expect(read.body.value).toEqual(SENTINEL.value);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();

    // Route labels stay few however many paths were tried.
    const samples = parsePrometheus(await (await fetch(`${urls[0]}/metrics`)).text());
    const routes = new Set(samples.filter((s) => s.name === 'replikit_http_requests_total').map((s) => /route="([^"]*)"/.exec(s.labels)?.[1]));
    expect(routes.size).toBeLessThan(25);
  });

  it('a body that never finishes gets 408, headers that never finish get 408, and the server stays up', async () => {
    const port = portOf(dev.http.urls['n1'] as string);
    const stalledBody = await exchange(
      port,
      Buffer.from('PUT /key/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"partial":'),
      false,
    );
    expect(stalledBody?.status).toBe(408);
    expect(JSON.parse(stalledBody?.body ?? '')).toMatchObject({ error: 'Body timeout' });

    const stalledHeaders = await exchange(port, Buffer.from('GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: '), false);
    expect(stalledHeaders?.status).toBe(408);
    expect(JSON.parse(stalledHeaders?.body ?? '')).toEqual({ error: 'Request timeout' });

    expect((await call('GET', `${dev.http.urls['n1']}/status`)).status).toBe(200);
  });

  it('an oversized body is refused on its Content-Length before it is sent, and while streaming when chunked', async () => {
    const port = portOf(dev.http.urls['n1'] as string);
    const declared = await exchange(
      port,
      Buffer.from(`PUT /key/big HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n`),
      false,
    );
    expect(declared?.status).toBe(413);

    const chunk = Buffer.alloc(64 * 1024, 0x31);
    const chunks = [Buffer.from('PUT /key/big HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n')];
    for (let sent = 0; sent <= MAX_BODY_BYTES; sent += chunk.length) chunks.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
    // No terminating chunk: the refusal must come from counting, not from the end of the body.
    const streamed = await exchange(port, chunks, false);
    expect(streamed?.status).toBe(413);
    expect(JSON.parse(streamed?.body ?? '')).toMatchObject({ error: 'Body too large' });
  });
});
