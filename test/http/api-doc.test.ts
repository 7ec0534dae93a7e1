// docs/http-api.md against the code. Every route a node can serve (the
// router's in every mode, the dashboard's, the ones `replikit node` adds)
// must have a heading or a table row in the doc, every route the doc names
// must exist, every query parameter a route takes must be named in its
// section, and a route's parameter table lists only parameters it takes.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_ASSETS, PAGE_SCRIPT_PATH } from '../../src/dashboard/assets/index.js';
import { EVENTS_PATH, MACHINE_JSON_PATH, PAGE_PATHS, STATECHART_SVG_PATH } from '../../src/dashboard/dashboard.js';
import { FORWARD_PREFIX, FORWARDED_ROUTES } from '../../src/dashboard/forward.js';
import { FENCE_PATH } from '../../src/host/fence-request.js';
import type { ServerContext } from '../../src/http/context.js';
import type { MembershipControls } from '../../src/http/routes-admin.js';
import { nodeRoutes } from '../../src/http/routes.js';
import type { DevControls } from '../../src/node/node-endpoint.js';
import { DEBUG_PATHS } from '../../src/serve/process-node.js';

const DOC = readFileSync(join(import.meta.dirname, '../../docs/http-api.md'), 'utf8');

interface CodeRoute {
  /** `METHOD /pattern` */
  readonly route: string;
  readonly query: readonly string[];
}

interface DocRoute {
  readonly route: string;
  /** The text of the section that holds the route: its own heading's, or the one around its table row. */
  readonly section: string;
}

function codeRoutes(): CodeRoute[] {
  // The builders only hand these to handlers, which this test never calls. With
  // members and dev controls given, every mode's routes are built.
  const context = {} as ServerContext;
  const members = {} as MembershipControls;
  const dev = {} as DevControls;
  const routed = nodeRoutes(context, members, dev).map((route) => ({ route: `${route.method} ${route.pattern}`, query: route.query ?? [] }));
  const dashboard = [...PAGE_PATHS, MACHINE_JSON_PATH, STATECHART_SVG_PATH, EVENTS_PATH, ...Object.keys(DASHBOARD_ASSETS), PAGE_SCRIPT_PATH].map(
    (path) => `GET ${path}`,
  );
  const forwarded = FORWARDED_ROUTES.map((route) => `${route.method} ${FORWARD_PREFIX}${route.rest}`);
  const processNode = [FENCE_PATH, ...Object.values(DEBUG_PATHS)].map((path) => `POST ${path}`);
  return [...routed, ...[...dashboard, ...forwarded, ...processNode].map((route) => ({ route, query: [] }))];
}

const HEADING = /^(#{1,6}) /;
const ROUTE_HEADING = /^#{1,6} `?([A-Z]+ \/[^\s`]*)`?\s*$/;
const ROUTE_ROW = /^\| `([A-Z]+ \/[^\s`]*)` \|/;

/** Routes named by a heading (`### \`PUT /key/:key\``) or by a table row's first cell (`| \`GET /status\` |`). */
function documentedRoutes(markdown: string): DocRoute[] {
  const lines = markdown.split('\n');
  const inCode: boolean[] = [];
  let fenced = false;
  for (const line of lines) {
    if (line.startsWith('```')) fenced = !fenced;
    inCode.push(fenced || line.startsWith('```'));
  }
  const levelAt = (i: number): number => (inCode[i] ? 0 : (HEADING.exec(lines[i] ?? '')?.[1]?.length ?? 0));
  /** From heading `start` to the next heading of its level or above. */
  const sectionFrom = (start: number): string => {
    let end = start + 1;
    while (end < lines.length && !(levelAt(end) > 0 && levelAt(end) <= levelAt(start))) end++;
    return lines.slice(start, end).join('\n');
  };
  const routes: DocRoute[] = [];
  let heading = 0;
  lines.forEach((line, i) => {
    if (inCode[i]) return;
    if (levelAt(i) > 0) heading = i;
    const named = ROUTE_HEADING.exec(line)?.[1] ?? ROUTE_ROW.exec(line)?.[1];
    if (named !== undefined) routes.push({ route: named, section: sectionFrom(heading) });
  });
  return routes;
}

/** Parameter names in the first column of a table headed `| parameter |`. */
function parameterTableNames(section: string): string[] {
  const names: string[] = [];
  let inTable = false;
  for (const line of section.split('\n')) {
    if (/^\| parameter \|/.test(line)) inTable = true;
    else if (!line.startsWith('|')) inTable = false;
    else if (inTable) {
      const name = /^\| `([^`]+)` \|/.exec(line)?.[1];
      if (name !== undefined) names.push(name);
    }
  }
  return names;
}

function undocumented(code: readonly CodeRoute[], doc: readonly DocRoute[]): string[] {
  const named = new Set(doc.map((entry) => entry.route));
  return code.map((entry) => entry.route).filter((route) => !named.has(route));
}

function stale(code: readonly CodeRoute[], doc: readonly DocRoute[]): string[] {
  const served = new Set(code.map((entry) => entry.route));
  return doc.map((entry) => entry.route).filter((route) => !served.has(route));
}

/** `METHOD /pattern: param` for each parameter a route takes that its section never names in backticks. */
function unnamedParameters(code: readonly CodeRoute[], doc: readonly DocRoute[]): string[] {
  const problems: string[] = [];
  for (const { route, query } of code) {
    const section = doc.find((entry) => entry.route === route)?.section ?? '';
    for (const name of query) if (!section.includes(`\`${name}\``)) problems.push(`${route}: ${name}`);
  }
  return problems;
}

/** `METHOD /pattern: param` for each parameter a section's parameter table lists that the route does not take. */
function foreignParameters(code: readonly CodeRoute[], doc: readonly DocRoute[]): string[] {
  const problems: string[] = [];
  for (const { route, section } of doc) {
    const taken = code.find((entry) => entry.route === route)?.query ?? [];
    for (const name of parameterTableNames(section)) if (!taken.includes(name)) problems.push(`${route}: ${name}`);
  }
  return problems;
}

describe('docs/http-api.md', () => {
  const code = codeRoutes();
  const doc = documentedRoutes(DOC);

  it('documents every route the code serves', () => {
    expect(undocumented(code, doc)).toEqual([]);
  });

  it('documents no route the code does not serve, and each route once', () => {
    expect(stale(code, doc)).toEqual([]);
    const seen = doc.map((entry) => entry.route);
    expect(seen.filter((route, i) => seen.indexOf(route) !== i)).toEqual([]);
  });

  it("names every query parameter of a route in that route's section, and only those in its parameter table", () => {
    expect(code.some((entry) => entry.query.length > 0)).toBe(true);
    expect(unnamedParameters(code, doc)).toEqual([]);
    expect(foreignParameters(code, doc)).toEqual([]);
  });

  it('is checked by checks that bite: a dropped route, a planted one and a dropped parameter are seen', () => {
    // Each against what the checks say of the doc as it is, so that this stays about the checks.
    const withoutHealth = DOC.replace('### `GET /health`\n', '');
    expect(undocumented(code, documentedRoutes(withoutHealth)).sort()).toEqual([...undocumented(code, doc), 'GET /health'].sort());
    const planted = `${DOC}\n| \`GET /not-a-route\` | nothing |\n`;
    expect(stale(code, documentedRoutes(planted)).sort()).toEqual([...stale(code, doc), 'GET /not-a-route'].sort());
    const getSection = doc.find((entry) => entry.route === 'GET /key/:key')?.section ?? '';
    expect(getSection).toContain('`maxLagMs`');
    const withoutMaxLag = DOC.replace(getSection, getSection.replaceAll('`maxLagMs`', 'maxLagMs'));
    expect(unnamedParameters(code, documentedRoutes(withoutMaxLag)).sort()).toEqual([...unnamedParameters(code, doc), 'GET /key/:key: maxLagMs'].sort());
  });
});
