import { describe, expect, it } from 'vitest';
import { RequestBatcher } from '../../src/cluster/request-batcher.js';
import type { ClientAnswer, ClientRequest } from '../../src/node/requests.js';

const get = (key: string): ClientRequest => ({ kind: 'get', key }) as ClientRequest;
const put = (key: string): ClientRequest => ({ kind: 'put', key, value: 1 }) as ClientRequest;

function recordingSend() {
  const batches: ClientRequest[][] = [];
  const send = async (requests: ClientRequest[]): Promise<ClientAnswer[]> => {
    batches.push(requests);
    return requests.map((_, i) => ({ ok: true, index: i }) as unknown as ClientAnswer);
  };
  return { batches, send };
}

describe('the request batcher', () => {
  it('sends what one synchronous run submits as one batch, and answers each caller with its own answer', async () => {
    const { batches, send } = recordingSend();
    const batcher = new RequestBatcher(send);
    const answers = await Promise.all([batcher.submit(get('a')), batcher.submit(get('b')), batcher.submit(get('c'))]);
    expect(batches.map((batch) => batch.length)).toEqual([3]);
    expect(answers.map((answer) => (answer as unknown as { index: number }).index)).toEqual([0, 1, 2]);
  });

  it("per event-loop turn ('immediate'), requests from separate callbacks of one turn share a batch", async () => {
    const { batches, send } = recordingSend();
    const microtask = new RequestBatcher(send);
    await Promise.all(await twoCallbacksOfOneTurn((key) => microtask.submit(get(key))));
    expect(batches.map((batch) => batch.length)).toEqual([1, 1]);
    batches.length = 0;
    const perTurn = new RequestBatcher(send, 'immediate');
    await Promise.all(await twoCallbacksOfOneTurn((key) => perTurn.submit(get(key))));
    expect(batches.map((batch) => batch.length)).toEqual([2]);
  });

  it('a send that fails answers every caller: reads time out, writes have an unknown outcome', async () => {
    const batcher = new RequestBatcher(async () => {
      throw new Error('port closed');
    });
    const [read, write] = await Promise.all([batcher.submit(get('a')), batcher.submit(put('b'))]);
    expect(read).toMatchObject({ ok: false, error: { code: 'timeout', message: expect.stringContaining('port closed') } });
    expect(write).toMatchObject({ ok: false, error: { code: 'unknown-outcome' } });
  });
});

/**
 * Two callbacks of one check phase, each submitting; resolves with their promises. Immediates, not
 * timers: two setTimeout(0) made a millisecond apart can fire in different loop turns, which made
 * this test flaky on a loaded machine. A setImmediate queued while immediates run waits for the next
 * turn, so the 'immediate' batcher's flush comes after both.
 */
function twoCallbacksOfOneTurn(submit: (key: string) => Promise<ClientAnswer>): Promise<Promise<ClientAnswer>[]> {
  return new Promise((resolve) => {
    const made: Promise<ClientAnswer>[] = [];
    setImmediate(() => made.push(submit('x')));
    setImmediate(() => {
      made.push(submit('y'));
      resolve(made);
    });
  });
}
