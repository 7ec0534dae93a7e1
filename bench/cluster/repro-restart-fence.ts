// Reproduction, not a benchmark: the supervisor fences (kills and respawns) a
// node it has just restarted, because the role it remembers for that node is
// the one the previous process reported (leader, old term) and nothing clears
// it on kill or spawn. Seen in the failover benchmark as node-fenced events
// naming the old leader right after restart(). Here the restarted node is cut
// off from the others, so it cannot report a new role before the next poll:
// the stale "leader" sticks and the fence fires every round.
//
//   npm run build && node dist/bench/cluster/repro-restart-fence.js
//
// Exits 1 when a restarted follower was fenced.

import type { NodeId } from '../../src/index.js';
import { waitForHealthy } from './cluster-waits.js';
import { sleep, withCluster } from './harness.js';

const ROUNDS = 5;
/** Longer than several supervisor polls (25 ms by default), shorter than an election (60-120 ms + votes). */
const WATCH_AFTER_RESTART_MS = 50;
const HEALTHY_TIMEOUT_MS = 10_000;

const fencedRounds = await withCluster({ nodes: 3 }, async (cluster) => {
  const fenced: NodeId[] = [];
  cluster.on('node-fenced', (event: { id: NodeId }) => fenced.push(event.id));
  let hits = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const before = await waitForHealthy(cluster, HEALTHY_TIMEOUT_MS);
    const old = before.leaderId as NodeId;
    await cluster.crash(old);
    await waitForHealthyExcept(cluster, old, before.term);
    await cluster.partition([[old], cluster.nodeIds().filter((id) => id !== old)]);
    fenced.length = 0;
    await cluster.restart(old);
    await sleep(WATCH_AFTER_RESTART_MS);
    const status = await cluster.status();
    const role = status.nodes.find((node) => node.id === old)?.role;
    const hit = fenced.includes(old);
    if (hit) hits++;
    console.log(`round ${round}: crashed leader ${old} (term ${before.term}), restarted it cut off; now ${role ?? 'not answering'}; fenced: ${hit}`);
    await cluster.heal();
  }
  return hits;
});
console.log(`restarted node fenced in ${fencedRounds}/${ROUNDS} rounds`);
if (fencedRounds > 0) process.exitCode = 1;

/** A leader of a newer term among the nodes other than `crashed`. */
async function waitForHealthyExcept(cluster: Parameters<typeof waitForHealthy>[0], crashed: NodeId, oldTerm: number): Promise<void> {
  const deadlineMs = performance.now() + HEALTHY_TIMEOUT_MS;
  for (;;) {
    const status = await cluster.status();
    if (status.leaderId !== null && status.leaderId !== crashed && status.term > oldTerm) return;
    if (performance.now() > deadlineMs) throw new Error(`no new leader within ${HEALTHY_TIMEOUT_MS} ms after crashing ${crashed}`);
    await sleep(10);
  }
}
