// Reproduction, not a benchmark: worker.terminate() (what crash(), STONITH,
// the hang killer and close() after a stop timeout all use) can land while
// the node's thread is inside an lmdb-js native call; lmdb-js then fails to
// throw into the dying environment and node aborts the WHOLE process:
//
//   FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw
//
// (node-addon-api treats napi_pending_exception during termination as fatal
// unless built with NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS; see
// nodejs/node-addon-api#902, kriszyp/lmdb-js#200.) Here a follower is
// crashed and restarted in a loop under pipelined writes, so terminations
// often find it persisting. Seen in failover.ts (round 18 of 50, and 46) and
// in writes.ts (in close()) on this 2-core box under load.
//
//   npm run build && node dist/bench/cluster/repro-terminate-abort.js
//
// A surviving run prints "survived"; an aborted one ends with the FATAL ERROR
// above and exit code 134 (SIGABRT) after its last "round" line.
//
// Since 8289ad0 (the node thread exits itself with process.exit() instead of
// being terminated) the same loop ends in SIGSEGV instead (exit 139, 3 runs of
// 3, after 2-30 rounds): lmdb-js commits on the process-wide libuv threadpool,
// and a commit queued by a thread that has exited runs on freed memory
// (gdb: WriteWorker::Write -> mdb_txn_commit with a garbage txn pointer, on a
// threadpool thread). Exiting is safe only once that thread's LMDB environment
// has no commit in flight (e.g. stop the runtime, await the environment's
// close, then exit).

import type { NodeId } from '../../src/index.js';
import { waitForHealthy } from './cluster-waits.js';
import { sleep, waitForLeader, withCluster } from './harness.js';
import { VALUE, benchKey } from './load.js';

const ROUNDS = 200;
const WRITERS_IN_FLIGHT = 1024;
/** Crash this long after the follower is back, so it is busy catching up and persisting. */
const CRASH_AFTER_RESTART_MS = 20;
const HEALTHY_TIMEOUT_MS = 30_000;

await withCluster({ nodes: 3 }, async (cluster) => {
  await waitForLeader(cluster);
  let stopped = false;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (!stopped) await cluster.put(benchKey(next++), VALUE).catch(() => undefined);
  };
  const writers = Promise.all(Array.from({ length: WRITERS_IN_FLIGHT }, lane));
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const status = await waitForHealthy(cluster, HEALTHY_TIMEOUT_MS);
      const follower = status.nodes.find((node) => node.id !== status.leaderId)?.id as NodeId;
      await cluster.crash(follower);
      await cluster.restart(follower);
      await sleep(CRASH_AFTER_RESTART_MS);
      process.stdout.write(`round ${round}: crashed and restarted ${follower}; ${next} writes issued\n`);
    }
  } finally {
    stopped = true;
    await writers;
  }
});
console.log(`survived ${ROUNDS} terminations`);
