// Raft's safety properties (Figure 3 of the paper), checked after every step
// of a simulated run. A violation is recorded with enough detail to read the
// replay; the first one ends the run.

import type { Entry, NodeId, RaftCore } from '../../src/core/index.js';

/** Violations kept per run; one is enough to fail it, a few help reading the replay. */
const MAX_VIOLATIONS = 8;

export class Invariants {
  readonly violations: string[] = [];
  /** term -> the node that led it. */
  private readonly leaders = new Map<number, NodeId>();
  /** "index:term" -> digest of the entry and the term before it: log matching. */
  private readonly entriesByIndexTerm = new Map<string, { digest: string; prevTerm: number | undefined }>();
  /** index -> the entry some node applied there: state machine safety. */
  private readonly applied = new Map<number, { term: number; digest: string; by: NodeId }>();

  get failed(): boolean {
    return this.violations.length > 0;
  }

  violation(text: string): void {
    if (this.violations.length < MAX_VIOLATIONS) this.violations.push(text);
  }

  /** Election safety: at most one leader per term. Leader completeness: it holds every applied entry. */
  becameLeader(tick: number, id: NodeId, term: number, core: RaftCore): void {
    const previous = this.leaders.get(term);
    if (previous !== undefined && previous !== id) {
      this.violation(`election safety: ${previous} and ${id} both led term ${term} (tick ${tick})`);
    }
    this.leaders.set(term, id);
    const firstIndex = core.status().firstIndex;
    for (const [index, committed] of this.applied) {
      if (index < firstIndex) continue; // inside its snapshot, which came from a committed prefix
      const entry = core.entryAt(index);
      if (!entry || entry.term !== committed.term || digest(entry) !== committed.digest) {
        this.violation(`leader completeness: ${id} leads term ${term} without committed entry ${index} (term ${committed.term}) (tick ${tick})`);
        return;
      }
    }
  }

  /** Log matching: an (index, term) pair names one entry, and the same history before it. */
  persisted(id: NodeId, entries: readonly Entry[], core: RaftCore): void {
    entries.forEach((entry, k) => {
      const prevTerm = k > 0 ? (entries[k - 1] as Entry).term : core.entryAt(entry.index - 1)?.term;
      const key = `${entry.index}:${entry.term}`;
      const seen = this.entriesByIndexTerm.get(key);
      const entryDigest = digest(entry);
      if (!seen) {
        this.entriesByIndexTerm.set(key, { digest: entryDigest, prevTerm });
        return;
      }
      if (seen.digest !== entryDigest) {
        this.violation(`log matching: ${id} holds a different entry at index ${entry.index} term ${entry.term}`);
      } else if (seen.prevTerm !== undefined && prevTerm !== undefined && seen.prevTerm !== prevTerm) {
        this.violation(`log matching: ${id} holds index ${entry.index} term ${entry.term} after term ${prevTerm}, another node after term ${seen.prevTerm}`);
      }
    });
  }

  /** State machine safety: every node applies the same entry at each index. */
  appliedEntry(id: NodeId, entry: Entry): void {
    const entryDigest = digest(entry);
    const seen = this.applied.get(entry.index);
    if (!seen) {
      this.applied.set(entry.index, { term: entry.term, digest: entryDigest, by: id });
      return;
    }
    if (seen.term !== entry.term || seen.digest !== entryDigest) {
      this.violation(`state machine safety: ${id} applied index ${entry.index} term ${entry.term}, ${seen.by} applied term ${seen.term} there`);
    }
  }

  leaderCount(): number {
    return this.leaders.size;
  }
}

/** A short fingerprint of an entry's content (FNV-1a over its bytes and kind). */
export function digest(entry: Entry): string {
  let hash = 0x811c9dc5;
  const mix = (byte: number): void => {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  };
  for (const char of entry.kind) mix(char.charCodeAt(0));
  if (entry.data) for (const byte of entry.data) mix(byte);
  if (entry.membership) for (const char of JSON.stringify(entry.membership)) mix(char.charCodeAt(0));
  return `${entry.kind}:${entry.data?.byteLength ?? 0}:${hash.toString(16)}`;
}
