import { describe, it, expect } from 'vitest';
import {
  checkHistory,
  checkKey,
  lostAcknowledgedWrites,
  pairOperations,
  parseHistoryLines,
  searchLinearization,
  splitByKey,
  validateHistory,
  type HistoryEvent,
  type OpFunction,
  type Operation,
} from '../../src/check/index.js';

// ---------------------------------------------------------------- helpers

type Outcome = 'ok' | 'fail' | 'info' | 'pending';

interface OpSpec {
  p: number;
  f: OpFunction;
  /** read: the value read; write: the value; cas: [expected, next]; delete: ignored. */
  v?: unknown;
  at: [invoke: number, complete: number];
  out?: Outcome;
}

const read = (p: number, v: unknown, at: [number, number], out: Outcome = 'ok'): OpSpec => ({ p, f: 'read', v, at, out });
const write = (p: number, v: unknown, at: [number, number], out: Outcome = 'ok'): OpSpec => ({ p, f: 'write', v, at, out });
const cas = (p: number, from: unknown, to: unknown, at: [number, number], out: Outcome = 'ok'): OpSpec => ({
  p,
  f: 'cas',
  v: [from, to],
  at,
  out,
});
const del = (p: number, at: [number, number], out: Outcome = 'ok'): OpSpec => ({ p, f: 'delete', v: null, at, out });

/** Events for the ops, ordered by time; at equal times invokes come first (they are concurrent anyway). */
function history(specs: readonly OpSpec[], key = 'k'): HistoryEvent[] {
  const events: { event: HistoryEvent; order: number }[] = [];
  specs.forEach((s, i) => {
    const invokeValue = s.f === 'read' ? null : s.f === 'delete' ? null : s.v;
    events.push({ event: { process: s.p, type: 'invoke', f: s.f, key, value: invokeValue, time: s.at[0] }, order: 2 * i });
    const out = s.out ?? 'ok';
    if (out === 'pending') return;
    const value = s.f === 'read' ? (out === 'ok' ? s.v : null) : invokeValue;
    events.push({ event: { process: s.p, type: out, f: s.f, key, value, time: s.at[1] }, order: 2 * i + 1 });
  });
  events.sort((a, b) => a.event.time - b.event.time || typeInvokeFirst(a.event, b.event) || a.order - b.order);
  return events.map((e) => e.event);
}

function typeInvokeFirst(a: HistoryEvent, b: HistoryEvent): number {
  return (a.type === 'invoke' ? 0 : 1) - (b.type === 'invoke' ? 0 : 1);
}

function verdictOf(specs: readonly OpSpec[]): string {
  return checkKey('k', history(specs)).result;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A legal sequential history, blurred: op i takes effect at time 100·(i+1) and
 * its interval stretches up to `spread` either side of that point, so real-time
 * order never contradicts the order the ops took effect in. Processes are handed
 * out so that each has one op outstanding at a time.
 */
function randomLegalHistory(seed: number, count: number, spread: number): OpSpec[] {
  const random = mulberry32(seed);
  const int = (below: number): number => Math.floor(random() * below);
  let current: unknown = null;
  const specs: OpSpec[] = [];
  for (let i = 0; i < count; i++) {
    const point = 100 * (i + 1);
    const at: [number, number] = [point - int(spread), point + int(spread)];
    const roll = random();
    // A small pool of values so that the same value is written more than once.
    const value = roll < 0.5 ? int(5) : `v${i}`;
    if (roll < 0.4) {
      specs.push(read(-1, current, at));
    } else if (roll < 0.65) {
      specs.push(write(-1, value, at));
      current = value;
    } else if (roll < 0.75) {
      specs.push(cas(-1, current, `c${i}`, at));
      current = `c${i}`;
    } else if (roll < 0.82) {
      specs.push(cas(-1, 'never-expected', `x${i}`, at, 'fail'));
    } else if (roll < 0.88) {
      specs.push(del(-1, at));
      current = null;
    } else if (roll < 0.92) {
      specs.push(read(-1, 'whatever', at, random() < 0.5 ? 'info' : 'fail'));
    } else {
      // An unknown outcome (timed out, or still running when the history ends) that took effect, or not.
      specs.push(write(-1, `i${i}`, at, random() < 0.8 ? 'info' : 'pending'));
      if (random() < 0.5) current = `i${i}`;
    }
  }
  assignProcesses(specs);
  return specs;
}

function assignProcesses(specs: OpSpec[]): void {
  const busyUntil: number[] = [];
  const byInvoke = [...specs].sort((a, b) => a.at[0] - b.at[0]);
  for (const spec of byInvoke) {
    let p = busyUntil.findIndex((until) => until < spec.at[0]);
    if (p < 0) p = busyUntil.push(0) - 1;
    // A pending op keeps its process forever.
    busyUntil[p] = spec.out === 'pending' ? Infinity : spec.at[1];
    spec.p = p;
  }
}

/** Up to 7 ops with arbitrary values, outcomes and overlaps: often not linearizable. */
function randomArbitraryHistory(seed: number): OpSpec[] {
  const random = mulberry32(seed);
  const int = (below: number): number => Math.floor(random() * below);
  const value = (): unknown => (random() < 0.2 ? null : int(3));
  const outcome = (): Outcome => {
    const roll = random();
    return roll < 0.7 ? 'ok' : roll < 0.8 ? 'fail' : roll < 0.95 ? 'info' : 'pending';
  };
  const specs: OpSpec[] = [];
  const count = 1 + int(7);
  for (let i = 0; i < count; i++) {
    const start = int(20);
    const at: [number, number] = [start, start + int(8)];
    const roll = random();
    if (roll < 0.4) specs.push(read(-1, value(), at, outcome()));
    else if (roll < 0.7) specs.push(write(-1, int(3), at, outcome()));
    else if (roll < 0.9) specs.push(cas(-1, value(), int(3), at, outcome()));
    else specs.push(del(-1, at, outcome()));
  }
  assignProcesses(specs);
  return specs;
}

/**
 * The definition, searched exhaustively: is there an order of all acknowledged
 * ops and any subset of unknown-outcome ops that respects real time and the
 * register's semantics? A set of visited (placed ops, state) pairs keeps it
 * finite; none of the checker's shortcuts are used. For up to ~25 ops.
 */
function bruteForceLinearizable(ops: readonly Operation[]): boolean {
  const canonical = (x: unknown): string => JSON.stringify(x ?? null);
  const apply = (state: string, op: Operation): string | undefined => {
    if (op.f === 'read') return canonical(op.value) === state ? state : undefined;
    if (op.f === 'write') return canonical(op.value);
    if (op.f === 'delete') return 'null';
    const [expected, next] = op.value as [unknown, unknown];
    return canonical(expected) === state ? canonical(next) : undefined;
  };
  const acknowledged = ops.reduce((mask, op, i) => (op.outcome === 'ok' ? mask | (1 << i) : mask), 0);
  const seen = new Set<string>();
  const pending: [placed: number, state: string][] = [[0, 'null']];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [placed, state] = next;
    if ((placed & acknowledged) === acknowledged) return true;
    if (seen.has(`${placed}|${state}`)) continue;
    seen.add(`${placed}|${state}`);
    ops.forEach((op, i) => {
      if (placed & (1 << i)) return;
      // Real time: nothing unplaced may have completed before this op was invoked.
      if (ops.some((other, j) => !(placed & (1 << j)) && other.completeTime < op.invokeTime)) return;
      const after = apply(state, op);
      if (after !== undefined) pending.push([placed | (1 << i), after]);
    });
  }
  return false;
}

// ---------------------------------------------------------------- must fail

describe('histories that are not linearizable', () => {
  it('flags a stale read: an old value read after a newer write completed', () => {
    const verdict = checkKey('k', history([write(0, 1, [0, 1]), write(0, 2, [2, 3]), read(1, 1, [4, 5])]));
    expect(verdict.result).toBe('not-linearizable');
    if (verdict.result !== 'not-linearizable') return;
    expect(verdict.explanation).toContain('read returning 1 by process 1');
    expect(verdict.explanation).toContain('[2]');
  });

  it('flags a lost write: an acknowledged write that later reads never see', () => {
    const specs = [write(0, 'a', [0, 1]), write(1, 'b', [2, 3]), read(2, 'a', [10, 11]), read(3, 'a', [12, 13])];
    expect(verdictOf(specs)).toBe('not-linearizable');
    expect(lostAcknowledgedWrites(history(specs)).count).toBe(1);
  });

  it('flags a cas that succeeds twice from the same expected value', () => {
    expect(verdictOf([write(0, 0, [0, 1]), cas(1, 0, 1, [2, 10]), cas(2, 0, 2, [3, 9])])).toBe('not-linearizable');
  });

  it('flags a read of a value never written', () => {
    const verdict = checkKey('k', history([write(0, 'x', [0, 1]), read(1, 'ghost', [0, 5])]));
    expect(verdict.result).toBe('not-linearizable');
    if (verdict.result === 'not-linearizable') expect(verdict.explanation).toContain('no operation on this key ever wrote "ghost"');
  });

  it("flags a read of a deleted key's old value after the delete completed", () => {
    expect(verdictOf([write(0, 'x', [0, 1]), del(0, [2, 3]), read(1, 'x', [4, 5])])).toBe('not-linearizable');
  });

  it('flags a non-null read of a key nothing wrote: keys start absent', () => {
    expect(verdictOf([read(0, 1, [0, 1])])).toBe('not-linearizable');
  });

  it('flags reads that see an unknown-outcome write take effect and then undo', () => {
    expect(verdictOf([write(0, 1, [0, 1]), write(1, 2, [2, 3], 'info'), read(2, 2, [4, 5]), read(2, 1, [6, 7])])).toBe('not-linearizable');
  });

  it('flags a failed write whose value is read anyway', () => {
    expect(verdictOf([write(0, 1, [0, 1]), write(1, 2, [2, 3], 'fail'), read(2, 2, [4, 5])])).toBe('not-linearizable');
  });

  it('flags reads in two orders that no single order of two concurrent writes explains', () => {
    const specs = [write(0, 1, [0, 10]), write(1, 2, [0, 10]), read(2, 1, [11, 12]), read(2, 2, [13, 14]), read(3, 1, [15, 16])];
    expect(verdictOf(specs)).toBe('not-linearizable');
  });
});

// ---------------------------------------------------------------- must pass

describe('histories that are linearizable', () => {
  it('passes concurrent writes with later reads seeing either order', () => {
    expect(verdictOf([write(0, 1, [0, 10]), write(1, 2, [0, 10]), read(2, 1, [11, 12])])).toBe('linearizable');
    expect(verdictOf([write(0, 1, [0, 10]), write(1, 2, [0, 10]), read(2, 2, [11, 12])])).toBe('linearizable');
  });

  it('passes reads concurrent with a write that see the old value and then the new', () => {
    const specs = [write(0, 1, [0, 1]), write(1, 2, [2, 20]), read(2, 1, [3, 4]), read(2, 2, [5, 6]), read(3, 2, [21, 22])];
    expect(verdictOf(specs)).toBe('linearizable');
  });

  it('passes an unknown-outcome write that took effect', () => {
    expect(verdictOf([write(0, 1, [0, 1]), write(1, 2, [2, 3], 'info'), read(2, 2, [4, 5])])).toBe('linearizable');
  });

  it('passes an unknown-outcome write that did not take effect', () => {
    expect(verdictOf([write(0, 1, [0, 1]), write(1, 2, [2, 3], 'info'), read(2, 1, [4, 5])])).toBe('linearizable');
  });

  it('passes an unknown-outcome write that took effect long after it timed out', () => {
    expect(verdictOf([write(0, 1, [0, 1]), write(1, 2, [2, 3], 'info'), read(2, 1, [40, 50]), read(2, 2, [60, 70])])).toBe('linearizable');
  });

  it('passes a chain of unknown-outcome ops that a later read depends on', () => {
    // Only write 2 and then cas 2 -> 3, both timed out, explain the read of 3.
    const specs = [write(0, 1, [0, 1]), write(1, 2, [2, 3], 'info'), cas(2, 2, 3, [4, 5], 'info'), read(3, 3, [10, 11])];
    expect(verdictOf(specs)).toBe('linearizable');
    expect(verdictOf([...specs.slice(0, 2), cas(2, 9, 3, [4, 5], 'info'), specs[3] as OpSpec])).toBe('not-linearizable');
  });

  it('passes a timed-out delete that a later read of null observed', () => {
    expect(verdictOf([write(0, 1, [0, 1]), del(1, [2, 3], 'info'), read(2, null, [4, 5]), read(2, null, [6, 7])])).toBe('linearizable');
  });

  it('passes an op that never completed before the history ended', () => {
    expect(verdictOf([write(0, 1, [0, 1]), write(1, 2, [2, 3], 'pending'), read(2, 2, [4, 5])])).toBe('linearizable');
  });

  it('passes a failed cas, which did not take effect', () => {
    expect(verdictOf([write(0, 1, [0, 1]), cas(1, 5, 6, [2, 3], 'fail'), read(2, 1, [4, 5])])).toBe('linearizable');
  });

  it('passes a successful cas chain, including cas from absent', () => {
    expect(verdictOf([cas(0, null, 'a', [0, 1]), cas(0, 'a', 'b', [2, 3]), read(1, 'b', [4, 5])])).toBe('linearizable');
  });

  it('passes delete then read null', () => {
    expect(verdictOf([write(0, 'x', [0, 1]), del(0, [2, 3]), read(1, null, [4, 5])])).toBe('linearizable');
  });

  it('passes a read of null before anything was written', () => {
    expect(verdictOf([read(0, null, [0, 1]), write(0, 1, [2, 3])])).toBe('linearizable');
  });

  it('treats a completion and an invoke at the same time as concurrent', () => {
    // The read is invoked exactly when the write returns, so it may be ordered before it.
    expect(verdictOf([write(0, 1, [0, 1]), write(0, 2, [2, 5]), read(1, 1, [5, 6])])).toBe('linearizable');
    expect(verdictOf([write(0, 1, [0, 1]), write(0, 2, [2, 5]), read(1, 1, [6, 7])])).toBe('not-linearizable');
  });

  it('compares values structurally, whatever the key order of objects', () => {
    expect(verdictOf([write(0, { a: 1, b: [1, 2] }, [0, 1]), read(1, { b: [1, 2], a: 1 }, [2, 3])])).toBe('linearizable');
  });

  it('drops reads that failed or timed out', () => {
    expect(verdictOf([write(0, 1, [0, 1]), read(1, null, [2, 3], 'fail'), read(2, null, [2, 3], 'info')])).toBe('linearizable');
  });
});

// ---------------------------------------------------------------- randomized

describe('randomized histories', () => {
  it('passes blurred legal histories and fails them once a read returns a value never written', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const specs = randomLegalHistory(seed, 300, 30 + (seed % 4) * 60);
      const events = history(specs);
      expect(validateHistory(events), `seed ${seed}`).toEqual([]);
      expect(checkKey('k', events).result, `seed ${seed}`).toBe('linearizable');
      expect(lostAcknowledgedWrites(events).count, `seed ${seed}`).toBe(0);

      const random = mulberry32(seed * 7919);
      const okReads = events.filter((e) => e.f === 'read' && e.type === 'ok');
      const victim = okReads[Math.floor(random() * okReads.length)];
      if (!victim) continue;
      const mutated = events.map((e) => (e === victim ? { ...e, value: 'never-written' } : e));
      expect(checkKey('k', mutated).result, `seed ${seed} mutated`).toBe('not-linearizable');
    }
  });

  it('agrees with an exhaustive search on small random histories, linearizable or not', () => {
    let anomalies = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const events = history(randomArbitraryHistory(seed));
      const { operations } = pairOperations(events);
      const expected = bruteForceLinearizable(operations) ? 'linearizable' : 'not-linearizable';
      if (expected === 'not-linearizable') anomalies++;
      expect(checkKey('k', events).result, `seed ${seed}`).toBe(expected);
    }
    // The generator must produce both kinds for the comparison to mean anything.
    expect(anomalies).toBeGreaterThan(300);
    expect(anomalies).toBeLessThan(2700);
  });

  it('agrees with an exhaustive search on perturbed legal histories of up to 22 ops', () => {
    let compared = 0;
    let anomalies = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const random = mulberry32(seed * 31);
      const specs = randomLegalHistory(seed, 10 + Math.floor(random() * 12), 50 + Math.floor(random() * 300));
      // Change up to two reads to a small value: sometimes still legal, often not.
      for (let k = 0; k < 2; k++) {
        const reads = specs.filter((spec) => spec.f === 'read' && spec.out === 'ok');
        const victim = reads[Math.floor(random() * reads.length)];
        if (victim && random() < 0.6) victim.v = random() < 0.2 ? null : Math.floor(random() * 5);
      }
      const events = history(specs);
      const { operations } = pairOperations(events);
      if (operations.length > 22) continue;
      compared++;
      const expected = bruteForceLinearizable(operations) ? 'linearizable' : 'not-linearizable';
      if (expected === 'not-linearizable') anomalies++;
      expect(checkKey('k', events).result, `seed ${seed}`).toBe(expected);
    }
    expect(compared).toBeGreaterThan(1500);
    expect(anomalies).toBeGreaterThan(compared / 5);
    expect(anomalies).toBeLessThan((compared * 4) / 5);
  });

  it('checks a 2,000-op concurrent history within the default budget', () => {
    const specs = randomLegalHistory(2024, 2000, 250);
    const concurrency = Math.max(...specs.map((s) => s.p)) + 1;
    const events = history(specs);
    const started = performance.now();
    const verdict = checkKey('k', events);
    const elapsedMs = performance.now() - started;
    expect(verdict.result).toBe('linearizable');
    // Steps, unlike time, do not depend on the machine: this keeps the test honest about cost.
    const search = searchLinearization(pairOperations(events).operations);
    expect(search.steps).toBeLessThan(100_000);
    console.log(`2,000 ops over ${concurrency} processes: ${search.steps} steps, checkKey ${elapsedMs.toFixed(1)} ms`);
  });
});

// ---------------------------------------------------------------- budget

describe('search budget', () => {
  it('returns unknown when the step budget runs out', () => {
    const events = history(randomLegalHistory(7, 500, 400));
    const verdict = checkKey('k', events, { maxSteps: 10 });
    expect(verdict.result).toBe('unknown');
    if (verdict.result === 'unknown') expect(verdict.reason).toContain('10 steps');
  });

  it('returns unknown when the visited-state memory budget runs out', () => {
    const events = history(randomLegalHistory(7, 500, 400));
    const verdict = checkKey('k', events, { maxCacheBytes: 1000 });
    expect(verdict.result).toBe('unknown');
  });
});

// ---------------------------------------------------------------- whole histories

describe('checkHistory', () => {
  it('checks keys independently and counts anomalies', () => {
    const events = [
      ...history([write(0, 1, [0, 1]), read(0, 1, [2, 3])], 'good'),
      ...history([write(1, 1, [0, 1]), read(1, 2, [2, 3])], 'bad'),
      ...history([write(2, 1, [0, 1]), read(2, 1, [2, 3])], 'also-good'),
    ].sort((a, b) => a.time - b.time);
    const result = checkHistory(events);
    expect(result.anomalies).toBe(1);
    expect(result.unknown).toBe(0);
    expect(result.verdicts.map((v) => [v.key, v.result])).toEqual([
      ['good', 'linearizable'],
      ['bad', 'not-linearizable'],
      ['also-good', 'linearizable'],
    ]);
    expect(structuredClone(result)).toEqual(result);
  });

  it('points explanations at event numbers in the whole history', () => {
    const events = [...history([write(0, 1, [0, 1])], 'other'), ...history([write(1, 1, [2, 3]), read(1, 2, [4, 5])], 'bad')];
    const verdict = checkHistory(events).verdicts[1];
    expect(verdict?.result).toBe('not-linearizable');
    if (verdict?.result === 'not-linearizable') expect(verdict.explanation).toContain('history event #4');
    const single = checkKey('bad', events);
    if (single.result === 'not-linearizable') expect(single.explanation).toContain('history event #4');
    expect(single.result).toBe('not-linearizable');
  });

  it('counts operations per key, leaving out failed ops and failed reads', () => {
    const verdict = checkKey('k', history([write(0, 1, [0, 1]), cas(0, 9, 2, [2, 3], 'fail'), write(1, 3, [4, 5], 'info')]));
    expect(verdict).toEqual({ key: 'k', result: 'linearizable', ops: 2 });
  });

  it('splits by key in order of first appearance', () => {
    const events = history([write(0, 1, [0, 1])], 'b').concat(history([write(1, 1, [2, 3])], 'a'));
    expect([...splitByKey(events).keys()]).toEqual(['b', 'a']);
  });
});

// ---------------------------------------------------------------- validation

describe('validateHistory', () => {
  const at = (time: number, type: HistoryEvent['type'], process = 0, f: OpFunction = 'write', value: unknown = 1): HistoryEvent => ({
    process,
    type,
    f,
    key: 'k',
    value,
    time,
  });

  it('accepts a well-formed history, including an op still pending at the end', () => {
    expect(validateHistory([at(0, 'invoke'), at(1, 'ok'), at(2, 'invoke')])).toEqual([]);
  });

  it('reports a completion without an invoke', () => {
    expect(validateHistory([at(0, 'ok')])).toEqual([expect.stringContaining('no outstanding invoke')]);
  });

  it('reports two outstanding ops on one process', () => {
    expect(validateHistory([at(0, 'invoke'), at(1, 'invoke')])).toEqual([expect.stringContaining('outstanding')]);
  });

  it('reports time going backwards', () => {
    expect(validateHistory([at(5, 'invoke'), at(4, 'ok')])).toEqual([expect.stringContaining('goes backwards')]);
  });

  it('reports a badly shaped cas value and other bad fields', () => {
    expect(validateHistory([at(0, 'invoke', 0, 'cas', 7)])).toEqual([expect.stringContaining('[expected, next]')]);
    const bad = { process: 'p', type: 'done', f: 'read', key: 3, value: null, time: NaN } as unknown as HistoryEvent;
    expect(validateHistory([bad])[0]).toMatch(/process.*type.*key.*time/);
  });

  it('reports a completion whose function or key differs from its invoke', () => {
    expect(validateHistory([at(0, 'invoke'), at(1, 'ok', 0, 'read')])).toEqual([expect.stringContaining('completes')]);
  });

  it('makes checkKey answer unknown for a malformed history instead of guessing', () => {
    const verdict = checkKey('k', [at(0, 'ok')]);
    expect(verdict.result).toBe('unknown');
    if (verdict.result === 'unknown') expect(verdict.reason).toContain('malformed history');
  });

  it('caps the number of problems reported', () => {
    const events = Array.from({ length: 500 }, (_, i) => at(i, 'ok'));
    const problems = validateHistory(events);
    expect(problems.length).toBe(101);
    expect(problems[100]).toContain('400 more');
  });
});

describe('parseHistoryLines', () => {
  it('parses JSON lines and reports the lines it could not use', () => {
    const text = [
      '{"process":0,"type":"invoke","f":"write","key":"k","value":1,"time":0}',
      '',
      'not json',
      '{"process":0,"type":"ok","f":"write","key":"k","value":1,"time":1}',
      '{"process":0,"type":"bogus","f":"write","key":"k","value":1,"time":2}',
    ].join('\n');
    const { events, problems } = parseHistoryLines(text);
    expect(events).toHaveLength(2);
    expect(problems).toEqual([expect.stringMatching(/^line 3: not JSON/), expect.stringMatching(/^line 5: type/)]);
    expect(checkKey('k', events).result).toBe('linearizable');
  });
});

// ---------------------------------------------------------------- lost writes

describe('lostAcknowledgedWrites', () => {
  it('does not count a write overwritten by a concurrent or later write', () => {
    expect(lostAcknowledgedWrites(history([write(0, 'a', [0, 10]), write(1, 'b', [5, 6]), read(2, 'b', [20, 21])])).count).toBe(0);
    expect(lostAcknowledgedWrites(history([write(0, 'a', [0, 1]), write(1, 'b', [2, 3]), read(2, 'b', [20, 21])])).count).toBe(0);
  });

  it('does not count a write that a read observed before it was overwritten', () => {
    const specs = [write(0, 'a', [0, 1]), read(1, 'a', [2, 3]), write(0, 'b', [4, 5]), read(2, 'b', [20, 21])];
    expect(lostAcknowledgedWrites(history(specs)).count).toBe(0);
  });

  it('does not count a write overwritten by an unknown-outcome write', () => {
    expect(lostAcknowledgedWrites(history([write(0, 'a', [0, 1]), write(1, 'b', [2, 3], 'info'), read(2, 'b', [20, 21])])).count).toBe(0);
  });

  it('counts a write undone by a rollback to an older value, and says what was read', () => {
    const specs = [write(0, 'old', [0, 1]), write(0, 'new', [2, 3]), read(1, 'old', [10, 11])];
    const report = lostAcknowledgedWrites(history(specs));
    expect(report.count).toBe(1);
    expect(report.examples[0]).toMatchObject({ key: 'k', value: 'new', finalRead: 'old' });
  });

  it('counts a write when the key reads absent afterwards with no delete', () => {
    expect(lostAcknowledgedWrites(history([write(0, 'x', [0, 1]), read(1, null, [10, 11])])).count).toBe(1);
    expect(lostAcknowledgedWrites(history([write(0, 'x', [0, 1]), del(0, [2, 3]), read(1, null, [10, 11])])).count).toBe(0);
  });

  it('says nothing about a key without a read after the last acknowledged write', () => {
    expect(lostAcknowledgedWrites(history([write(0, 'x', [0, 1]), read(1, null, [0, 5]), write(0, 'y', [6, 7])])).count).toBe(0);
  });
});
