// The page's token and event-stream modules, DOM-free, in Node: the SSE
// parser reads what the server writes in any split, the token goes with
// every API request once set, and a 401 is reported so the page asks for one.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { callJson, viaLeader } from '../../src/dashboard/page/api.js';
import { authHeaders, onUnauthorized, setToken, tokenProblem } from '../../src/dashboard/page/auth.js';
import { createSseParser, type SseEvent } from '../../src/dashboard/page/sse-parser.js';
import { tokenSyntaxProblem } from '../../src/ground/bearer-token.js';
import { sseMessage } from '../../src/dashboard/sse-hub.js';

afterEach(() => {
  vi.unstubAllGlobals();
  setToken(null);
});

describe('the SSE parser', () => {
  const stream = `retry: 1000\n\n${sseMessage('hello', { nodeId: 'n1', text: 'a\nb' })}: keepalive\n\n${sseMessage('snapshot', { atMs: 5 })}`;

  function parse(pieces: readonly string[]): { events: SseEvent[]; retries: number[] } {
    const events: SseEvent[] = [];
    const retries: number[] = [];
    const parser = createSseParser(
      (event) => events.push(event),
      (ms) => retries.push(ms),
    );
    for (const piece of pieces) parser.push(piece);
    return { events, retries };
  }

  it("reads the server's own messages, whole or cut anywhere", () => {
    const whole = parse([stream]);
    expect(whole.retries).toEqual([1000]);
    expect(whole.events.map((event) => event.event)).toEqual(['hello', 'snapshot']);
    expect(JSON.parse(whole.events[0]?.data ?? '')).toEqual({ nodeId: 'n1', text: 'a\nb' });
    for (let cut = 1; cut < stream.length; cut++) {
      expect(parse([stream.slice(0, cut), stream.slice(cut)]).events, `cut at ${cut}`).toEqual(whole.events);
    }
    expect(parse([...stream]).events).toEqual(whole.events);
  });

  it('takes CRLF and CR line ends, joins repeated data lines, and defaults the event to message', () => {
    const { events } = parse(['data: one\r\ndata:two\r', '\n\r\nevent: x\rdata: 3\r\r']);
    expect(events).toEqual([
      { event: 'message', data: 'one\ntwo' },
      { event: 'x', data: '3' },
    ]);
  });
});

describe('the token', () => {
  it('is checked by the same rule as the server', () => {
    for (const text of ['', 'short', 'x'.repeat(20), 'a b'.repeat(10), `${'y'.repeat(30)}==`, 'é'.repeat(30), 'z'.repeat(513)]) {
      expect(tokenProblem(text) === null, JSON.stringify(text)).toBe(tokenSyntaxProblem(text) === null);
    }
  });

  it('goes with every API request once set, also through the leader', async () => {
    const seen: (string | undefined)[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      seen.push((init.headers as Record<string, string>)['authorization']);
      return new Response(JSON.stringify({ error: 'Not the leader', leaderId: 'n2' }), { status: 503 });
    });
    await callJson('GET', '/key/a');
    setToken('t'.repeat(24));
    expect(authHeaders()).toEqual({ authorization: `Bearer ${'t'.repeat(24)}` });
    await viaLeader('PUT', '/key/a', '1', 'n1');
    expect(seen).toEqual([undefined, `Bearer ${'t'.repeat(24)}`, `Bearer ${'t'.repeat(24)}`]);
  });

  it('reports a 401, so that the page asks for a token, and not a 403', async () => {
    let reported = 0;
    const stop = onUnauthorized(() => reported++);
    let status = 401;
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ error: status === 401 ? 'Unauthorized' : 'Forbidden' }), { status }));
    expect((await callJson('GET', '/status')).status).toBe(401);
    status = 403;
    const forbidden = await callJson('PUT', '/key/a', '1');
    expect(forbidden).toEqual({ status: 403, body: { error: 'Forbidden' } });
    expect(reported).toBe(1);
    stop();
  });
});
