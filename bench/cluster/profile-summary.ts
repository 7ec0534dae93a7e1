// Top self-time functions of V8 CPU profiles (node --cpu-prof writes one per
// thread, workers included), to see where a benchmark's time goes:
//
//   node --cpu-prof --cpu-prof-dir=prof dist/bench/cluster/writes.js --nodes 3 --runs 1
//   node dist/bench/cluster/profile-summary.js prof [--top 20]
//
// Self time is summed per function (name, file, line) from the sample
// intervals; "(idle)" is time the thread waited on nothing to do.

import { readFile, readdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  readonly selfMs: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly file: string;
  readonly totalMs: number;
  readonly idleMs: number;
  readonly gcMs: number;
  readonly top: readonly SelfTime[];
  /** Busy self time by layer (a package, a source directory, GC, V8/Node internals). */
  readonly categories: readonly SelfTime[];
}

/** First match wins: a frame's file decides its layer. */
const CATEGORIES: readonly (readonly [string, RegExp])[] = [
  ['msgpackr (encode/decode)', /node_modules\/msgpackr\//],
  ['lmdb-js (puts, gets, commits)', /node_modules\/(lmdb|ordered-binary)\//],
  ['comlink', /node_modules\/comlink\//],
  ['xstate', /node_modules\/xstate\//],
  ['raft core (src/core, machines)', /\/(src\/core|machines)\//],
  ['node runtime (src/node)', /\/src\/node\//],
  ['storage (src/storage)', /\/src\/storage\//],
  ['transport (src/transport)', /\/src\/transport\//],
  ['kv (src/kv)', /\/src\/kv\//],
  ['cluster API (src/cluster)', /\/src\/cluster\//],
  ['benchmark harness (bench/)', /\/bench\//],
  ['node internals', /^node:/],
];

function categoryOf(frame: CallFrame): string {
  if (frame.functionName === '(garbage collector)') return 'GC';
  if (!frame.url) return frame.functionName.startsWith('(') ? `V8 ${frame.functionName}` : 'native (postMessage, Buffer, ...)';
  for (const [name, pattern] of CATEGORIES) if (pattern.test(frame.url)) return name;
  return 'other JS';
}

const DEFAULT_TOP = 15;
const MAX_TOP = 200;

function frameName(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const url = frame.url.replace(/^file:\/\//, '');
  const at = url.includes('node_modules') ? url.slice(url.lastIndexOf('node_modules')) : relative(process.cwd(), url);
  return `${name} ${at}:${frame.lineNumber + 1}`;
}

export function summarise(file: string, profile: CpuProfile, top: number): ProfileSummary {
  const names = new Map<number, string>();
  const categories = new Map<number, string>();
  for (const node of profile.nodes) {
    names.set(node.id, frameName(node.callFrame));
    categories.set(node.id, categoryOf(node.callFrame));
  }
  const selfMs = new Map<string, number>();
  const categoryMs = new Map<string, number>();
  let totalMs = 0;
  // timeDeltas[i] is the time before sample i; it is charged to the sample's frame.
  for (let i = 0; i < profile.samples.length; i++) {
    const deltaMs = (profile.timeDeltas[i] ?? 0) / 1000;
    const name = names.get(profile.samples[i] as number) ?? '(unknown)';
    selfMs.set(name, (selfMs.get(name) ?? 0) + deltaMs);
    if (name !== '(idle)') {
      const category = categories.get(profile.samples[i] as number) ?? 'other JS';
      categoryMs.set(category, (categoryMs.get(category) ?? 0) + deltaMs);
    }
    totalMs += deltaMs;
  }
  const idleMs = selfMs.get('(idle)') ?? 0;
  const gcMs = selfMs.get('(garbage collector)') ?? 0;
  const busyMs = totalMs - idleMs;
  const ranked = [...selfMs.entries()]
    .filter(([name]) => name !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => ({ name, selfMs: ms, share: busyMs > 0 ? ms / busyMs : 0 }));
  const byCategory = [...categoryMs.entries()].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, selfMs: ms, share: busyMs > 0 ? ms / busyMs : 0 }));
  return { file, totalMs, idleMs, gcMs, top: ranked, categories: byCategory };
}

export function formatSummary(summary: ProfileSummary): string {
  const busyMs = summary.totalMs - summary.idleMs;
  const lines = [
    `${basename(summary.file)}: ${Math.round(summary.totalMs)} ms sampled, busy ${Math.round(busyMs)} ms ` +
      `(${((100 * busyMs) / Math.max(1, summary.totalMs)).toFixed(0)}%), GC ${Math.round(summary.gcMs)} ms`,
  ];
  lines.push(`  by layer: ${summary.categories.map((c) => `${c.name} ${(100 * c.share).toFixed(0)}%`).join(', ')}`);
  for (const entry of summary.top) {
    lines.push(`  ${(100 * entry.share).toFixed(1).padStart(5)}%  ${entry.selfMs.toFixed(0).padStart(6)} ms  ${entry.name}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { top: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  const top = values.top === undefined ? DEFAULT_TOP : Number(values.top);
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP || !/^\d+$/.test(values.top ?? String(DEFAULT_TOP))) {
    throw new Error(`--top must be an integer from 1 to ${MAX_TOP}, got ${JSON.stringify(values.top)}`);
  }
  if (positionals.length === 0) throw new Error('usage: node dist/bench/cluster/profile-summary.js DIR_OR_FILE... [--top N]');
  const files: string[] = [];
  for (const path of positionals) {
    if (path.endsWith('.cpuprofile')) files.push(path);
    else
      files.push(
        ...(await readdir(path))
          .filter((name) => name.endsWith('.cpuprofile'))
          .sort()
          .map((name) => join(path, name)),
      );
  }
  for (const file of files) {
    const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
    console.log(formatSummary(summarise(file, profile, top)));
    console.log('');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`profile-summary: ${(error as Error).message}\n`);
  process.exitCode = 2;
});
