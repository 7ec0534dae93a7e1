// The campaign's clients: each runs one op at a time (put, get, cas, delete
// on a small set of keys) through the HTTP client library and records it in
// the history. Like Jepsen's, a client whose op ended with an unknown outcome
// continues as a new process number: the old op may still take effect at any
// later time, and a process has at most one op outstanding.

import type { OpFunction } from '../check/index.js';
import { createClient, ReplikitClientError, type ReplicationMode, type ReplikitClient, type WriteResult } from '../client/index.js';
import type { Random } from '../core/random.js';
import type { HistoryRecorder } from './history-recorder.js';
import { CLIENT_BACKOFF_MS, CLIENT_CALL_TIMEOUT_MS, CLIENT_MAX_RETRIES, CLIENT_REQUEST_TIMEOUT_MS } from './limits.js';
import { outcomeOfError } from './op-outcome.js';
import { sleep } from './sleep.js';

/** The op mix: cumulative thresholds over [0, 1). Reads check, writes and cas move the register, deletes return it to absent. */
const READ_SHARE = 0.35;
const WRITE_SHARE = 0.3;
const CAS_SHARE = 0.25;
/** A cas expects the value last seen on its key this often (so some succeed); otherwise an older value (so some do not). */
const CAS_EXPECT_LATEST_PROBABILITY = 0.75;

export interface ClientLoadOptions {
  readonly endpoints: readonly string[];
  /** When the nodes check tokens. */
  readonly token?: string;
  readonly clients: number;
  readonly keys: readonly string[];
  readonly mode: ReplicationMode;
  readonly rateOpsPerS: number;
  readonly random: Random;
  readonly history: HistoryRecorder;
}

/** What the nemesis wants of the next op; unset parts are drawn from the usual mix. */
interface OpPlan {
  readonly f?: OpFunction;
  readonly key?: string;
}

export interface ClientCounters {
  ok: number;
  fail: number;
  info: number;
}

export class ClientLoad {
  readonly counters: ClientCounters = { ok: 0, fail: 0, info: 0 };
  private readonly clients: ReplikitClient[] = [];
  private stopped = false;
  private nextValue = 1;
  private nextProcess: number;
  private nextSlotMs = 0;
  private burstUntilMs = 0;
  private readOnlyUntilMs = 0;
  private inFlightWrites = 0;
  /** What each key was last seen to hold (null: absent): the cas's usual expectation. */
  private readonly lastSeen = new Map<string, unknown>();
  private readonly workers: Promise<void>[] = [];
  /** Acknowledged writes (write, cas, delete) in completion order: history time, and the term of the leader that answered. */
  private readonly okWrites: { readonly timeMs: number; readonly term: number }[] = [];

  constructor(private readonly options: ClientLoadOptions) {
    this.nextProcess = options.clients;
  }

  start(): void {
    for (let i = 0; i < this.options.clients; i++) {
      const client = createClient({
        endpoints: this.options.endpoints,
        ...(this.options.token !== undefined ? { token: this.options.token } : {}),
        timeoutMs: CLIENT_REQUEST_TIMEOUT_MS,
        totalTimeoutMs: CLIENT_CALL_TIMEOUT_MS,
        maxRetries: CLIENT_MAX_RETRIES,
        backoffMs: CLIENT_BACKOFF_MS,
      });
      this.clients.push(client);
      this.workers.push(this.work(client, i, this.options.random.fork()));
    }
  }

  /**
   * For `ms`, no pacing, and each key has one writer (client i writes key i;
   * the clients beyond the keys read): the nemesis calls this just before
   * killing a leader, so the kill lands on writes in flight and just
   * acknowledged. One writer per key keeps each key's writes in sequence, so
   * a read that later misses an acknowledged write cannot be explained by a
   * concurrent one.
   */
  burst(ms: number): void {
    this.burstUntilMs = performance.now() + ms;
  }

  endBurst(): void {
    this.burstUntilMs = 0;
  }

  /**
   * For `ms`, new ops are reads only (ends any burst). After a leader is
   * killed, reads that come before any new write see whether the writes it
   * acknowledged survived; new writes would overwrite the evidence.
   */
  readOnly(ms: number): void {
    this.burstUntilMs = 0;
    this.readOnlyUntilMs = performance.now() + ms;
  }

  /** Writes (write, cas, delete) invoked and not yet completed. */
  get writesInFlight(): number {
    return this.inFlightWrites;
  }

  /** Acknowledged writes that completed after `timeMs` (history clock), by a leader of `term` when given. */
  okWritesSince(timeMs: number, term?: number): number {
    let count = 0;
    for (let i = this.okWrites.length - 1; i >= 0; i--) {
      const write = this.okWrites[i] as { timeMs: number; term: number };
      if (write.timeMs <= timeMs) break;
      if (term === undefined || write.term === term) count++;
    }
    return count;
  }

  /** No new ops; waits for the ones in flight up to `drainMs`, then closes the clients (their ops end as unknown). */
  async stop(drainMs: number): Promise<void> {
    this.stopped = true;
    const drained = Promise.all(this.workers).then(() => true);
    if (!(await Promise.race([drained, sleep(drainMs).then(() => false)]))) {
      for (const client of this.clients) client.close();
      await drained;
    }
    for (const client of this.clients) client.close();
  }

  private async work(client: ReplikitClient, index: number, random: Random): Promise<void> {
    let process = index;
    while (!this.stopped) {
      await this.pace();
      if (this.stopped) break;
      const now = performance.now();
      const owned = this.options.keys[index];
      const plan: OpPlan =
        now < this.readOnlyUntilMs ? { f: 'read' } : now < this.burstUntilMs ? (owned !== undefined ? { f: 'write', key: owned } : { f: 'read' }) : {};
      const outcome = await this.runOne(client, process, random, plan);
      if (outcome === 'info') process = this.nextProcess++;
    }
  }

  /** Spreads ops evenly at the configured rate across all clients; no pacing during a burst. */
  private async pace(): Promise<void> {
    const now = performance.now();
    if (now < this.burstUntilMs) return;
    const slot = Math.max(now, this.nextSlotMs);
    this.nextSlotMs = slot + 1000 / this.options.rateOpsPerS;
    await sleep(slot - now);
  }

  private async runOne(client: ReplikitClient, process: number, random: Random, plan: OpPlan): Promise<'ok' | 'fail' | 'info'> {
    const { history, keys, mode } = this.options;
    // Both draws are made whatever the plan, so a plan does not shift the rest of the seeded sequence.
    const randomKey = random.pick(keys);
    const draw = random.next();
    const mixed: OpFunction =
      draw < READ_SHARE ? 'read' : draw < READ_SHARE + WRITE_SHARE ? 'write' : draw < READ_SHARE + WRITE_SHARE + CAS_SHARE ? 'cas' : 'delete';
    const key = plan.key ?? randomKey;
    const f: OpFunction = plan.f ?? mixed;
    const writeOptions = { mode };
    let value: unknown = null;
    let call: () => Promise<unknown>;
    switch (f) {
      case 'read':
        call = async () => (await client.get(key))?.value ?? null;
        break;
      case 'write': {
        const next = this.nextValue++;
        value = next;
        call = () => client.put(key, next, writeOptions);
        break;
      }
      case 'cas': {
        const latest = this.lastSeen.get(key) ?? null;
        const expected = random.chance(CAS_EXPECT_LATEST_PROBABILITY) || this.nextValue === 1 ? latest : 1 + random.int(this.nextValue - 1);
        const next = this.nextValue++;
        value = [expected, next];
        call = () => client.cas(key, expected, next, writeOptions);
        break;
      }
      case 'delete':
        call = () => client.delete(key, writeOptions);
        break;
    }
    history.record(process, 'invoke', f, key, value);
    if (f !== 'read') this.inFlightWrites++;
    try {
      const result = await call();
      if (f === 'read') {
        history.record(process, 'ok', f, key, result);
        this.lastSeen.set(key, result);
      } else {
        const { time } = history.record(process, 'ok', f, key, value);
        this.okWrites.push({ timeMs: time, term: (result as WriteResult).term });
        this.lastSeen.set(key, f === 'cas' ? (value as unknown[])[1] : value);
      }
      this.counters.ok++;
      return 'ok';
    } catch (error) {
      const outcome = outcomeOfError(f, error);
      history.record(process, outcome, f, key, value);
      if (error instanceof ReplikitClientError && error.code === 'cas-mismatch' && 'current' in error.details) {
        this.lastSeen.set(key, error.details.current ?? null);
      }
      this.counters[outcome]++;
      return outcome;
    } finally {
      if (f !== 'read') this.inFlightWrites--;
    }
  }
}
