// replikit vs etcd, side by side on this machine: a 3-node `replikit node`
// cluster and a 3-member etcd cluster on loopback, each loaded at its leader
// by autocannon (a standard load tool, not ours) with PUTs, at 1 and 64
// connections. The systems run one after the other, never together, so they
// do not compete for the CPU; the machine is shared with other work, so the
// load average is recorded at start and end. A third, `node-noop`, is a Node
// HTTP server that only answers (noop-server.ts): under the same load it
// shows the most requests/s any Node HTTP face can serve on this machine.
//
//   npm run build && node dist/bench/http/vs-etcd.js
//
// Writes results/bench-http-vs-etcd.json.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { autocannon } from './autocannon.js';
import { startCpuMeter } from './process-cpu.js';
import { EtcdCluster, NoopServer, ReplikitCluster, eventually, START_TIMEOUT_MS } from './procs.js';

const RESULTS_FILE = 'results/bench-http-vs-etcd.json';
const CLUSTER_SIZE = 3;
const CONNECTIONS = [1, 64] as const;
const WARMUP_S = 2;
const MEASURE_S = 10;
/** apt-get update + install on a slow mirror. */
const APT_TIMEOUT_MS = 300_000;
/** Both systems write the same small JSON value to one key; a rotating key set is not needed for a throughput/latency comparison. */
const KEY = 'bench';
const VALUE_JSON = '{"v":"0123456789abcdef"}';
/**
 * On a loaded machine leadership can move mid-run; a moved replikit leader
 * answers 503 fast, which would inflate requests/s and shrink latencies. A
 * run with more non-2xx than this share of its answers is discarded and run
 * again at the leader found afresh, up to MAX_ATTEMPTS (all attempts are kept
 * in the JSON).
 */
const MAX_NON_2XX_SHARE = 0.01;
const MAX_ATTEMPTS = 3;
/** Load starts only once the same leader in the same term has been seen for this long. */
const STABLE_LEADER_MS = 3_000;

interface Run {
  readonly system: 'replikit' | 'etcd' | 'node-noop';
  readonly connections: number;
  readonly url: string;
  readonly attempt: number;
  /** Discarded: too many non-2xx (leadership moved during the run). */
  readonly discarded: boolean;
  /** 2xx answers per second: only acknowledged writes count as throughput. */
  readonly okPerSec: number;
  /** Every answer per second, as autocannon reports it. */
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly total2xx: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Cores the system's processes used during the measured run (all three members; not the load tool). */
  readonly cpuCores: number | null;
  /** Their CPU time per acknowledged write, in microseconds. */
  readonly cpuPerWriteUs: number | null;
}

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `loadavg ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`;
  }
}

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function ensureEtcd(): string {
  if (onPath('etcd') && onPath('etcdctl')) {
    const note = 'etcd already on PATH: apt-get skipped';
    console.log(note);
    return note;
  }
  console.log('etcd not on PATH: apt-get update && apt-get install -y etcd-server etcd-client');
  execFileSync('sh', ['-c', 'apt-get update && apt-get install -y etcd-server etcd-client'], { stdio: 'inherit', timeout: APT_TIMEOUT_MS });
  return 'installed etcd-server and etcd-client with apt-get';
}

function etcdVersion(): string {
  try {
    return execFileSync('etcd', ['--version'], { encoding: 'utf8', timeout: 10_000 }).split('\n')[0] ?? '';
  } catch {
    return 'unknown';
  }
}

async function load(system: Run['system'], findUrl: () => Promise<string>, pids: () => number[], method: 'PUT' | 'POST', body: string): Promise<Run[]> {
  const runs: Run[] = [];
  for (const connections of CONNECTIONS) {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const url = await findUrl();
      const args = ['-c', String(connections), '-m', method, '-H', 'content-type=application/json', '-b', body, url];
      await autocannon(args, WARMUP_S);
      const cpu = startCpuMeter(pids());
      const summary = await autocannon(args, MEASURE_S);
      const cpuSeconds = cpu.stop();
      const latency = summary['latency'] as Record<string, number>;
      const requests = summary['requests'] as Record<string, number>;
      const total2xx = Number(summary['2xx'] ?? 0);
      const non2xx = Number(summary['non2xx'] ?? 0);
      const durationS = Number(summary['duration'] ?? MEASURE_S);
      const discarded = non2xx > MAX_NON_2XX_SHARE * (total2xx + non2xx);
      if (discarded)
        failures.push(`${system} c=${connections} attempt ${attempt}: ${non2xx} non-2xx; a sample answer now: ${await sampleAnswer(url, method, body)}`);
      const run: Run = {
        system,
        connections,
        url,
        attempt,
        discarded,
        okPerSec: total2xx / durationS,
        requestsPerSec: requests['average'] ?? 0,
        p50Ms: latency['p50'] ?? Number.NaN,
        p99Ms: latency['p99'] ?? Number.NaN,
        total2xx,
        non2xx,
        errors: Number(summary['errors'] ?? 0),
        timeouts: Number(summary['timeouts'] ?? 0),
        // autocannon's own startup (npx) is inside the metered stretch: a slight overstatement of cores.
        cpuCores: cpuSeconds === null ? null : cpuSeconds / durationS,
        cpuPerWriteUs: cpuSeconds === null || total2xx === 0 ? null : (cpuSeconds * 1e6) / total2xx,
      };
      console.log(
        `${system} c=${connections} attempt ${attempt}: ${run.okPerSec.toFixed(0)} 2xx/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, non-2xx ${run.non2xx}, errors ${run.errors}, ${formatCpu(run)}${discarded ? ' (DISCARDED: leadership moved)' : ''}`,
      );
      runs.push(run);
      if (!discarded) break;
    }
  }
  return runs;
}

/** The replikit leader, once the same node has led the same term for STABLE_LEADER_MS. */
async function stableLeader(cluster: ReplikitCluster): Promise<{ id: string; term: number }> {
  let seen: { id: string; term: number; sinceMs: number } | null = null;
  return eventually(
    async () => {
      const leader = await cluster.leader();
      if (!leader || !seen || leader.id !== seen.id || leader.term !== seen.term) {
        seen = leader ? { ...leader, sinceMs: performance.now() } : null;
        return null;
      }
      return performance.now() - seen.sinceMs >= STABLE_LEADER_MS ? leader : null;
    },
    'a stable replikit leader',
    START_TIMEOUT_MS,
  );
}

/** One answer from the URL, to say in the report why a run got non-2xx. */
async function sampleAnswer(url: string, method: string, body: string): Promise<string> {
  try {
    const response = await fetch(url, { method, body, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(5_000) });
    return `${response.status} ${(await response.text()).slice(0, 300)}`;
  } catch (error) {
    return `no answer: ${(error as Error).message}`;
  }
}

const failures: string[] = [];

async function benchReplikit(): Promise<Run[]> {
  const cluster = await ReplikitCluster.start(CLUSTER_SIZE);
  try {
    const findUrl = async (): Promise<string> => {
      const leader = await stableLeader(cluster);
      console.log(`replikit leader ${leader.id} (term ${leader.term}) at ${cluster.url(leader.id)}`);
      return `${cluster.url(leader.id)}/key/${KEY}`;
    };
    const pids = (): number[] => cluster.ids().flatMap((id) => cluster.pid(id) ?? []);
    return await load('replikit', findUrl, pids, 'PUT', VALUE_JSON);
  } finally {
    // Why leadership moved, if it did: what the hosts said about fencing, crashes and restarts.
    for (const line of cluster.logLines(/fenced|crash|restarted|exited/)) console.log(`replikit ${line}`);
    cluster.close();
  }
}

async function benchEtcd(): Promise<Run[]> {
  const cluster = await EtcdCluster.start(CLUSTER_SIZE);
  try {
    const findUrl = async (): Promise<string> => {
      const leaderUrl = cluster.leaderUrl();
      console.log(`etcd leader at ${leaderUrl}`);
      return `${leaderUrl}/v3/kv/put`;
    };
    const b64 = (text: string): string => Buffer.from(text).toString('base64');
    return await load('etcd', findUrl, () => cluster.pids(), 'POST', JSON.stringify({ key: b64(KEY), value: b64(VALUE_JSON) }));
  } finally {
    cluster.close();
  }
}

async function benchNoop(): Promise<Run[]> {
  const server = await NoopServer.start();
  try {
    const pids = (): number[] => {
      const pid = server.pid();
      return pid === undefined ? [] : [pid];
    };
    return await load('node-noop', async () => `${server.url}/key/${KEY}`, pids, 'PUT', VALUE_JSON);
  } finally {
    server.close();
  }
}

function formatCpu(run: Run): string {
  if (run.cpuCores === null || run.cpuPerWriteUs === null) return 'CPU not measured';
  return `${run.cpuCores.toFixed(2)} cores, ${run.cpuPerWriteUs.toFixed(0)} us CPU per 2xx`;
}

/** The kept run, or null when every attempt was discarded or none ran. */
function find(runs: Run[], system: Run['system'], connections: number): Run | null {
  return runs.find((r) => r.system === system && r.connections === connections && !r.discarded) ?? null;
}

function ratio(a: number | undefined, b: number | undefined): number | null {
  return a === undefined || b === undefined ? null : a / b;
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const loadAtStart = uptime();
  console.log(`load at start: ${loadAtStart}`);
  const etcdInstall = ensureEtcd();
  // A system that cannot be measured here is reported, not allowed to stop the other.
  const measure = async (what: string, bench: () => Promise<Run[]>): Promise<Run[]> =>
    bench().catch((error: unknown) => {
      failures.push(`${what}: ${(error as Error).message}`);
      console.error(`${what} could not be measured: ${(error as Error).message}`);
      return [];
    });
  const runs = [...(await measure('replikit', benchReplikit)), ...(await measure('etcd', benchEtcd)), ...(await measure('node-noop', benchNoop))];
  const loadAtEnd = uptime();
  console.log(`load at end: ${loadAtEnd}`);

  const ratios = {
    throughputAt64: ratio(find(runs, 'replikit', 64)?.okPerSec, find(runs, 'etcd', 64)?.okPerSec),
    p50At1: ratio(find(runs, 'replikit', 1)?.p50Ms, find(runs, 'etcd', 1)?.p50Ms),
    /** The 64-connection target is 5x; a Node server that does nothing reaches this multiple. */
    noopCeilingAt64: ratio(find(runs, 'node-noop', 64)?.okPerSec, find(runs, 'etcd', 64)?.okPerSec),
    /** Both systems are CPU-bound here: 5x etcd's writes/s in the same cores needs a fifth of its CPU per write. */
    cpuPerWriteAt64: ratio(find(runs, 'replikit', 64)?.cpuPerWriteUs ?? undefined, find(runs, 'etcd', 64)?.cpuPerWriteUs ?? undefined),
  };
  const table = [
    '| system | connections | attempt | 2xx/s | p50 ms | p99 ms | 2xx | non-2xx | errors | cores | CPU µs per 2xx | kept |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...runs.map(
      (r) =>
        `| ${r.system} | ${r.connections} | ${r.attempt} | ${r.okPerSec.toFixed(0)} | ${r.p50Ms} | ${r.p99Ms} | ${r.total2xx} | ${r.non2xx} | ${r.errors} | ${r.cpuCores?.toFixed(2) ?? '-'} | ${r.cpuPerWriteUs?.toFixed(0) ?? '-'} | ${r.discarded ? 'no: leadership moved' : 'yes'} |`,
    ),
  ].join('\n');
  console.log(`\n${table}\n`);
  console.log(`replikit/etcd throughput at 64 connections: ${ratios.throughputAt64?.toFixed(2) ?? 'not measurable (see failures)'}`);
  console.log(`replikit/etcd p50 at 1 connection: ${ratios.p50At1?.toFixed(2) ?? 'not measurable (see failures)'} (above 1: replikit slower)`);
  console.log(`replikit/etcd CPU per write at 64 connections: ${ratios.cpuPerWriteAt64?.toFixed(2) ?? 'not measurable'}`);
  console.log(
    `node-noop/etcd throughput at 64 connections: ${ratios.noopCeilingAt64?.toFixed(2) ?? 'not measurable (see failures)'} (the most any Node HTTP face reaches here)`,
  );
  for (const failure of failures) console.log(`failure: ${failure}`);

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
        etcdInstall,
        etcdVersion: etcdVersion(),
        tool: 'autocannon@8 via npx',
        maxNon2xxShare: MAX_NON_2XX_SHARE,
        stableLeaderMs: STABLE_LEADER_MS,
        warmupS: WARMUP_S,
        measureS: MEASURE_S,
        clusterSize: CLUSTER_SIZE,
        key: KEY,
        value: VALUE_JSON,
        runs,
        ratios,
        failures,
        table,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`wrote ${RESULTS_FILE}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
