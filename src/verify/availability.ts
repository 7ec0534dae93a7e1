// Availability as the clients saw it: completed ops per second of the run
// (ok / fail / unknown), and for each fault the time from its start to the
// first acknowledged write invoked after it began, the client-visible
// outage. Faults that took the leader away are the failovers.

import type { HistoryEvent } from '../check/index.js';
import type { FaultRecord } from './nemesis.js';

export interface SecondOfRun {
  readonly second: number;
  ok: number;
  okWrites: number;
  fail: number;
  info: number;
}

export interface FaultRecovery {
  readonly fault: FaultRecord;
  /** History clock of the first acknowledged write invoked at or after the fault began; null if none came. */
  readonly firstOkWriteMs: number | null;
  /** firstOkWriteMs - fault start. */
  readonly writeOutageMs: number | null;
}

export interface DurationStats {
  readonly count: number;
  /** Failovers after which no write was ever acknowledged. */
  readonly neverRecovered: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
}

export interface Availability {
  readonly perSecond: SecondOfRun[];
  readonly recoveries: FaultRecovery[];
  /** Over the faults that took the leader away. */
  readonly failovers: DurationStats;
  /** Over every fault. */
  readonly allFaults: DurationStats;
}

interface CompletedOp {
  readonly f: HistoryEvent['f'];
  readonly invokeMs: number;
  readonly completeMs: number;
  readonly type: 'ok' | 'fail' | 'info';
}

const MUTATIONS: ReadonlySet<string> = new Set(['write', 'cas', 'delete']);

export function analyzeAvailability(events: readonly HistoryEvent[], faults: readonly FaultRecord[], durationMs: number): Availability {
  const completed = completedOps(events);
  const seconds = Math.max(1, Math.ceil(durationMs / 1000));
  const perSecond: SecondOfRun[] = Array.from({ length: seconds }, (_, second) => ({ second, ok: 0, okWrites: 0, fail: 0, info: 0 }));
  for (const op of completed) {
    const bucket = perSecond[Math.min(seconds - 1, Math.max(0, Math.floor(op.completeMs / 1000)))] as SecondOfRun;
    bucket[op.type]++;
    if (op.type === 'ok' && MUTATIONS.has(op.f)) bucket.okWrites++;
  }
  // Acknowledged writes by invoke time, to find the first one at or after each fault's start.
  const okWrites = completed.filter((op) => op.type === 'ok' && MUTATIONS.has(op.f)).sort((a, b) => a.invokeMs - b.invokeMs);
  const recoveries = faults.map((fault): FaultRecovery => {
    let first: number | null = null;
    for (let i = lowerBound(okWrites, fault.startMs); i < okWrites.length; i++) {
      const completeMs = (okWrites[i] as CompletedOp).completeMs;
      if (first === null || completeMs < first) first = completeMs;
      // Later invokes complete later than this one could matter only if they overtake it; stop once past it.
      if ((okWrites[i] as CompletedOp).invokeMs > first) break;
    }
    return { fault, firstOkWriteMs: first, writeOutageMs: first === null ? null : first - fault.startMs };
  });
  return {
    perSecond,
    recoveries,
    failovers: durationStats(recoveries.filter((recovery) => recovery.fault.hitLeader)),
    allFaults: durationStats(recoveries),
  };
}

function completedOps(events: readonly HistoryEvent[]): CompletedOp[] {
  const open = new Map<number, HistoryEvent>();
  const done: CompletedOp[] = [];
  for (const event of events) {
    if (event.type === 'invoke') {
      open.set(event.process, event);
      continue;
    }
    const invoke = open.get(event.process);
    if (!invoke) continue;
    open.delete(event.process);
    done.push({ f: invoke.f, invokeMs: invoke.time, completeMs: event.time, type: event.type });
  }
  return done;
}

function lowerBound(ops: readonly CompletedOp[], invokeMs: number): number {
  let lo = 0;
  let hi = ops.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ops[mid] as CompletedOp).invokeMs < invokeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function durationStats(recoveries: readonly FaultRecovery[]): DurationStats {
  const durations = recoveries
    .map((recovery) => recovery.writeOutageMs)
    .filter((ms): ms is number => ms !== null)
    .sort((a, b) => a - b);
  return {
    count: recoveries.length,
    neverRecovered: recoveries.length - durations.length,
    p50Ms: percentile(durations, 0.5),
    p99Ms: percentile(durations, 0.99),
    maxMs: durations.at(-1) ?? null,
  };
}

/** Nearest rank: the smallest value with at least `q` of the values at or below it. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
