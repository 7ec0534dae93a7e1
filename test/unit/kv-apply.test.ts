import { describe, expect, it } from 'vitest';
import { applyToMap, decodeCommand, encodeCommand, isReservedKey, keyProblem } from '../../src/kv/index.js';
import { MAX_VERDICTS_FORGOTTEN_PER_WRITE } from '../../src/kv/sessions.js';

describe('key-value state machine rules', () => {
  it('compare-and-set treats an absent key as null and compares values by content', () => {
    const state = new Map<string, unknown>();
    expect(applyToMap(state, { op: 'cas', key: 'k', expected: null, next: { a: 1, b: 2 } }).ok).toBe(true);
    expect(applyToMap(state, { op: 'cas', key: 'k', expected: { b: 2, a: 1 }, next: 3 }).ok).toBe(true);
    const refused = applyToMap(state, { op: 'cas', key: 'k', expected: 2, next: 4 });
    expect(refused).toEqual({ ok: false, reason: 'cas-mismatch', current: 3 });
    expect(state.get('k')).toBe(3);
  });

  it('applies a session write once: a retry with the same seq gets the first answer and changes nothing', () => {
    const state = new Map<string, unknown>();
    const session = { clientId: 'c1', seq: 1 };
    expect(applyToMap(state, { op: 'cas', key: 'counter', expected: null, next: 1, session }).ok).toBe(true);
    // The retry would fail as a plain cas (the value is now 1); deduplicated, it answers as the first did.
    expect(applyToMap(state, { op: 'cas', key: 'counter', expected: null, next: 1, session }).ok).toBe(true);
    expect(state.get('counter')).toBe(1);
    applyToMap(state, { op: 'put', key: 'counter', value: 2, session: { clientId: 'c1', seq: 2 } });
    // A retry of the first write after the second (whose floor says the first was answered) is stale.
    const stale = applyToMap(state, { op: 'put', key: 'counter', value: 99, session });
    expect(stale).toEqual({ ok: false, reason: 'stale-sequence', lastSeq: 1 });
    expect(state.get('counter')).toBe(2);
    // Another client's sequence is its own.
    expect(applyToMap(state, { op: 'put', key: 'counter', value: 3, session: { clientId: 'c2', seq: 1 } }).ok).toBe(true);
    expect(state.get('counter')).toBe(3);
  });

  it('with many writes in flight, each retry is deduplicated until the floor passes it', () => {
    const state = new Map<string, unknown>();
    const write = (seq: number, floor: number, value: number) =>
      applyToMap(state, { op: 'cas', key: `k${seq}`, expected: null, next: value, session: { clientId: 'pipe', seq, floor } });
    // Seqs 1..5 in flight at once, applied out of order (as a retry after a leader change can be).
    for (const seq of [2, 1, 4, 3, 5]) expect(write(seq, 1, seq).ok).toBe(true);
    // Every one retried: the first verdict, nothing applied twice (as plain cas they would now fail).
    for (const seq of [1, 2, 3, 4, 5]) expect(write(seq, 1, 100 + seq).ok).toBe(true);
    expect([1, 2, 3, 4, 5].map((seq) => state.get(`k${seq}`))).toEqual([1, 2, 3, 4, 5]);
    // The client heard 1..3: seq 6 says floor 4, and the verdicts of 1..3 are forgotten.
    expect(write(6, 4, 6).ok).toBe(true);
    expect(write(2, 1, 200)).toEqual({ ok: false, reason: 'stale-sequence', lastSeq: 3 });
    expect(write(4, 4, 400).ok).toBe(true); // still kept: deduplicated
    expect(state.get('k4')).toBe(4);
    const verdicts = [...state.keys()].filter((key) => key.includes('session-result/'));
    expect(verdicts).toHaveLength(3); // 4, 5 and 6
  });

  it('a floor that jumps far is caught up a bounded number of verdicts per write', () => {
    const state = new Map<string, unknown>();
    for (let seq = 1; seq <= 200; seq++) applyToMap(state, { op: 'put', key: 'k', value: seq, session: { clientId: 'c', seq, floor: 1 } });
    const count = (): number => [...state.keys()].filter((key) => key.includes('session-result/')).length;
    expect(count()).toBe(200);
    applyToMap(state, { op: 'put', key: 'k', value: 201, session: { clientId: 'c', seq: 201, floor: 201 } });
    expect(count()).toBe(201 - MAX_VERDICTS_FORGOTTEN_PER_WRITE);
    for (let seq = 202; seq <= 205; seq++) applyToMap(state, { op: 'put', key: 'k', value: seq, session: { clientId: 'c', seq, floor: seq } });
    expect(count()).toBe(1); // only the last seq's verdict is left
  });

  it('reads a session head stored before floors (one verdict in the head) and moves it on', () => {
    const state = new Map<string, unknown>([['\u0000session/old', { seq: 7, result: { ok: true, previous: null } }]]);
    expect(applyToMap(state, { op: 'put', key: 'k', value: 'retry', session: { clientId: 'old', seq: 7 } })).toEqual({ ok: true, previous: null });
    expect(state.has('k')).toBe(false);
    expect(applyToMap(state, { op: 'put', key: 'k', value: 'older', session: { clientId: 'old', seq: 6 } })).toMatchObject({ reason: 'stale-sequence' });
    expect(applyToMap(state, { op: 'put', key: 'k', value: 'next', session: { clientId: 'old', seq: 8 } }).ok).toBe(true);
    expect(state.get('k')).toBe('next');
    expect(state.get('\u0000session/old')).toEqual({ floor: 8 });
  });

  it('refuses a write whose fencing token is lower than one already accepted for that key', () => {
    const state = new Map<string, unknown>();
    expect(applyToMap(state, { op: 'put', key: 'job', value: 'holder 7', fencingToken: 7 }).ok).toBe(true);
    expect(applyToMap(state, { op: 'put', key: 'job', value: 'holder 6', fencingToken: 6 })).toEqual({
      ok: false,
      reason: 'stale-fencing-token',
      highestToken: 7,
    });
    expect(applyToMap(state, { op: 'put', key: 'other', value: 'token 1', fencingToken: 1 }).ok).toBe(true);
    expect(state.get('job')).toBe('holder 7');
  });

  it('keeps its own bookkeeping in reserved keys users cannot name', () => {
    const state = new Map<string, unknown>();
    applyToMap(state, { op: 'put', key: 'k', value: 1, fencingToken: 1, session: { clientId: 'c', seq: 1 } });
    const reserved = [...state.keys()].filter(isReservedKey);
    expect(reserved).toHaveLength(3); // the key's fencing token, the session's head and its verdict
    for (const key of reserved) expect(keyProblem(key)).toMatch(/reserved/);
  });

  it('encodes commands so they decode identically', () => {
    const command = { op: 'cas', key: 'k', expected: [1, { x: null }], next: 'v', session: { clientId: 'c', seq: 9 } } as const;
    expect(decodeCommand(encodeCommand(command))).toEqual(command);
    expect(() => decodeCommand(encodeCommand({ nonsense: true } as never))).toThrow(/not a key-value command/);
  });
});
