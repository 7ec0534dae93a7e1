// The vocabulary of the replication core: entries, messages, the persisted
// state, and what `ready()` hands to the runtime. Plain data only, so every
// value can cross a MessagePort, be packed by msgpackr, or be compared in a test.

import type { Role } from '../ground/role.js';

export type NodeId = string;

/** Why an entry is in the log. `noop` is what a new leader appends to commit its term. */
export type EntryKind = 'command' | 'noop' | 'config';

export interface Membership {
  /** Nodes that vote and count towards quorums. */
  readonly voters: readonly NodeId[];
  /** Nodes that receive the log but do not vote until promoted. */
  readonly learners: readonly NodeId[];
}

export type MembershipChange =
  | { readonly type: 'add-learner'; readonly node: NodeId }
  | { readonly type: 'promote'; readonly node: NodeId }
  | { readonly type: 'remove'; readonly node: NodeId };

export interface Entry {
  readonly index: number;
  readonly term: number;
  readonly kind: EntryKind;
  /** The application's command, opaque to the core (kind `command`). */
  readonly data?: Uint8Array;
  /** The whole membership after this entry (kind `config`). */
  readonly membership?: Membership;
}

/** What must be on disk before any message that depends on it is sent. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId | null;
  readonly commit: number;
}

export interface SnapshotMeta {
  /** The last log index the snapshot covers. */
  readonly index: number;
  readonly term: number;
  readonly membership: Membership;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  /** The state machine's image at `meta.index`, opaque to the core. */
  readonly data: Uint8Array;
}

/** When the client of a write is answered; never changes what commits. */
export type ReplicationMode = 'quorum' | 'sync' | 'semi-sync' | 'async';

export interface WriteOptions {
  readonly mode?: ReplicationMode;
  /** semi-sync: followers (besides the leader) that must hold the entry. */
  readonly minReplicas?: number;
  /** sync: fail after this many ticks; semi-sync: fall back to the leader's disk. */
  readonly timeoutTicks?: number;
}

// ---------------------------------------------------------------- messages

interface MessageBase {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

export interface AppendEntries extends MessageBase {
  readonly type: 'AppendEntries';
  readonly prevLogIndex: number;
  readonly prevLogTerm: number;
  readonly entries: readonly Entry[];
  readonly leaderCommit: number;
}

export interface AppendEntriesResponse extends MessageBase {
  readonly type: 'AppendEntriesResponse';
  readonly success: boolean;
  /** On success: the last index now known to match the leader's log. */
  readonly matchIndex: number;
  /** On failure: the prevLogIndex that did not match. */
  readonly rejectedIndex: number;
  /** On failure: the highest index where the logs may agree, and its term in the follower's log. */
  readonly hintIndex: number;
  readonly hintTerm: number;
}

export interface RequestVote extends MessageBase {
  readonly type: 'RequestVote';
  /** A pre-vote asks "would you vote for me at `term`?" without anyone changing term. */
  readonly preVote: boolean;
  /** Set when the old leader asked for this election; overrides leader stickiness. */
  readonly transfer: boolean;
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}

export interface RequestVoteResponse extends MessageBase {
  readonly type: 'RequestVoteResponse';
  readonly preVote: boolean;
  readonly granted: boolean;
}

export interface Heartbeat extends MessageBase {
  readonly type: 'Heartbeat';
  /** min(leader commit, follower match): never tells a follower to commit what it may not hold. */
  readonly commit: number;
  /** Heartbeat round; acknowledged rounds back ReadIndex and the leader lease. */
  readonly round: number;
}

export interface HeartbeatResponse extends MessageBase {
  readonly type: 'HeartbeatResponse';
  readonly round: number;
  /** The follower's last index, so the leader notices a follower that fell behind. */
  readonly lastIndex: number;
}

export interface InstallSnapshot extends MessageBase {
  readonly type: 'InstallSnapshot';
  readonly snapshot: Snapshot;
}

export interface TimeoutNow extends MessageBase {
  readonly type: 'TimeoutNow';
}

/**
 * A follower asks its leader for a read index (ReadIndex from a follower, as etcd and TiKV do): the
 * leader confirms its leadership as for its own reads and answers with its commit index, which the
 * follower applies before it serves the read.
 */
export interface ReadIndexRequest extends MessageBase {
  readonly type: 'ReadIndexRequest';
  /** The follower's own id for the read; the leader only echoes it. */
  readonly requestId: number;
  /** The read may be served from the leader's lease, without a heartbeat round. */
  readonly lease: boolean;
}

export interface ReadIndexResponse extends MessageBase {
  readonly type: 'ReadIndexResponse';
  readonly requestId: number;
  /** False when the sender is no leader (any more): the follower asks again once it knows one. */
  readonly ok: boolean;
  /** With ok: reading after this index is applied is linearizable. */
  readonly index: number;
}

export type Message =
  | AppendEntries
  | AppendEntriesResponse
  | RequestVote
  | RequestVoteResponse
  | Heartbeat
  | HeartbeatResponse
  | InstallSnapshot
  | TimeoutNow
  | ReadIndexRequest
  | ReadIndexResponse;

export type MessageType = Message['type'];

// ------------------------------------------------------------------ results

export type { Role } from '../ground/role.js';

export type RejectReason =
  'not-leader' | 'transfer-in-progress' | 'too-many-pending' | 'membership-change-pending' | 'invalid-membership-change' | 'entry-too-large';

export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly reason: RejectReason; readonly leaderId: NodeId | null };

/** A read barrier that has passed: reading after `index` is applied is linearizable. */
export interface ReadState {
  readonly requestId: number;
  readonly index: number;
}

/**
 * The answer the replication mode owes a client for the write at `index`.
 * `ok: false` means the outcome is unknown: the entry may still commit.
 */
export type WriteAck =
  | { readonly index: number; readonly term: number; readonly ok: true; readonly degraded: boolean }
  | {
      readonly index: number;
      readonly term: number;
      readonly ok: false;
      readonly reason: 'leadership-lost' | 'sync-timeout';
    };

/**
 * Why a node's role changed: every leader change can say what caused it. A leader (or campaigner)
 * carries the cause of the campaign it won (or runs); a follower, why it stopped leading or
 * campaigning.
 */
export type RoleCause =
  /** The node started (or restarted) and has not changed role since. */
  | { readonly kind: 'start' }
  /** No word from a leader for `silenceTicks` (patience ran out; a pause, a partition or a hang). */
  | { readonly kind: 'election-timeout'; readonly silenceTicks: number }
  /** Evidence that the leader is gone: its channel closed and it cannot be reached again. */
  | { readonly kind: 'leader-crashed'; readonly leaderId: NodeId }
  /** The leader handed over (TimeoutNow). */
  | { readonly kind: 'transfer'; readonly from: NodeId }
  /** A leader that heard from no majority within an election timeout stepped down. */
  | { readonly kind: 'check-quorum' }
  /** A message of a newer term arrived. */
  | { readonly kind: 'higher-term'; readonly from: NodeId; readonly term: number }
  /** A leader of this term was heard: the campaign ends. */
  | { readonly kind: 'leader-seen'; readonly leaderId: NodeId }
  /** A majority refused the pre-vote: a leader is still alive for them. */
  | { readonly kind: 'pre-vote-rejected' }
  /** A leader removed from the membership stepped down. */
  | { readonly kind: 'removed' };

export interface SoftState {
  readonly role: Role;
  readonly leaderId: NodeId | null;
  /** Why the role is what it is (set with every role change). */
  readonly cause: RoleCause;
}

/** Everything the runtime must do after one turn of inputs. */
export interface Ready {
  /** Persist first (with `entries`, in one fsync). Absent when unchanged. */
  readonly hardState?: HardState;
  /** Persist: delete every stored entry at or after entries[0].index, then write these. */
  readonly entries: readonly Entry[];
  /**
   * A snapshot from the leader that replaces this node's whole log: persist it,
   * discard every stored entry, load it into the state machine, then go on
   * with `entries` and `committed`.
   */
  readonly snapshot?: Snapshot;
  /** Send after persisting. */
  readonly messages: readonly Message[];
  /** Apply to the state machine, in order. */
  readonly committed: readonly Entry[];
  readonly readStates: readonly ReadState[];
  /** Reads that will never be released here (leadership lost): retry them elsewhere. */
  readonly droppedReads: readonly number[];
  readonly acks: readonly WriteAck[];
  /** Present when the role or the known leader changed. */
  readonly softState?: SoftState;
}

export interface FollowerProgress {
  readonly matchIndex: number;
  readonly nextIndex: number;
  /** Ticks since the leader last heard from this follower. */
  readonly lastHeardTicksAgo: number;
  readonly learner: boolean;
}

export interface CoreStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId | null;
  readonly leaderId: NodeId | null;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly lastIndex: number;
  readonly firstIndex: number;
  readonly membership: Membership;
  /** Only on the leader. */
  readonly progress: Readonly<Record<NodeId, FollowerProgress>>;
  readonly leaseValid: boolean;
  /** Ticks until the leader lease lapses unless renewed; 0 without a lease. */
  readonly leaseRemainingTicks: number;
  /** How much silence from a leader this node now sits out before it campaigns (before jitter). */
  readonly electionWaitTicks: number;
  /** The largest gap between its leader's messages this node saw lately (what its patience adapts to). */
  readonly largestLeaderGapTicks: number;
  /** Why the node holds its role. */
  readonly cause: RoleCause;
}

/** What a node recovers from its own disk after a restart. */
export interface PersistedState {
  readonly hardState: HardState;
  readonly snapshot: Snapshot | null;
  /** Entries after the snapshot, contiguous. */
  readonly entries: readonly Entry[];
  /** Membership to start from when neither the snapshot nor the log holds one. */
  readonly bootstrap: Membership;
}
