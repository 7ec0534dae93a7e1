// What the leader tracks about each member (etcd-io/raft's tracker/): its
// Progress, and during a campaign the votes. Every quorum answer the core
// needs comes from here, through the pure functions of quorum.ts.

import { assert } from '../ground/assert.js';
import { allMembers, isVoter } from './membership.js';
import { Progress } from './progress.js';
import { committedIndex, quorumActive, voteResult, type VoteResult } from './quorum.js';
import type { Membership, NodeId } from './types.js';

export class ProgressTracker {
  private readonly progress = new Map<NodeId, Progress>();
  private readonly votes = new Map<NodeId, boolean>();

  constructor(private readonly selfId: NodeId) {}

  // ------------------------------------------------------------------ progress

  /** Fresh progress for every member but this node, as a new leader starts. */
  reset(membership: Membership, lastIndex: number, nowTick: number): void {
    this.progress.clear();
    for (const id of allMembers(membership)) {
      if (id !== this.selfId) this.progress.set(id, new Progress(lastIndex, nowTick, !isVoter(membership, id)));
    }
  }

  /** The membership changed: members added get progress, removed ones lose it, a promotion keeps what was known. */
  reconcile(membership: Membership, lastIndex: number, nowTick: number): void {
    const members = allMembers(membership);
    for (const id of members) {
      if (id === this.selfId) continue;
      const existing = this.progress.get(id);
      const learner = !isVoter(membership, id);
      if (existing && existing.learner === learner) continue;
      const progress = new Progress(lastIndex, nowTick, learner);
      if (existing) {
        progress.match = existing.match;
        progress.next = existing.next;
        progress.ackedRound = existing.ackedRound;
      }
      this.progress.set(id, progress);
    }
    for (const id of [...this.progress.keys()]) if (!members.includes(id)) this.progress.delete(id);
  }

  clear(): void {
    this.progress.clear();
  }

  get(id: NodeId): Progress | undefined {
    return this.progress.get(id);
  }

  /** The progress of a member that must have one (a voter of the membership in force). */
  of(id: NodeId): Progress {
    const progress = this.progress.get(id);
    assert(progress, `no progress for member ${id}`);
    return progress;
  }

  entries(): IterableIterator<[NodeId, Progress]> {
    return this.progress.entries();
  }

  all(): IterableIterator<Progress> {
    return this.progress.values();
  }

  // ----------------------------------------------------------------- quorums

  /** The index a majority holds; this node counts with `selfLastIndex`. */
  committed(voters: readonly NodeId[], selfLastIndex: number): number {
    return committedIndex(voters, (voter) => (voter === this.selfId ? selfLastIndex : (this.progress.get(voter)?.match ?? 0)));
  }

  /** The newest heartbeat round a majority acknowledged; this node has seen its own `selfRound`. */
  quorumAckedRound(voters: readonly NodeId[], selfRound: number): number {
    return committedIndex(voters, (voter) => (voter === this.selfId ? selfRound : (this.progress.get(voter)?.ackedRound ?? 0)));
  }

  /** A majority heard from since the last check (this node always counts). */
  quorumRecentlyActive(voters: readonly NodeId[]): boolean {
    return quorumActive(voters, (voter) => voter === this.selfId || this.progress.get(voter)?.recentActive === true);
  }

  resetRecentActive(): void {
    for (const progress of this.progress.values()) progress.recentActive = false;
  }

  /** The match of every voter but this node (for the replication modes that count followers). */
  followerMatches(voters: readonly NodeId[]): number[] {
    const matches: number[] = [];
    for (const voter of voters) if (voter !== this.selfId) matches.push(this.progress.get(voter)?.match ?? 0);
    return matches;
  }

  // ------------------------------------------------------------------- votes

  /** A new round of (pre-)votes: this node votes for itself. */
  resetVotes(): void {
    this.votes.clear();
    this.votes.set(this.selfId, true);
  }

  clearVotes(): void {
    this.votes.clear();
  }

  recordVote(voter: NodeId, granted: boolean): void {
    this.votes.set(voter, granted);
  }

  hasVoteFrom(voter: NodeId): boolean {
    return this.votes.has(voter);
  }

  tallyVotes(voters: readonly NodeId[]): VoteResult {
    return voteResult(voters, (voter) => this.votes.get(voter)).result;
  }
}
