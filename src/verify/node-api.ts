// The few node HTTP routes the campaign drives besides the client library:
// /status, partition and heal (--chaos), leadership transfer, membership.
// Every request is bounded by ADMIN_REQUEST_TIMEOUT_MS: a SIGSTOPped node
// accepts the connection and never answers. A cluster that checks tokens
// gets `token` as Authorization: Bearer (the admin routes need role admin).

import { ADMIN_REQUEST_TIMEOUT_MS } from './limits.js';

export interface NodeStatusSnapshot {
  readonly nodeId: string;
  readonly role: string;
  readonly term: number;
  readonly leaderId: string | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly voters: readonly string[];
  readonly learners: readonly string[];
}

export interface AdminAnswer {
  readonly ok: boolean;
  readonly status: number | null;
  /** The server's words or why no answer came. */
  readonly text: string;
}

export async function adminRequest(url: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, token?: string): Promise<AdminAnswer> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  try {
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(ADMIN_REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    return { ok: response.ok, status: response.status, text };
  } catch (error) {
    return { ok: false, status: null, text: (error as Error).message };
  }
}

/** One node's view of itself, or null when it does not answer (down, paused, or busy past the timeout). */
export async function nodeStatus(url: string, token?: string): Promise<NodeStatusSnapshot | null> {
  const answer = await adminRequest(url, 'GET', '/status', undefined, token);
  if (!answer.ok) return null;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(answer.text) as Record<string, unknown>;
  } catch {
    return null;
  }
  const membership = (body['membership'] ?? {}) as { voters?: unknown; learners?: unknown };
  const ids = (value: unknown): string[] => (Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : []);
  const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
  if (typeof body['nodeId'] !== 'string' || typeof body['role'] !== 'string') return null;
  return {
    nodeId: body['nodeId'],
    role: body['role'],
    term: count(body['term']),
    leaderId: typeof body['leaderId'] === 'string' ? body['leaderId'] : null,
    commitIndex: count(body['commitIndex']),
    appliedIndex: count(body['appliedIndex']),
    lastIndex: count(body['lastIndex']),
    voters: ids(membership.voters),
    learners: ids(membership.learners),
  };
}
