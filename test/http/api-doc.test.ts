// docs/http-api.md against the code. Every route a node can serve (the
// router's in every mode, the dashboard's, the ones `replikit node` adds)
// must have a heading or a table row in the doc, every route the doc names
// must exist, every query parameter a route takes must be named in its
// section, a route's parameter table lists only parameters it takes, and the
// role the doc gives a route (its **Role:** line, or its row's role column)
// is the one the code gives it.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_ASSETS, PAGE_SCRIPT_PATH } from '../../src/dashboard/assets/index.js';
import { dashboardAccess, EVENTS_PATH, MACHINE_JSON_PATH, PAGE_PATHS, STATECHART_SVG_PATH } from '../../src/dashboard/dashboard.js';
import { FORWARD_PREFIX, FORWARDED_ROUTES } from '../../src/dashboard/forward.js';
import { FENCE_PATH } from '../../src/host/fence-request.js';
import type { ServerContext } from '../../src/http/context.js';
import type { MembershipControls } from '../../src/http/routes-admin.js';
import { nodeRoutes } from '../../src/http/routes.js';
import type { DevControls } from '../../src/node/node-endpoint.js';
import { DEBUG_PATHS, hostRoutes } from '../../src/serve/process-node.js';

const DOC = readFileSync(join(import.meta.dirname, '../../docs/http-api.md'), 'utf8');

interface CodeRoute {
  /** `METHOD /pattern` */
  readonly route: string;
  readonly query: readonly string[];
  /** The role the code gives it (`open`, `read`, `write`, `admin`). */
  readonly role: string;
}

interface DocRoute {
  readonly route: string;
  /** The text of the section that holds the route: its own heading's, or the one around its table row. */
  readonly section: string;
  /** The role the doc gives it: a heading's **Role:** line, a row's role column; null when it gives none. */
  readonly role: string | null;
}

function codeRoutes(): CodeRoute[] {
  // The builders only hand these to handlers, which this test never calls. With
  // members and dev controls given, every mode's routes are built.
  const context = {} as ServerContext;
  const members = {} as MembershipControls;
  const dev = {} as DevControls;
  const routed = nodeRoutes(context, members, dev).map((route) => ({
    route: `${route.method} ${route.pattern}`,
    query: route.query ?? [],
    role: route.access,
  }));
  const dashboard = [...PAGE_PATHS, MACHINE_JSON_PATH, STATECHART_SVG_PATH, EVENTS_PATH, ...Object.keys(DASHBOARD_ASSETS), PAGE_SCRIPT_PATH].map((path) => ({
    route: `GET ${path}`,
    role: dashboardAccess('GET', path) ?? 'none',
  }));
  const forwarded = FORWARDED_ROUTES.map((route) => ({ route: `${route.method} ${FORWARD_PREFIX}${route.rest}`, role: route.access }));
  const host = hostRoutes({
    fence: { clusterId: 'c', selfId: 'n1', secret: new Uint8Array(32), fence: async () => false },
    debug: { hang: () => undefined, crashNode: () => undefined },
  });
  const processNode = [FENCE_PATH, ...Object.values(DEBUG_PATHS)].map((path) => ({ route: `POST ${path}`, role: host.access('POST', path) ?? 'none' }));
  return [...routed, ...[...dashboard, ...forwarded, ...processNode].map((entry) => ({ ...entry, query: [] }))];
}

const HEADING = /^(#{1,6}) /;
const ROUTE_HEADING = /^#{1,6} `?([A-Z]+ \/[^\s`]*)`?\s*$/;
const ROUTE_ROW = /^\| `([A-Z]+ \/[^\s`]*)` \|/;
const ROLE_LINE = /\*\*Role:\*\* `([a-z]+)`/;

function cells(row: string): string[] {
  return row
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
}

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
  /** From heading `start` to the next heading of any level: a heading's own words, not its subsections'. */
  const ownText = (start: number): string => {
    let end = start + 1;
    while (end < lines.length && levelAt(end) === 0) end++;
    return lines.slice(start, end).join('\n');
  };
  /** The role column of the table row at `i`: the header is the first row of its table. */
  const rowRole = (i: number): string | null => {
    let top = i;
    while (top > 0 && (lines[top - 1] ?? '').startsWith('|')) top--;
    const column = cells(lines[top] ?? '').indexOf('role');
    if (column === -1) return null;
    return /^`([a-z]+)`$/.exec(cells(lines[i] ?? '')[column] ?? '')?.[1] ?? null;
  };
  const routes: DocRoute[] = [];
  let heading = 0;
  lines.forEach((line, i) => {
    if (inCode[i]) return;
    if (levelAt(i) > 0) heading = i;
    const fromHeading = ROUTE_HEADING.exec(line)?.[1];
    if (fromHeading !== undefined) {
      routes.push({ route: fromHeading, section: sectionFrom(heading), role: ROLE_LINE.exec(ownText(i))?.[1] ?? null });
      return;
    }
    const fromRow = ROUTE_ROW.exec(line)?.[1];
    if (fromRow !== undefined) routes.push({ route: fromRow, section: sectionFrom(heading), role: rowRole(i) });
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

/** `METHOD /pattern: doc X, code Y` for each route whose documented role is not the code's. */
function wrongRoles(code: readonly CodeRoute[], doc: readonly DocRoute[]): string[] {
  const problems: string[] = [];
  for (const { route, role } of doc) {
    const served = code.find((entry) => entry.route === route);
    if (served && served.role !== role) problems.push(`${route}: doc ${role ?? 'none'}, code ${served.role}`);
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

  it('gives every route the role the code gives it', () => {
    expect(doc.every((entry) => entry.role !== null)).toBe(true);
    expect(wrongRoles(code, doc)).toEqual([]);
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

  it('sees a wrong role in a heading and in a table row', () => {
    const putSection = doc.find((entry) => entry.route === 'PUT /key/:key')?.section ?? '';
    const readPut = DOC.replace(putSection, putSection.replace('**Role:** `write`', '**Role:** `read`'));
    expect(wrongRoles(code, documentedRoutes(readPut))).toEqual(['PUT /key/:key: doc read, code write']);
    const crashRow = DOC.split('\n').find((line) => line.startsWith('| `POST /admin/nodes/:id/crash` |')) ?? '';
    const writeCrash = DOC.replace(crashRow, crashRow.replace('`admin` |', '`write` |'));
    expect(wrongRoles(code, documentedRoutes(writeCrash))).toEqual(['POST /admin/nodes/:id/crash: doc write, code admin']);
  });
});
