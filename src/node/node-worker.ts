// A node as an actor: the worker thread entry. It opens the node's LMDB
// environment, recovers, wires the peer ports into a transport (with a fault
// wrapper for dev chaos), starts the loop, and exposes its control face to
// the supervisor with comlink.

import * as Comlink from 'comlink';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { openLmdbNode } from '../storage/lmdb-node.js';
import { createFaultyTransport } from '../transport/faulty-transport.js';
import { createMessagePortTransport } from '../transport/message-port-transport.js';
import { PeerRouter } from '../transport/peer-router.js';
import { emitterEndpoint } from './comlink-endpoint.js';
import { BeaconWriter } from './liveness-beacon.js';
import { NodeRuntime } from './node-runtime.js';
import type { NodeWorkerApi, NodeWorkerData, WorkerReady } from './worker-api.js';
import { createTcpTransport, type TcpTransport } from '../transport/tcp/tcp-transport.js';
import { OrderlyDeath } from './orderly-death.js';

const death = new OrderlyDeath((message) => (workerData as NodeWorkerData).eventsPort.postMessage({ type: 'fatal', message }));
// An uncaught error must not end this thread while LMDB still runs commits for it: they would run
// on freed memory and take the whole process down (seen: a `replikit node` process died of SIGSEGV
// when its node thread was crashed under load). The thread reports the error, closes in order, exits.
process.on('uncaughtException', (error) => death.die(error));
process.on('unhandledRejection', (error) => death.die(error));

async function main(): Promise<void> {
  if (!parentPort) throw new Error('node-worker.ts must run in a worker thread');
  const data = workerData as NodeWorkerData;
  const { id } = data.config;
  const router = new PeerRouter();
  const peerTransport = (peer: string, port: MessagePort) => createMessagePortTransport(id, new Map([[peer, port]]), { keepThreadAlive: true });
  let raftAddress: WorkerReady['raftAddress'];
  let tcp: TcpTransport | null = null;
  if (data.transport.kind === 'ports') {
    for (const [peer, port] of Object.entries(data.transport.peerPorts)) router.setPeer(peer, peerTransport(peer, port));
  } else {
    const spec = data.transport;
    tcp = createTcpTransport({
      selfId: id,
      listen: spec.listen,
      peers: Object.fromEntries(Object.entries(spec.peers).filter(([peer]) => peer !== id)),
      clusterId: spec.clusterId,
      secret: spec.secret,
      ...(spec.tls ? { tls: spec.tls } : {}),
      log: (line) => data.eventsPort.postMessage({ type: 'log', line: `tcp: ${line}` }),
    });
    death.onDeath(() => tcp?.closeAsync());
    raftAddress = await tcp.listen();
  }
  const transport = createFaultyTransport(tcp ?? router, { seed: data.faultSeed });
  const { storage, kv, notes } = openLmdbNode(data.dataDir);
  death.onDeath(async () => {
    await storage.close();
    await kv.close();
  });
  if (notes.migratedKvKeys > 0) {
    data.eventsPort.postMessage({
      type: 'log',
      line: `storage: moved ${notes.migratedKvKeys} state machine keys to the UTF-8 key format (values unchanged)`,
    });
  }
  const beacon = data.beacon ? new BeaconWriter(data.beacon) : null;
  const runtime = await NodeRuntime.open(data.config, {
    storage,
    kv,
    transport,
    nowMs: () => performance.now(),
    ...(beacon
      ? {
          onTurnEnd: (coreClockMs: number, leaseUntilMs: number) =>
            beacon.publish(performance.timeOrigin + coreClockMs, leaseUntilMs > 0 ? performance.timeOrigin + leaseUntilMs : 0),
          onLoopAlive: (nowMs: number) => beacon.alive(performance.timeOrigin + nowMs),
        }
      : {}),
  });
  death.onDeath(() => runtime.stop());
  // A runtime that failed (storage, a broken invariant) has halted: the thread ends, so its supervisor restarts it.
  runtime.onEvent((event) => (event.type === 'fatal' ? death.die(event.message) : data.eventsPort.postMessage(event)));
  runtime.start();
  const pauseFlag = new Int32Array(data.pauseFlag);

  const api: NodeWorkerApi = {
    ping: () => performance.now(),
    submit: (requests) => runtime.submit(requests),
    status: () => runtime.status(),
    transferLeadership: (to) => runtime.transferLeadership(to),
    proposeMembership: (change) => runtime.proposeMembership(change),
    setWatching: (watching) => runtime.setWatching(watching),
    replacePeerPort: (peer, port) => {
      if (tcp) throw new Error('a TCP node has no peer ports');
      router.setPeer(peer, peerTransport(peer, port));
    },
    partition: (blocked) => transport.partition(blocked),
    heal: () => transport.heal(),
    setFaults: (faults) => transport.setFaults(faults),
    exit: async () => {
      // Stop taking work, let LMDB finish the commits already queued (exiting
      // under them runs them on freed memory: a segfault), then end the thread.
      // What is durable is what was persisted, as after kill -9.
      await death.closeAll();
      process.exit(1);
    },
    crash: () => {
      setImmediate(() => {
        throw new Error(`node ${id} crashed on request (test hook)`);
      });
    },
    pause: () => {
      // A real hang: nothing on this thread runs until the supervisor clears the flag.
      while (Atomics.load(pauseFlag, 0) === 1) Atomics.wait(pauseFlag, 0, 1);
    },
    stop: () => death.closeAll(),
  };
  Comlink.expose(api, emitterEndpoint(parentPort));
  const ready: WorkerReady = { type: 'ready', ...(raftAddress ? { raftAddress } : {}) };
  data.eventsPort.postMessage(ready);
}

main().catch((error: unknown) => death.die(error));
