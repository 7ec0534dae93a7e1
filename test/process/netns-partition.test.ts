// A partition made by the kernel, not by the chaos routes: three `replikit
// node` processes, each in its own Linux network namespace with its own
// address, joined by a bridge (see netns.ts for the layout). The leader's
// namespace gets a firewall rule that silently drops TCP between its address
// and the other two on the peer (Raft) ports, both ways; the test, in the root
// namespace, still reaches every node's HTTP. Under steady writes through the
// client library:
//
//   - the majority elects a new leader and keeps acknowledging writes;
//   - the old leader acknowledges nothing: a write sent to it right after the
//     cut fails, it steps down (check-quorum), and it refuses writes and
//     linearizable and lease reads while cut off;
//   - after the rule is removed it rejoins as a follower of the new term and
//     catches up, the write it was sent while cut off never appears, and every
//     acknowledged write is readable with a linearizable read.
//
// Needs Linux, root, `ip` and `nft` or `iptables` (nothing is installed at test
// time). Without them the test is skipped and the reason is printed and put in
// its name. Runs in `npm run test:hosts` only.

import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { createClient, type ReplikitClient } from '../../src/client/index.js';
import { NetnsLab, netnsUnavailableReason } from './netns.js';
import { ProcessCluster, eventually, sleep } from './process-cluster.js';
import { expectEveryAcknowledgedWriteReadable, startWriters } from './writers.js';

const unavailable = netnsUnavailableReason();
if (unavailable) console.warn(`netns-partition: not run: ${unavailable}`);

const IDS = ['n1', 'n2', 'n3'];
/** Acknowledged writes the majority must add after electing its leader. */
const MAJORITY_ACKS = 20;
/**
 * The cut lasts at least this long (counted from the cut), the old leader
 * watched all along: long enough for its campaigns to run and for TCP's
 * retransmission backoff to grow, so the heal is not a blip.
 */
const PARTITION_HOLD_MS = 5_000;

let lab: NetnsLab | null = null;
let cluster: ProcessCluster | null = null;
const clients: ReplikitClient[] = [];
const writerGroups: { stop(): Promise<void> }[] = [];
const tracked = { clients, writerGroups };

afterAll(async () => {
  // Whatever failed: writers, clients, processes, then the namespaces (which take veths, bridge and rules).
  await Promise.all(writerGroups.splice(0).map((writers) => writers.stop()));
  for (const client of clients.splice(0)) client.close();
  await cluster?.close();
  cluster = null;
  const problems = lab?.destroy() ?? [];
  lab = null;
  if (problems.length > 0) console.warn(`netns-partition: cleanup problems:\n${problems.join('\n')}`);
});

interface Answer {
  readonly status: number | 'no answer';
  readonly body: string;
}

/** One HTTP request straight to one node (no client library: no retries, no following leader hints). */
async function ask(url: string, init: RequestInit = {}, timeoutMs = 8000): Promise<Answer> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { status: 'no answer', body: (error as Error).message };
  }
}

function put(url: string, key: string, value: unknown): Promise<Answer> {
  return ask(`${url}/key/${key}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });
}

describe('partitions between hosts made with network namespaces', () => {
  it.skipIf(unavailable !== null)(
    `a leader cut off by a firewall rule is replaced, acknowledges nothing, and rejoins as follower${unavailable ? ` (not run: ${unavailable})` : ''}`,
    async () => {
      lab = NetnsLab.create(IDS);
      const net = lab;
      cluster = await ProcessCluster.start({
        nodes: IDS.length,
        host: (id) => ({ address: net.address(id), command: net.command(id) }),
        // Addresses other than loopback: protected mode wants tokens, or this.
        extraArgs: ['--insecure'],
      });
      const procs = cluster;
      const endpoints = procs.endpoints();
      const report = (line: string): void => console.log(`netns-partition: ${line}`);
      let cutAt = performance.now();
      onTestFailed(() => {
        const tail = procs.lines.slice(-200).map((line) => `${Math.round(line.atMs - cutAt)} ms ${line.text}`);
        console.log(`netns-partition: the nodes' last lines (ms from the cut):\n${tail.join('\n')}`);
      });
      report(`hosts ${IDS.map((id) => `${id}=${net.address(id)}`).join(' ')}, test at ${net.testAddress}, firewall ${net.firewallKind}`);

      // A whole cluster first: one leader that both others follow.
      const old = await eventually(async () => {
        const leader = await procs.leader();
        if (!leader) return null;
        const statuses = await Promise.all(IDS.map((id) => procs.status(id)));
        return statuses.every((status) => status?.['leaderId'] === leader.id && status?.['term'] === leader.term) ? leader : null;
      }, 'a leader every node follows');
      const others = IDS.filter((id) => id !== old.id);

      const writers = startWriters(tracked, endpoints, 3);
      await eventually(async () => writers.acks.length >= MAJORITY_ACKS, 'writes acknowledged before the cut');
      const client = createClient({ endpoints });
      clients.push(client);
      await client.put('probe', 'before');

      // The cut.
      cutAt = performance.now();
      lab.cut(old.id, others, procs.raftPorts());
      const inForce = lab.rules(old.id);
      // Sent after the rule is in place: nothing of it can reach the others.
      const writeToCutLeader = put(procs.url(old.id), 'cut-off', 'must never appear');

      const [next, steppedDownAt] = await Promise.all([
        eventually(
          async () => {
            const leader = await procs.leader(others);
            return leader && leader.term > old.term ? { ...leader, atMs: performance.now() } : null;
          },
          'the majority to elect a new leader',
          60_000,
        ),
        eventually(
          async () => {
            const status = await procs.status(old.id);
            return status !== null && status['role'] !== 'leader' ? performance.now() : null;
          },
          `${old.id} to stop leading once cut off`,
          60_000,
        ),
      ]);
      report(
        `cut ${old.id} (term ${old.term}) from ${others.join(', ')}: ${next.id} leads term ${next.term} after ${Math.round(next.atMs - cutAt)} ms; ${old.id} stepped down after ${Math.round(steppedDownAt - cutAt)} ms`,
      );
      expect(next.id).not.toBe(old.id);

      // The majority keeps acknowledging writes, in its own term.
      await eventually(
        async () => writers.acks.filter((ack) => ack.atMs > next.atMs && ack.term >= next.term).length >= MAJORITY_ACKS,
        `${MAJORITY_ACKS} writes acknowledged by the majority after the election`,
        60_000,
      );
      const majority = createClient({ endpoints: procs.endpoints(others) });
      clients.push(majority);
      await majority.put('probe', 'after');

      // The old leader acknowledged nothing and serves nothing that needs a leader.
      const cutWrite = await writeToCutLeader;
      expect(cutWrite.status, `write sent to ${old.id} right after the cut: ${cutWrite.body}`).not.toBe(200);
      const refused: string[] = [`PUT right after the cut: ${cutWrite.status}`];
      const laterWrite = await put(procs.url(old.id), 'cut-off-later', 'must never appear');
      expect(laterWrite.status, `write sent to ${old.id} while cut off: ${laterWrite.body}`).not.toBe(200);
      refused.push(`PUT later: ${laterWrite.status}`);
      for (const consistency of ['linearizable', 'lease'] as const) {
        const read = await ask(`${procs.url(old.id)}/key/probe?consistency=${consistency}`);
        // A refusal, or (never expected while cut off) the value the majority wrote: never the stale one.
        if (read.status === 200) expect(JSON.parse(read.body).value, `${consistency} read from ${old.id} while cut off`).toBe('after');
        else refused.push(`${consistency} read: ${read.status}`);
      }
      // Hold the cut, watching the old leader: it never leads again while cut off.
      const roles = new Set<string>();
      const terms = new Set<number>();
      do {
        const status = await procs.status(old.id);
        if (status !== null) {
          expect(status['role'], `${old.id} while cut off`).not.toBe('leader');
          roles.add(String(status['role']));
          terms.add(status['term'] as number);
        }
        await sleep(100);
      } while (performance.now() < cutAt + PARTITION_HOLD_MS);
      report(`${old.id} while cut off: ${refused.join(', ')}; roles seen ${[...roles].join(', ')}, terms ${[...terms].join(', ')}`);

      // Heal.
      const leaderAtHeal = await procs.leader(others);
      const dropped = lab.heal(old.id);
      const healedAt = performance.now();
      expect(dropped, `packets the rules dropped; rules were:\n${inForce}`).toBeGreaterThan(0);
      const rejoined = await eventually(
        async () => {
          const [status, leader] = await Promise.all([procs.status(old.id), procs.leader()]);
          if (status?.['role'] !== 'follower' || leader === null) return null;
          return status['leaderId'] === leader.id && status['term'] === leader.term ? { ...leader, atMs: performance.now() } : null;
        },
        `${old.id} to rejoin as follower`,
        60_000,
      );
      // Caught up: the value the majority wrote while it was away is applied there.
      const caughtUp = await eventually(
        async () => {
          const read = await ask(`${procs.url(old.id)}/key/probe?consistency=eventual`, {}, 2000);
          return read.status === 200 && JSON.parse(read.body).value === 'after' ? performance.now() : null;
        },
        `${old.id} to catch up`,
        60_000,
      );
      report(
        `healed after ${Math.round(healedAt - cutAt)} ms (${dropped} packets dropped; ${leaderAtHeal ? `${leaderAtHeal.id} led term ${leaderAtHeal.term}` : 'no leader'} then): ${old.id} follows ${rejoined.id} in term ${rejoined.term} after ${Math.round(rejoined.atMs - healedAt)} ms, caught up after ${Math.round(caughtUp - healedAt)} ms`,
      );

      await writers.stop();
      report(
        `${writers.acks.length} writes acknowledged in all, ${writers.acks.filter((ack) => ack.atMs > cutAt && ack.atMs < healedAt).length} while ${old.id} was cut off`,
      );
      await expectEveryAcknowledgedWriteReadable(tracked, endpoints, writers.acknowledged, writers.attempted);
      expect((await client.get('probe'))?.value).toBe('after');
      // The writes the cut-off leader was sent stayed in its own log, and were replaced when it rejoined.
      expect(await client.get('cut-off')).toBeUndefined();
      expect(await client.get('cut-off-later')).toBeUndefined();
    },
    240_000,
  );
});
