// The key-value routes: PUT/GET/DELETE /key/:key and POST /key/:key/cas.
// Query parameters are turned into the request's options here; what they may
// hold (modes, ranges, key and value limits) is decided by validateRequest,
// the same rules the embedded API uses.

import type { ReplicationMode } from '../core/types.js';
import type {
  ClientAnswer,
  ClientError,
  ClientRequest,
  ReadAnswer,
  ReadConsistency,
  ReadRequest,
  WriteAnswer,
  WriteOptions,
  WriteRequest,
} from '../node/requests.js';
import { validateRequest } from '../node/validate-request.js';
import { readJsonBody } from './body.js';
import { leaderHint, type ServerContext } from './context.js';
import { clientErrorToHttp, type LeaderHint } from './error-mapping.js';
import { badRequest, HttpError } from './http-error.js';
import { json, type Reply } from './reply.js';
import type { Route, RouteContext } from './router.js';

const WRITE_QUERY = ['mode', 'minReplicas', 'timeoutMs', 'fencingToken', 'clientId', 'seq'] as const;
/** A PUT or cas answer names the write (term, index, leaderId); the value written comes back only with returnValue=true. */
const VALUE_WRITE_QUERY = [...WRITE_QUERY, 'returnValue'] as const;
const READ_QUERY = ['consistency', 'minIndex', 'maxLagMs'] as const;
const CONSISTENCIES_WITH_MIN_INDEX: readonly string[] = ['read-your-writes', 'monotonic'];

/**
 * Sent by the client library after the leader it was sent to did not answer: the node it asks next
 * holds the request until it knows another leader (see Routing in src/node/requests.ts).
 */
export const UNREACHABLE_LEADER_HEADER = 'x-replikit-unreachable-leader';

/** Plain decimal numbers only: no hex, exponents, blanks or Infinity sneaking through Number(). */
const DECIMAL = /^-?\d{1,16}(\.\d{1,16})?$/;

export function keyRoutes(context: ServerContext): Route[] {
  return [
    { method: 'PUT', pattern: '/key/:key', query: VALUE_WRITE_QUERY, access: 'write', handle: (route) => put(context, route) },
    { method: 'GET', pattern: '/key/:key', query: READ_QUERY, access: 'read', handle: (route) => get(context, route) },
    { method: 'DELETE', pattern: '/key/:key', query: WRITE_QUERY, access: 'write', handle: (route) => remove(context, route) },
    { method: 'POST', pattern: '/key/:key/cas', query: VALUE_WRITE_QUERY, access: 'write', handle: (route) => cas(context, route) },
  ];
}

async function put(context: ServerContext, route: RouteContext): Promise<Reply> {
  const key = keyOf(route);
  const options = writeOptions(route.query);
  const returnValue = returnValueParam(route.query);
  // A delete-shaped check covers the key and the options: refused before a body is read.
  refuseEarly({ kind: 'delete', key, options });
  const value = await readJsonBody(route.req, context.limits, true);
  const answer = await write(context, route, { kind: 'put', key, value, options });
  return json(200, { success: true, key, ...(returnValue ? { value } : {}), term: answer.term, index: answer.index, leaderId: context.endpoint.id });
}

async function remove(context: ServerContext, route: RouteContext): Promise<Reply> {
  const key = keyOf(route);
  const answer = await write(context, route, { kind: 'delete', key, options: writeOptions(route.query) });
  return json(200, { success: true, key, term: answer.term, index: answer.index, leaderId: context.endpoint.id });
}

async function cas(context: ServerContext, route: RouteContext): Promise<Reply> {
  const key = keyOf(route);
  const options = writeOptions(route.query);
  const returnValue = returnValueParam(route.query);
  refuseEarly({ kind: 'delete', key, options });
  const body = await readJsonBody(route.req, context.limits, true);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('the body must be an object {"expected": <value or null for absent>, "next": <value>}');
  }
  const unknown = Object.keys(body).filter((name) => name !== 'expected' && name !== 'next');
  if (unknown.length > 0) throw badRequest(`unknown field ${JSON.stringify(unknown[0])}; expected "expected" and "next"`);
  const { expected, next } = body as { expected?: unknown; next?: unknown };
  if (!('expected' in body)) throw badRequest('"expected" is missing (use null for "the key is absent")');
  const answer = await write(context, route, { kind: 'cas', key, expected, next, options });
  return json(200, { success: true, key, ...(returnValue ? { value: next } : {}), term: answer.term, index: answer.index, leaderId: context.endpoint.id });
}

async function get(context: ServerContext, route: RouteContext): Promise<Reply> {
  const key = keyOf(route);
  const request: ReadRequest = { ...readRequest(key, route.query), ...routing(route) };
  refuseEarly(request);
  const answer = (await submit(context, request)) as ReadAnswer;
  if (!answer.ok) throw clientErrorToHttp(answer.error, await hintFor(context, answer.error));
  if (!answer.found) return json(404, { error: 'Key not found', key, index: answer.index });
  return json(200, { key, value: answer.value, index: answer.index, nodeRole: answer.role, nodeId: answer.nodeId, lagMs: answer.lagMs });
}

async function write(context: ServerContext, route: RouteContext, asked: WriteRequest): Promise<Extract<WriteAnswer, { ok: true }>> {
  const request: WriteRequest = { ...asked, ...routing(route) };
  refuseEarly(request);
  const answer = (await submit(context, request)) as WriteAnswer;
  if (!answer.ok) {
    throw clientErrorToHttp(answer.error, await hintFor(context, answer.error), {
      ...(answer.term !== undefined ? { term: answer.term } : {}),
      ...(answer.index !== undefined ? { index: answer.index } : {}),
    });
  }
  context.metrics.observeCommit((performance.now() - route.receivedAtMs) / 1000);
  return answer;
}

/** One request to the node. A call that throws is a lost answer: a write's outcome is then unknown. */
async function submit(context: ServerContext, request: ClientRequest): Promise<ClientAnswer> {
  try {
    const [answer] = await context.endpoint.submit([request]);
    if (answer) return answer;
  } catch {
    // fall through: the node did not answer
  }
  return request.kind === 'get'
    ? { ok: false, error: { code: 'stopped', message: `${context.endpoint.id} did not answer` } }
    : { ok: false, error: { code: 'unknown-outcome', message: `${context.endpoint.id} did not answer; the write may or may not have happened` } };
}

/** Only a not-leader refusal needs to say where the leader is (which may cost a status call). */
async function hintFor(context: ServerContext, error: ClientError): Promise<LeaderHint> {
  return error.code === 'not-leader' ? leaderHint(context, error.leaderId) : { leaderId: null, leaderUrl: null };
}

function refuseEarly(request: ClientRequest): void {
  const problem = validateRequest(request);
  if (problem) throw new HttpError(400, 'Bad request', problem);
}

function routing(route: RouteContext): { unreachableLeader?: string } {
  const named = route.req.headers[UNREACHABLE_LEADER_HEADER];
  return typeof named === 'string' ? { unreachableLeader: named } : {};
}

function keyOf(route: RouteContext): string {
  const key = route.params['key'];
  if (key === undefined) throw badRequest('no key in the path');
  return key;
}

function writeOptions(query: ReadonlyMap<string, string>): WriteOptions {
  const clientId = query.get('clientId');
  const seq = query.get('seq');
  if ((clientId === undefined) !== (seq === undefined)) throw badRequest('clientId and seq go together (an exactly-once session)');
  const mode = query.get('mode');
  const minReplicas = numberParam(query, 'minReplicas');
  const timeoutMs = numberParam(query, 'timeoutMs');
  const fencingToken = numberParam(query, 'fencingToken');
  return {
    ...(mode !== undefined ? { mode: mode as ReplicationMode } : {}),
    ...(minReplicas !== undefined ? { minReplicas } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(fencingToken !== undefined ? { fencingToken } : {}),
    ...(clientId !== undefined ? { session: { clientId, seq: numberParam(query, 'seq') as number } } : {}),
  };
}

function readRequest(key: string, query: ReadonlyMap<string, string>): ReadRequest {
  const consistency = (query.get('consistency') ?? 'linearizable') as ReadConsistency;
  const minIndex = numberParam(query, 'minIndex');
  const maxLagMs = numberParam(query, 'maxLagMs');
  // Silently ignoring these would let a client believe it got a guarantee it did not ask for correctly.
  if (minIndex !== undefined && !CONSISTENCIES_WITH_MIN_INDEX.includes(consistency)) {
    throw badRequest('minIndex applies to consistency=read-your-writes or consistency=monotonic');
  }
  if (maxLagMs !== undefined && consistency !== 'bounded') throw badRequest('maxLagMs applies to consistency=bounded');
  return {
    kind: 'get',
    key,
    consistency,
    ...(minIndex !== undefined ? { minIndex } : {}),
    ...(maxLagMs !== undefined ? { maxLagMs } : {}),
  };
}

/** Echoing the value is asked for: a 500 KB write need not come back as a 500 KB answer. */
function returnValueParam(query: ReadonlyMap<string, string>): boolean {
  const raw = query.get('returnValue');
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw badRequest(`returnValue must be true or false, got ${JSON.stringify(raw)}`);
}

/** A number from the query; whether it is in range (an integer, positive...) is validateRequest's to say. */
function numberParam(query: ReadonlyMap<string, string>, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === undefined) return undefined;
  if (!DECIMAL.test(raw)) throw badRequest(`${name} must be a decimal number, got ${JSON.stringify(raw)}`);
  return Number(raw);
}
