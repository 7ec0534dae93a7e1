// `replikit verify` end to end: a cluster (launched or reached), clients and a
// nemesis for --time seconds, everything recovered, a final read of every
// key, then the history checked key by key on a worker pool, and the report.

import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lostAcknowledgedWrites, validateHistory, type KeyVerdict, type LostWritesReport } from '../check/index.js';
import { createClient, type ReplicationMode } from '../client/index.js';
import { createRandom } from '../core/random.js';
import { analyzeAvailability, type Availability } from './availability.js';
import { checkHistoryOnPool, type CheckedHistory, type CheckingOptions } from './checking-pool.js';
import { ClientLoad } from './clients.js';
import type { ClusterTarget, ProcessControl } from './cluster-target.js';
import { tailRepairProblems } from './corrupt-tail.js';
import { describeView, viewCluster, waitForAgreedLeader } from './cluster-view.js';
import { HistoryRecorder } from './history-recorder.js';
import {
  CLIENT_BACKOFF_MS,
  CLIENT_CALL_TIMEOUT_MS,
  CLIENT_DRAIN_TIMEOUT_MS,
  CLIENT_REQUEST_TIMEOUT_MS,
  FINAL_PHASE_BUDGET_MS,
  FIRST_LEADER_TIMEOUT_MS,
  RECOVERY_TIMEOUT_MS,
} from './limits.js';
import { startLocalCluster } from './local-cluster.js';
import { Nemesis, type FaultRecord } from './nemesis.js';
import type { NemesisName } from './nemesis-names.js';
import { probeNetworkNamespaces } from './netns-probe.js';
import { connectRemoteCluster } from './remote-cluster.js';
import { formatDurations, modeVerdict, renderTextReport, summaryLine } from './report.js';
import { sleep } from './sleep.js';
import { renderTimeline } from './timeline.js';

/** Final reads run as processes numbered from here: far above any client's. */
const FINAL_READ_PROCESS_BASE = 1_000_000_000;
/** Between a failed final read and the next try. */
const FINAL_READ_RETRY_PAUSE_MS = 300;

export interface VerifyOptions {
  readonly nodes: number;
  readonly timeS: number;
  readonly clients: number;
  readonly keys: number;
  readonly nemeses: readonly NemesisName[];
  readonly mode: ReplicationMode;
  readonly rateOpsPerS: number;
  readonly seed: number;
  readonly historyFile: string | null;
  readonly reportDir: string | null;
  /** A running cluster instead of a launched one. */
  readonly endpoints: readonly string[] | null;
  /** For a running cluster that checks tokens: sent with every request (role admin, for the nemesis). */
  readonly token?: string;
  readonly checking?: CheckingOptions;
  readonly log: (line: string) => void;
}

export interface VerifyResult {
  /** Operations invoked, final reads included. */
  readonly ops: number;
  readonly anomalies: number;
  readonly lostWrites: number;
  readonly unknownKeys: number;
  readonly verdicts: readonly KeyVerdict[];
  readonly lost: LostWritesReport;
  readonly availability: Availability;
  readonly faults: readonly FaultRecord[];
  readonly findings: readonly string[];
  readonly historyProblems: readonly string[];
  readonly summary: string;
  readonly report: string;
  /** 1 when anomalies or lost writes were found, else 0. */
  readonly exitCode: number;
}

export async function runVerify(options: VerifyOptions): Promise<VerifyResult> {
  const { log } = options;
  const random = createRandom(options.seed);
  const nemesisRandom = random.fork();
  const clientRandom = random.fork();
  const findings: string[] = [];
  const notes: string[] = [];
  if (options.reportDir) mkdirSync(options.reportDir, { recursive: true });

  log(options.endpoints ? `verify: connecting to ${options.endpoints.join(', ')}` : `verify: starting ${options.nodes} nodes (${options.mode})`);
  const target: ClusterTarget = options.endpoints
    ? await connectRemoteCluster(options.endpoints, options.token)
    : await startLocalCluster({ nodes: options.nodes, mode: options.mode, log });
  let history: HistoryRecorder | null = null;
  let faults: FaultRecord[] = [];
  let damagedRecords = new Map<string, number[]>();
  let runMs = options.timeS * 1000;
  try {
    if ((await waitForAgreedLeader(target, FIRST_LEADER_TIMEOUT_MS)) === null) {
      throw new Error(`no leader within ${FIRST_LEADER_TIMEOUT_MS} ms of starting: ${target.description}`);
    }
    log(
      `verify: ${target.description}; seed ${options.seed}; ${options.timeS} s, ${options.clients} clients, ${options.keys} keys, nemesis ${options.nemeses.join(',') || 'none'}`,
    );
    // A tag per run: a running cluster may hold keys from earlier runs, and the checker assumes every key starts absent.
    const tag = `verify-${options.seed}-${Date.now().toString(36)}`;
    const keys = Array.from({ length: options.keys }, (_, i) => `${tag}-k${i}`);
    history = new HistoryRecorder(performance.now(), options.historyFile);
    const load = new ClientLoad({
      endpoints: target.endpoints,
      ...(target.token !== undefined ? { token: target.token } : {}),
      clients: options.clients,
      keys,
      mode: options.mode,
      rateOpsPerS: options.rateOpsPerS,
      random: clientRandom,
      history,
    });
    const nemesis = new Nemesis({
      target,
      nemeses: options.nemeses,
      random: nemesisRandom,
      history,
      load,
      endMs: runMs,
      favourLoss: options.mode === 'async' || options.mode === 'semi-sync',
      log,
    });
    load.start();
    damagedRecords = nemesis.damagedRecords;
    const nemesisDone = options.nemeses.length > 0 ? nemesis.run() : Promise.resolve();
    try {
      await sleep(runMs - history.now());
    } finally {
      nemesis.stop();
      await nemesisDone;
      faults = nemesis.faults;
      await load.stop(CLIENT_DRAIN_TIMEOUT_MS);
    }
    runMs = history.now();
    log(
      `verify: load stopped after ${(runMs / 1000).toFixed(1)} s: ${load.counters.ok} ok, ${load.counters.info} unknown, ${load.counters.fail} failed; ${faults.length} faults`,
    );
    for (const fault of faults)
      findings.push(...fault.problems.map((problem) => `${fault.kind} ${fault.target} at ${(fault.startMs / 1000).toFixed(2)} s: ${problem}`));
    if (nemesis.skipped.length > 0) {
      const first = nemesis.skipped[0] as (typeof nemesis.skipped)[number];
      findings.push(
        `${nemesis.skipped.length} faults not injected because nodes were down without any fault in progress ` +
          `(first at ${(first.atMs / 1000).toFixed(2)} s: ${first.down.join(', ')} not answering); see their logs`,
      );
    }
    for (const exit of target.processes?.unexpectedExits() ?? []) {
      findings.push(
        `${exit.id} exited on its own with ${exit.how} at ${((exit.atMs - history.originMs) / 1000).toFixed(2)} s (nobody killed it; see its log${options.reportDir ? ` in ${join(options.reportDir, 'nodes')}` : ''})`,
      );
    }
    const finalDeadlineMs = performance.now() + FINAL_PHASE_BUDGET_MS;
    if ((await waitForAgreedLeader(target, RECOVERY_TIMEOUT_MS)) === null) {
      findings.push(`no leader agreed on within ${RECOVERY_TIMEOUT_MS} ms after the run: ${describeView(await viewCluster(target))}`);
    }
    await finalReads(target, keys, history, finalDeadlineMs, findings);
    if (target.processes && damagedRecords.size > 0) notes.push(...(await checkRepairs(target.processes, target.nodeIds, damagedRecords, findings)));
    if (options.nemeses.includes('partition')) {
      notes.push(
        `partitions used the nodes' transport fault controls (replikit node --chaos: POST /admin/partition, /admin/heal), not the kernel's network; ${await probeNetworkNamespaces()}`,
      );
    }
  } finally {
    try {
      await history?.close();
    } finally {
      if (options.reportDir) copyNodeLogs(target, join(options.reportDir, 'nodes'));
      await target.close();
    }
  }

  if (history === null) throw new Error('the campaign ended before it recorded anything');
  const events = history.events;
  const ops = events.filter((event) => event.type === 'invoke').length;
  const historyProblems = validateHistory(events);
  log(`verify: checking ${ops} ops on ${options.keys} keys`);
  const checked: CheckedHistory = await checkHistoryOnPool(events, options.checking);
  const lost = lostAcknowledgedWrites(events);
  const availability = analyzeAvailability(events, faults, runMs);
  const verdict = modeVerdict(options.mode, checked.anomalies, lost.count);
  if (verdict) notes.push(verdict);
  const header =
    `replikit verify: ${target.description}; mode ${options.mode}; seed ${options.seed}; ${options.timeS} s; ` +
    `${options.clients} clients at up to ${options.rateOpsPerS} ops/s; ${options.keys} keys; nemesis ${options.nemeses.join(',') || 'none'}`;
  notes.unshift(`to run this campaign again: ${commandLine(options)}${options.historyFile ? `; the history is in ${options.historyFile}` : ''}`);
  const summary = summaryLine(ops, checked.anomalies, lost.count);
  const report = renderTextReport({ header, mode: options.mode, ops, checked, lost, availability, historyProblems, findings, notes });
  if (options.reportDir) {
    writeFileSync(join(options.reportDir, 'report.txt'), report);
    writeFileSync(join(options.reportDir, 'availability.json'), `${JSON.stringify(availability, null, 2)}\n`);
    const timelineNotes = [`failovers: ${formatDurations(availability.failovers)}`, ...notes, ...findings.map((finding) => `FINDING: ${finding}`)];
    writeFileSync(join(options.reportDir, 'timeline.html'), renderTimeline({ title: header, summary, durationMs: runMs, availability, notes: timelineNotes }));
  }
  return {
    ops,
    anomalies: checked.anomalies,
    lostWrites: lost.count,
    unknownKeys: checked.unknown,
    verdicts: checked.verdicts,
    lost,
    availability,
    faults,
    findings,
    historyProblems,
    summary,
    report,
    exitCode: checked.anomalies > 0 || lost.count > 0 ? 1 : 0,
  };
}

/**
 * One linearizable read of every key once the cluster is whole again, recorded
 * like any op: what lostAcknowledgedWrites compares acknowledged writes with.
 * Keys are read in parallel, each retried until it succeeds or the deadline.
 */
async function finalReads(target: ClusterTarget, keys: readonly string[], history: HistoryRecorder, deadlineMs: number, findings: string[]): Promise<void> {
  const client = createClient({
    endpoints: target.endpoints,
    ...(target.token !== undefined ? { token: target.token } : {}),
    timeoutMs: CLIENT_REQUEST_TIMEOUT_MS,
    totalTimeoutMs: CLIENT_CALL_TIMEOUT_MS,
    backoffMs: CLIENT_BACKOFF_MS,
  });
  try {
    await Promise.all(
      keys.map(async (key, i) => {
        const process = FINAL_READ_PROCESS_BASE + i;
        let last = 'no time left to try';
        while (performance.now() < deadlineMs) {
          history.record(process, 'invoke', 'read', key, null);
          try {
            const value = (await client.get(key))?.value ?? null;
            history.record(process, 'ok', 'read', key, value);
            return;
          } catch (error) {
            history.record(process, 'fail', 'read', key, null);
            last = (error as Error).message;
            await sleep(Math.min(FINAL_READ_RETRY_PAUSE_MS, deadlineMs - performance.now()));
          }
        }
        findings.push(`no final read of ${key} succeeded within ${FINAL_PHASE_BUDGET_MS} ms after the run; last: ${last}`);
      }),
    );
  } finally {
    client.close();
  }
}

/**
 * With every node down (the run is over), each corrupt-tail victim's damaged
 * records must be whole again. Returns a note for the report.
 */
async function checkRepairs(processes: ProcessControl, ids: readonly string[], damaged: ReadonlyMap<string, number[]>, findings: string[]): Promise<string[]> {
  for (const id of ids) await processes.kill(id);
  const repaired: string[] = [];
  for (const [id, indexes] of damaged) {
    const problems = await tailRepairProblems(processes.dataDirOf(id), indexes);
    if (problems.length === 0) repaired.push(`${id} (records ${indexes.join(', ')})`);
    else findings.push(`corrupt-tail: ${id} was not repaired: ${problems.join('; ')}`);
  }
  return repaired.length === 0 ? [] : [`corrupt-tail: every damaged log record decodes again after the run: ${repaired.join('; ')}`];
}

/** The command that runs the same campaign (same seed: same schedule of faults and ops, timing aside). */
export function commandLine(options: VerifyOptions): string {
  const parts = ['replikit verify'];
  if (options.endpoints) parts.push(`--endpoints ${options.endpoints.join(',')}`);
  else parts.push(`--nodes ${options.nodes}`);
  parts.push(
    `--time ${options.timeS}`,
    `--clients ${options.clients}`,
    `--keys ${options.keys}`,
    `--rate ${options.rateOpsPerS}`,
    `--nemesis ${options.nemeses.join(',') || 'none'}`,
    `--mode ${options.mode}`,
    `--seed ${options.seed}`,
  );
  return parts.join(' ');
}

function copyNodeLogs(target: ClusterTarget, directory: string): void {
  const files = Object.entries(target.logFiles).filter(([, file]) => existsSync(file));
  if (files.length === 0) return;
  mkdirSync(directory, { recursive: true });
  for (const [id, file] of files) copyFileSync(file, join(directory, `${id}.log`));
}
