// Leader failover of a 3-node `replikit node` cluster over real TCP and real
// processes: a steady writer (the client library) runs throughout; each
// round kill -9s (or SIGSTOPs) the leader's process and measures the time from
// the fault to the first write acknowledged by a newer term's leader (an ack
// in a newer term can only come from the new leader). A killed node is
// restarted on its data dir; a stopped one is continued, and asked at once for
// a key the new leader wrote meanwhile: it must not answer an older value. The
// old leader must catch up (apply what the leader had committed) before the
// next round. At the end every acknowledged key is read back with a
// linearizable read: an acknowledged write that is missing or different
// counts as lost.
//
// kill leaves evidence (the process's sockets close, its port refuses): the
// crash path. stop leaves only silence: the followers' patience decides.
//
//   npm run build && node dist/bench/http/failover-tcp.js [rounds] [--fault kill|stop]
//
// Writes results/bench-http-failover-<fault>.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createClient } from '../../src/client/index.js';
import { ReplikitCluster, eventually, sleep, START_TIMEOUT_MS } from './procs.js';

type Fault = 'kill' | 'stop';
const CLUSTER_SIZE = 3;
const DEFAULT_ROUNDS = 20;
/**
 * Concurrent writer lanes, each its own client: a client sends one write at a
 * time (its seqs must reach the leader in order), so lanes sharing one client
 * would queue behind a write that is riding out the election.
 */
const WRITER_LANES = 4;
/** A round whose new leader acknowledges nothing in this long is reported as failed, not waited on. */
const FAILOVER_TIMEOUT_MS = 20_000;
/** A restarted node that has not caught up in this long fails the run. */
const CATCH_UP_TIMEOUT_MS = 30_000;
/** Writer traffic before the first kill, so the writer is in its steady state. */
const STEADY_BEFORE_FIRST_KILL_MS = 1_000;
/** After catch-up, so a kill never lands in the restarted node's first heartbeats. */
const SETTLE_AFTER_CATCH_UP_MS = 500;
/** Parallel linearizable reads in the final check. */
const READ_CONCURRENCY = 16;
/** The whole run is abandoned (processes killed) after this. */
const RUN_TIMEOUT_MS = 15 * 60_000;

interface Ack {
  readonly key: string;
  readonly value: number;
  readonly term: number;
  readonly atMs: number;
}

interface Round {
  readonly round: number;
  readonly oldLeader: string;
  readonly oldTerm: number;
  readonly newTerm: number | null;
  readonly failoverMs: number | null;
  readonly catchUpMs: number;
  /** Writes that ended in an error (unacknowledged) between the kill and catch-up. */
  readonly writeErrors: number;
  /** stop: what the continued old leader answered at once for a key the new leader wrote meanwhile. */
  readonly wokenAnswers?: readonly string[];
  /** stop: how many of those answers were an older value (stale): must be 0. */
  readonly staleAnswers?: number;
}

function uptime(): string {
  return execFileSync('uptime', { encoding: 'utf8' }).trim();
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** The continued old leader is asked at these read levels, each at once after SIGCONT. */
const WOKEN_READ_LEVELS = ['lease', 'linearizable'] as const;

async function main(): Promise<void> {
  const positional = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith('--') && all[i - 1] !== '--fault');
  const faultIndex = process.argv.indexOf('--fault');
  const fault = (faultIndex >= 0 ? process.argv[faultIndex + 1] : 'kill') as Fault;
  if (fault !== 'kill' && fault !== 'stop') throw new Error(`--fault is kill or stop, got ${fault}`);
  const RESULTS_FILE = `results/bench-http-failover-${fault}.json`;
  const rounds = Number(positional[0] ?? DEFAULT_ROUNDS);
  const startedAt = new Date().toISOString();
  const loadAtStart = uptime();
  console.log(`load at start: ${loadAtStart}`);
  const cluster = await ReplikitCluster.start(CLUSTER_SIZE);
  const endpoints = cluster.ids().map((id) => cluster.url(id));
  const clients = Array.from({ length: WRITER_LANES }, () => createClient({ endpoints }));
  const reader = createClient({ endpoints });
  const acks: Ack[] = [];
  let writeErrors = 0;
  let stopped = false;
  const abort = setTimeout(() => {
    console.error(`run exceeded ${RUN_TIMEOUT_MS} ms: killing the cluster`);
    cluster.close();
    process.exit(1);
  }, RUN_TIMEOUT_MS);
  const results: Round[] = [];
  try {
    await eventually(() => cluster.leader(), 'a first leader', START_TIMEOUT_MS);
    const lanes = Array.from({ length: WRITER_LANES }, async (_, lane) => {
      // Unique keys: an acknowledged key must be present with exactly its value.
      for (let seq = 0; !stopped; seq++) {
        const key = `w${lane}-${seq}`;
        try {
          const result = await (clients[lane] as (typeof clients)[number]).put(key, seq);
          acks.push({ key, value: seq, term: result.term, atMs: performance.now() });
        } catch {
          // Outcome unknown or refused: not acknowledged, so not checked.
          writeErrors++;
        }
      }
    });
    await sleep(STEADY_BEFORE_FIRST_KILL_MS);

    for (let round = 1; round <= rounds; round++) {
      const old = await eventually(() => cluster.leader(), `a leader before round ${round}`, FAILOVER_TIMEOUT_MS);
      const killedAt = performance.now();
      const errorsAtKill = writeErrors;
      const pid = cluster.pid(old.id);
      if (fault === 'kill') cluster.kill9(old.id);
      else if (pid !== undefined) process.kill(pid, 'SIGSTOP');
      const firstAck = await eventually(
        // acks are pushed in the order they arrive, so find() gives the first one.
        async () => acks.find((ack) => ack.atMs > killedAt && ack.term > old.term) ?? null,
        `round ${round}: an ack from a new leader`,
        FAILOVER_TIMEOUT_MS,
      ).catch(() => null);
      const restartAt = performance.now();
      let wokenAnswers: string[] | undefined;
      let staleAnswers: number | undefined;
      if (fault === 'kill') {
        await cluster.startNode(old.id);
      } else {
        // A key only the new leader has: the woken old leader must not serve it from before.
        const probeKey = `woken-probe-${round}`;
        await reader.put(probeKey, round);
        if (pid !== undefined) process.kill(pid, 'SIGCONT');
        const answers = await Promise.all(
          WOKEN_READ_LEVELS.map(async (level) => {
            try {
              const response = await fetch(`${cluster.url(old.id)}/key/${probeKey}?consistency=${level}`, { signal: AbortSignal.timeout(10_000) });
              const body = (await response.json()) as { value?: unknown };
              const stale = response.status === 404 || (response.status === 200 && body.value !== round);
              return { text: `${level}: ${response.status}${response.status === 200 ? ` ${JSON.stringify(body.value)}` : ''}`, stale };
            } catch (error) {
              return { text: `${level}: no answer (${(error as Error).message})`, stale: false };
            }
          }),
        );
        wokenAnswers = answers.map((answer) => answer.text);
        staleAnswers = answers.filter((answer) => answer.stale).length;
      }
      await eventually(
        async () => {
          const leader = await cluster.leader();
          if (!leader) return false;
          const leaderStatus = await cluster.status(leader.id);
          const nodeStatus = await cluster.status(old.id);
          const committed = leaderStatus?.['commitIndex'];
          const applied = nodeStatus?.['appliedIndex'];
          return typeof committed === 'number' && typeof applied === 'number' && applied >= committed;
        },
        `round ${round}: ${old.id} to catch up`,
        CATCH_UP_TIMEOUT_MS,
      );
      const catchUpMs = performance.now() - restartAt;
      const errorsBefore = writeErrors;
      const entry: Round = {
        round,
        oldLeader: old.id,
        oldTerm: old.term,
        newTerm: firstAck?.term ?? null,
        failoverMs: firstAck ? firstAck.atMs - killedAt : null,
        catchUpMs,
        writeErrors: errorsBefore - errorsAtKill,
        ...(wokenAnswers ? { wokenAnswers, staleAnswers } : {}),
      };
      results.push(entry);
      console.log(
        `round ${round}: ${fault === 'kill' ? 'killed' : 'stopped'} ${old.id} (term ${old.term}); first new-term ack after ${entry.failoverMs?.toFixed(0) ?? 'NONE'} ms; caught up in ${catchUpMs.toFixed(0)} ms; ${entry.writeErrors} write errors, ${acks.length} acks so far` +
          (wokenAnswers ? `; woken old leader answered ${wokenAnswers.join(', ')}` : ''),
      );
      await sleep(SETTLE_AFTER_CATCH_UP_MS);
    }
    stopped = true;
    await Promise.all(lanes);

    // Every acknowledged write, read back linearizably.
    let lost = 0;
    const lostKeys: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: READ_CONCURRENCY }, async () => {
        while (next < acks.length) {
          const ack = acks[next++] as Ack;
          const read = await reader.get(ack.key, { consistency: 'linearizable' });
          if (read?.value !== ack.value) {
            lost++;
            if (lostKeys.length < 20) lostKeys.push(ack.key);
          }
        }
      }),
    );

    const times = results.flatMap((r) => (r.failoverMs === null ? [] : [r.failoverMs])).sort((a, b) => a - b);
    const summary = {
      rounds: results.length,
      failedRounds: results.filter((r) => r.failoverMs === null).length,
      failoverP50Ms: percentile(times, 50),
      failoverP99Ms: percentile(times, 99),
      failoverMaxMs: times[times.length - 1] ?? Number.NaN,
      acknowledgedWrites: acks.length,
      writeErrors,
      lostAcknowledgedWrites: lost,
      lostKeys,
      staleAnswersAfterWaking: results.reduce((sum, r) => sum + (r.staleAnswers ?? 0), 0),
    };
    const loadAtEnd = uptime();
    console.log(`load at end: ${loadAtEnd}`);
    console.log(
      `failover p50 ${summary.failoverP50Ms.toFixed(0)} ms, p99 ${summary.failoverP99Ms.toFixed(0)} ms, max ${summary.failoverMaxMs.toFixed(0)} ms over ${times.length} rounds (${summary.failedRounds} failed); ` +
        `${acks.length} acknowledged writes, ${lost} lost; ${writeErrors} writes ended in an error (not acknowledged)`,
    );
    mkdirSync('results', { recursive: true });
    writeFileSync(
      RESULTS_FILE,
      `${JSON.stringify(
        {
          startedAt,
          finishedAt: new Date().toISOString(),
          machine: 'shared: other work ran at the same time; see the load averages',
          loadAtStart,
          loadAtEnd,
          clusterSize: CLUSTER_SIZE,
          writerLanes: WRITER_LANES,
          fault,
          measure: `${fault === 'kill' ? 'kill -9' : 'SIGSTOP'} of the leader process to the first write acknowledged in a newer term (client-side clock)`,
          summary,
          rounds: results,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`wrote ${RESULTS_FILE}`);
    if (fault === 'stop') console.log(`woken old leaders answered ${summary.staleAnswersAfterWaking} stale reads`);
    if (lost > 0 || summary.staleAnswersAfterWaking > 0) process.exitCode = 1;
  } finally {
    stopped = true;
    clearTimeout(abort);
    for (const client of clients) client.close();
    reader.close();
    cluster.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
