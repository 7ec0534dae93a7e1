import { afterEach, describe, expect, it, vi } from 'vitest';
import { OrderlyDeath } from '../../../src/node/orderly-death.js';

describe('OrderlyDeath: a failing node thread closes what it opened before it exits', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports the first failure once, closes newest first, then exits with code 1', async () => {
    const steps: string[] = [];
    const death = new OrderlyDeath((message) => steps.push(`report ${message}`), { exit: (code) => steps.push(`exit ${code}`) });
    death.onDeath(() => steps.push('close storage'));
    death.onDeath(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      steps.push('stop runtime');
    });
    death.die(new Error('boom'));
    death.die(new Error('a second failure while dying'));
    await vi.waitFor(() => expect(steps).toContain('exit 1'));
    expect(steps).toEqual(['report boom', 'stop runtime', 'close storage', 'exit 1']);
  });

  it('a close that throws does not keep the others open', async () => {
    const steps: string[] = [];
    const death = new OrderlyDeath(() => undefined, { exit: () => steps.push('exit') });
    death.onDeath(() => steps.push('close storage'));
    death.onDeath(() => {
      throw new Error('tcp close failed');
    });
    death.die('a string thrown');
    await vi.waitFor(() => expect(steps).toContain('exit'));
    expect(steps).toEqual(['close storage', 'exit']);
  });

  it('a close that never settles cannot keep the thread alive past the bound', async () => {
    vi.useFakeTimers();
    const exits: number[] = [];
    const death = new OrderlyDeath(() => undefined, { exit: (code) => exits.push(code), timeoutMs: 3000 });
    death.onDeath(() => new Promise(() => undefined));
    death.die(new Error('boom'));
    await vi.advanceTimersByTimeAsync(2999);
    expect(exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(exits).toEqual([1]);
  });

  it('closeAll closes once however often it is asked (stop, then a crash)', async () => {
    let closes = 0;
    const death = new OrderlyDeath(() => undefined, { exit: () => undefined });
    death.onDeath(() => (closes += 1));
    await Promise.all([death.closeAll(), death.closeAll()]);
    await death.closeAll();
    expect(closes).toBe(1);
  });
});
