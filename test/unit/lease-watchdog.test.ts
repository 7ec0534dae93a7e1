import { describe, expect, it } from 'vitest';
import { DEFAULT_HOST_TIMING, hostTimingProblem } from '../../src/host/host-supervisor.js';
import { judgeLease } from '../../src/host/lease-watchdog.js';
import { BeaconReader, BeaconWriter, createBeaconBuffer } from '../../src/node/liveness-beacon.js';

describe('the liveness beacon', () => {
  it('carries the core clock and the lease from the node thread to the host, to the microsecond', () => {
    const buffer = createBeaconBuffer();
    const writer = new BeaconWriter(buffer);
    const reader = new BeaconReader(buffer);
    expect(reader.read()).toEqual({ coreClockMs: 0, leaseUntilMs: 0, aliveAtMs: 0 });
    writer.publish(1_700_000_000_123.456, 1_700_000_000_173.456);
    expect(reader.read()).toEqual({ coreClockMs: 1_700_000_000_123.456, leaseUntilMs: 1_700_000_000_173.456, aliveAtMs: 1_700_000_000_123.456 });
    writer.alive(1_700_000_000_150);
    expect(reader.read().aliveAtMs).toBe(1_700_000_000_150);
    writer.publish(1_700_000_000_200, 0);
    expect(reader.read()).toEqual({ coreClockMs: 1_700_000_000_200, leaseUntilMs: 0, aliveAtMs: 1_700_000_000_200 });
  });

  it('refuses a buffer of the wrong size', () => {
    expect(() => new BeaconReader(new SharedArrayBuffer(8))).toThrow(/wrong size/);
  });
});

describe('the lease watchdog', () => {
  const graceMs = 30;

  it('leaves alone a node without a lease, or whose lease still runs', () => {
    expect(judgeLease({ coreClockMs: 100, leaseUntilMs: 0, aliveAtMs: 100 }, 10_000, graceMs)).toBe('no-lease');
    expect(judgeLease({ coreClockMs: 100, leaseUntilMs: 150, aliveAtMs: 100 }, 149, graceMs)).toBe('held');
  });

  it('leaves alone a leader whose core has seen its lease lapse, however late the host looks', () => {
    expect(judgeLease({ coreClockMs: 150, leaseUntilMs: 150, aliveAtMs: 150 }, 151, graceMs)).toBe('lapse-seen');
    expect(judgeLease({ coreClockMs: 400, leaseUntilMs: 150, aliveAtMs: 400 }, 10_000, graceMs)).toBe('lapse-seen');
  });

  it('counts the silence only from when the watchdog itself ran on time: a starved host shoots no one for its own gap', () => {
    const silent = { coreClockMs: 140, leaseUntilMs: 150, aliveAtMs: 150 };
    expect(judgeLease(silent, 200, graceMs)).toBe('shoot');
    // The watchdog's previous look came late; it has looked on time only since 190.
    expect(judgeLease(silent, 200, graceMs, 190)).toBe('waiting');
    expect(judgeLease(silent, 219, graceMs, 190)).toBe('waiting');
    expect(judgeLease(silent, 220, graceMs, 190)).toBe('shoot');
  });

  it('leaves alone a leader whose loop ran after the lapse, though a long turn kept its core clock back', () => {
    expect(judgeLease({ coreClockMs: 140, leaseUntilMs: 150, aliveAtMs: 152 }, 10_000, graceMs)).toBe('lapse-seen');
    // Alive only before the lapse proves nothing about after it.
    expect(judgeLease({ coreClockMs: 140, leaseUntilMs: 150, aliveAtMs: 150 }, 10_000, graceMs)).toBe('shoot');
  });

  it('waits out the grace for a core that has not seen the lapse yet, then shoots', () => {
    expect(judgeLease({ coreClockMs: 140, leaseUntilMs: 150, aliveAtMs: 140 }, 150, graceMs)).toBe('waiting');
    expect(judgeLease({ coreClockMs: 140, leaseUntilMs: 150, aliveAtMs: 140 }, 179, graceMs)).toBe('waiting');
    expect(judgeLease({ coreClockMs: 140, leaseUntilMs: 150, aliveAtMs: 140 }, 180, graceMs)).toBe('shoot');
  });
});

describe('host timing', () => {
  it('accepts the defaults and refuses a watchdog slower than the drift margin or a status poll near the hang timeout', () => {
    expect(hostTimingProblem(DEFAULT_HOST_TIMING)).toBeNull();
    expect(hostTimingProblem({ ...DEFAULT_HOST_TIMING, confirmTimeoutMs: 480 })).toMatch(/unsafe timing: the watchdog may stop a leader 520 ms after/);
    expect(hostTimingProblem({ ...DEFAULT_HOST_TIMING, statusPollIntervalMs: 1600 })).toMatch(
      /statusPollIntervalMs must be positive and at most half of hangTimeoutMs/,
    );
    expect(hostTimingProblem({ ...DEFAULT_HOST_TIMING, leaseDriftTicks: 85 })).toMatch(/must outlast two heartbeat intervals/);
    expect(hostTimingProblem({ ...DEFAULT_HOST_TIMING, maxElectionTimeoutTicks: 99 })).toMatch(/maxElectionTimeoutTicks \(99\) must be at least/);
    expect(hostTimingProblem({ ...DEFAULT_HOST_TIMING, statusPollIntervalMs: 0 })).toMatch(/statusPollIntervalMs/);
  });
});
