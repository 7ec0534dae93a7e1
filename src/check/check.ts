// The checker's entry points: one key's history, or a whole history key by
// key. A register's keys are independent, so a history is linearizable exactly
// when each key's sub-history is; checking keys apart keeps each search small
// and lets `replikit verify` spread keys over a worker pool.

import type { HistoryEvent } from './history.js';
import { searchLinearization } from './linearizability.js';
import { pairOperations } from './pairing.js';
import { explainNotLinearizable } from './report.js';

export interface CheckOptions {
  /** Search budget per key, in steps; past it the key's verdict is 'unknown'. */
  maxSteps?: number;
  /** Memory for the search's visited set per key; past it the key's verdict is 'unknown'. */
  maxCacheBytes?: number;
}

export type KeyVerdict =
  | { key: string; result: 'linearizable'; ops: number }
  | { key: string; result: 'not-linearizable'; ops: number; explanation: string }
  | { key: string; result: 'unknown'; ops: number; reason: string };

export interface HistoryVerdict {
  verdicts: KeyVerdict[];
  /** Keys found not linearizable. */
  anomalies: number;
  /** Keys the checker could not decide (malformed, or over budget). */
  unknown: number;
}

/** Problems quoted in an 'unknown' verdict for a malformed history. */
const MAX_QUOTED_PROBLEMS = 3;

/**
 * Checks one key. Events for other keys are ignored, so the whole history may
 * be passed; event numbers in the verdict are indexes into `events`. A
 * malformed sub-history (see validateHistory) gets 'unknown': nothing sound can
 * be said about it.
 */
export function checkKey(key: string, events: readonly HistoryEvent[], options: CheckOptions = {}): KeyVerdict {
  if (events.every((e) => e.key === key)) return checkEvents(key, events, undefined, options);
  const numbering: number[] = [];
  events.forEach((e, i) => {
    if (e.key === key) numbering.push(i);
  });
  return checkEvents(
    key,
    numbering.map((i) => events[i] as HistoryEvent),
    numbering,
    options,
  );
}

/**
 * Checks every key, in order of first appearance; event numbers in verdicts
 * are indexes into `events`. Problems that span keys (a process with
 * outstanding ops on two keys) do not affect any key's verdict; run
 * validateHistory on the whole history to see them.
 */
export function checkHistory(events: readonly HistoryEvent[], options: CheckOptions = {}): HistoryVerdict {
  const indexesByKey = new Map<string, number[]>();
  events.forEach((event, i) => {
    const indexes = indexesByKey.get(event.key);
    if (indexes) indexes.push(i);
    else indexesByKey.set(event.key, [i]);
  });
  const verdicts: KeyVerdict[] = [];
  let anomalies = 0;
  let unknown = 0;
  for (const [key, indexes] of indexesByKey) {
    const verdict = checkEvents(
      key,
      indexes.map((i) => events[i] as HistoryEvent),
      indexes,
      options,
    );
    if (verdict.result === 'not-linearizable') anomalies++;
    if (verdict.result === 'unknown') unknown++;
    verdicts.push(verdict);
  }
  return { verdicts, anomalies, unknown };
}

function checkEvents(key: string, events: readonly HistoryEvent[], numbering: readonly number[] | undefined, options: CheckOptions): KeyVerdict {
  const { operations, problems } = pairOperations(events, numbering);
  const ops = operations.length;
  if (problems.length > 0) {
    const quoted = problems.slice(0, MAX_QUOTED_PROBLEMS).join('; ');
    const more = problems.length > MAX_QUOTED_PROBLEMS ? ` (and ${problems.length - MAX_QUOTED_PROBLEMS} more)` : '';
    return { key, result: 'unknown', ops, reason: `malformed history: ${quoted}${more}` };
  }
  const search = searchLinearization(operations, options);
  switch (search.result) {
    case 'linearizable':
      return { key, result: 'linearizable', ops };
    case 'not-linearizable':
      return { key, result: 'not-linearizable', ops, explanation: explainNotLinearizable(operations, search.stuck) };
    case 'unknown':
      return { key, result: 'unknown', ops, reason: search.reason };
  }
}
