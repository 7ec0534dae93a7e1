// The checking stage of `replikit verify` must be able to fail: hand-written
// histories that are not linearizable, written and parsed as the JSON lines
// verify writes, go through the worker pool and are flagged, each one.

import { describe, expect, it } from 'vitest';
import { lostAcknowledgedWrites, parseHistoryLines, type HistoryEvent, type OpFunction } from '../../src/check/index.js';
import { checkHistoryOnPool } from '../../src/verify/checking-pool.js';

type Outcome = 'ok' | 'fail' | 'info';

interface Op {
  readonly p: number;
  readonly f: OpFunction;
  /** write: value; cas: [expected, next]; read: the value read (null: absent). */
  readonly v: unknown;
  readonly at: readonly [invoke: number, complete: number];
  readonly out?: Outcome;
}

/** The history as verify writes it: JSON lines, events in time order, invoke before complete at equal times. */
function historyLines(key: string, ops: readonly Op[]): string {
  const events: HistoryEvent[] = [];
  for (const op of ops) {
    const invokeValue = op.f === 'read' || op.f === 'delete' ? null : op.v;
    events.push({ process: op.p, type: 'invoke', f: op.f, key, value: invokeValue, time: op.at[0] });
    const out = op.out ?? 'ok';
    events.push({ process: op.p, type: out, f: op.f, key, value: op.f === 'read' ? (out === 'ok' ? op.v : null) : invokeValue, time: op.at[1] });
  }
  events.sort((a, b) => a.time - b.time || (a.type === 'invoke' ? 0 : 1) - (b.type === 'invoke' ? 0 : 1));
  return events.map((event) => JSON.stringify(event)).join('\n');
}

function parsed(text: string): HistoryEvent[] {
  const { events, problems } = parseHistoryLines(text);
  expect(problems).toEqual([]);
  return events;
}

const STALE_READ: Op[] = [
  { p: 0, f: 'write', v: 1, at: [0, 10] },
  { p: 1, f: 'write', v: 2, at: [20, 30] },
  // Both writes were acknowledged before this read began: it must see 2.
  { p: 2, f: 'read', v: 1, at: [40, 50] },
];

const LOST_WRITE: Op[] = [
  { p: 0, f: 'write', v: 1, at: [0, 10] },
  { p: 1, f: 'write', v: 2, at: [20, 30] },
  // The final read, after everything: the acknowledged 2 is gone.
  { p: 2, f: 'read', v: 1, at: [100, 110] },
];

const CAS_TWICE: Op[] = [
  { p: 0, f: 'write', v: 1, at: [0, 10] },
  // Two concurrent cas from 1: only one can win.
  { p: 1, f: 'cas', v: [1, 2], at: [20, 60] },
  { p: 2, f: 'cas', v: [1, 3], at: [25, 65] },
];

const LINEARIZABLE: Op[] = [
  { p: 0, f: 'write', v: 1, at: [0, 10] },
  { p: 1, f: 'cas', v: [1, 2], at: [20, 60] },
  { p: 2, f: 'cas', v: [1, 3], at: [25, 65], out: 'fail' },
  { p: 3, f: 'write', v: 4, at: [30, 70], out: 'info' },
  { p: 0, f: 'read', v: 4, at: [80, 90] },
  { p: 1, f: 'delete', v: null, at: [100, 110] },
  { p: 2, f: 'read', v: null, at: [120, 130] },
];

describe('the checking pool flags what is not linearizable', () => {
  it('flags a stale read, a lost write and a cas that succeeded twice, each on its own key, and passes the good key', async () => {
    const text = [
      historyLines('stale-read', STALE_READ),
      historyLines('lost-write', LOST_WRITE),
      historyLines('cas-twice', CAS_TWICE),
      historyLines('fine', LINEARIZABLE),
    ].join('\n');
    const events = parsed(text);
    // One file, one key after another: the pool takes each key's events apart.
    const checked = await checkHistoryOnPool(events, { threads: 2 });
    const result = Object.fromEntries(checked.verdicts.map((verdict) => [verdict.key, verdict.result]));
    expect(result).toEqual({
      'stale-read': 'not-linearizable',
      'lost-write': 'not-linearizable',
      'cas-twice': 'not-linearizable',
      fine: 'linearizable',
    });
    expect(checked.anomalies).toBe(3);
    expect(checked.unknown).toBe(0);
    const explained = checked.verdicts.find((verdict) => verdict.key === 'cas-twice');
    expect(explained?.result === 'not-linearizable' ? explained.explanation : '').toMatch(/cas/);
  });

  it('counts the lost acknowledged write', () => {
    const lost = lostAcknowledgedWrites(parsed(historyLines('lost-write', LOST_WRITE)));
    expect(lost.count).toBe(1);
    expect(lost.examples[0]).toMatchObject({ key: 'lost-write', value: 2, finalRead: 1 });
  });

  it('says "unknown" rather than hanging when a key runs out of steps or time', async () => {
    const events = parsed(historyLines('k', LINEARIZABLE));
    const outOfSteps = await checkHistoryOnPool(events, { maxSteps: 1, threads: 1 });
    expect(outOfSteps.verdicts[0]?.result).toBe('unknown');
    expect(outOfSteps.anomalies).toBe(0);

    // A worker cannot even start in 1 ms: the wall-clock bound stops it and reports the key.
    const outOfTime = await checkHistoryOnPool(events, { keyTimeoutMs: 1, threads: 1 });
    expect(outOfTime.verdicts[0]).toMatchObject({ key: 'k', result: 'unknown' });
    expect(outOfTime.verdicts[0]?.result === 'unknown' ? outOfTime.verdicts[0].reason : '').toMatch(/longer than 1 ms/);
  });
});
