// A small router: each route is a method, a pattern of '/'-separated segments
// (':name' captures one percent-decoded segment), the query parameters it
// accepts, and the role a caller needs (access.ts). A path that matches with
// another method gets 405 with Allow; a path that matches nothing gets 404.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { leastAccess, type RouteAccess } from './access.js';
import { badRequest, HttpError } from './http-error.js';
import type { Reply } from './reply.js';

export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly params: Readonly<Record<string, string>>;
  readonly query: ReadonlyMap<string, string>;
  /** performance.now() when the request arrived. */
  readonly receivedAtMs: number;
}

export interface Route {
  readonly method: string;
  /** e.g. '/key/:key/cas'; also the route's label in metrics, so never a raw path. */
  readonly pattern: string;
  /** Query parameters this route accepts; any other is refused with 400. */
  readonly query?: readonly string[];
  /**
   * The role a caller's token must hold when the server checks tokens
   * (`open`: none). Required, so that no route can be added without saying.
   */
  readonly access: RouteAccess;
  readonly handle: (context: RouteContext) => Promise<Reply>;
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: Route; readonly params: Record<string, string> }
  | {
      readonly kind: 'wrong-method';
      readonly allow: readonly string[];
      readonly pattern: string;
      /** The least any method of this path needs: a caller who may use none of them learns nothing from the 405. */
      readonly access: RouteAccess;
    }
  | { readonly kind: 'none' };

/** A match whose params are still percent-encoded: decoding one may fail (400), and waits until the caller may be answered. */
export type RouteLocation =
  Exclude<RouteMatch, { kind: 'found' }> | { readonly kind: 'found'; readonly route: Route; readonly rawParams: Record<string, string> };

export class Router {
  private readonly routes: { route: Route; segments: string[] }[] = [];

  add(...routes: Route[]): this {
    for (const route of routes) this.routes.push({ route, segments: route.pattern.split('/').slice(1) });
    return this;
  }

  /** `path` is the raw (still percent-encoded) path; a param with invalid encoding is a 400. */
  match(method: string, path: string): RouteMatch {
    const located = this.locate(method, path);
    return located.kind === 'found' ? { kind: 'found', route: located.route, params: decodeParams(located.rawParams) } : located;
  }

  /** As match, without decoding the params (see decodeParams). */
  locate(method: string, path: string): RouteLocation {
    const segments = path.split('/').slice(1);
    const allow = new Set<string>();
    const accesses: RouteAccess[] = [];
    let pattern: string | null = null;
    for (const { route, segments: wanted } of this.routes) {
      const params = matchSegments(wanted, segments);
      if (!params) continue;
      if (route.method === method) return { kind: 'found', route, rawParams: params };
      allow.add(route.method);
      accesses.push(route.access);
      pattern ??= route.pattern;
    }
    return pattern === null ? { kind: 'none' } : { kind: 'wrong-method', allow: [...allow], pattern, access: leastAccess(accesses) };
  }
}

function matchSegments(wanted: readonly string[], actual: readonly string[]): Record<string, string> | null {
  if (wanted.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < wanted.length; i++) {
    const want = wanted[i] as string;
    const got = actual[i] as string;
    if (want.startsWith(':')) params[want.slice(1)] = got;
    else if (want !== got) return null;
  }
  return params;
}

/** The params percent-decoded; invalid encoding is a 400. */
export function decodeParams(raw: Record<string, string>): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    try {
      decoded[name] = decodeURIComponent(value);
    } catch {
      throw badRequest(`the ${name} in the path is not valid percent-encoded UTF-8`);
    }
  }
  return decoded;
}

/** Query parameters, each at most once, each one the route accepts. */
export function parseQuery(search: string, allowed: readonly string[]): Map<string, string> {
  const query = new Map<string, string>();
  if (search.length === 0) return query;
  for (const [name, value] of new URLSearchParams(search)) {
    if (!allowed.includes(name)) {
      const accepted = allowed.length > 0 ? `accepted here: ${allowed.join(', ')}` : 'this route takes none';
      throw new HttpError(400, 'Unknown query parameter', `${JSON.stringify(name)}; ${accepted}`);
    }
    if (query.has(name)) throw badRequest(`query parameter ${JSON.stringify(name)} is given more than once`);
    query.set(name, value);
  }
  return query;
}
