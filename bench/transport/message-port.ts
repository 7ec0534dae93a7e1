// Throughput of the MessagePort transport between two worker threads: a
// "leader" thread keeps a fixed number of AppendEntries in flight to a
// "follower" thread, which answers each with an AppendEntriesResponse, as Raft
// replication does. One AppendEntries is one frame; its entries carry 100-byte
// payloads. Compares the two wire encodings, clone and msgpack+transfer.
//
//   npx tsc -p tsconfig.build.json && node dist/bench/transport/message-port.js
//
// Prints a table (median of REPETITIONS runs per case) and writes
// results/bench-transport.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isMainThread, MessageChannel, parentPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import type { AppendEntries, AppendEntriesResponse, Entry, Message } from '../../src/core/types.js';
import { createMessagePortTransport, DEFAULT_WIRE_ENCODING, type TransportStats, type WireEncoding } from '../../src/transport/index.js';

const ENCODINGS: readonly WireEncoding[] = ['clone', 'msgpack'];
const ENTRIES_PER_APPEND: readonly number[] = [1, 64, 512];
const PAYLOAD_BYTES = 100;
/** AppendEntries in flight at once, like a pipelining leader; far inside the transport's default window. */
const PIPELINE_DEPTH = 32;
const WARMUP_MS = 500;
const MEASURE_MS = 2_000;
/** Each case runs this many times, interleaved with the others, and reports its median run: shared CI boxes are noisy. */
const REPETITIONS = 3;

interface ThreadData {
  readonly role: 'leader' | 'follower';
  readonly port: MessagePort;
  readonly encoding: WireEncoding;
  readonly entriesPerAppend: number;
}

interface CaseResult {
  readonly encoding: WireEncoding;
  readonly entriesPerAppend: number;
  readonly appendsPerSecond: number;
  readonly entriesPerSecond: number;
  /** Entry payload bytes only, so the encodings compare on the same work. */
  readonly payloadMBPerSecond: number;
  /** Encoded bytes the leader sent (msgpack only; structured clone's size is not observable). */
  readonly wireMBPerSecond: number | null;
  readonly droppedMessages: number;
}

interface CaseSummary extends CaseResult {
  /** entries/s of every repetition, in run order. */
  readonly runsEntriesPerSecond: readonly number[];
}

// ------------------------------------------------------------------ threads

function runLeader(data: ThreadData): void {
  const transport = createMessagePortTransport('leader', new Map([['follower', data.port]]), {
    encoding: data.encoding,
    keepThreadAlive: true,
  });
  const entries: Entry[] = Array.from({ length: data.entriesPerAppend }, (_, i) => ({
    index: i + 1,
    term: 1,
    kind: 'command',
    data: new Uint8Array(PAYLOAD_BYTES).fill(i % 256),
  }));
  let nextIndex = 1;
  const appendEntries = (): AppendEntries => {
    const message: AppendEntries = {
      type: 'AppendEntries',
      from: 'leader',
      to: 'follower',
      term: 1,
      prevLogIndex: nextIndex - 1,
      prevLogTerm: 1,
      leaderCommit: nextIndex - 1,
      entries,
    };
    nextIndex += entries.length;
    return message;
  };

  const startedAt = performance.now();
  let measuring = false;
  let measureStartedAt = 0;
  let statsAtStart: TransportStats = transport.stats();
  let completed = 0;
  let finished = false;

  transport.onReceive((messages) => {
    if (finished) return;
    const now = performance.now();
    if (!measuring && now - startedAt >= WARMUP_MS) {
      measuring = true;
      measureStartedAt = now;
      statsAtStart = transport.stats();
    }
    if (measuring) completed += messages.length;
    if (measuring && now - measureStartedAt >= MEASURE_MS) {
      finished = true;
      const seconds = (now - measureStartedAt) / 1000;
      const stats = transport.stats();
      const entriesPerSecond = (completed * data.entriesPerAppend) / seconds;
      const result: CaseResult = {
        encoding: data.encoding,
        entriesPerAppend: data.entriesPerAppend,
        appendsPerSecond: completed / seconds,
        entriesPerSecond,
        payloadMBPerSecond: (entriesPerSecond * PAYLOAD_BYTES) / 1e6,
        wireMBPerSecond: data.encoding === 'msgpack' ? (stats.sentBytes - statsAtStart.sentBytes) / seconds / 1e6 : null,
        droppedMessages: stats.droppedMessages,
      };
      parentPort?.postMessage(result);
      return;
    }
    // One new AppendEntries per answer, each in its own turn's send: one frame each.
    for (let i = 0; i < messages.length; i += 1) transport.send([appendEntries()]);
  });
  for (let i = 0; i < PIPELINE_DEPTH; i += 1) transport.send([appendEntries()]);
}

function runFollower(data: ThreadData): void {
  const transport = createMessagePortTransport('follower', new Map([['leader', data.port]]), {
    encoding: data.encoding,
    keepThreadAlive: true,
  });
  transport.onReceive((messages: readonly Message[]) => {
    const responses: AppendEntriesResponse[] = [];
    for (const message of messages) {
      if (message.type !== 'AppendEntries') continue;
      const lastIndex = message.prevLogIndex + message.entries.length;
      responses.push({
        type: 'AppendEntriesResponse',
        from: 'follower',
        to: 'leader',
        term: message.term,
        success: true,
        matchIndex: lastIndex,
        rejectedIndex: 0,
        hintIndex: 0,
        hintTerm: 0,
      });
    }
    transport.send(responses);
  });
}

// --------------------------------------------------------------------- main

async function runCase(encoding: WireEncoding, entriesPerAppend: number): Promise<CaseResult> {
  const { port1, port2 } = new MessageChannel();
  const script = new URL(import.meta.url);
  const follower = new Worker(script, {
    workerData: { role: 'follower', port: port2, encoding, entriesPerAppend } satisfies ThreadData,
    transferList: [port2],
  });
  const leader = new Worker(script, {
    workerData: { role: 'leader', port: port1, encoding, entriesPerAppend } satisfies ThreadData,
    transferList: [port1],
  });
  try {
    return await new Promise<CaseResult>((resolve, reject) => {
      leader.once('message', resolve);
      leader.once('error', reject);
      follower.once('error', reject);
    });
  } finally {
    await Promise.all([leader.terminate(), follower.terminate()]);
  }
}

function formatRow(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join('  ');
}

function median(runs: readonly CaseResult[]): CaseResult {
  const sorted = [...runs].sort((x, y) => x.entriesPerSecond - y.entriesPerSecond);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error('no runs');
  return middle;
}

async function main(): Promise<void> {
  const loadAverageAtStart = loadavg();
  const runs = new Map<string, CaseResult[]>();
  for (let repetition = 0; repetition < REPETITIONS; repetition += 1) {
    for (const entriesPerAppend of ENTRIES_PER_APPEND) {
      for (const encoding of ENCODINGS) {
        const key = `${encoding}/${entriesPerAppend}`;
        const result = await runCase(encoding, entriesPerAppend);
        runs.set(key, [...(runs.get(key) ?? []), result]);
      }
    }
  }
  const results: CaseSummary[] = [];
  for (const entriesPerAppend of ENTRIES_PER_APPEND) {
    for (const encoding of ENCODINGS) {
      const caseRuns = runs.get(`${encoding}/${entriesPerAppend}`) ?? [];
      results.push({ ...median(caseRuns), runsEntriesPerSecond: caseRuns.map((r) => Math.round(r.entriesPerSecond)) });
    }
  }

  const header = ['entries/append', 'encoding', 'appends/s', 'entries/s', 'payload MB/s', 'wire MB/s', 'dropped'];
  const rows = results.map((r) => [
    String(r.entriesPerAppend),
    r.encoding,
    Math.round(r.appendsPerSecond).toLocaleString('en-US'),
    Math.round(r.entriesPerSecond).toLocaleString('en-US'),
    r.payloadMBPerSecond.toFixed(1),
    r.wireMBPerSecond === null ? '-' : r.wireMBPerSecond.toFixed(1),
    String(r.droppedMessages),
  ]);
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  console.log(formatRow(header, widths));
  for (const row of rows) console.log(formatRow(row, widths));

  const ratios = ENTRIES_PER_APPEND.map((entriesPerAppend) => {
    const byEncoding = (encoding: WireEncoding): number =>
      results.find((r) => r.encoding === encoding && r.entriesPerAppend === entriesPerAppend)?.entriesPerSecond ?? 0;
    return { entriesPerAppend, msgpackOverClone: byEncoding('msgpack') / byEncoding('clone') };
  });
  for (const { entriesPerAppend, msgpackOverClone } of ratios) {
    console.log(`msgpack/clone at ${entriesPerAppend} entries: ${msgpackOverClone.toFixed(2)}x`);
  }

  const resultsDir = join(process.cwd(), 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, 'bench-transport.json');
  const report = {
    bench: 'transport/message-port',
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    payloadBytes: PAYLOAD_BYTES,
    pipelineDepth: PIPELINE_DEPTH,
    warmupMs: WARMUP_MS,
    measureMs: MEASURE_MS,
    repetitions: REPETITIONS,
    loadAverageAtStart,
    loadAverageAtEnd: loadavg(),
    defaultEncoding: DEFAULT_WIRE_ENCODING,
    results,
    msgpackOverClone: ratios,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

if (isMainThread) {
  await main();
} else {
  const data = workerData as ThreadData;
  if (data.role === 'leader') runLeader(data);
  else runFollower(data);
}
