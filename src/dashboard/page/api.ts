// Requests to the node API that never throw and always end in something a
// person can read. Another node is reached through this page's server
// (/dashboard/nodes/:id/...), since the API sends no CORS headers; the token,
// when there is one, goes along in the Authorization header. A 401 is
// reported (auth.ts) so that the page asks for a token. Uses only fetch, so
// tests run it in Node with a stubbed fetch.

import type { NodeId } from '../protocol.js';
import { authHeaders, reportUnauthorized } from './auth.js';

/** Nodes asked for one request at most: the serving node, then whom it names (or the page's own guesses). */
const MAX_NODES_ASKED = 3;

/** A JSON answer's fields; `{}` when the answer was JSON but not an object. */
export type ApiBody = Readonly<Record<string, unknown>>;

export interface ApiResult {
  /** 0 when the server could not be reached. */
  readonly status: number;
  /** The parsed JSON, or an {error, detail} written here. */
  readonly body: ApiBody;
}

export interface LeaderOutcome {
  readonly result: ApiResult;
  readonly answeredBy: NodeId;
  /** Every node asked, in order. */
  readonly hops: readonly NodeId[];
}

export async function callJson(method: string, url: string, jsonText?: string): Promise<ApiResult> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() };
  const init: RequestInit = { method, headers };
  if (jsonText !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = jsonText;
  }
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    return { status: 0, body: { error: 'No answer', detail: `the server could not be reached (${error instanceof Error ? error.message : String(error)})` } };
  }
  if (response.status === 401) reportUnauthorized();
  const text = await response.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { status: response.status, body: { error: `HTTP ${response.status}`, detail: text.slice(0, 200) } };
  }
  return { status: response.status, body: typeof parsed === 'object' && parsed !== null ? (parsed as ApiBody) : {} };
}

/** The answer's {error, detail} in one line, or its status. */
export function errorText(result: ApiResult): string {
  const { error, detail } = result.body;
  const head = typeof error === 'string' ? error : `HTTP ${result.status}`;
  return typeof detail === 'string' && detail ? `${head}: ${detail}` : head;
}

/** The URL of an API path on node nodeId, as seen from the page served by servedBy. */
export function nodeUrl(nodeId: NodeId, servedBy: NodeId | null, path: string): string {
  return nodeId === servedBy ? path : `/dashboard/nodes/${encodeURIComponent(nodeId)}${path}`;
}

/**
 * Sends to the node serving the page; on 503, follows the leader the answer
 * names or, when it names none (the node is down, or an election is under
 * way), the first of fallbacks not asked yet: the leader the page last saw,
 * then the other nodes that answer (which serve the request or name the
 * leader).
 */
export async function viaLeader(
  method: string,
  path: string,
  jsonText: string | undefined,
  servedBy: NodeId,
  fallbacks: readonly NodeId[] = [],
): Promise<LeaderOutcome> {
  const hops: NodeId[] = [];
  let target = servedBy;
  for (;;) {
    hops.push(target);
    const result = await callJson(method, nodeUrl(target, servedBy, path), jsonText);
    const named = typeof result.body['leaderId'] === 'string' ? result.body['leaderId'] : null;
    const next = named && !hops.includes(named) ? named : fallbacks.find((id) => id !== '' && !hops.includes(id));
    if (result.status === 503 && next && hops.length < MAX_NODES_ASKED) {
      target = next;
      continue;
    }
    return { result, answeredBy: target, hops };
  }
}
