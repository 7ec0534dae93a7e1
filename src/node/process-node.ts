// One node of a multi-host cluster in this process: its LMDB environment, the
// TCP transport to its peers, its runtime, and its HTTP server.

import { mkdirSync } from 'node:fs';
import { seedFromText } from '../core/random.js';
import type { NodeId } from '../core/types.js';
import { createNodeHttpServer } from '../http/server.js';
import { openLmdbNode } from '../storage/lmdb-node.js';
import { createTcpTransport } from '../transport/tcp/tcp-transport.js';
import type { TcpAddress, TcpTlsOptions } from '../transport/tcp/options.js';
import { createFaultyTransport, type FaultyTransport } from '../transport/faulty-transport.js';
import { localEndpoint } from './local-endpoint.js';
import type { DevControls } from './node-endpoint.js';
import { DEFAULT_NODE_TIMING, nodeConfigProblems, type NodeRuntimeConfig } from './node-config.js';
import { NodeRuntime } from './node-runtime.js';

export interface ProcessNodeOptions {
  readonly id: NodeId;
  readonly http: TcpAddress;
  /** Where this node accepts its peers' TCP connections. */
  readonly listen: TcpAddress;
  /** Every node's TCP address, this one included. */
  readonly peers: Readonly<Record<NodeId, TcpAddress>>;
  /** Every node's HTTP base URL (for leaderUrl); missing ones are answered as unknown. */
  readonly peerHttp: Readonly<Record<NodeId, string>>;
  readonly dataDir: string;
  readonly clusterId: string;
  readonly secret: Uint8Array;
  readonly tls?: TcpTlsOptions;
  /** Start as a learner of an existing cluster instead of a founding voter. */
  readonly join: boolean;
  readonly mode: NodeRuntimeConfig['defaultMode'];
  readonly lagThresholdMs: number;
  readonly tickMs?: number;
  readonly electionTimeoutTicks?: number;
  readonly heartbeatIntervalTicks?: number;
  readonly log: (line: string) => void;
  /**
   * Accept fault injection over HTTP (/admin/partition, /admin/heal): for test
   * campaigns such as replikit verify, never for production.
   */
  readonly chaos?: boolean;
}

export interface ProcessNode {
  readonly httpUrl: string;
  readonly raftAddress: TcpAddress;
  readonly runtime: NodeRuntime;
  close(): Promise<void>;
}

export async function startProcessNode(options: ProcessNodeOptions): Promise<ProcessNode> {
  const { id, log } = options;
  if (!options.peers[id]) throw new RangeError(`--peers must include this node (${id})`);
  const others = Object.fromEntries(Object.entries(options.peers).filter(([peer]) => peer !== id));
  const founders = Object.keys(options.peers).filter((peer) => !options.join || peer !== id);
  const config: NodeRuntimeConfig = {
    id,
    // A joining node is no voter of its own bootstrap: it never campaigns before the leader's log says it may.
    bootstrap: { voters: founders, learners: [] },
    tickMs: options.tickMs ?? DEFAULT_NODE_TIMING.tickMs,
    electionTimeoutTicks: options.electionTimeoutTicks ?? DEFAULT_NODE_TIMING.electionTimeoutTicks,
    heartbeatIntervalTicks: options.heartbeatIntervalTicks ?? DEFAULT_NODE_TIMING.heartbeatIntervalTicks,
    defaultMode: options.mode,
    semiSyncMinReplicas: 1,
    replicationTimeoutMs: 1000,
    snapshotEveryEntries: 50_000,
    readWaitTimeoutMs: 5000,
    writeTimeoutMs: 5000,
    maxPendingRequests: 1 << 17,
  };
  const problems = nodeConfigProblems(config);
  if (problems.length > 0) throw new RangeError(problems.join('; '));

  mkdirSync(options.dataDir, { recursive: true });
  const transport = createTcpTransport({
    selfId: id,
    listen: options.listen,
    peers: others,
    clusterId: options.clusterId,
    secret: options.secret,
    ...(options.tls ? { tls: options.tls } : {}),
    log: (line) => log(`tcp: ${line}`),
  });
  const raftAddress = await transport.listen();
  const faulty = options.chaos ? createFaultyTransport(transport, { seed: seedFromText(id) }) : null;
  const { storage, kv } = openLmdbNode(options.dataDir);
  const runtime = await NodeRuntime.open(config, { storage, kv, transport: faulty ?? transport, nowMs: () => performance.now() });
  runtime.onEvent((event) => {
    if (event.type === 'role') log(`role: ${event.role} in term ${event.term}${event.leaderId ? `, leader ${event.leaderId}` : ''}`);
    if (event.type === 'fatal') log(`fatal: ${event.message}`);
  });
  runtime.start();

  const endpoint = localEndpoint(runtime, id);
  const server = createNodeHttpServer({
    endpoint,
    peerUrls: () => options.peerHttp,
    lagThresholdMs: options.lagThresholdMs,
    members: {
      add: async (newId) => {
        if (!newId) throw new RangeError('name the node to add: it must be one of --peers, started with --join');
        if (!options.peers[newId]) throw new RangeError(`${newId} is not in --peers; every node that may join must be listed there`);
        const result = await runtime.proposeMembership({ type: 'add-learner', node: newId });
        if (!result.ok) throw new RangeError(`cannot add ${newId}: ${result.error}`);
        return { id: newId };
      },
      remove: async (oldId) => {
        const result = await runtime.proposeMembership({ type: 'remove', node: oldId });
        if (!result.ok) throw new RangeError(`cannot remove ${oldId}: ${result.error}`);
      },
    },
    log: (line) => log(`http: ${line}`),
    ...(faulty ? { dev: chaosControls(id, Object.keys(options.peers), faulty) } : {}),
  });
  const { url } = await server.listen(options.http.host, options.http.port);
  return {
    httpUrl: url,
    raftAddress,
    runtime,
    close: async () => {
      await server.close();
      await runtime.stop();
      await transport.closeAsync();
      await storage.close();
      await kv.close();
    },
  };
}

/**
 * The chaos a single process can do to itself: cut its own links. Each node
 * of a partitioned cluster receives the same groups and blocks the peers
 * outside its own group, so the partition holds in both directions.
 */
function chaosControls(id: NodeId, nodeIds: readonly NodeId[], faulty: FaultyTransport): DevControls {
  const notHere = async (): Promise<void> => {
    throw new RangeError('replikit node cannot crash, restart, pause or resume nodes; signal the processes instead');
  };
  return {
    crash: notHere,
    restart: notHere,
    pause: () => void notHere(),
    resume: () => void notHere(),
    partition: async (groups) => {
      const mine = groups.find((group) => group.includes(id)) ?? [id];
      faulty.partition(nodeIds.filter((peer) => !mine.includes(peer)));
    },
    heal: async () => faulty.heal(),
    nodeIds: () => [...nodeIds],
  };
}
