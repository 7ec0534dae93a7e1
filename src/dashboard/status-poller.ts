// Samples every node's GET /status for the snapshots. Each node is asked on
// its own, at most STATUS_FETCH_CONCURRENCY at a time: a node that hangs
// shows its last answer until its request times out and then shows as down,
// while the others keep being sampled at the snapshot rate. The fencings a
// node lists in its status go to `onFencing`, not into the snapshot: the page
// gets each once, as an event, rather than the whole list four times a second.

import type { NodeId, Role } from '../core/types.js';
import { recentFencingOf, type FencingView } from './fencing-feed.js';
import { MAX_STATUS_BYTES } from './limits.js';
import type { ClusterSnapshot, FollowerLag, NodeSample, NodeStatusView } from './protocol.js';

const ROLES: readonly Role[] = ['follower', 'pre-candidate', 'candidate', 'leader'];

export interface StatusPollerOptions {
  readonly peerUrls: () => Readonly<Record<NodeId, string>>;
  readonly fetchTimeoutMs: number;
  readonly concurrency: number;
  /** Sent as `Authorization: Bearer` with every /status question, when the nodes check tokens. */
  readonly token?: string;
  readonly nowMs?: () => number;
  /** Each answer's `recentFencing`, oldest first (empty when it lists none). */
  readonly onFencing?: (id: NodeId, fencings: FencingView[]) => void;
}

export class StatusPoller {
  private readonly latest = new Map<NodeId, NodeSample>();
  private readonly inFlight = new Map<NodeId, Promise<void>>();
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private readonly nowMs: () => number;

  constructor(private readonly options: StatusPollerOptions) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  /**
   * Asks every node not already being asked, waits up to `waitMs` for the
   * answers, and returns the newest sample of every node.
   */
  async snapshot(waitMs: number): Promise<ClusterSnapshot> {
    const urls = this.options.peerUrls();
    const ids = Object.keys(urls).sort(compareNodeIds);
    for (const id of [...this.latest.keys()]) if (!(id in urls)) this.latest.delete(id);
    const started: Promise<void>[] = [];
    for (const id of ids) {
      const url = urls[id];
      if (url === undefined) continue;
      let pending = this.inFlight.get(id);
      if (!pending) {
        pending = this.sampleOne(id, url).finally(() => this.inFlight.delete(id));
        this.inFlight.set(id, pending);
      }
      started.push(pending);
    }
    // A node never sampled yet is waited for until its first answer or timeout,
    // so that a slow start does not show a healthy node as down for a moment.
    const firstTime = ids.some((id) => !this.latest.has(id));
    const waitForMs = firstTime ? this.options.fetchTimeoutMs * Math.ceil(ids.length / this.options.concurrency) : waitMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(started), new Promise<void>((resolve) => (timer = setTimeout(resolve, waitForMs)))]);
    clearTimeout(timer);
    const atMs = this.nowMs();
    const nodes = ids.map((id): NodeSample => this.latest.get(id) ?? { id, url: urls[id] ?? '', role: 'down', sampledAtMs: atMs, error: 'no answer yet' });
    return { atMs, nodes };
  }

  private async sampleOne(id: NodeId, url: string): Promise<void> {
    await this.acquire();
    const sampledAtMs = this.nowMs();
    try {
      const { status, fencings } = await fetchStatus(url, this.options.fetchTimeoutMs, this.options.token);
      this.latest.set(id, { id, url, role: status.role, sampledAtMs, status });
      this.options.onFencing?.(id, fencings);
    } catch (error) {
      this.latest.set(id, { id, url, role: 'down', sampledAtMs, error: describeFailure(error, this.options.fetchTimeoutMs) });
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.options.concurrency) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }
}

/** n2 before n10. */
export function compareNodeIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

class StatusError extends Error {}

async function fetchStatus(baseUrl: string, timeoutMs: number, token: string | undefined): Promise<{ status: NodeStatusView; fencings: FencingView[] }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  const response = await fetch(`${baseUrl}/status`, { signal: AbortSignal.timeout(timeoutMs), headers });
  const text = await readBounded(response, MAX_STATUS_BYTES);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new StatusError(`HTTP ${response.status}: not JSON`);
  }
  if (!response.ok) {
    const error = field(body, 'error');
    const detail = field(body, 'detail');
    // The detail says what is wrong in words ("n3 is down or not answering"); the status code goes after it.
    const words = typeof detail === 'string' ? detail : typeof error === 'string' ? error : 'error';
    throw new StatusError(`${words} (HTTP ${response.status})`);
  }
  return { status: parseStatus(body), fencings: recentFencingOf(body) };
}

/** The fields the dashboard shows, checked: a peer's answer is data, not trusted shape. */
export function parseStatus(body: unknown): NodeStatusView {
  const role = field(body, 'role');
  if (typeof role !== 'string' || !ROLES.includes(role as Role)) throw new StatusError('status without a valid role');
  const leaderId = field(body, 'leaderId');
  const membership = field(body, 'membership');
  const followers: Record<NodeId, FollowerLag> = {};
  const rawFollowers = field(body, 'followers');
  if (typeof rawFollowers === 'object' && rawFollowers !== null) {
    for (const [id, value] of Object.entries(rawFollowers)) {
      followers[id] = { matchIndex: numberField(value, 'matchIndex'), lagEntries: numberField(value, 'lagEntries'), lagMs: numberField(value, 'lagMs') };
    }
  }
  return {
    role: role as Role,
    term: numberField(body, 'term'),
    leaderId: typeof leaderId === 'string' ? leaderId : null,
    commitIndex: numberField(body, 'commitIndex'),
    appliedIndex: numberField(body, 'appliedIndex'),
    lastIndex: numberField(body, 'lastIndex'),
    leaseValid: field(body, 'leaseValid') === true,
    lagMs: numberField(body, 'lagMs'),
    voters: stringList(field(membership, 'voters')),
    learners: stringList(field(membership, 'learners')),
    followers,
  };
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function numberField(value: unknown, name: string): number {
  const n = field(value, name);
  return typeof n === 'number' && Number.isFinite(n) ? n : 0;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The body as text, refused past `maxBytes` (whatever Content-Length claims). */
async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new StatusError(`status larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof StatusError) return error.message;
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (typeof code === 'string') return `unreachable (${code})`;
    return `unreachable (${error.message})`;
  }
  return 'unreachable';
}
