// Admin routes: leadership transfer and membership on every server; the chaos
// controls (crash, restart, pause, resume, partition, heal) only when the
// server was given DevControls, as in `replikit dev`. Without them those
// routes do not exist (404), so a production node cannot be crashed by URL.

import type { NodeId } from '../core/types.js';
import type { DevControls } from '../node/node-endpoint.js';
import { NO_BODY, readJsonBody } from './body.js';
import { leaderHint, type ServerContext } from './context.js';
import { notLeader, thrownToHttp } from './error-mapping.js';
import { badRequest, HttpError } from './http-error.js';
import { MAX_NODE_ID_LENGTH, MAX_PARTITION_GROUPS, NODE_ID_PATTERN } from './limits.js';
import { json, type Reply } from './reply.js';
import type { Route, RouteContext } from './router.js';

export interface MembershipControls {
  /** Adds a node (a learner that the leader promotes once caught up); resolves with its id. */
  add(id?: string): Promise<{ id: string }>;
  remove(id: string): Promise<void>;
}

export function adminRoutes(context: ServerContext, members: MembershipControls | undefined, dev: DevControls | undefined): Route[] {
  const routes: Route[] = [{ method: 'POST', pattern: '/admin/transfer-leadership', access: 'admin', handle: (route) => transfer(context, route) }];
  if (members) {
    routes.push(
      { method: 'POST', pattern: '/admin/members', access: 'admin', handle: (route) => addMember(context, members, route) },
      { method: 'DELETE', pattern: '/admin/members/:id', access: 'admin', handle: (route) => removeMember(members, route) },
    );
  }
  if (dev) routes.push(...devRoutes(context, dev));
  return routes;
}

async function transfer(context: ServerContext, route: RouteContext): Promise<Reply> {
  const body = await objectBody(context, route, true);
  const to = nodeIdField(body, 'to');
  if (to === undefined) throw badRequest('"to" is missing: the id of the voter to hand leadership to');
  const status = await context.endpoint.status();
  if (!status) throw new HttpError(503, 'Node unavailable', `${context.endpoint.id} is down or not answering`);
  // Wrong wherever it is asked, so refused before asking where the leader is.
  if (!status.membership.voters.includes(to)) throw new HttpError(400, 'Transfer refused', `${to} is not a voter`);
  // Only the leader can hand leadership over; this server cannot reach the leader's endpoint.
  if (status.role !== 'leader') throw notLeader(await leaderHint(context, status.leaderId));
  let result: { ok: boolean; error?: string };
  try {
    result = await context.endpoint.transferLeadership(to);
  } catch (error) {
    throw thrownToHttp(error);
  }
  if (result.ok) return json(200, { success: true, from: context.endpoint.id, to });
  if (result.error === 'not-leader') throw notLeader(await leaderHint(context, null));
  if (result.error === 'transfer-in-progress') throw new HttpError(409, 'Transfer in progress', 'a transfer is already under way; retry shortly');
  throw new HttpError(400, 'Transfer refused', result.error);
}

async function addMember(context: ServerContext, members: MembershipControls, route: RouteContext): Promise<Reply> {
  const body = await objectBody(context, route, false);
  const id = body === NO_BODY ? undefined : nodeIdField(body, 'id');
  try {
    const added = await members.add(id);
    return json(200, { id: added.id });
  } catch (error) {
    throw thrownToHttp(error);
  }
}

async function removeMember(members: MembershipControls, route: RouteContext): Promise<Reply> {
  const id = nodeIdParam(route);
  try {
    await members.remove(id);
  } catch (error) {
    throw thrownToHttp(error);
  }
  return json(200, { success: true, id });
}

function devRoutes(context: ServerContext, dev: DevControls): Route[] {
  const nodeAction = (action: 'crash' | 'restart' | 'pause' | 'resume'): Route => ({
    method: 'POST',
    pattern: `/admin/nodes/:id/${action}`,
    access: 'admin',
    handle: async (route) => {
      const id = knownNode(dev, nodeIdParam(route));
      try {
        if (action === 'crash') await dev.crash(id);
        else if (action === 'restart') await dev.restart(id);
        else if (action === 'pause') dev.pause(id);
        else dev.resume(id);
      } catch (error) {
        throw thrownToHttp(error);
      }
      return json(200, { success: true, id, action });
    },
  });
  return [
    nodeAction('crash'),
    nodeAction('restart'),
    nodeAction('pause'),
    nodeAction('resume'),
    {
      method: 'POST',
      pattern: '/admin/partition',
      access: 'admin',
      handle: async (route) => {
        const groups = partitionGroups(dev, await objectBody(context, route, true));
        try {
          await dev.partition(groups);
        } catch (error) {
          throw thrownToHttp(error);
        }
        return json(200, { success: true, groups });
      },
    },
    {
      method: 'POST',
      pattern: '/admin/heal',
      access: 'admin',
      handle: async (route) => {
        await objectBody(context, route, false);
        try {
          await dev.heal();
        } catch (error) {
          throw thrownToHttp(error);
        }
        return json(200, { success: true });
      },
    },
  ];
}

/** An admin body is a JSON object (or nothing, where allowed). */
async function objectBody(context: ServerContext, route: RouteContext, required: boolean): Promise<Record<string, unknown> | typeof NO_BODY> {
  const body = await readJsonBody(route.req, context.limits, required);
  if (body === NO_BODY) return body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the body must be a JSON object');
  return body as Record<string, unknown>;
}

function nodeIdField(body: Record<string, unknown> | typeof NO_BODY, name: string): NodeId | undefined {
  if (body === NO_BODY) return undefined;
  const value = body[name];
  if (value === undefined) return undefined;
  const problem = nodeIdProblem(value);
  if (problem) throw badRequest(`"${name}": ${problem}`);
  return value as NodeId;
}

function nodeIdParam(route: RouteContext): NodeId {
  const id = route.params['id'];
  const problem = nodeIdProblem(id);
  if (problem) throw badRequest(problem);
  return id as NodeId;
}

function nodeIdProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'a node id must be a string';
  if (value.length === 0 || value.length > MAX_NODE_ID_LENGTH || !NODE_ID_PATTERN.test(value)) {
    return `a node id is 1 to ${MAX_NODE_ID_LENGTH} characters of A-Z a-z 0-9 _ . -`;
  }
  return null;
}

function knownNode(dev: DevControls, id: NodeId): NodeId {
  if (!dev.nodeIds().includes(id)) throw new HttpError(404, 'Unknown node', `no node ${JSON.stringify(id)}`);
  return id;
}

/** [["n1"], ["n2", "n3"]]: known nodes, each in at most one group. */
function partitionGroups(dev: DevControls, body: Record<string, unknown> | typeof NO_BODY): NodeId[][] {
  const groups = body === NO_BODY ? undefined : body['groups'];
  const shape = 'expected {"groups": [["n1"], ["n2", "n3"]]}';
  if (!Array.isArray(groups) || groups.length === 0 || groups.length > MAX_PARTITION_GROUPS) {
    throw badRequest(`${shape} with 1 to ${MAX_PARTITION_GROUPS} groups`);
  }
  const seen = new Set<NodeId>();
  return groups.map((group: unknown) => {
    if (!Array.isArray(group) || group.length === 0) throw badRequest(`${shape}; every group is a non-empty array of node ids`);
    return group.map((id: unknown) => {
      const problem = nodeIdProblem(id);
      if (problem) throw badRequest(problem);
      // An unknown id inside the body is a bad body, not a missing resource.
      if (!dev.nodeIds().includes(id as NodeId)) throw badRequest(`no node ${JSON.stringify(id)}`);
      const known = id as NodeId;
      if (seen.has(known)) throw badRequest(`${known} is in more than one group`);
      seen.add(known);
      return known;
    });
  });
}
