// The dashboard in a real browser (Debian's headless Chromium, driven by
// playwright-core) against a real 3-node dev cluster in this process: the
// page shows one leader, a click crashes it, and another card shows the new
// leader within 2 s; the put panel explains bad input in words.

import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRoleMachine } from '../../machines/index.js';
import { createCluster, type Cluster } from '../../src/cluster/cluster.js';
import { clusterEventsOf, createDashboard, type Dashboard } from '../../src/dashboard/index.js';
import { createNodeHttpServer, type NodeHttpServer } from '../../src/http/index.js';
import { startDevHttpServers, type DevHttpServers } from '../../src/serve/index.js';
import { buildPageBundle } from '../dashboard/helpers.js';
import { testAuth, TOKENS } from '../http/auth-helpers.js';

// The functions passed to page.waitForFunction run in the browser. The project
// compiles without the DOM library (a reference to it would reach every file),
// so they see this much of the page, declared for this module only.
interface PageElement {
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  getBoundingClientRect(): { left: number; right: number; top: number; bottom: number; x: number; y: number; width: number; height: number };
  readonly style: { readonly visibility: string };
}
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
};

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SCREENSHOTS = join('results', 'screenshots');
/** The brief's promise: a new leader on screen this soon after the crash click. */
const FAILOVER_SHOWN_WITHIN_MS = 2000;
/** The cluster's own lag alarm threshold (the dev default). */
const LAG_THRESHOLD_MS = 1000;

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe.skipIf(!HAVE_CHROMIUM)(
  HAVE_CHROMIUM ? 'the dashboard in headless Chromium' : `the dashboard in headless Chromium (skipped: ${CHROMIUM} is missing; apt-get install chromium)`,
  () => {
    let dataDir = '';
    let profileDir = '';
    let cluster: Cluster;
    const urls: Record<string, string> = {};
    const servers: NodeHttpServer[] = [];
    const dashboards: Dashboard[] = [];
    let devServers: DevHttpServers | null = null;
    let sharedDashboard: Dashboard | null = null;
    let browser: BrowserContext;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      // The page the servers send is the bundle of src/dashboard/page/ as it is now.
      buildPageBundle();
      mkdirSync(SCREENSHOTS, { recursive: true });
      dataDir = mkdtempSync(join(tmpdir(), 'replikit-dashboard-'));
      profileDir = mkdtempSync(join(tmpdir(), 'replikit-chromium-'));
      cluster = await createCluster({ nodes: 3, dataDir });
      // One server and one dashboard per node, as `replikit node` would have it.
      for (const id of cluster.nodeIds()) {
        const endpoint = cluster.endpoint(id);
        const dashboard = createDashboard({ endpoint, peerUrls: () => urls, devMode: true, clusterEvents: clusterEventsOf(cluster) });
        const server = createNodeHttpServer({ endpoint, peerUrls: () => urls, dev: cluster, lagThresholdMs: LAG_THRESHOLD_MS, dashboard });
        dashboards.push(dashboard);
        servers.push(server);
        urls[id] = (await server.listen('127.0.0.1', 0)).url;
      }
      // Playwright takes the profile directory itself (it refuses --user-data-dir among the args).
      browser = await chromium.launchPersistentContext(profileDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: 1440, height: 900 },
      });
    });

    afterAll(async () => {
      await browser?.close();
      sharedDashboard?.close();
      await devServers?.close();
      for (const dashboard of dashboards) dashboard.close();
      await Promise.all(servers.map((server) => server.close()));
      await cluster?.close();
      for (const dir of [dataDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    async function openDashboard(url: string): Promise<Page> {
      const page = await browser.newPage();
      page.on('pageerror', (error) => pageErrors.push(`${url}: ${error.message}`));
      await page.goto(url);
      await page.waitForSelector('#connection[data-state="live"]');
      await page.waitForSelector('.card[data-node-id]');
      await page.waitForSelector('#statechart svg g.state');
      return page;
    }

    const leaderCards = (page: Page): Promise<string[]> =>
      page.locator('.card[data-role="leader"]').evaluateAll((cards) => cards.map((card) => card.getAttribute('data-node-id') ?? ''));

    /** The page shows exactly one leader, the same one, over several snapshots (elections settle first). */
    async function steadyLeader(page: Page): Promise<string> {
      let last = '';
      let sameFor = 0;
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const leaders = await leaderCards(page);
        const now = leaders.length === 1 ? (leaders[0] ?? '') : '';
        sameFor = now !== '' && now === last ? sameFor + 1 : 0;
        last = now;
        if (sameFor >= 3) return now;
        await page.waitForTimeout(150);
      }
      throw new Error(`no steady single leader on the page; last seen: ${JSON.stringify(await leaderCards(page))}`);
    }

    /** Clicks put or get until the result matches (a failure is shown and retried); returns the result text. */
    async function clickUntil(page: Page, action: 'put' | 'get', wanted: RegExp): Promise<string> {
      const result = page.locator('#kv-result');
      const deadline = Date.now() + 20_000;
      let text = '';
      while (Date.now() < deadline) {
        await page.click(`[data-action="${action}"]`);
        await page.waitForFunction(() => !document.querySelector('[data-action="put"]')?.hasAttribute('disabled'));
        text = await result.innerText();
        if (wanted.test(text)) return text;
        await page.waitForTimeout(250);
      }
      throw new Error(`${action} never succeeded; last result: ${text}`);
    }

    it('shows one leader, and a new one within 2 s of crashing it with its button', async () => {
      const page = await openDashboard(`${urls['n1']}/`);
      expect(await page.locator('.card[data-node-id]').count()).toBe(3);
      const leader = await steadyLeader(page);
      expect(await leaderCards(page)).toEqual([leader]);
      await page.waitForTimeout(600); // a few lag samples in the charts
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-before-crash.png'), fullPage: true });

      await page.click(`[data-action="crash"][data-node-id="${leader}"]`);
      const clickedMs = Date.now();
      // The new leader is read in the same check that sees it: on a busy machine it may lose its lead again soon after.
      const shown = await page.waitForFunction(
        (old) => {
          const others = [...document.querySelectorAll('.card[data-role="leader"]')]
            .map((card) => card.getAttribute('data-node-id'))
            .filter((id) => id !== old);
          return others.length > 0 ? others : null;
        },
        leader,
        { timeout: FAILOVER_SHOWN_WITHIN_MS, polling: 25 },
      );
      const shownAfterMs = Date.now() - clickedMs;
      const newLeaders = (await shown.jsonValue()) as string[];
      expect(newLeaders).toHaveLength(1);
      expect(newLeaders[0]).not.toBe(leader);
      expect(shownAfterMs).toBeLessThanOrEqual(FAILOVER_SHOWN_WITHIN_MS);

      await page.waitForSelector(`.card[data-node-id="${leader}"][data-role="down"]`);
      // On a loaded machine the two survivors may re-elect a few times; picture the cluster once it settles.
      await steadyLeader(page);
      await page.waitForTimeout(700);
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-after-crash.png'), fullPage: true });

      const timeline = await page.locator('#timeline').innerText();
      expect(timeline).toContain(`you: crash ${leader}`);
      expect(timeline).toContain(`${leader} crashed`);
      expect(timeline).toMatch(new RegExp(`${newLeaders[0]} won the election: leader of term \\d+`));
      await page.close();
    });

    it('draws the statechart from the machine and marks each live node on its state', async () => {
      const page = await openDashboard(`${urls['n1']}/`);
      const leader = await steadyLeader(page);
      const drawn = await page.locator('#statechart svg g.state').evaluateAll((groups) => groups.map((g) => g.getAttribute('data-state')));
      expect(drawn.sort()).toEqual(
        describeRoleMachine()
          .states.map((s) => s.id)
          .sort(),
      );
      expect(await page.locator('#statechart parsererror').count()).toBe(0);
      await page.waitForFunction(
        (id) => {
          const marker = document.querySelector(`#statechart .marker[data-node-id="${id}"]`);
          const box = document.querySelector('#statechart g.state[data-state="leader.serving"] > rect');
          if (!marker || !box || marker.style.visibility !== 'visible') return false;
          const a = marker.getBoundingClientRect();
          const b = box.getBoundingClientRect();
          const cx = a.x + a.width / 2;
          const cy = a.y + a.height / 2;
          return cx > b.left && cx < b.right && cy > b.top && cy < b.bottom;
        },
        leader,
        { timeout: 3000 },
      );
      expect(await page.locator('#transitions li:not(.empty)').count()).toBeGreaterThan(0);
      await page.close();
    });

    it('explains an empty key and a value that is not JSON in words, and writes through the leader', async () => {
      const page = await openDashboard(`${urls['n1']}/`);
      const result = page.locator('#kv-result');

      await page.fill('#kv-key', '');
      await page.fill('#kv-value', '42');
      await page.click('[data-action="put"]');
      await expect.poll(() => result.getAttribute('class')).toContain('error');
      expect(await result.innerText()).toContain('Enter a key first.');

      await page.fill('#kv-key', 'greeting');
      await page.fill('#kv-value', "{name: 'Ada'}");
      await page.click('[data-action="put"]');
      await expect.poll(() => result.innerText()).toContain('the value is not valid JSON');
      const text = await result.innerText();
      expect(text).toContain('Text needs double quotes');
      expect(text).not.toMatch(/\n\s+at /); // no stack trace
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-put-error.png') });

      // A write or linearizable read can meet an election (this page's own node may be the one crashed above);
      // the panel then says so, and a person would click again, as this does.
      await page.fill('#kv-value', '{"name": "Ada"}');
      expect(await clickUntil(page, 'put', /PUT greeting ✓\s+written by n\d \(leader\) at index \d+/)).toBeTruthy();
      await page.selectOption('#kv-consistency', 'linearizable');
      // The page's node answers a linearizable read itself, leader or follower (a follower asks the
      // leader for a read index first).
      const read = await clickUntil(page, 'get', /answered by n1 \((leader|follower)\) at index \d+/);
      expect(read).toContain('"Ada"');
      await page.close();
    });

    it('works as one dashboard shared by every server of startDevHttpServers, naming the node it is on', async () => {
      let devUrls: Readonly<Record<string, string>> = {};
      sharedDashboard = createDashboard({
        endpoint: cluster.endpoint('n1'),
        peerUrls: () => devUrls,
        devMode: true,
        clusterEvents: clusterEventsOf(cluster),
      });
      devServers = await startDevHttpServers(cluster, { host: '127.0.0.1', basePort: 0, dashboard: sharedDashboard });
      devUrls = devServers.urls;
      const page = await openDashboard(`${devServers.urls['n2']}/`);
      await expect.poll(() => page.locator('#summary').innerText()).toContain('page served by n2');
      const here = await page.locator('.card .here:not([hidden])').evaluateAll((tags) => tags.map((tag) => tag.closest('.card')?.getAttribute('data-node-id')));
      expect(here).toEqual(['n2']);
      await page.close();
    });

    it('asks for a token when the node checks them, keeps it in the tab, and shows what a low role may not do', async () => {
      const auth = testAuth();
      const endpoint = cluster.endpoint('n1');
      const dashboard = createDashboard({ endpoint, peerUrls: () => urls, devMode: true, clusterEvents: clusterEventsOf(cluster), peerToken: auth.peerToken });
      const server = createNodeHttpServer({ endpoint, peerUrls: () => urls, dev: cluster, lagThresholdMs: LAG_THRESHOLD_MS, dashboard, auth });
      dashboards.push(dashboard);
      servers.push(server);
      const { url } = await server.listen('127.0.0.1', 0);
      const page = await browser.newPage();
      page.on('pageerror', (error) => pageErrors.push(`${url}: ${error.message}`));
      await page.goto(`${url}/`);
      // The page shell and its script are open; the event stream is not.
      await page.waitForSelector('#token-form:not([hidden])');
      await page.waitForSelector('#connection[data-state="unauthorized"]');
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-token-prompt.png') });

      await page.fill('#token-input', 'short');
      await page.click('[data-action="use-token"]');
      await expect.poll(() => page.locator('#token-problem').innerText()).toContain('at least 20 characters');

      await page.fill('#token-input', 'a-token-this-node-does-not-know');
      await page.click('[data-action="use-token"]');
      await expect.poll(() => page.locator('#token-message').innerText()).toContain('did not accept that token');
      await page.waitForSelector('#token-form:not([hidden])');

      await page.fill('#token-input', TOKENS.read);
      await page.click('[data-action="use-token"]');
      await page.waitForSelector('#connection[data-state="live"]');
      await page.waitForSelector('.card[data-node-id]');
      expect(await page.locator('#token-form').isHidden()).toBe(true);
      expect(await page.evaluate('sessionStorage.getItem("replikit-token")')).toBe(TOKENS.read);

      // A reload keeps the token: no prompt.
      await page.reload();
      await page.waitForSelector('#connection[data-state="live"]');
      expect(await page.locator('#token-form').isHidden()).toBe(true);

      // A read token may watch but not write: the put panel says what the node said.
      await page.fill('#kv-key', 'guarded');
      await page.fill('#kv-value', '1');
      await page.click('[data-action="put"]');
      await expect.poll(() => page.locator('#kv-result').innerText()).toMatch(/Forbidden: PUT \/key\/:key needs role write; the token "reader" has role read/);
      await page.close();
    });

    it('raised no script errors', () => {
      expect(pageErrors).toEqual([]);
    });
  },
);
