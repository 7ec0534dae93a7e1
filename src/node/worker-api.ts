// What a node worker offers its supervisor over comlink, and what it is
// started with. Shared by both sides so they cannot drift apart.

import type { MessagePort } from 'node:worker_threads';
import type { MembershipChange, NodeId } from '../core/types.js';
import type { NetworkFaults } from '../transport/faulty-transport.js';
import type { TcpAddress, TcpTlsOptions } from '../transport/tcp/options.js';
import type { NodeRuntimeConfig } from './node-config.js';
import type { NodeStatus } from './node-runtime.js';
import type { ClientAnswer, ClientRequest } from './requests.js';

/** How a node reaches its peers: MessagePorts inside one process, TCP between hosts. */
export type WorkerTransportSpec =
  | {
      readonly kind: 'ports';
      /** One port per peer; more arrive through replacePeerPort. */
      readonly peerPorts: Readonly<Record<NodeId, MessagePort>>;
    }
  | {
      readonly kind: 'tcp';
      readonly listen: TcpAddress;
      readonly peers: Readonly<Record<NodeId, TcpAddress>>;
      readonly clusterId: string;
      readonly secret: Uint8Array;
      readonly tls?: TcpTlsOptions;
    };

export interface NodeWorkerData {
  readonly config: NodeRuntimeConfig;
  /** LMDB directory of this node. */
  readonly dataDir: string;
  readonly transport: WorkerTransportSpec;
  /** Node events (role changes, applied changes, fatal errors) flow to the supervisor here. */
  readonly eventsPort: MessagePort;
  /** Int32 flag: while 1, the worker's event loop is blocked (a hung node, for dev and tests). */
  readonly pauseFlag: SharedArrayBuffer;
  /** Where the node publishes its core clock and lease after every turn (liveness-beacon.ts); optional for dev. */
  readonly beacon?: SharedArrayBuffer;
  readonly faultSeed: number;
}

/** What the worker says once it runs; `raftAddress` is where a TCP node really listens. */
export interface WorkerReady {
  readonly type: 'ready';
  readonly raftAddress?: TcpAddress;
}

export interface NodeWorkerApi {
  ping(): number;
  submit(requests: readonly ClientRequest[]): Promise<ClientAnswer[]>;
  status(): NodeStatus;
  transferLeadership(to: NodeId): Promise<{ ok: boolean; error?: string }>;
  proposeMembership(change: MembershipChange): Promise<{ ok: boolean; index?: number; error?: string }>;
  setWatching(watching: boolean): void;
  replacePeerPort(peer: NodeId, port: MessagePort): void;
  partition(blocked: readonly NodeId[]): void;
  heal(): void;
  setFaults(faults: Partial<NetworkFaults>): void;
  /**
   * End this thread now, from JavaScript. Unlike worker.terminate(), this can
   * never land inside an lmdb-js native call, where termination aborts the
   * whole process (FATAL ERROR: napi_throw). The durable state is whatever
   * was already persisted, exactly as after kill -9.
   */
  exit(): Promise<void>;
  /** Test hook: die with an uncaught error, as a bug would. */
  crash(): void;
  /** Block this worker's event loop until the pause flag clears. */
  pause(): void;
  stop(): Promise<void>;
}
