// The page's two subtlest modules, run in Node: the role tracker (events and
// snapshots racing each other) and the request helper that follows the leader.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { viaLeader } from '../../src/dashboard/page/api.js';
import { createRoleTracker, type ObservationCause, type RoleChange, type RoleTracker } from '../../src/dashboard/page/tracker.js';
import type { ShownRole } from '../../src/dashboard/protocol.js';

/** The tracker with the old positional call, so each scenario reads as one line per observation. */
interface Scripted {
  observe(id: string, role: ShownRole, term: number, atMs: number, cause: ObservationCause, live: boolean, detail?: string): void;
  roleOf: RoleTracker['roleOf'];
  termOf: RoleTracker['termOf'];
}

describe('the role tracker', () => {
  async function tracker(): Promise<{ tracker: Scripted; changes: RoleChange[] }> {
    const changes: RoleChange[] = [];
    const real = createRoleTracker((change) => changes.push(change));
    return {
      tracker: {
        observe: (id, role, term, atMs, cause, live, detail) => real.observe({ id, role, term, atMs, cause, live, detail }),
        roleOf: real.roleOf,
        termOf: real.termOf,
      },
      changes,
    };
  }

  it('reports each change of role once, whichever source saw it first', async () => {
    const { tracker: t, changes } = await tracker();
    t.observe('n1', 'follower', 3, 100, 'snapshot', true);
    t.observe('n1', 'candidate', 4, 150, 'event', true);
    t.observe('n1', 'candidate', 4, 160, 'snapshot', true);
    t.observe('n1', 'leader', 4, 170, 'event', true);
    t.observe('n1', 'leader', 4, 180, 'snapshot', true);
    expect(changes.map((c) => [c.from, c.to, c.term, c.cause])).toEqual([
      [null, 'follower', 3, 'snapshot'],
      ['follower', 'candidate', 4, 'event'],
      ['candidate', 'leader', 4, 'event'],
    ]);
    expect(t.roleOf('n1')).toBe('leader');
    expect(t.roleOf('n9')).toBe('down');
  });

  it('ignores a snapshot sampled before the event it would contradict', async () => {
    const { tracker: t, changes } = await tracker();
    t.observe('n1', 'leader', 4, 200, 'event', true);
    t.observe('n1', 'candidate', 4, 190, 'snapshot', true); // sent before the event arrived
    t.observe('n1', 'follower', 3, 210, 'event', true); // an older term, delivered late
    expect(t.roleOf('n1')).toBe('leader');
    expect(changes).toHaveLength(1);
  });

  it('keeps the term across a crash, and reports the way back', async () => {
    const { tracker: t, changes } = await tracker();
    t.observe('n2', 'leader', 7, 100, 'event', true);
    t.observe('n2', 'down', 0, 110, 'crash', true);
    expect(t.termOf('n2')).toBe(7);
    t.observe('n2', 'down', 0, 120, 'snapshot', true, 'connection refused');
    t.observe('n2', 'follower', 8, 130, 'snapshot', true);
    expect(changes.slice(1).map((c) => [c.from, c.to, c.term, c.cause])).toEqual([
      ['leader', 'down', 7, 'crash'],
      ['down', 'follower', 8, 'snapshot'],
    ]);
  });

  it('counts a candidate starting over in a new term as a transition', async () => {
    const { tracker: t, changes } = await tracker();
    t.observe('n3', 'candidate', 5, 100, 'event', true);
    t.observe('n3', 'candidate', 6, 200, 'event', true);
    expect(changes.at(-1)).toMatchObject({ from: 'candidate', to: 'candidate', term: 6 });
  });
});

describe('following the leader from the page', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  /** A fetch that answers by URL prefix; records the URLs asked. */
  function stubFetch(answers: Record<string, [number, unknown]>): string[] {
    const asked: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      asked.push(url);
      const hit = Object.entries(answers).find(([prefix]) => url.startsWith(prefix));
      if (!hit) throw new TypeError('fetch failed');
      const [status, body] = hit[1];
      return new Response(JSON.stringify(body), { status });
    });
    return asked;
  }

  it('follows the leader a refusal names, through the page server', async () => {
    const asked = stubFetch({
      '/key/': [503, { error: 'Not the leader', leaderId: 'n2', leaderUrl: 'http://elsewhere:4002' }],
      '/dashboard/nodes/n2/key/': [200, { success: true, index: 9 }],
    });
    const outcome = await viaLeader('PUT', '/key/k', '1', 'n1', ['n3']);
    expect(asked).toEqual(['/key/k', '/dashboard/nodes/n2/key/k']);
    expect(outcome).toMatchObject({ answeredBy: 'n2', hops: ['n1', 'n2'], result: { status: 200 } });
  });

  it("goes to the page's fallbacks when the refusal names no leader, and stops after three nodes", async () => {
    const asked = stubFetch({ '/': [503, { error: 'Node stopped', detail: 'n1 is not running' }] });
    const outcome = await viaLeader('GET', '/key/k', undefined, 'n1', ['n1', 'n2', 'n3', 'n4']);
    expect(asked).toEqual(['/key/k', '/dashboard/nodes/n2/key/k', '/dashboard/nodes/n3/key/k']);
    expect(outcome.hops).toEqual(['n1', 'n2', 'n3']);
    expect(outcome.result.status).toBe(503);
  });

  it('turns a network failure into an answer with words, not an exception', async () => {
    stubFetch({});
    const outcome = await viaLeader('GET', '/key/k', undefined, 'n1', []);
    expect(outcome.result).toEqual({ status: 0, body: { error: 'No answer', detail: 'the server could not be reached (fetch failed)' } });
  });
});
