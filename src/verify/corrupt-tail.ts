// corrupt-tail's damage: flip bytes in the last records of a stopped node's
// LMDB log, through the storage layer's own environment, as rot or a torn
// write would leave them. On its next start the node's load must detect the
// bad records by checksum, drop them, and fetch the entries again from its
// peers. Only ever called while the node's process is down: LMDB allows other
// processes in, but the node must meet the damage at load, not mid-run.

import { decodeEntryRecord } from '../storage/entry-record.js';
import { LmdbNodeEnvironment } from '../storage/index.js';
import type { Random } from '../core/random.js';
import { CORRUPT_BYTES_PER_RECORD, CORRUPT_TAIL_MAX_RECORDS } from './limits.js';

/** The record's first 4 bytes are its CRC-32; flipping payload bytes is what the checksum must catch. */
const CHECKSUM_BYTES = 4;

export interface TailDamageDone {
  /** The log's last index before the damage (what the node must get back). */
  readonly lastIndex: number;
  /** Indexes of the damaged records, ascending; empty when the log was empty. */
  readonly damaged: number[];
}

export async function corruptLogTail(dataDir: string, random: Random): Promise<TailDamageDone> {
  const environment = LmdbNodeEnvironment.open(dataDir);
  const { log } = environment.retain();
  try {
    const last: number[] = [];
    for (const key of log.getKeys({ reverse: true, limit: 1 + random.int(CORRUPT_TAIL_MAX_RECORDS) })) last.push(key);
    last.reverse();
    const damaged: number[] = [];
    for (const index of last) {
      const record = log.get(index);
      if (record === undefined || record.byteLength <= CHECKSUM_BYTES) continue;
      const copy = Buffer.from(record);
      for (let i = 0; i < CORRUPT_BYTES_PER_RECORD; i++) {
        const at = CHECKSUM_BYTES + random.int(copy.byteLength - CHECKSUM_BYTES);
        // XOR with a non-zero byte always changes the byte.
        copy[at] = (copy[at] as number) ^ (1 + random.int(255));
      }
      await log.put(index, copy);
      damaged.push(index);
    }
    return { lastIndex: last.at(-1) ?? 0, damaged };
  } finally {
    await environment.release();
  }
}

/**
 * After the campaign, with the node down again: every record that was damaged
 * must now decode (checksum and all) as the entry of its index, which only a
 * repair (the bad tail dropped at load, the entries fetched again) gives.
 * What is still wrong, in words; empty when the repair held.
 */
export async function tailRepairProblems(dataDir: string, damaged: readonly number[]): Promise<string[]> {
  const environment = LmdbNodeEnvironment.open(dataDir);
  const { log } = environment.retain();
  try {
    const problems: string[] = [];
    for (const index of damaged) {
      const record = log.get(index);
      if (record === undefined) {
        problems.push(`log record ${index} is missing`);
        continue;
      }
      const entry = decodeEntryRecord(record);
      if (entry === null) problems.push(`log record ${index} is still corrupt`);
      else if (entry.index !== index) problems.push(`log record ${index} holds entry ${entry.index}`);
    }
    return problems;
  } finally {
    await environment.release();
  }
}
