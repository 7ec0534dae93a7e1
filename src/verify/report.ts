// The campaign's words: the summary line, the text report, and what a result
// means for the replication mode that produced it.

import type { LostWritesReport } from '../check/index.js';
import type { ReplicationMode } from '../client/index.js';
import type { Availability, DurationStats } from './availability.js';
import type { CheckedHistory } from './checking-pool.js';
import { describeFault } from './nemesis.js';

/** Per-second counts printed on one line of the text report. */
const SECONDS_PER_LINE = 20;
/** Explanations of non-linearizable keys are long; the report quotes at most this many characters of each. */
const MAX_EXPLANATION_CHARS = 4_000;

export interface ReportInput {
  readonly header: string;
  readonly mode: ReplicationMode;
  readonly ops: number;
  readonly checked: CheckedHistory;
  readonly lost: LostWritesReport;
  readonly availability: Availability;
  readonly historyProblems: readonly string[];
  /** Things that went wrong outside the history: a node that did not recover, a refused admin call. */
  readonly findings: readonly string[];
  readonly notes: readonly string[];
}

export function summaryLine(ops: number, anomalies: number, lost: number): string {
  return `verify: ${ops} ops, ${anomalies} anomalies, ${lost} lost acknowledged writes`;
}

/** What the mode promises, said when the checker found what the mode allows, or what it does not. */
export function modeVerdict(mode: ReplicationMode, anomalies: number, lost: number): string | null {
  if (anomalies === 0 && lost === 0) return null;
  if (mode === 'async' || mode === 'semi-sync') {
    return (
      `mode ${mode}: the leader acknowledges a write before a majority holds it, so killing the leader can lose acknowledged writes ` +
      `(and a new leader then serves reads without them): this loss is what ${mode} allows, not a bug. Use quorum or sync for linearizable writes.`
    );
  }
  return (
    `mode ${mode} promises linearizability and durability of acknowledged writes: these anomalies are a bug in the store. ` +
    'Keep the history file and the command line to reproduce and investigate.'
  );
}

export function formatDurations(stats: DurationStats): string {
  const ms = (value: number | null): string => (value === null ? '-' : `${Math.round(value)} ms`);
  const never = stats.neverRecovered > 0 ? `, ${stats.neverRecovered} with no acknowledged write after them` : '';
  return `${stats.count} (time to the first acknowledged write: p50 ${ms(stats.p50Ms)}, p99 ${ms(stats.p99Ms)}, max ${ms(stats.maxMs)}${never})`;
}

export function renderTextReport(input: ReportInput): string {
  const { checked, lost, availability } = input;
  const lines: string[] = [input.header, ...input.notes, ''];
  lines.push(`faults (${availability.recoveries.length}):`);
  for (const { fault, writeOutageMs } of availability.recoveries) {
    const outage = writeOutageMs === null ? 'no acknowledged write after it' : `writes back after ${Math.round(writeOutageMs)} ms`;
    const settled = fault.settledAfterMs === null ? '' : `, leader agreed ${Math.round(fault.settledAfterMs)} ms after recovery`;
    lines.push(`  ${describeFault(fault)} [${outage}${settled}]`);
  }
  lines.push('', `failovers (faults that took the leader away): ${formatDurations(availability.failovers)}`);
  lines.push(`all faults: ${formatDurations(availability.allFaults)}`);
  lines.push('', 'completed ops per second (acknowledged/unknown/failed):');
  for (let i = 0; i < availability.perSecond.length; i += SECONDS_PER_LINE) {
    const slice = availability.perSecond.slice(i, i + SECONDS_PER_LINE);
    lines.push(`  ${String(i).padStart(4)} s: ${slice.map((s) => `${s.ok}/${s.info}/${s.fail}`).join(' ')}`);
  }
  const silent = availability.perSecond.filter((s) => s.okWrites === 0).map((s) => s.second);
  if (silent.length > 0) lines.push(`  seconds with no acknowledged write: ${silent.join(', ')}`);

  lines.push('', `checked keys (${checked.verdicts.length}):`);
  for (const verdict of checked.verdicts) {
    const extra = verdict.result === 'unknown' ? ` (${verdict.reason})` : '';
    lines.push(`  ${verdict.key}: ${verdict.result}, ${verdict.ops} ops, ${Math.round(verdict.elapsedMs)} ms${extra}`);
  }
  for (const verdict of checked.verdicts) {
    if (verdict.result !== 'not-linearizable') continue;
    const text = verdict.explanation.length > MAX_EXPLANATION_CHARS ? `${verdict.explanation.slice(0, MAX_EXPLANATION_CHARS)} ...` : verdict.explanation;
    lines.push('', `key ${verdict.key} is not linearizable:`, ...text.split('\n').map((line) => `  ${line}`));
  }
  if (checked.unknown > 0) lines.push('', `${checked.unknown} keys could not be decided within the checker's bounds: reported, not counted as anomalies`);
  if (lost.count > 0) {
    lines.push('', `lost acknowledged writes: ${lost.count}`);
    for (const write of lost.examples) {
      lines.push(
        `  key ${write.key}: write of ${JSON.stringify(write.value)} by process ${write.process} acknowledged at ${write.completeTime.toFixed(1)} ms; the final read saw ${JSON.stringify(write.finalRead)}`,
      );
    }
  }
  if (input.historyProblems.length > 0) lines.push('', 'history problems:', ...input.historyProblems.map((problem) => `  ${problem}`));
  if (input.findings.length > 0) lines.push('', 'FINDINGS (the cluster misbehaved outside the history):', ...input.findings.map((finding) => `  ${finding}`));
  const verdict = modeVerdict(input.mode, checked.anomalies, lost.count);
  if (verdict) lines.push('', verdict);
  lines.push('', summaryLine(input.ops, checked.anomalies, lost.count));
  return `${lines.join('\n')}\n`;
}
