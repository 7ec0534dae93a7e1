// How fast a node can make its log durable: persists/s and entries/s for
// batches of 1, 64 and 1024 entries of 100-byte payloads, each persist one
// LMDB transaction awaited until fsynced. The memory storage runs the same
// batches as a baseline for the encoding and checks alone. No compaction runs:
// the log grows by at most a few hundred MB during a row.
//
//   npm run build && node dist/bench/storage/persist.js
//
// Writes a table to stdout and results/bench-storage.json. BENCH_STORAGE_DIR
// picks the parent directory of the LMDB files (default: the OS temp dir);
// fsync on tmpfs costs nothing, so put it on the disk you care about.

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { Entry, HardState } from '../../src/core/types.js';
import { MemoryNodeStorage, openLmdbNode, type NodeStorage } from '../../src/storage/index.js';

const BATCH_SIZES = [1, 64, 1024] as const;
const PAYLOAD_BYTES = 100;
/** Untimed persists first, so file growth and JIT warm-up stay out of the figures. */
const WARMUP_MS = 500;
const MEASURE_MS = 3_000;
const RESULTS_FILE = join('results', 'bench-storage.json');

interface Row {
  readonly storage: 'lmdb (fsync)' | 'memory';
  readonly batchEntries: number;
  readonly persists: number;
  readonly persistsPerSec: number;
  readonly entriesPerSec: number;
  readonly payloadMiBPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function makeBatch(firstIndex: number, size: number, payload: Uint8Array): Entry[] {
  const batch: Entry[] = [];
  for (let i = 0; i < size; i++) batch.push({ index: firstIndex + i, term: 1, kind: 'command', data: payload });
  return batch;
}

function percentile(sortedMs: readonly number[], fraction: number): number {
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor(sortedMs.length * fraction))] ?? 0;
}

async function run(storageName: Row['storage'], storage: NodeStorage, batchEntries: number): Promise<Row> {
  const payload = new Uint8Array(PAYLOAD_BYTES).map((_, i) => i);
  let nextIndex = 1;
  const persistOnce = async (): Promise<number> => {
    const entries = makeBatch(nextIndex, batchEntries, payload);
    nextIndex += batchEntries;
    const last = nextIndex - 1;
    const hardState: HardState = { term: 1, vote: 'a', commit: last };
    const started = performance.now();
    await storage.persist({ hardState, entries });
    return performance.now() - started;
  };

  const warmupEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmupEnd) await persistOnce();

  const latencies: number[] = [];
  const started = performance.now();
  while (performance.now() - started < MEASURE_MS) latencies.push(await persistOnce());
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const persists = latencies.length;
  return {
    storage: storageName,
    batchEntries,
    persists,
    persistsPerSec: persists / seconds,
    entriesPerSec: (persists * batchEntries) / seconds,
    payloadMiBPerSec: (persists * batchEntries * PAYLOAD_BYTES) / seconds / (1024 * 1024),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

async function runLmdb(parent: string, batchEntries: number): Promise<Row> {
  const directory = await mkdtemp(join(parent, 'replikit-bench-storage-'));
  const node = openLmdbNode(directory);
  try {
    return await run('lmdb (fsync)', node.storage, batchEntries);
  } finally {
    await node.storage.close();
    await node.kv.close();
    await rm(directory, { recursive: true, force: true });
  }
}

function formatTable(rows: readonly Row[]): string {
  const header = ['storage', 'batch', 'persists/s', 'entries/s', 'payload MiB/s', 'p50 ms', 'p99 ms'];
  const body = rows.map((row) => [
    row.storage,
    String(row.batchEntries),
    row.persistsPerSec.toFixed(0),
    row.entriesPerSec.toFixed(0),
    row.payloadMiBPerSec.toFixed(1),
    row.p50Ms.toFixed(3),
    row.p99Ms.toFixed(3),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => (column < 1 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const parent = process.env['BENCH_STORAGE_DIR'] ?? os.tmpdir();
  const rows: Row[] = [];
  for (const size of BATCH_SIZES) rows.push(await runLmdb(parent, size));
  for (const size of BATCH_SIZES) rows.push(await run('memory', new MemoryNodeStorage(), size));

  console.log(`persist: ${PAYLOAD_BYTES}-byte payloads, ${MEASURE_MS / 1000}s per row, LMDB under ${parent}\n`);
  console.log(formatTable(rows));

  await mkdir('results', { recursive: true });
  const report = {
    benchmark: 'storage/persist',
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    lmdbDirectoryParent: parent,
    payloadBytes: PAYLOAD_BYTES,
    measureMs: MEASURE_MS,
    rows,
  };
  await writeFile(RESULTS_FILE, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${RESULTS_FILE}`);
}

await main();
