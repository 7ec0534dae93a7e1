// Who may call what on the HTTP face. Every route names the role it needs
// (`access`, next to its definition); a server given an HttpAuth checks the
// request's `Authorization: Bearer <token>` against it after matching the
// route and before its handler runs, so nothing of a refused request's body
// is read and no handler sees it. Without an HttpAuth every route is open,
// as before authentication existed.
//
// The roles nest: admin can do everything write can, write everything read
// can. `open` routes (/health, the dashboard's page and static files, and the
// hosts' signed /admin/fence) take no token at all.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { MAX_TOKEN_CHARS, tokenSyntaxProblem } from '../ground/bearer-token.js';
import { HttpError } from './http-error.js';

export const ACCESS_ROLES = ['read', 'write', 'admin'] as const;
export type AccessRole = (typeof ACCESS_ROLES)[number];
/** What a route needs: a role, or nothing at all. */
export type RouteAccess = AccessRole | 'open';

const RANK: Readonly<Record<AccessRole, number>> = { read: 1, write: 2, admin: 3 };

/** admin ⊃ write ⊃ read. */
export function roleAllows(held: AccessRole, needed: AccessRole): boolean {
  return RANK[held] >= RANK[needed];
}

/** The lowest of several needs: what a 405 for a path with several methods asks for. */
export function leastAccess(accesses: readonly RouteAccess[]): RouteAccess {
  if (accesses.includes('open')) return 'open';
  let least: AccessRole = 'admin';
  for (const access of accesses) if (access !== 'open' && RANK[access] < RANK[least]) least = access;
  return least;
}

export interface TokenGrant {
  /** Who holds it, for messages and logs; never the token itself. */
  readonly name: string;
  readonly role: AccessRole;
  readonly token: string;
}

export interface Identity {
  readonly name: string;
  readonly role: AccessRole;
}

const REALM = 'Bearer realm="replikit"';

/**
 * The tokens a server accepts. Only their SHA-256 digests are compared: the
 * presented token is hashed, and its digest compared with every stored one by
 * crypto.timingSafeEqual, all of them every time, so neither how much of a
 * token matched nor which entry it matched shows in the time an answer takes.
 */
export class HttpAuth {
  private readonly entries: readonly { readonly name: string; readonly role: AccessRole; readonly digest: Buffer }[];
  /**
   * The least-privileged token (read if there is one): what this node's
   * dashboard sends when it asks the other nodes for their /status. Every
   * node of a cluster is meant to load the same auth file.
   */
  readonly peerToken: string;

  constructor(grants: readonly TokenGrant[]) {
    if (grants.length === 0) throw new RangeError('an HttpAuth needs at least one token');
    this.entries = grants.map((grant) => ({ name: grant.name, role: grant.role, digest: digest(grant.token) }));
    const least = [...grants].sort((a, b) => RANK[a.role] - RANK[b.role])[0] as TokenGrant;
    this.peerToken = least.token;
  }

  /** The holder of `token`, or null when it is none of ours. */
  identify(token: string): Identity | null {
    const presented = digest(token);
    let found: Identity | null = null;
    for (const entry of this.entries) {
      // No early exit: every entry is compared, whichever one matches.
      const same = timingSafeEqual(presented, entry.digest);
      if (same && found === null) found = { name: entry.name, role: entry.role };
    }
    return found;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** `Bearer` and one space, then the token: longer than this is refused unread. */
const MAX_AUTHORIZATION_CHARS = 'Bearer '.length + MAX_TOKEN_CHARS;

/**
 * Refuses the request (a 401 or 403 HttpError) unless `auth` lets it through
 * to a route needing `needed`; `what` names the route for the 403's words.
 * Shapes that can never be a token are refused before any digest is taken:
 * that depends on the header alone, never on a stored token.
 */
export function checkAccess(auth: HttpAuth | undefined, req: IncomingMessage, needed: RouteAccess, what: string): void {
  if (auth === undefined || needed === 'open') return;
  const token = bearerToken(req);
  const identity = auth.identify(token);
  if (identity === null) throw invalidToken('the token is not one this node accepts');
  if (!roleAllows(identity.role, needed)) {
    throw new HttpError(
      403,
      'Forbidden',
      `${what} needs role ${needed}; the token ${JSON.stringify(identity.name)} has role ${identity.role}`,
      { needs: needed, role: identity.role },
      { 'WWW-Authenticate': `${REALM}, error="insufficient_scope"` },
    );
  }
}

/** The token of the request's one `Authorization: Bearer <token>` header, or a 401. */
function bearerToken(req: IncomingMessage): string {
  // headersDistinct: Node keeps only the first of repeated Authorization headers in req.headers.
  const values = req.headersDistinct['authorization'] ?? [];
  if (values.length === 0) {
    throw new HttpError(401, 'Unauthorized', 'this route needs a token: send Authorization: Bearer <token>', {}, { 'WWW-Authenticate': REALM });
  }
  if (values.length > 1) throw invalidToken('send one Authorization header, not several');
  const value = values[0] as string;
  if (value.length > MAX_AUTHORIZATION_CHARS) throw invalidToken(`the Authorization header is longer than any token (${MAX_AUTHORIZATION_CHARS} characters)`);
  const space = value.indexOf(' ');
  const scheme = space === -1 ? value : value.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') throw invalidToken('the Authorization header must be "Bearer <token>"');
  const token = value.slice(space + 1);
  if (space === -1 || token.length === 0) throw invalidToken('the Authorization header has no token after "Bearer"');
  const problem = tokenSyntaxProblem(token);
  if (problem) throw invalidToken(`the Authorization header is not "Bearer <token>" with one space: ${problem}`);
  return token;
}

function invalidToken(detail: string): HttpError {
  return new HttpError(401, 'Unauthorized', detail, {}, { 'WWW-Authenticate': `${REALM}, error="invalid_token"` });
}
