// The quorum rules as text tables (etcd-io/raft's quorum/testdata style): each
// line of testdata/*.txt is a case, so a corner case is a line to add. A table
// line that disagrees with the code fails with the line quoted.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { committedIndex, quorumActive, voteResult } from '../../../src/core/quorum.js';

interface Row {
  readonly line: number;
  readonly text: string;
  readonly voters: string[];
  readonly perVoter: string[];
  readonly rest: string[];
}

/** Data lines: voters, one column per voter, then the expected answer's columns. */
function table(name: string): Row[] {
  const lines = readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8').split('\n');
  const rows: Row[] = [];
  lines.forEach((text, i) => {
    const words = text.trim().split(/\s+/);
    if (text.trim() === '' || text.trimStart().startsWith('#')) return;
    const voters = words.filter((word) => /^n\d+$/.test(word));
    const after = words.slice(voters.length);
    rows.push({ line: i + 1, text, voters, perVoter: after.slice(0, voters.length), rest: after.slice(voters.length) });
  });
  expect(rows.length, `${name} has cases`).toBeGreaterThan(5);
  return rows;
}

function byVoter<T>(row: Row, parse: (word: string) => T): (voter: string) => T {
  return (voter) => parse(row.perVoter[row.voters.indexOf(voter)] as string);
}

describe('quorum tables', () => {
  it('committed-index.txt', () => {
    for (const row of table('committed-index.txt')) {
      const indexOf = byVoter(row, (word) => (word === '_' ? 0 : Number(word)));
      expect(String(committedIndex(row.voters, indexOf)), `line ${row.line}: ${row.text}`).toBe(row.rest[0]);
    }
  });

  it('vote-result.txt', () => {
    for (const row of table('vote-result.txt')) {
      const voteOf = byVoter(row, (word) => (word === 'y' ? true : word === 'n' ? false : undefined));
      const { result, granted, rejected } = voteResult(row.voters, voteOf);
      expect([result, String(granted), String(rejected)], `line ${row.line}: ${row.text}`).toEqual(row.rest);
    }
  });

  it('quorum-active.txt', () => {
    for (const row of table('quorum-active.txt')) {
      const isActive = byVoter(row, (word) => word === 'y');
      expect(String(quorumActive(row.voters, isActive)), `line ${row.line}: ${row.text}`).toBe(row.rest[0]);
    }
  });
});
