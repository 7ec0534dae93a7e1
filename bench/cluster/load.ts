// Load generators over the embedded API. "In flight" is the number of
// independent lanes, each awaiting its own put before issuing the next: the
// way many concurrent clients of one process behave. Requests issued in the
// same tick reach the leader in one batch (the API batches them).

import type { Cluster, ReplicationMode } from '../../src/index.js';
import { ReplikitError } from '../../src/index.js';
import { countEvents } from './harness.js';
import { distribution, type Distribution } from './stats.js';

/** Keys written are spread over this many, so the store stays small and hot. */
export const KEY_SPACE = 10_000;
export const VALUE_BYTES = 64;
/** A 64-byte ASCII value (64 bytes as UTF-8, 66 as msgpack). */
export const VALUE = 'v'.repeat(VALUE_BYTES);

export function benchKey(n: number): string {
  return `k${n % KEY_SPACE}`;
}

export interface WindowResult {
  /** Acknowledged in the measured window, divided by its length. */
  readonly opsPerSec: number;
  readonly acknowledged: number;
  readonly windowMs: number;
  /** Latency of the ops acknowledged in the window. */
  readonly latencyMs: Distribution;
  /** Failed ops by error code, warm-up included: a healthy run has none. */
  readonly errors: Readonly<Record<string, number>>;
  /** Cluster events during warm-up and window (leader-change, node-fenced, ...): a stable run has none. */
  readonly events: Readonly<Record<string, number>>;
  /**
   * CPU of the whole process (every thread: main, node workers, LMDB's) per
   * acknowledged op in the window, in microseconds. Unlike ops/s it barely
   * moves when the shared box is busy, so it says what an op costs.
   */
  readonly cpuUsPerOp: number;
  /** Cores the process kept busy during the window (2 = both cores of the box). */
  readonly cpuCores: number;
}

export interface WindowOptions {
  readonly inFlight: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

/**
 * Runs `op` from `inFlight` lanes for warm-up plus duration; counts what is
 * acknowledged inside the measured window, then lets in-flight ops drain.
 */
export async function measureWindow(cluster: Cluster, options: WindowOptions, op: (n: number, lane: number) => Promise<unknown>): Promise<WindowResult> {
  const events = countEvents(cluster);
  const startMs = performance.now();
  const windowStartMs = startMs + options.warmupMs;
  const windowEndMs = windowStartMs + options.durationMs;
  const cpu = sampleCpuOver(options.warmupMs, options.durationMs);
  const latenciesMs: number[] = [];
  const errors: Record<string, number> = {};
  let next = 0;
  const lane = async (_: unknown, laneIndex: number): Promise<void> => {
    for (;;) {
      const issuedMs = performance.now();
      if (issuedMs >= windowEndMs) return;
      try {
        await op(next++, laneIndex);
      } catch (error) {
        const code = error instanceof ReplikitError ? error.code : 'exception';
        errors[code] = (errors[code] ?? 0) + 1;
        continue;
      }
      const doneMs = performance.now();
      if (doneMs >= windowStartMs && doneMs < windowEndMs) latenciesMs.push(doneMs - issuedMs);
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, lane));
  const { cpuUs, wallMs } = await cpu;
  return {
    opsPerSec: (latenciesMs.length * 1000) / options.durationMs,
    acknowledged: latenciesMs.length,
    windowMs: options.durationMs,
    latencyMs: distribution(latenciesMs),
    errors,
    events: events.stop(),
    cpuUsPerOp: latenciesMs.length > 0 ? cpuUs / latenciesMs.length : Number.NaN,
    cpuCores: cpuUs / 1000 / wallMs,
  };
}

/** Process CPU (user + system, all threads) between two moments from now. */
function sampleCpuOver(afterMs: number, forMs: number): Promise<{ cpuUs: number; wallMs: number }> {
  return new Promise((resolve) => {
    setTimeout(() => {
      const startCpu = process.cpuUsage();
      const startMs = performance.now();
      setTimeout(() => {
        const used = process.cpuUsage(startCpu);
        resolve({ cpuUs: used.user + used.system, wallMs: performance.now() - startMs });
      }, forMs);
    }, afterMs);
  });
}

/** Leader changes seen in a measurement (each one fails or stalls the writes in flight). */
export function leaderChanges(events: Readonly<Record<string, number>>): number {
  return events['leader-change'] ?? 0;
}

export function putOp(cluster: Cluster, mode: ReplicationMode): (n: number) => Promise<unknown> {
  const options = { mode };
  return (n) => cluster.put(benchKey(n), VALUE, options);
}

export interface PacedWriter {
  /** Stop issuing, wait for what is in flight, and say what was done. */
  stop(): Promise<PacedResult>;
}

export interface PacedResult {
  readonly targetPerSec: number;
  /** Acknowledged before stop(), per second of pacing. */
  readonly achievedPerSec: number;
  readonly acknowledged: number;
  /** Tokens that found the in-flight cap full: the cluster could not keep up with the pace. */
  readonly skipped: number;
  readonly latencyMs: Distribution;
  readonly errors: Readonly<Record<string, number>>;
  readonly events: Readonly<Record<string, number>>;
}

/** How often the bucket refills and issues; a timer cannot fire much more often than every millisecond. */
const PACE_INTERVAL_MS = 1;
/** Burst the bucket allows: a late timer may catch up by this much, no more. */
const BUCKET_BURST_MS = 5;

/**
 * Writes at `ratePerSec` from a token bucket: each refill issues the writes
 * the elapsed time has earned (so one batch per refill, not a backlog), never
 * more than `maxInFlight` outstanding.
 */
export function startPacedWriter(cluster: Cluster, ratePerSec: number, maxInFlight: number): PacedWriter {
  const events = countEvents(cluster);
  const capacity = Math.max(1, (ratePerSec * BUCKET_BURST_MS) / 1000);
  const latenciesMs: number[] = [];
  const errors: Record<string, number> = {};
  const pending = new Set<Promise<void>>();
  let tokens = 0;
  let skipped = 0;
  let ackedBeforeStop = 0;
  let next = 0;
  let stopped = false;
  const startMs = performance.now();
  let lastRefillMs = startMs;
  const issue = (): void => {
    const issuedMs = performance.now();
    const write = cluster.put(benchKey(next++), VALUE).then(
      () => {
        latenciesMs.push(performance.now() - issuedMs);
        if (!stopped) ackedBeforeStop++;
      },
      (error: unknown) => {
        const code = error instanceof ReplikitError ? error.code : 'exception';
        errors[code] = (errors[code] ?? 0) + 1;
      },
    );
    pending.add(write);
    void write.finally(() => pending.delete(write));
  };
  const refill = (): void => {
    if (stopped) return;
    const nowMs = performance.now();
    tokens = Math.min(capacity, tokens + ((nowMs - lastRefillMs) * ratePerSec) / 1000);
    lastRefillMs = nowMs;
    for (; tokens >= 1; tokens--) {
      if (pending.size >= maxInFlight) skipped++;
      else issue();
    }
    timer = setTimeout(refill, PACE_INTERVAL_MS);
  };
  let timer = setTimeout(refill, PACE_INTERVAL_MS);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const elapsedMs = performance.now() - startMs;
      await Promise.all(pending);
      return {
        targetPerSec: ratePerSec,
        achievedPerSec: (ackedBeforeStop * 1000) / elapsedMs,
        acknowledged: latenciesMs.length,
        skipped,
        latencyMs: distribution(latenciesMs),
        errors,
        events: events.stop(),
      };
    },
  };
}
