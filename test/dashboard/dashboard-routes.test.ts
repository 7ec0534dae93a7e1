import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeRoleMachine } from '../../machines/index.js';
import { DASHBOARD_ASSETS, PAGE_SCRIPT_PATH } from '../../src/dashboard/assets/index.js';
import { PAGE_BUNDLE_FILE } from '../../src/dashboard/page-bundle.js';
import { renderStatechartSvg } from '../../src/dashboard/statechart-svg.js';
import { buildPageBundle, deadUrl, fakeEndpoint, startDashboardServer, startFakePeer, statusBody, type DashboardServer, type FakePeer } from './helpers.js';

beforeAll(() => buildPageBundle());

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function setup(devMode: boolean): Promise<{ server: DashboardServer; n2: FakePeer }> {
  const n2 = await startFakePeer(statusBody('n2', 'follower'));
  cleanups.push(() => n2.close());
  const urls: Record<string, string> = { n2: n2.url, n3: await deadUrl() };
  const server = await startDashboardServer({ endpoint: fakeEndpoint('n1'), peerUrls: () => urls, devMode }, () => statusBody('n1', 'leader'));
  urls['n1'] = server.url;
  cleanups.push(() => server.close());
  return { server, n2 };
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A raw request (fetch would refuse some of what these tests send). */
function send(url: string, method: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the dashboard page and its files', () => {
  it('serves the page at / with a strict Content-Security-Policy', async () => {
    const { server } = await setup(true);
    const page = await send(`${server.url}/`, 'GET');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toContain('<script type="module" src="/dashboard/assets/page.js"></script>');
    expect(page.body).toContain('id="kv-form"');
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    const head = await send(`${server.url}/`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(page.body));
  });

  it('serves every file the page asks for, each with its type: the stylesheet and the bundled script', async () => {
    const { server } = await setup(true);
    const page = await send(`${server.url}/`, 'GET');
    const wanted = [...page.body.matchAll(/(?:href|src)="(\/dashboard\/[^"]+)"/g)].map((m) => m[1] as string).sort();
    expect(wanted).toEqual([...Object.keys(DASHBOARD_ASSETS), PAGE_SCRIPT_PATH].sort());
    for (const path of wanted) {
      const answer = await send(`${server.url}${path}`, 'GET');
      expect(answer.status, path).toBe(200);
      expect(answer.headers['content-type'], path).toBe(path.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
      expect(answer.body).toBe(path === PAGE_SCRIPT_PATH ? readFileSync(PAGE_BUNDLE_FILE, 'utf8') : DASHBOARD_ASSETS[path]?.body);
    }
    const head = await send(`${server.url}${PAGE_SCRIPT_PATH}`, 'HEAD');
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBe(readFileSync(PAGE_BUNDLE_FILE).length);
  });

  it('sends one self-contained script module: it imports nothing and parses as JavaScript', async () => {
    const { server } = await setup(true);
    const script = (await send(`${server.url}${PAGE_SCRIPT_PATH}`, 'GET')).body;
    expect(script).not.toMatch(/^\s*(import|export)\b/m);
    expect(script).toContain('/dashboard/events'); // the stream, from dom/stream.ts
    expect(script).toContain('won the election'); // the timeline words, from timeline-text.ts
    const dir = mkdtempSync(join(tmpdir(), 'replikit-dashboard-js-'));
    try {
      const file = join(dir, 'page.mjs');
      writeFileSync(file, script);
      const error = await new Promise<string>((resolve) =>
        execFile(process.execPath, ['--check', file], (failed, _stdout, stderr) => resolve(failed ? stderr || failed.message : '')),
      );
      expect(error).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves the machine as JSON and the statechart as SVG, both from describeRoleMachine()', async () => {
    const { server } = await setup(false);
    const machine = await send(`${server.url}/dashboard/machine.json`, 'GET');
    expect(machine.status).toBe(200);
    expect(machine.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(machine.body)).toEqual(describeRoleMachine());
    const svg = await send(`${server.url}/dashboard/statechart.svg`, 'GET');
    expect(svg.status).toBe(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(svg.body).toBe(renderStatechartSvg(describeRoleMachine()));
  });

  it('claims only / and /dashboard/..., and answers a wrong method with 405', async () => {
    const { server } = await setup(true);
    expect((await send(`${server.url}/nope`, 'GET')).status).toBe(404);
    expect((await send(`${server.url}/dashboard/nope`, 'GET')).status).toBe(404);
    expect((await send(`${server.url}/dashboardx`, 'GET')).status).toBe(404);
    expect(server.unclaimed).toEqual(['GET /nope', 'GET /dashboard/nope', 'GET /dashboardx']);
    const post = await send(`${server.url}/`, 'POST', '{}');
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
    expect(JSON.parse(post.body)).toEqual({ error: 'Method not allowed', detail: 'allowed: GET, HEAD' });
    expect((await send(`${server.url}/dashboard/events`, 'POST')).status).toBe(405);
    expect((await send(`${server.url}/dashboard/statechart.svg`, 'DELETE')).status).toBe(405);
  });
});

describe('reaching another node through the dashboard', () => {
  it('forwards key requests to the node named in the path, query and body included', async () => {
    const { server, n2 } = await setup(false);
    const put = await send(`${server.url}/dashboard/nodes/n2/key/a%20b?mode=quorum`, 'PUT', '{"x":1}', { 'content-type': 'application/json' });
    expect(put.status).toBe(200);
    expect(put.headers['x-replikit-answered-by']).toBe('n2');
    expect(JSON.parse(put.body)).toEqual({ echoed: true, method: 'PUT', url: '/key/a%20b?mode=quorum', body: '{"x":1}' });
    const get = await send(`${server.url}/dashboard/nodes/n2/key/k?consistency=eventual`, 'GET');
    expect(JSON.parse(get.body)).toMatchObject({ method: 'GET', url: '/key/k?consistency=eventual', body: '' });
    await send(`${server.url}/dashboard/nodes/n2/key/k`, 'DELETE');
    await send(`${server.url}/dashboard/nodes/n2/key/k/cas`, 'POST', '{"expected":null,"next":1}');
    expect(n2.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'PUT /key/a%20b?mode=quorum',
      'GET /key/k?consistency=eventual',
      'DELETE /key/k',
      'POST /key/k/cas',
    ]);
  });

  it('forwards nothing else: not other paths, not unknown nodes, not admin outside dev mode', async () => {
    const { server, n2 } = await setup(false);
    const refused = [
      ['GET', '/dashboard/nodes/n2/status'],
      ['POST', '/dashboard/nodes/n2/admin/nodes/n1/crash'],
      ['POST', '/dashboard/nodes/n2/admin/transfer-leadership'],
      ['POST', '/dashboard/nodes/n2/key/k'],
      ['GET', '/dashboard/nodes/n2/key/a/b'],
      ['GET', '/dashboard/nodes/n2/key/../status'],
    ] as const;
    for (const [method, path] of refused) {
      const answer = await send(`${server.url}${path}`, method, method === 'POST' ? '{}' : undefined);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(JSON.parse(answer.body).error).toBe('Not found');
    }
    const unknown = await send(`${server.url}/dashboard/nodes/n9/key/k`, 'GET');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toEqual({ error: 'Unknown node', detail: 'no node "n9"' });
    expect((await send(`${server.url}/dashboard/nodes/%E0%A4%A/key/k`, 'GET')).status).toBe(400);
    expect(n2.requests).toEqual([]);
  });

  it('forwards a leadership transfer in dev mode', async () => {
    const { server, n2 } = await setup(true);
    const answer = await send(`${server.url}/dashboard/nodes/n2/admin/transfer-leadership`, 'POST', '{"to":"n3"}', { 'content-type': 'application/json' });
    expect(answer.status).toBe(200);
    expect(n2.requests).toEqual([{ method: 'POST', url: '/admin/transfer-leadership', body: '{"to":"n3"}' }]);
  });

  it('answers 502 for a node that cannot be reached and 413 for a body too large', async () => {
    const { server } = await setup(false);
    const down = await send(`${server.url}/dashboard/nodes/n3/key/k`, 'GET');
    expect(down.status).toBe(502);
    expect(JSON.parse(down.body)).toMatchObject({ error: 'Node unreachable' });
    const huge = await send(`${server.url}/dashboard/nodes/n2/key/k`, 'PUT', Buffer.alloc(3 * 1024 * 1024, 0x20));
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body)).toMatchObject({ error: 'Body too large' });
  });
});
