// Shared pieces for the HTTP tests: a 3-node worker-thread cluster with one
// HTTP server per node on loopback, and curl-like requests with fetch.

import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCluster, type Cluster, type ClusterOptions } from '../../src/index.js';
import { startDevHttpServers, type DevHttpServers } from '../../src/serve/index.js';
import type { HttpLimits } from '../../src/http/limits.js';
import { eventually, sleep } from '../cluster/helpers.js';

export { eventually, sleep };

/** Three nodes at the default timing, which holds its leader on a loaded 2-core machine. */
export const STEADY_CLUSTER: ClusterOptions = { nodes: 3 };

export interface DevCluster {
  readonly cluster: Cluster;
  readonly http: DevHttpServers;
  close(): Promise<void>;
}

/** Ports to try for n1 when a test wants the real basePort+i-1 layout; a taken range is skipped. */
const BASE_PORT_TRIES = 5;

export async function startDevCluster(options: ClusterOptions = {}, serving: { limits?: Partial<HttpLimits>; fixedPorts?: boolean } = {}): Promise<DevCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'replikit-http-test-'));
  const cluster = await createCluster({ dataDir, ...STEADY_CLUSTER, ...options });
  let started: DevHttpServers | null = null;
  for (let attempt = 1; !started; attempt++) {
    const basePort = serving.fixedPorts ? 20_000 + Math.floor(Math.random() * 40_000) : 0;
    try {
      started = await startDevHttpServers(cluster, { host: '127.0.0.1', basePort, ...(serving.limits ? { limits: serving.limits } : {}) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= BASE_PORT_TRIES) {
        await cluster.close();
        throw error;
      }
    }
  }
  const http = started;
  return {
    cluster,
    http,
    close: async () => {
      await http.close();
      await cluster.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). Tests read its fields as the contract names them. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON body under test; each assertion names the field it expects
  readonly body: any;
}

/** One request, like `curl -X method url -H 'Content-Type: application/json' -d <body as JSON>`. */
export async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers } };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(url, init);
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/**
 * Retries `attempt` until it returns a value. Leadership can move at any
 * moment on a loaded machine, so a check that needs "the leader" or "a
 * follower" picks them afresh on each try instead of trusting an old answer.
 */
export async function until<T>(attempt: () => Promise<T | null | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  let result: T | null | undefined = null;
  await eventually(
    async () => {
      result = await attempt();
      return result !== null && result !== undefined;
    },
    what,
    timeoutMs,
  );
  return result as unknown as T;
}

/** The URL of the node all running nodes agree is the leader. */
export async function agreedLeader(urls: Readonly<Record<string, string>>, among = Object.keys(urls)): Promise<{ id: string; url: string }> {
  let found: { id: string; url: string } | null = null;
  await eventually(async () => {
    const statuses = await Promise.all(among.map(async (id) => (await call('GET', `${urls[id]}/status`)).body));
    const leaders = new Set(statuses.map((status) => status?.leaderId));
    const [leaderId] = [...leaders];
    const leader = statuses.find((status) => status?.role === 'leader' && status.nodeId === leaderId);
    if (leaders.size !== 1 || !leader || !urls[leaderId]) return false;
    found = { id: leaderId, url: urls[leaderId] as string };
    return true;
  }, 'the nodes to agree on a leader');
  return found as unknown as { id: string; url: string };
}

/**
 * A write as a careful client does it: start anywhere, follow leaderUrl on
 * 503 "Not the leader", and retry an unknown outcome only with the same
 * exactly-once session seq, which cannot apply twice.
 */
export async function writeFollowingLeader(
  method: string,
  startUrl: string,
  pathAndQuery: string,
  body: unknown,
  session: { clientId: string; seq: number },
): Promise<Answer> {
  const separator = pathAndQuery.includes('?') ? '&' : '?';
  const path = `${pathAndQuery}${separator}clientId=${encodeURIComponent(session.clientId)}&seq=${session.seq}`;
  let base = startUrl;
  const deadline = performance.now() + 15_000;
  for (;;) {
    const answer = await call(method, `${base}${path}`, body);
    const retry = answer.status === 503 || (answer.status === 504 && answer.body?.error === 'Outcome unknown');
    if (!retry || performance.now() > deadline) return answer;
    if (answer.body?.leaderUrl) base = answer.body.leaderUrl;
    else await sleep(50);
  }
}

/** Bytes over a raw socket; resolves with everything the server sent before it closed (or `timeoutMs`). */
export function rawExchange(port: number, chunks: readonly (string | Buffer)[], timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(received).toString('latin1'));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (data) => received.push(data));
    socket.on('close', done);
    socket.on('error', done);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
  });
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Every response in `bytes`, in order (pipelined requests get several). Throws on a malformed one. */
export function parseResponses(bytes: string): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd === -1) throw new Error(`incomplete response head: ${JSON.stringify(rest.slice(0, 200))}`);
    const [statusLine, ...headerLines] = rest.slice(0, headEnd).split('\r\n');
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine ?? '')?.[1];
    if (!status) throw new Error(`bad status line: ${JSON.stringify(statusLine)}`);
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 'NaN');
    if (!Number.isInteger(length)) throw new Error(`response without Content-Length: ${statusLine}`);
    // latin1 keeps one char per byte, so Content-Length counts chars here.
    const body = Buffer.from(rest.slice(headEnd + 4, headEnd + 4 + length), 'latin1').toString('utf8');
    responses.push({ status: Number(status), headers, body });
    rest = rest.slice(headEnd + 4 + length);
  }
  return responses;
}

export interface Sample {
  readonly name: string;
  readonly labels: string;
  readonly value: number;
}

/** A Prometheus text exposition: every sample line `name{labels} value`, comments and blanks aside. */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const value = Number(match[3] === '+Inf' ? Infinity : match[3]);
    if (Number.isNaN(value)) throw new Error(`not a number in ${JSON.stringify(line)}`);
    samples.push({ name: match[1] as string, labels: match[2] ?? '', value });
  }
  return samples;
}

export function portOf(url: string): number {
  return Number(new URL(url).port);
}
