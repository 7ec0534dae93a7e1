import { describe, expect, it } from 'vitest';
import { applyToMap, decodeCommand, encodeCommand, isReservedKey, keyProblem } from '../../src/kv/index.js';

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
    // A retry of the first write after the second was applied is stale, not applied again.
    const stale = applyToMap(state, { op: 'put', key: 'counter', value: 99, session });
    expect(stale).toEqual({ ok: false, reason: 'stale-sequence', lastSeq: 2 });
    expect(state.get('counter')).toBe(2);
    // Another client's sequence is its own.
    expect(applyToMap(state, { op: 'put', key: 'counter', value: 3, session: { clientId: 'c2', seq: 1 } }).ok).toBe(true);
    expect(state.get('counter')).toBe(3);
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
    expect(reserved).toHaveLength(2);
    for (const key of reserved) expect(keyProblem(key)).toMatch(/reserved/);
  });

  it('encodes commands so they decode identically', () => {
    const command = { op: 'cas', key: 'k', expected: [1, { x: null }], next: 'v', session: { clientId: 'c', seq: 9 } } as const;
    expect(decodeCommand(encodeCommand(command))).toEqual(command);
    expect(() => decodeCommand(encodeCommand({ nonsense: true } as never))).toThrow(/not a key-value command/);
  });
});
