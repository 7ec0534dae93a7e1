// The safety rules of the Raft paper (§5.2 election safety, §5.4.2 committing
// entries from previous terms, §5.4.3 leader completeness), scripted in a
// cluster and checked with the simulator's own invariants
// (test/sim/invariants.ts), so each test also shows that those invariants
// catch the bug the rule prevents.

import { describe, expect, it } from 'vitest';
import type { AppendEntries, CoreConfigInput, Message, NodeId, PlantedBug } from '../../src/core/index.js';
import { Invariants } from '../sim/invariants.js';
import { ScriptedCluster } from '../support/scripted-cluster.js';

const PLAIN: Omit<CoreConfigInput, 'id'> = { preVote: false, checkQuorum: false };
const data = (byte: number): Uint8Array => new Uint8Array([byte]);

/** Feed every Ready of the cluster to the simulator's invariants, as a simulated node does. */
function watch(cluster: ScriptedCluster): Invariants {
  const invariants = new Invariants();
  let step = 0;
  cluster.observers.push((id, ready, core) => {
    step++;
    invariants.persisted(id, ready.entries, core);
    for (const entry of ready.committed) invariants.appliedEntry(id, entry);
    if (ready.softState?.role === 'leader') invariants.becameLeader(step, id, core.status().term, core);
  });
  return invariants;
}

function between(a: NodeId, b: NodeId): (m: Message) => boolean {
  return (m) => (m.from === a && m.to === b) || (m.from === b && m.to === a);
}

function leadersOf(cluster: ScriptedCluster): { id: NodeId; term: number }[] {
  return [...cluster.nodes.values()].filter((node) => node.core?.role === 'leader').map((node) => ({ id: node.id, term: node.core?.status().term ?? -1 }));
}

// ---------------------------------------------------------------------- §5.2

describe('§5.2 election safety', () => {
  it('§5.2 election safety: two candidates of the same term cannot both win', () => {
    const cluster = new ScriptedCluster(['a', 'b', 'c'], PLAIN);
    const invariants = watch(cluster);
    for (const id of ['a', 'b']) {
      const core = cluster.core(id);
      while (core.role !== 'candidate') core.tick();
    }
    cluster.settle();
    expect(cluster.core('a').status().term).toBe(1);
    expect(cluster.core('b').status().term).toBe(1);
    cluster.deliverAll((m) => m.type === 'RequestVote' || m.type === 'RequestVoteResponse');
    const leaders = leadersOf(cluster);
    expect(leaders).toHaveLength(1); // c voted once: for whichever request reached it first
    expect(leaders[0]?.term).toBe(1);
    expect(cluster.core('c').status().vote).toBe(leaders[0]?.id);
    cluster.deliverAll();
    expect(invariants.violations).toEqual([]);
  });

  it('§5.2 the invariants catch the bug: with vote-twice both candidates win the same term', () => {
    const cluster = new ScriptedCluster(['a', 'b', 'c'], { ...PLAIN, plantedBug: 'vote-twice' });
    const invariants = watch(cluster);
    for (const id of ['a', 'b']) {
      const core = cluster.core(id);
      while (core.role !== 'candidate') core.tick();
    }
    cluster.settle();
    cluster.deliverAll((m) => m.type === 'RequestVote' || m.type === 'RequestVoteResponse');
    expect(leadersOf(cluster)).toEqual([
      { id: 'a', term: 1 },
      { id: 'b', term: 1 },
    ]);
    expect(invariants.violations).toEqual([expect.stringMatching(/^election safety: a and b both led term 1/)]);
  });
});

// -------------------------------------------------------------------- §5.4.2

describe('§5.4.2 committing entries from previous terms (Figure 8)', () => {
  const IDS = ['s1', 's2', 's3', 's4', 's5'];

  /**
   * Figure 8 in 5 nodes, one entry per append:
   * (a) s1 leads term 1, writes X at index 2 only to s2, crashes;
   * (b) s5 is elected by s3, s4, s5 in term 2, appends its no-op at 2, and crashes before replicating it;
   * (c) s1 restarts and is elected by s1, s2, s3 (term 3); it ships the old entry X alone to s3 and s4
   *     (it may send what it likes; we deliver only appends that carry no entry of its term, or that
   *     s3/s4 would reject), so X is on s1..s4 and s1 knows it is on s1, s3, s4: a majority.
   */
  function figure8(plantedBug: PlantedBug | null) {
    const cluster = new ScriptedCluster(IDS, { ...PLAIN, maxEntriesPerAppend: 1, plantedBug });
    const invariants = watch(cluster);

    // (a)
    cluster.elect('s1', IDS);
    cluster.deliverAll();
    for (const id of IDS) expect(cluster.core(id).status().commitIndex).toBe(1);
    const x = cluster.core('s1').propose(data(0x58));
    expect(x).toEqual({ ok: true, index: 2, term: 1 });
    cluster.settle();
    cluster.deliverAll(between('s1', 's2'));
    expect(cluster.core('s2').entryAt(2)?.term).toBe(1);
    expect(cluster.core('s1').status().commitIndex).toBe(1);
    cluster.crash('s1');
    cluster.drop();

    // (b)
    cluster.elect('s5', ['s3', 's4', 's5']);
    expect(cluster.core('s5').status().term).toBe(2);
    expect(cluster.core('s5').entryAt(2)).toMatchObject({ term: 2, kind: 'noop' });
    cluster.crash('s5');
    cluster.drop();

    // (c)
    cluster.start('s1');
    cluster.elect('s1', ['s1', 's2', 's3']);
    const s1Term = cluster.core('s1').status().term;
    expect(s1Term).toBe(3);
    expect(cluster.core('s1').entryAt(3)).toMatchObject({ term: 3, kind: 'noop' });
    const wouldReject = (m: AppendEntries): boolean => {
      const follower = cluster.core(m.to);
      const term = m.prevLogIndex === 0 ? 0 : follower.entryAt(m.prevLogIndex)?.term;
      return term !== m.prevLogTerm;
    };
    const oldEntriesOnlyToS3S4 = (m: Message): boolean =>
      (m.type === 'AppendEntries' &&
        m.from === 's1' &&
        (m.to === 's3' || m.to === 's4') &&
        (m.entries.every((entry) => entry.term !== s1Term) || wouldReject(m))) ||
      (m.type === 'AppendEntriesResponse' && m.to === 's1' && (m.from === 's3' || m.from === 's4'));
    cluster.deliverAll(oldEntriesOnlyToS3S4);
    for (const id of ['s3', 's4']) expect(cluster.core(id).entryAt(2)).toMatchObject({ term: 1, data: data(0x58) });
    for (const id of ['s3', 's4']) expect(cluster.core('s1').status().progress[id]?.matchIndex).toBe(2);
    return { cluster, invariants, xIndex: x.ok ? x.index : -1 };
  }

  /** (d) s1 crashes; s5 restarts and is elected by s3, s4, s5 (its last term, 2, beats their 1). */
  function s5ComesBack(cluster: ScriptedCluster): void {
    cluster.crash('s1');
    cluster.drop();
    cluster.start('s5');
    cluster.elect('s5', ['s3', 's4', 's5']);
  }

  it('§5.4.2 a leader never commits an entry of an earlier term by counting replicas (Figure 8)', () => {
    const { cluster, invariants, xIndex } = figure8(null);
    expect(cluster.core('s1').status().commitIndex).toBeLessThan(xIndex);
    expect(cluster.node('s1').applied.map((e) => e.index)).not.toContain(xIndex);

    // Which is just as well: s5 can still win, and overwrites X everywhere.
    s5ComesBack(cluster);
    expect(cluster.core('s5').role).toBe('leader');
    cluster.deliverAll();
    for (const id of ['s2', 's3', 's4', 's5']) {
      expect(cluster.core(id).entryAt(xIndex)).toMatchObject({ term: 2, kind: 'noop' });
      expect(cluster.core(id).status().commitIndex).toBe(3);
    }
    expect(invariants.violations).toEqual([]);
  });

  it('§5.4.2 the invariants catch the bug: with commit-old-term, X commits and then a leader without it is elected', () => {
    const { cluster, invariants, xIndex } = figure8('commit-old-term');
    expect(cluster.core('s1').status().commitIndex).toBe(xIndex);
    expect(cluster.node('s1').applied.map((e) => e.index)).toEqual([1, 2]);
    expect(invariants.violations).toEqual([]);
    s5ComesBack(cluster);
    expect(cluster.core('s5').role).toBe('leader');
    expect(invariants.violations.length).toBeGreaterThan(0);
    expect(invariants.violations.join('\n')).toMatch(/leader completeness|state machine safety/);
  });

  it('§5.4.2 an entry of an earlier term commits indirectly once an entry of the current term commits on a majority', () => {
    const { cluster, invariants, xIndex } = figure8(null);
    cluster.deliverAll(); // (e) s1 replicates its no-op of term 3 to s2, s3, s4
    const s1 = cluster.core('s1');
    expect(s1.status().commitIndex).toBe(3);
    expect(cluster.node('s1').applied.map((e) => [e.index, e.term])).toEqual([
      [1, 1],
      [xIndex, 1],
      [3, 3],
    ]);
    // Now X is safe: s5 (last term 2) can no longer win against s2, s3, s4 (last term 3).
    cluster.crash('s1');
    cluster.drop();
    cluster.start('s5');
    expect(() => cluster.elect('s5', ['s2', 's3', 's4', 's5'])).toThrow(/did not win/);
    cluster.drop();
    cluster.elect('s2', ['s2', 's3', 's4', 's5']);
    cluster.deliverAll();
    expect(cluster.core('s5').entryAt(xIndex)).toMatchObject({ term: 1, data: data(0x58) });
    expect(invariants.violations).toEqual([]);
  });
});

// -------------------------------------------------------------------- §5.4.3

describe('§5.4.3 leader completeness', () => {
  it('§5.4.3 a node that misses a committed entry cannot become leader; the next leader holds the entry', () => {
    const cluster = new ScriptedCluster(['a', 'b', 'c'], PLAIN);
    const invariants = watch(cluster);
    cluster.elect('a', ['a', 'b', 'c']);
    cluster.deliverAll();
    cluster.core('a').propose(data(1));
    cluster.settle();
    cluster.deliverAll(between('a', 'b'));
    cluster.drop();
    expect(cluster.core('a').status().commitIndex).toBe(2);
    expect(cluster.core('c').status().lastIndex).toBe(1);
    cluster.crash('a');
    expect(() => cluster.elect('c', ['b', 'c'])).toThrow(/did not win/);
    cluster.drop();
    cluster.elect('b', ['b', 'c']);
    cluster.deliverAll();
    expect(cluster.core('b').entryAt(2)).toMatchObject({ term: 1, data: data(1) });
    expect(cluster.core('c').entryAt(2)).toMatchObject({ term: 1, data: data(1) });
    expect(invariants.violations).toEqual([]);
  });
});
