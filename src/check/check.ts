// The checker's entry points: one key's history, or a whole history key by
// key. A register's keys are independent, so a history is linearizable exactly
// when each key's sub-history is; checking keys apart keeps each search small
// and lets `replikit verify` spread keys over a worker pool.

import { splitByKey, type HistoryEvent } from './history.js';
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
 * be passed. A malformed sub-history (see validateHistory) gets 'unknown':
 * nothing sound can be said about it.
 */
export function checkKey(key: string, events: readonly HistoryEvent[], options: CheckOptions = {}): KeyVerdict {
  const own = events.every((e) => e.key === key) ? events : events.filter((e) => e.key === key);
  const { operations, problems } = pairOperations(own);
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

/**
 * Checks every key, in order of first appearance. Problems that span keys (a
 * process with outstanding ops on two keys) do not affect any key's verdict;
 * run validateHistory on the whole history to see them.
 */
export function checkHistory(events: readonly HistoryEvent[], options: CheckOptions = {}): HistoryVerdict {
  const verdicts: KeyVerdict[] = [];
  let anomalies = 0;
  let unknown = 0;
  for (const [key, keyEvents] of splitByKey(events)) {
    const verdict = checkKey(key, keyEvents, options);
    if (verdict.result === 'not-linearizable') anomalies++;
    if (verdict.result === 'unknown') unknown++;
    verdicts.push(verdict);
  }
  return { verdicts, anomalies, unknown };
}
