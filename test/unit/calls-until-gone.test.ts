// Calls to a worker settle even when it dies, and a settled call leaves
// nothing behind (the old per-worker race kept every call until the worker
// died: see src/cluster/calls-until-gone.ts).

import { describe, expect, it } from 'vitest';
import { CallsUntilGone } from '../../src/lifecycle/calls-until-gone.js';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: Error) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('CallsUntilGone', () => {
  it('keeps nothing for calls that have settled, however many were made', async () => {
    const calls = new CallsUntilGone();
    const answers = await Promise.all(Array.from({ length: 10_000 }, (_, i) => calls.settle(Promise.resolve(i), () => -1)));
    expect(answers[9_999]).toBe(9_999);
    expect(calls.waitingCount).toBe(0);
  });

  it('settles a call still waiting with its fallback when the worker goes, and ignores a late answer', async () => {
    const calls = new CallsUntilGone();
    const call = deferred<string>();
    const settled = calls.settle(call.promise, () => 'gone');
    expect(calls.waitingCount).toBe(1);
    calls.markGone();
    call.resolve('late');
    await expect(settled).resolves.toBe('gone');
    expect(calls.waitingCount).toBe(0);
  });

  it('answers with the fallback at once once the worker is gone, and when the call fails', async () => {
    const gone = CallsUntilGone.alreadyGone();
    await expect(gone.settle(new Promise<string>(() => undefined), () => 'gone')).resolves.toBe('gone');
    const calls = new CallsUntilGone();
    const call = deferred<string>();
    const settled = calls.settle(call.promise, () => 'failed');
    call.reject(new Error('worker said no'));
    await expect(settled).resolves.toBe('failed');
    expect(calls.waitingCount).toBe(0);
  });

  it('rejects when the fallback itself throws, instead of never settling', async () => {
    const calls = new CallsUntilGone();
    const settled = calls.settle(new Promise<string>(() => undefined), () => {
      throw new Error('no fallback answer');
    });
    calls.markGone();
    await expect(settled).rejects.toThrow('no fallback answer');
  });
});
