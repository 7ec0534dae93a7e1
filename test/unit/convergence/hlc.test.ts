import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as hlc from '../../../src/convergence/hlc.js';

const NODE_IDS = ['n1', 'n2', 'n3'] as const;
const MAX_DRIFT_MS = 1_000;

const physicalMs = fc.integer({ min: 0, max: 10_000 });
const timestamp = fc.record({
  wallMs: fc.integer({ min: 0, max: 50 }),
  logical: fc.integer({ min: 0, max: 5 }),
  nodeId: fc.constantFrom(...NODE_IDS),
});

// A node's life: local events and receipts, at physical times that may jump back (NTP steps).
const event = fc.oneof(
  fc.record({ type: fc.constant('now' as const), physicalMs }),
  fc.record({
    type: fc.constant('receive' as const),
    physicalMs,
    remote: fc.record({ wallMs: physicalMs, logical: fc.integer({ min: 0, max: 3 }), nodeId: fc.constantFrom(...NODE_IDS) }),
  }),
);

describe('hybrid logical clock', () => {
  it('a local event at a later physical time takes that time with logical 0', () => {
    const { timestamp: first } = hlc.now(hlc.create('n1'), 1_000);
    expect(first).toEqual({ wallMs: 1_000, logical: 0, nodeId: 'n1' });
  });

  it('a physical clock that stalls or steps back only bumps the logical counter', () => {
    let clock = hlc.now(hlc.create('n1'), 1_000).clock;
    clock = hlc.now(clock, 1_000).clock;
    const { timestamp } = hlc.now(clock, 400);
    expect(timestamp).toEqual({ wallMs: 1_000, logical: 2, nodeId: 'n1' });
  });

  it('receiving a timestamp from a node whose clock is ahead moves our clock past it', () => {
    const remote = { wallMs: 5_000, logical: 7, nodeId: 'n2' };
    const result = hlc.receive(hlc.create('n1'), remote, 4_500, MAX_DRIFT_MS);
    expect(result).toMatchObject({ ok: true, timestamp: { wallMs: 5_000, logical: 8, nodeId: 'n1' } });
  });

  it('refuses a remote timestamp further ahead than maxDriftMs, returning an error and the unchanged clock', () => {
    const clock = hlc.now(hlc.create('n1'), 1_000).clock;
    const remote = { wallMs: 1_000 + MAX_DRIFT_MS + 1, logical: 0, nodeId: 'n2' };
    expect(hlc.receive(clock, remote, 1_000, MAX_DRIFT_MS)).toEqual({
      ok: false,
      error: 'remote-clock-ahead',
      driftMs: MAX_DRIFT_MS + 1,
      maxDriftMs: MAX_DRIFT_MS,
      clock,
    });
    expect(hlc.receive(clock, { ...remote, wallMs: 1_000 + MAX_DRIFT_MS }, 1_000, MAX_DRIFT_MS).ok).toBe(true);
  });

  it('past MAX_LOGICAL_PER_WALL_MS events in one millisecond, the wall moves one millisecond ahead', () => {
    const clock = { wallMs: 10, logical: hlc.MAX_LOGICAL_PER_WALL_MS, nodeId: 'n1' };
    expect(hlc.now(clock, 10).timestamp).toEqual({ wallMs: 11, logical: 0, nodeId: 'n1' });
  });

  it('property: every timestamp a node issues is greater than the one before (monotone per node)', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        let clock = hlc.create('n1');
        let previous: hlc.HlcTimestamp | undefined;
        for (const step of events) {
          const result = step.type === 'now' ? hlc.now(clock, step.physicalMs) : hlc.receive(clock, step.remote, step.physicalMs, MAX_DRIFT_MS);
          if ('ok' in result && !result.ok) continue;
          const issued = (result as { timestamp: hlc.HlcTimestamp }).timestamp;
          if (previous !== undefined) expect(hlc.compare(issued, previous)).toBe(1);
          previous = issued;
          clock = (result as { clock: hlc.HlcClock }).clock;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: receive returns a timestamp greater than both the local clock and the remote one', () => {
    fc.assert(
      fc.property(timestamp, timestamp, fc.integer({ min: 0, max: 60 }), (local, remote, now) => {
        const clock = { ...local, nodeId: 'n1' };
        const result = hlc.receive(clock, remote, now, 1_000);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(hlc.compare(result.timestamp, clock)).toBe(1);
        expect(hlc.compare(result.timestamp, remote)).toBe(1);
        expect(result.timestamp.wallMs).toBe(Math.max(clock.wallMs, remote.wallMs, now));
      }),
      { numRuns: 500 },
    );
  });

  it('property: an accepted remote never puts the clock more than maxDriftMs ahead of physical time', () => {
    fc.assert(
      fc.property(timestamp, fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 20 }), (remote, now, maxDriftMs) => {
        const result = hlc.receive(hlc.create('n1'), remote, now, maxDriftMs);
        expect(result.ok).toBe(remote.wallMs - now <= maxDriftMs);
        if (result.ok) expect(result.clock.wallMs - now).toBeLessThanOrEqual(maxDriftMs);
        else expect(result.clock).toEqual(hlc.create('n1'));
      }),
      { numRuns: 300 },
    );
  });

  it('property: compare is a total order (antisymmetric, transitive, zero exactly for equal timestamps)', () => {
    fc.assert(
      fc.property(timestamp, timestamp, timestamp, (a, b, c) => {
        expect(hlc.compare(a, b)).toBe(-hlc.compare(b, a) || 0);
        expect(hlc.compare(a, b) === 0).toBe(a.wallMs === b.wallMs && a.logical === b.logical && a.nodeId === b.nodeId);
        if (hlc.compare(a, b) <= 0 && hlc.compare(b, c) <= 0) expect(hlc.compare(a, c)).toBeLessThanOrEqual(0);
        // Consistent with sorting: the sorted order of three timestamps does not depend on their input order.
        const sorted = [a, b, c].sort(hlc.compare);
        expect([c, a, b].sort(hlc.compare)).toEqual(sorted);
      }),
      { numRuns: 1_000 },
    );
  });

  it('a timestamp that is not a non-negative integer is an invariant violation, not a returned error', () => {
    expect(() => hlc.now(hlc.create('n1'), 1.5)).toThrow(/physical time/);
    expect(() => hlc.receive(hlc.create('n1'), { wallMs: -1, logical: 0, nodeId: 'n2' }, 0)).toThrow(/wallMs/);
  });
});
