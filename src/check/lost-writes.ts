// A second, much simpler report for the simulator: acknowledged writes that
// look lost. The linearizability verdict is the real check; this is a line a
// human can act on quickly ("3 acknowledged writes vanished").
//
// An acknowledged (ok) `write` W of value v on key k counts as lost when both:
//  1. nothing observed v after W could have started: no ok read returning v and
//     no ok cas expecting v completes at or after W's invoke; and
//  2. k has a final read — the last ok read invoked strictly after every
//     acknowledged write, cas and delete on k completed — and the value it
//     returned (null = absent) was not produced by any write, cas or delete
//     (acknowledged or unknown outcome) other than W that completes at or after
//     W's invoke, i.e. that overlaps or follows W.
//
// Sound but incomplete: in a linearizable history the final read sees the last
// mutation linearized before it, which is W or something linearized after W and
// so completing after W's invoke; so any count above zero means the key is not
// linearizable. It misses lost writes on keys without a final read, lost cas
// and delete, and writes masked by another write of the same value. Failed ops
// took no effect and are ignored.

import { canonicalJson } from './canonical-json.js';
import { splitByKey, type HistoryEvent } from './history.js';
import { pairOperations, type Operation } from './pairing.js';

/** Lost writes listed in full; the count covers all of them. */
export const MAX_LOST_WRITE_EXAMPLES = 10;

export interface LostWrite {
  key: string;
  process: number;
  value: unknown;
  invokeTime: number;
  completeTime: number;
  /** What the key's final read returned instead. */
  finalRead: unknown;
}

export interface LostWritesReport {
  count: number;
  examples: LostWrite[];
}

export function lostAcknowledgedWrites(events: readonly HistoryEvent[]): LostWritesReport {
  const report: LostWritesReport = { count: 0, examples: [] };
  for (const [key, keyEvents] of splitByKey(events)) {
    // Malformed events are skipped by the pairing; validateHistory reports them.
    for (const lost of lostWritesOfKey(key, pairOperations(keyEvents).operations)) {
      report.count++;
      if (report.examples.length < MAX_LOST_WRITE_EXAMPLES) report.examples.push(lost);
    }
  }
  return report;
}

function lostWritesOfKey(key: string, ops: readonly Operation[]): LostWrite[] {
  const mutations = ops.filter((op) => op.f !== 'read');
  let lastAcknowledgedMutation = -Infinity;
  for (const op of mutations) {
    if (op.outcome === 'ok') lastAcknowledgedMutation = Math.max(lastAcknowledgedMutation, op.completeTime);
  }
  const finalReads = ops.filter((op) => op.f === 'read' && op.outcome === 'ok' && op.invokeTime > lastAcknowledgedMutation);
  const finalRead = finalReads.reduce<Operation | undefined>(
    (latest, op) => (latest === undefined || op.completeTime >= latest.completeTime ? op : latest),
    undefined,
  );
  if (!finalRead) return [];

  // For each value: the latest completion of an op that observed it, and of one that produced it.
  const lastObserved = new Map<string, number>();
  const lastProduced = new Map<string, number>();
  const note = (map: Map<string, number>, value: unknown, time: number): void => {
    const canonical = canonicalJson(value);
    map.set(canonical, Math.max(map.get(canonical) ?? -Infinity, time));
  };
  for (const op of ops) {
    const cas = op.f === 'cas' && Array.isArray(op.value) ? op.value : undefined;
    if (op.outcome === 'ok' && op.f === 'read') note(lastObserved, op.value, op.completeTime);
    if (op.outcome === 'ok' && cas) note(lastObserved, cas[0], op.completeTime);
    if (op.f === 'write') note(lastProduced, op.value, op.completeTime);
    if (op.f === 'delete') note(lastProduced, null, op.completeTime);
    if (cas) note(lastProduced, cas[1], op.completeTime);
  }

  const finalValue = canonicalJson(finalRead.value);
  const lost: LostWrite[] = [];
  for (const write of ops) {
    if (write.f !== 'write' || write.outcome !== 'ok') continue;
    const value = canonicalJson(write.value);
    if ((lastObserved.get(value) ?? -Infinity) >= write.invokeTime) continue;
    // `value` differs from the final read's (else the final read observed it), so the
    // latest producer of the final value is not this write.
    if ((lastProduced.get(finalValue) ?? -Infinity) >= write.invokeTime) continue;
    lost.push({
      key,
      process: write.process,
      value: write.value,
      invokeTime: write.invokeTime,
      completeTime: write.completeTime,
      finalRead: finalRead.value,
    });
  }
  return lost;
}
