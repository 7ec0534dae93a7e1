// One node of a multi-host cluster: this process is the host. Its main
// thread is the supervisor and the faces (HTTP, metrics, the dashboard); the node itself
// (LMDB, the TCP transport to its peers, the runtime) runs in a worker thread
// the supervisor can restart, and shoot when its leader lease lapses.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeId } from '../core/types.js';
import { createDashboard } from '../dashboard/dashboard.js';
import type { LogLine } from './logger.js';
import { DEFAULT_HOST_TIMING, HEARTBEATS_PER_ELECTION_TIMEOUT, HostSupervisor, type HostEvent, type HostTiming } from '../host/host-supervisor.js';
import { FENCE_PATH, sendFenceNotice } from '../host/fence-request.js';
import { fenceRoute, type FenceRouteOptions } from '../host/fence-route.js';
import type { HttpAuth } from '../http/access.js';
import { createNodeHttpServer, type PathHandler } from '../http/server.js';
import type { TcpAddress, TcpTlsOptions } from '../transport/tcp/options.js';
import { ReplikitError } from '../ground/errors.js';
import { RequestBatcher } from '../cluster/request-batcher.js';
import { seedFromText } from '../core/random.js';
import { nodeConfigProblems, type NodeRuntimeConfig } from '../node/node-config.js';
import type { FencingRecord } from '../node/fencing.js';
import type { DevControls, NodeEndpoint } from '../node/node-endpoint.js';
import type { NodeEvent } from '../node/node-runtime.js';
import type { ClientAnswer, ClientRequest } from '../node/requests.js';

export interface ProcessNodeOptions {
  readonly id: NodeId;
  readonly http: TcpAddress;
  /** Where this node accepts its peers' TCP connections. */
  readonly listen: TcpAddress;
  /** Every node's TCP address, this one included. */
  readonly peers: Readonly<Record<NodeId, TcpAddress>>;
  /** Every node's HTTP base URL (for leaderUrl and remote fencing); missing ones are unknown. */
  readonly peerHttp: Readonly<Record<NodeId, string>>;
  readonly dataDir: string;
  readonly clusterId: string;
  readonly secret: Uint8Array;
  readonly tls?: TcpTlsOptions;
  /** Start as a learner of an existing cluster instead of a founding voter. */
  readonly join: boolean;
  /** The founding voters; default: every node in `peers`. Spares listed in `peers` only may join later. */
  readonly initialVoters?: readonly NodeId[];
  readonly mode: NodeRuntimeConfig['defaultMode'];
  readonly lagThresholdMs: number;
  readonly timing?: Partial<HostTiming>;
  /** The node's log (logger.ts): what happened to it, at a level. */
  readonly log: LogLine;
  /**
   * Accept fault injection over HTTP (/admin/partition, /admin/heal, and
   * /admin/debug/hang to hang the node's thread): for test campaigns such as
   * replikit verify, never for production.
   */
  readonly chaos?: boolean;
  /** The tokens the HTTP face accepts (--auth-file); absent: it is open to anyone who can reach it. */
  readonly auth?: HttpAuth;
  /** Serve the HTTP face over HTTPS with this certificate and key (PEM). */
  readonly httpTls?: { readonly cert: Buffer | string; readonly key: Buffer | string };
}

export interface ProcessNode {
  readonly httpUrl: string;
  readonly raftAddress: TcpAddress;
  readonly supervisor: HostSupervisor;
  close(): Promise<void>;
}

export async function startProcessNode(options: ProcessNodeOptions): Promise<ProcessNode> {
  const { id, log } = options;
  if (!options.peers[id]) throw new RangeError(`--peers must include this node (${id})`);
  const timing: HostTiming = { ...DEFAULT_HOST_TIMING, ...options.timing };
  const founders = (options.initialVoters ?? Object.keys(options.peers)).filter((peer) => !options.join || peer !== id);
  for (const voter of founders) {
    if (!options.peers[voter]) throw new RangeError(`initial voter ${voter} is not in --peers`);
  }
  if (founders.length === 0) throw new RangeError('there must be at least one initial voter besides a joining node');
  const config: NodeRuntimeConfig = {
    id,
    // A joining node is no voter of its own bootstrap: it never campaigns before the leader's log says it may.
    bootstrap: { voters: founders, learners: [] },
    tickMs: timing.tickMs,
    electionTimeoutTicks: timing.electionTimeoutTicks,
    heartbeatIntervalTicks: Math.max(1, Math.floor(timing.electionTimeoutTicks / HEARTBEATS_PER_ELECTION_TIMEOUT)),
    defaultMode: options.mode,
    semiSyncMinReplicas: 1,
    replicationTimeoutMs: 1000,
    snapshotEveryEntries: 50_000,
    readWaitTimeoutMs: 5000,
    writeTimeoutMs: 5000,
    maxPendingRequests: 1 << 17,
    core: {
      leaseDriftTicks: timing.leaseDriftTicks,
      electionJitterTicks: timing.electionJitterTicks,
      maxElectionTimeoutTicks: timing.maxElectionTimeoutTicks,
    },
  };
  const problems = nodeConfigProblems(config);
  if (problems.length > 0) throw new RangeError(problems.join('; '));

  // The listen port is fixed after the first start, so restarts keep the address peers dial.
  let listen = options.listen;
  const supervisor = new HostSupervisor(
    () => ({
      config,
      dataDir: options.dataDir,
      transport: {
        kind: 'tcp',
        listen,
        peers: options.peers,
        clusterId: options.clusterId,
        secret: options.secret,
        ...(options.tls ? { tls: options.tls } : {}),
      },
      faultSeed: seedFromText(id),
    }),
    timing,
  );
  supervisor.on('event', (event: HostEvent) => onHostEvent(event));
  try {
    await supervisor.start();
  } catch (error) {
    // A node that cannot start (its peer port taken, its data unreadable) is not restarted behind the caller's back.
    await supervisor.close();
    throw error;
  }
  const raftAddress = supervisor.raftAddress ?? options.listen;
  listen = raftAddress;

  const listeners = new Set<(event: NodeEvent) => void>();
  const fencingListeners = new Set<(record: FencingRecord) => void>();
  function onHostEvent(event: HostEvent): void {
    switch (event.type) {
      case 'role':
        log(`role: ${event.role} in term ${event.term}${event.leaderId ? `, leader ${event.leaderId}` : ''} (${event.why})`);
        for (const listener of listeners) {
          listener({ type: 'role', role: event.role, term: event.term, leaderId: event.leaderId, cause: event.cause, why: event.why });
        }
        return;
      case 'peer-gone':
        log(`evidence: ${event.peer} is gone (its connection closed and a redial was refused)`);
        return;
      case 'fenced': {
        log(`fenced (${event.reason}) in term ${event.term}: ${event.detail}; restarting as follower`, 'warn');
        // To /metrics, /status and the dashboard, which outlive the node thread that was shot.
        const record: FencingRecord = { atMs: event.atMs, reason: event.reason, term: event.term, detail: event.detail };
        for (const listener of fencingListeners) listener(record);
        return;
      }
      case 'crashed':
        log(`node crashed: ${event.reason}`, 'error');
        return;
      case 'restarted':
        log(`node restarted (start #${event.spawns})`);
        return;
      case 'crash-loop':
        log(`node is crash-looping (${event.restarts} restarts in a minute): left down; see the errors above`, 'error');
        return;
      case 'log':
        log(event.line);
        return;
      case 'stale-leader': {
        // STONITH across hosts: tell the stale leader's own supervisor to shoot it.
        const url = options.peerHttp[event.leaderId];
        if (!url) return;
        log(`${event.leaderId} still leads term ${event.staleTerm} (now ${event.term}): asking its host to fence it`, 'warn');
        const notice = { clusterId: options.clusterId, from: id, to: event.leaderId, staleTerm: event.staleTerm, newerTerm: event.term, sentAtMs: Date.now() };
        sendFenceNotice(url, notice, options.secret).catch((error: Error) => log(`fence notice to ${event.leaderId} failed: ${error.message}`, 'warn'));
        return;
      }
    }
  }

  const endpoint = supervisedEndpoint(id, supervisor, listeners, fencingListeners);
  // Not in dev mode: the page shows no chaos controls, and this node's fencings reach its timeline from the endpoint.
  const dashboard = createDashboard({
    endpoint,
    peerUrls: () => options.peerHttp,
    devMode: false,
    ...(options.auth ? { peerToken: options.auth.peerToken } : {}),
  });
  const host = hostRoutes({
    fence: {
      clusterId: options.clusterId,
      selfId: id,
      secret: options.secret,
      fence: (notice) => supervisor.fenceIfStale(notice.staleTerm, notice.newerTerm, notice.from),
    },
    ...(options.chaos ? { debug: supervisor } : {}),
  });
  let server;
  try {
    server = createNodeHttpServer({
      endpoint,
      peerUrls: () => options.peerHttp,
      lagThresholdMs: options.lagThresholdMs,
      members: {
        add: async (newId) => {
          if (!newId) throw new ReplikitError('bad-request', 'name the node to add: it must be one of --peers, started with --join');
          if (!options.peers[newId]) {
            throw new ReplikitError('unknown-node', `${newId} is not in --peers; every node that may join must be listed there`);
          }
          membershipRefusal(`add ${newId}`, await endpoint.proposeMembership({ type: 'add-learner', node: newId }));
          return { id: newId };
        },
        remove: async (oldId) => {
          membershipRefusal(`remove ${oldId}`, await endpoint.proposeMembership({ type: 'remove', node: oldId }));
        },
      },
      dashboard: {
        access: (method, path) => host.access(method, path) ?? dashboard.access(method, path),
        handle: (req, res) => host.handle(req, res) || dashboard.handle(req, res),
      },
      log: (line) => log(`http: ${line}`),
      ...(options.chaos ? { dev: chaosControls(id, Object.keys(options.peers), supervisor) } : {}),
      ...(options.auth ? { auth: options.auth } : {}),
      ...(options.httpTls ? { tls: options.httpTls } : {}),
    });
  } catch (error) {
    // A certificate and key that do not make a TLS context: nothing may be left running.
    dashboard.close();
    await supervisor.close();
    throw error;
  }
  let url: string;
  try {
    ({ url } = await server.listen(options.http.host, options.http.port));
  } catch (error) {
    // The node thread is up (it listens for peers): stop it, so a refused start leaves nothing running.
    dashboard.close();
    await server.close();
    await supervisor.close();
    throw error;
  }
  return {
    httpUrl: url,
    raftAddress,
    supervisor,
    close: async () => {
      dashboard.close();
      await server.close();
      await supervisor.close();
    },
  };
}

/** The node as the HTTP face sees it: every call goes through the supervisor and settles even if the node dies. */
function supervisedEndpoint(
  id: NodeId,
  supervisor: HostSupervisor,
  listeners: Set<(event: NodeEvent) => void>,
  fencingListeners: Set<(record: FencingRecord) => void>,
): NodeEndpoint {
  const down: { ok: boolean; index?: number; error?: string } = { ok: false, error: `${id} is restarting` };
  const notSent: ClientAnswer = { ok: false, error: { code: 'stopped', message: `${id} is restarting; nothing was done` } };
  const stopped = (kind: string): ClientAnswer =>
    kind === 'get'
      ? { ok: false, error: { code: 'stopped', message: `${id} is restarting` } }
      : { ok: false, error: { code: 'unknown-outcome', message: `${id} stopped before answering; the write may or may not have happened` } };
  const submitBatch = async (requests: ClientRequest[]): Promise<ClientAnswer[]> => {
    // Down before we asked: nothing was sent, so the caller may safely go elsewhere.
    if (supervisor.workerState() !== 'running') return requests.map(() => notSent);
    return supervisor.call(
      (remote) => remote.submit(requests),
      () => requests.map((request) => stopped(request.kind)),
    );
  };
  // One comlink call per event-loop turn for all the HTTP requests that arrived in it, not one each.
  const batcher = new RequestBatcher(submitBatch, 'immediate');
  return {
    id,
    submit: (requests) => Promise.all(requests.map((request) => batcher.submit(request))),
    status: async () => supervisor.status(),
    transferLeadership: (to) =>
      supervisor.call(
        (remote) => remote.transferLeadership(to),
        () => down,
      ),
    proposeMembership: (change) =>
      supervisor.call(
        (remote) => remote.proposeMembership(change),
        () => down,
      ),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onFencing: (listener) => {
      fencingListeners.add(listener);
      return () => fencingListeners.delete(listener);
    },
  };
}

/** A refused membership change as the error the HTTP face maps: 503 for leadership, 400 otherwise. */
function membershipRefusal(what: string, result: { ok: boolean; error?: string }): void {
  if (result.ok) return;
  if (result.error === 'not-leader' || result.error === 'transfer-in-progress') {
    throw new ReplikitError('no-leader', `cannot ${what}: this node is not the leader (${result.error}); ask the leader`);
  }
  throw new ReplikitError('bad-request', `cannot ${what}: ${result.error ?? 'refused'}`);
}

/**
 * The chaos a single process can do to itself: cut its own links. Each node
 * of a partitioned cluster receives the same groups and blocks the peers
 * outside its own group, so the partition holds in both directions.
 */
function chaosControls(id: NodeId, nodeIds: readonly NodeId[], supervisor: HostSupervisor): DevControls {
  // A refusal the route turns into a 400. Thrown, not rejected: pause and resume are synchronous,
  // and a rejected promise nobody awaited ended the whole process as an unhandled rejection.
  const notHere = (): never => {
    throw new ReplikitError(
      'bad-request',
      'replikit node cannot crash, restart, pause or resume nodes; signal the processes instead (kill -9, kill -STOP, kill -CONT)',
    );
  };
  return {
    crash: async () => notHere(),
    restart: async () => notHere(),
    pause: notHere,
    resume: notHere,
    partition: async (groups) => {
      const mine = groups.find((group) => group.includes(id)) ?? [id];
      const blocked = nodeIds.filter((peer) => !mine.includes(peer));
      await supervisor.call(
        (remote) => remote.partition(blocked),
        () => undefined,
      );
    },
    heal: async () =>
      supervisor.call(
        (remote) => remote.heal(),
        () => undefined,
      ),
    nodeIds: () => [...nodeIds],
  };
}

/** The chaos-only test hooks, both POST. */
export const DEBUG_PATHS = { hang: '/admin/debug/hang', crash: '/admin/debug/crash' } as const;

export interface HostRoutesOptions {
  readonly fence: FenceRouteOptions;
  /** Given only with --chaos: the debug hooks. */
  readonly debug?: Pick<HostSupervisor, 'hang' | 'crashNode'>;
}

/**
 * The routes a host serves besides the API and the dashboard, each with the
 * role it needs. POST /admin/fence takes no token: it is one host telling
 * another (not a client's request), and the notice is signed with the
 * cluster secret (an HMAC fenceRoute checks), which proves more than a
 * client token would. The debug hooks are admin, like the chaos routes.
 */
export function hostRoutes(options: HostRoutesOptions): PathHandler {
  const fence = fenceRoute(options.fence);
  const debug = options.debug ? debugRoutes(options.debug) : null;
  const debugPaths: readonly string[] = Object.values(DEBUG_PATHS);
  return {
    access: (method, path) => {
      if (path === FENCE_PATH) return 'open';
      if (debug && method === 'POST' && debugPaths.includes(path)) return 'admin';
      return null;
    },
    handle: (req, res) => fence(req, res) || (debug?.(req, res) ?? false),
  };
}

/**
 * Chaos-only test hooks: POST /admin/debug/hang blocks the node's thread (a
 * stuck disk, a runaway loop); POST /admin/debug/crash kills it with an
 * uncaught error (a bug).
 */
function debugRoutes(supervisor: Pick<HostSupervisor, 'hang' | 'crashNode'>): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    if (req.method !== 'POST') return false;
    if (req.url === DEBUG_PATHS.hang) supervisor.hang();
    else if (req.url === DEBUG_PATHS.crash) supervisor.crashNode();
    else return false;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ done: req.url === DEBUG_PATHS.hang ? 'hang' : 'crash' }));
    return true;
  };
}
