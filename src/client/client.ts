// The replikit HTTP client: writes to the leader with exactly-once retries,
// reads where their consistency allows, sessions that read their own writes.
//
// Writes from one client run one at a time, in call order. The state machine
// remembers only each client's latest seq (Raft thesis §6.3), so a retry of
// seq n after seq n+1 landed would be refused and its fate lost; keeping one
// write in flight makes every retry safe. For parallel writes, use several
// clients (each has its own clientId).

import { getResult, isKeyNotFound, notFoundIndex, writeResult } from './answers.js';
import { ReplikitClientError } from './errors.js';
import { fencingToken, type FencingToken } from './fencing.js';
import { LeaderDirectory } from './leader-directory.js';
import { normalizeEndpoint, resolveClientOptions, type ClientOptions, type ResolvedClientOptions } from './options.js';
import { RequestRouter, type Call, type FinalAnswer } from './router.js';
import { ReplikitSession } from './session.js';
import { LEADER_CONSISTENCIES, type GetOptions, type GetResult, type NodeStatusView, type WriteOptions, type WriteResult } from './types.js';
import { checkGetOptions, checkKey, checkValue, checkWriteOptions } from './validate.js';

/** Every call returns a promise; bad input rejects it (code `bad-request`, status null) rather than throwing. */
export class ReplikitClient {
  readonly clientId: string;
  private readonly options: ResolvedClientOptions;
  private readonly directory: LeaderDirectory;
  private readonly router: RequestRouter;
  private readonly closing = new AbortController();
  /** The last seq handed out (the server requires seq >= 1). */
  private lastSeq: number;
  private writeTail: Promise<unknown> = Promise.resolve();
  private highestWrite = 0;

  constructor(options: ClientOptions) {
    this.options = resolveClientOptions(options);
    this.clientId = this.options.clientId;
    this.lastSeq = this.options.firstSeq - 1;
    this.directory = new LeaderDirectory(this.options.endpoints);
    this.router = new RequestRouter(this.options, this.directory, this.closing.signal);
  }

  get endpoints(): readonly string[] {
    return this.options.endpoints;
  }

  /** The highest index of this client's acknowledged writes (what `read-your-writes` waits for by default). */
  get highestWriteIndex(): number {
    return this.highestWrite;
  }

  // ----------------------------------------------------------------- writes

  async put(key: string, value: unknown, options: WriteOptions = {}): Promise<WriteResult> {
    checkKey(key);
    checkValue(value, 'value');
    checkWriteOptions(options);
    return this.write(options, (query) => ({ method: 'PUT', path: keyPath(key, query), body: value, what: `PUT ${key}`, isWrite: true }));
  }

  /**
   * Set `key` to `next` only if it holds `expected` now (null: absent).
   * Throws `cas-mismatch` (status 409, `details.current`) otherwise.
   */
  async cas(key: string, expected: unknown, next: unknown, options: WriteOptions = {}): Promise<WriteResult> {
    checkKey(key);
    checkValue(expected, 'expected');
    checkValue(next, 'next');
    checkWriteOptions(options);
    return this.write(options, (query) => ({
      method: 'POST',
      path: keyPath(key, query, '/cas'),
      body: { expected, next },
      what: `CAS ${key}`,
      isWrite: true,
    }));
  }

  async delete(key: string, options: WriteOptions = {}): Promise<WriteResult> {
    checkKey(key);
    checkWriteOptions(options);
    return this.write(options, (query) => ({ method: 'DELETE', path: keyPath(key, query), what: `DELETE ${key}`, isWrite: true }));
  }

  private write(options: WriteOptions, build: (query: URLSearchParams) => Call): Promise<WriteResult> {
    return this.oneAtATime(async () => {
      this.refuseIfClosed();
      // Numbered when its turn comes, so seqs reach the leader in increasing order.
      const seq = ++this.lastSeq;
      const query = writeQuery(options);
      query.set('clientId', this.clientId);
      query.set('seq', String(seq));
      const call = build(query);
      const answer = await this.router.toLeader(call);
      const result = writeResult(answer.body);
      if (!result) throw badShape(call, answer, 'a write result ({ term, index })');
      this.highestWrite = Math.max(this.highestWrite, result.index);
      return result;
    });
  }

  private oneAtATime<T>(run: () => Promise<T>): Promise<T> {
    const result = this.writeTail.then(run);
    this.writeTail = result.catch(() => undefined);
    return result;
  }

  // ------------------------------------------------------------------ reads

  /**
   * `{ value, index, nodeId, role, lagMs }`, or undefined when the key is
   * absent. `linearizable` (the default) and `lease` go to the leader; the
   * others to the endpoints in turn. `read-your-writes` without a `minIndex`
   * waits for this client's own latest acknowledged write.
   */
  async get<T = unknown>(key: string, options: GetOptions = {}): Promise<GetResult<T> | undefined> {
    return (await this.lookup<T>(key, options)).result;
  }

  /**
   * `get`, also telling which applied index the answer reflects when the key
   * is absent (the server's 404 says it), so a session can move forward on a
   * "not found" too. `index` is null when the server did not say.
   */
  async lookup<T = unknown>(key: string, options: GetOptions = {}): Promise<{ result: GetResult<T> | undefined; index: number | null }> {
    checkKey(key);
    checkGetOptions(options);
    const consistency = options.consistency ?? 'linearizable';
    const minIndex = options.minIndex ?? (consistency === 'read-your-writes' ? this.highestWrite : undefined);
    const query = new URLSearchParams({ consistency });
    if (minIndex !== undefined) query.set('minIndex', String(minIndex));
    if (options.maxLagMs !== undefined) query.set('maxLagMs', String(options.maxLagMs));
    const call: Call = { method: 'GET', path: keyPath(key, query), what: `GET ${key}`, isWrite: false, isFinal: isKeyNotFound };
    const answer = LEADER_CONSISTENCIES.includes(consistency) ? await this.router.toLeader(call) : await this.router.toAny(call);
    if (isKeyNotFound(answer.status, answer.body)) return { result: undefined, index: notFoundIndex(answer.body) };
    const result = getResult(answer.body);
    if (!result) throw badShape(call, answer, 'a read result ({ value, index, ... })');
    // The caller's word for what it stored: JSON is not checked against T.
    return { result: result as GetResult<T>, index: result.index };
  }

  /** A session: its reads never go back in time and always see its own writes, on any node. */
  session(): ReplikitSession {
    return new ReplikitSession(this);
  }

  // ----------------------------------------------------------------- status

  /**
   * `GET /status` of `endpoint`, or, without one, of the leader when it can
   * be found, else of the first endpoint that answers.
   */
  async status(endpoint?: string): Promise<NodeStatusView> {
    this.refuseIfClosed();
    if (endpoint !== undefined) {
      const url = normalizeEndpoint(endpoint);
      if (url === null) throw new ReplikitClientError('bad-request', `endpoint ${JSON.stringify(endpoint)} is not an http(s) URL`);
      return this.router.status(url);
    }
    const leader = this.directory.known() ?? (await this.router.discoverLeader());
    let last: ReplikitClientError | null = null;
    for (const url of [...new Set([...(leader ? [leader] : []), ...this.directory.allUrls()])]) {
      try {
        return await this.router.status(url);
      } catch (error) {
        // A refused token is refused by every node alike: said at once, not as "no endpoint answered".
        if (!(error instanceof ReplikitClientError) || error.code === 'closed' || error.code === 'unauthorized' || error.code === 'forbidden') throw error;
        last = error;
      }
    }
    throw new ReplikitClientError('unavailable', `status: no endpoint answered${last ? `; last: ${last.message}` : ''}`, null);
  }

  /** The leader's URL as the endpoints tell it now, or null while there is none. */
  async leader(): Promise<string | null> {
    this.refuseIfClosed();
    return this.router.discoverLeader();
  }

  /** See fencing.ts: the pair [term, index], compared term first. */
  fencingToken(result: WriteResult): FencingToken {
    return fencingToken(result);
  }

  /** Stops every call in flight (they reject with `closed`) and refuses new ones. */
  close(): void {
    this.closing.abort();
  }

  private refuseIfClosed(): void {
    if (this.closing.signal.aborted) throw new ReplikitClientError('closed', 'the client is closed');
  }
}

export function createClient(options: ClientOptions): ReplikitClient {
  return new ReplikitClient(options);
}

function keyPath(key: string, query: URLSearchParams, suffix = ''): string {
  const search = query.toString();
  return `/key/${encodeURIComponent(key)}${suffix}${search ? `?${search}` : ''}`;
}

function writeQuery(options: WriteOptions): URLSearchParams {
  const query = new URLSearchParams();
  if (options.mode !== undefined) query.set('mode', options.mode);
  if (options.minReplicas !== undefined) query.set('minReplicas', String(options.minReplicas));
  if (options.timeoutMs !== undefined) query.set('timeoutMs', String(options.timeoutMs));
  if (options.fencingToken !== undefined) query.set('fencingToken', String(options.fencingToken));
  return query;
}

function badShape(call: Call, answer: FinalAnswer, expected: string): ReplikitClientError {
  return new ReplikitClientError('bad-response', `${call.what}: ${answer.endpoint} answered ${answer.status} without ${expected}`, answer.status, {
    endpoint: answer.endpoint,
  });
}
