// Builders of the messages the core sends, so the core's handlers say what
// they answer, not how a message is spelled. Each takes the envelope (from,
// to, term) first, then what the message carries.

import type {
  AppendEntries,
  AppendEntriesResponse,
  Entry,
  Heartbeat,
  HeartbeatResponse,
  NodeId,
  ReadIndexRequest,
  ReadIndexResponse,
  RequestVote,
  RequestVoteResponse,
} from './types.js';

export interface Envelope {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

export function appendEntries(envelope: Envelope, prevLogIndex: number, prevLogTerm: number, entries: readonly Entry[], leaderCommit: number): AppendEntries {
  return { type: 'AppendEntries', ...envelope, prevLogIndex, prevLogTerm, entries, leaderCommit };
}

/** The follower now matches the leader's log through `matchIndex`. */
export function appendAccepted(envelope: Envelope, matchIndex: number): AppendEntriesResponse {
  return { type: 'AppendEntriesResponse', ...envelope, success: true, matchIndex, rejectedIndex: 0, hintIndex: 0, hintTerm: 0 };
}

/** The entry before `rejectedIndex + 1` did not match; the logs may agree at `hintIndex` (of `hintTerm`). */
export function appendRejected(envelope: Envelope, rejectedIndex: number, hintIndex: number, hintTerm: number): AppendEntriesResponse {
  return { type: 'AppendEntriesResponse', ...envelope, success: false, matchIndex: 0, rejectedIndex, hintIndex, hintTerm };
}

export function voteRequest(envelope: Envelope, preVote: boolean, transfer: boolean, lastLogIndex: number, lastLogTerm: number): RequestVote {
  return { type: 'RequestVote', ...envelope, preVote, transfer, lastLogIndex, lastLogTerm };
}

export function voteResponse(envelope: Envelope, preVote: boolean, granted: boolean): RequestVoteResponse {
  return { type: 'RequestVoteResponse', ...envelope, preVote, granted };
}

export function heartbeat(envelope: Envelope, commit: number, round: number): Heartbeat {
  return { type: 'Heartbeat', ...envelope, commit, round };
}

export function heartbeatResponse(envelope: Envelope, round: number, lastIndex: number): HeartbeatResponse {
  return { type: 'HeartbeatResponse', ...envelope, round, lastIndex };
}

export function readIndexRequest(envelope: Envelope, requestId: number, lease: boolean): ReadIndexRequest {
  return { type: 'ReadIndexRequest', ...envelope, requestId, lease };
}

/** `index` null: the sender leads no more and cannot confirm the read. */
export function readIndexResponse(envelope: Envelope, requestId: number, index: number | null): ReadIndexResponse {
  return { type: 'ReadIndexResponse', ...envelope, requestId, ok: index !== null, index: index ?? 0 };
}
