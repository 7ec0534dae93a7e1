// The events that move a node between roles. The Raft core decides *when* an
// event happens (a timer fired, a quorum answered, a message carried a higher
// term); the role machine only decides *where* the node goes and which named
// actions the core must then run. Plain data, so the deterministic simulator
// can record and replay them.

export type RoleEvent =
  /** The election timer fired. `promotable`: this node is a voter of the current membership. */
  | { readonly type: 'ELECTION_TIMEOUT'; readonly preVote: boolean; readonly promotable: boolean }
  /**
   * Evidence, not silence: the leader's thread or process is gone (its channel closed, a redial
   * was refused). A voter campaigns at once instead of waiting out its election timeout.
   */
  | { readonly type: 'LEADER_CRASHED'; readonly preVote: boolean; readonly promotable: boolean }
  /** A majority would vote for us: run the real election. */
  | { readonly type: 'PRE_VOTE_QUORUM' }
  /** A majority voted for us in our term. */
  | { readonly type: 'VOTE_QUORUM' }
  /** The leader asked us to take over now (leadership transfer): no pre-vote. */
  | { readonly type: 'TIMEOUT_NOW'; readonly promotable: boolean }
  /** A message carried a higher term; the core has already adopted it. */
  | { readonly type: 'HIGHER_TERM' }
  /** A valid leader of the current term exists. */
  | { readonly type: 'LEADER_SEEN' }
  /** A majority refused the pre-vote. */
  | { readonly type: 'PRE_VOTE_REJECTED' }
  /** The leader has not heard from a quorum within an election timeout. */
  | { readonly type: 'CHECK_QUORUM_FAILED' }
  /** The leader must stop leading, e.g. it was removed from the membership. */
  | { readonly type: 'STEP_DOWN' }
  /** The leader starts handing leadership to another voter. */
  | { readonly type: 'TRANSFER_LEADERSHIP' }
  /** The transfer timed out or was abandoned; the leader serves again. */
  | { readonly type: 'TRANSFER_ENDED' };

export type RoleEventType = RoleEvent['type'];

// A record, not an array, so the compiler refuses a missing or unknown type.
const EVENT_TYPES: Readonly<Record<RoleEventType, true>> = {
  ELECTION_TIMEOUT: true,
  LEADER_CRASHED: true,
  PRE_VOTE_QUORUM: true,
  VOTE_QUORUM: true,
  TIMEOUT_NOW: true,
  HIGHER_TERM: true,
  LEADER_SEEN: true,
  PRE_VOTE_REJECTED: true,
  CHECK_QUORUM_FAILED: true,
  STEP_DOWN: true,
  TRANSFER_LEADERSHIP: true,
  TRANSFER_ENDED: true,
};

/** Every event type, in a fixed order (for exhaustive tests and drawings). */
export const ROLE_EVENT_TYPES: readonly RoleEventType[] = Object.freeze(Object.keys(EVENT_TYPES) as RoleEventType[]);
