// The page's two subtlest browser modules, run in Node from the very text the
// server sends: the role tracker (events and snapshots racing each other) and
// the request helper that follows the leader.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { API_JS } from '../../src/dashboard/assets/api-js.js';
import { TRACKER_JS } from '../../src/dashboard/assets/tracker-js.js';

const dir = mkdtempSync(join(tmpdir(), 'replikit-page-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function load<T>(name: string, text: string): Promise<T> {
  const file = join(dir, name);
  writeFileSync(file, text);
  return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as T;
}

interface Change {
  id: string;
  from: string | null;
  to: string;
  term: number;
  cause: string;
  live: boolean;
  error?: string;
}
type Tracker = {
  observe(id: string, role: string, term: number, atMs: number, cause: string, live: boolean, error?: string): void;
  roleOf(id: string): string;
  termOf(id: string): number;
};

describe('the role tracker', () => {
  async function tracker(): Promise<{ tracker: Tracker; changes: Change[] }> {
    const { createRoleTracker } = await load<{ createRoleTracker(onChange: (c: Change) => void): Tracker }>('tracker.mjs', TRACKER_JS);
    const changes: Change[] = [];
    return { tracker: createRoleTracker((change) => changes.push(change)), changes };
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
  type Outcome = { result: { status: number; body: Record<string, unknown> }; answeredBy: string; hops: string[] };
  type Api = { viaLeader(method: string, path: string, json: string | undefined, servedBy: string, fallbacks?: string[]): Promise<Outcome> };

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
    const { viaLeader } = await load<Api>('api.mjs', API_JS);
    const asked = stubFetch({
      '/key/': [503, { error: 'Not the leader', leaderId: 'n2', leaderUrl: 'http://elsewhere:4002' }],
      '/dashboard/nodes/n2/key/': [200, { success: true, index: 9 }],
    });
    const outcome = await viaLeader('PUT', '/key/k', '1', 'n1', ['n3']);
    expect(asked).toEqual(['/key/k', '/dashboard/nodes/n2/key/k']);
    expect(outcome).toMatchObject({ answeredBy: 'n2', hops: ['n1', 'n2'], result: { status: 200 } });
  });

  it("goes to the page's fallbacks when the refusal names no leader, and stops after three nodes", async () => {
    const { viaLeader } = await load<Api>('api2.mjs', API_JS);
    const asked = stubFetch({ '/': [503, { error: 'Node stopped', detail: 'n1 is not running' }] });
    const outcome = await viaLeader('GET', '/key/k', undefined, 'n1', ['n1', 'n2', 'n3', 'n4']);
    expect(asked).toEqual(['/key/k', '/dashboard/nodes/n2/key/k', '/dashboard/nodes/n3/key/k']);
    expect(outcome.hops).toEqual(['n1', 'n2', 'n3']);
    expect(outcome.result.status).toBe(503);
  });

  it('turns a network failure into an answer with words, not an exception', async () => {
    const { viaLeader } = await load<Api>('api3.mjs', API_JS);
    stubFetch({});
    const outcome = await viaLeader('GET', '/key/k', undefined, 'n1', []);
    expect(outcome.result).toEqual({ status: 0, body: { error: 'No answer', detail: 'the server could not be reached (fetch failed)' } });
  });
});
