// Checks that a decoded value has the shape of a Message before the core sees
// it. Frames come from authenticated peers, but a peer running another version,
// a bug, or a corrupted byte must cost one connection, not an invariant failure
// deep in the core. Extra fields are allowed (a newer peer may add some); the
// fields the core reads must have the right types.

import type { Entry, Membership, Message, MessageType, Snapshot } from '../../core/types.js';

type Fields = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** Terms and indexes: non-negative safe integers. */
function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isBoolean(value: unknown): value is boolean {
  return typeof value === 'boolean';
}

function isStringArray(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every(isString);
}

function isMembership(value: unknown): value is Membership {
  return isRecord(value) && isStringArray(value.voters) && isStringArray(value.learners);
}

function isEntry(value: unknown): value is Entry {
  if (!isRecord(value) || !isCount(value.index) || !isCount(value.term)) return false;
  if (value.kind !== 'command' && value.kind !== 'noop' && value.kind !== 'config') return false;
  if (value.data !== undefined && !(value.data instanceof Uint8Array)) return false;
  if (value.membership !== undefined && !isMembership(value.membership)) return false;
  return true;
}

function isSnapshot(value: unknown): value is Snapshot {
  if (!isRecord(value) || !(value.data instanceof Uint8Array) || !isRecord(value.meta)) return false;
  return isCount(value.meta.index) && isCount(value.meta.term) && isMembership(value.meta.membership);
}

/**
 * One check per variant, keyed by type: a variant added to the core fails to
 * compile here until it has a check, instead of being dropped as garbage.
 */
const VARIANT_CHECKS: { readonly [T in MessageType]: (value: Fields) => boolean } = {
  AppendEntries: (value) =>
    isCount(value.prevLogIndex) && isCount(value.prevLogTerm) && isCount(value.leaderCommit) && Array.isArray(value.entries) && value.entries.every(isEntry),
  AppendEntriesResponse: (value) =>
    isBoolean(value.success) && isCount(value.matchIndex) && isCount(value.rejectedIndex) && isCount(value.hintIndex) && isCount(value.hintTerm),
  RequestVote: (value) => isBoolean(value.preVote) && isBoolean(value.transfer) && isCount(value.lastLogIndex) && isCount(value.lastLogTerm),
  RequestVoteResponse: (value) => isBoolean(value.preVote) && isBoolean(value.granted),
  Heartbeat: (value) => isCount(value.commit) && isCount(value.round),
  HeartbeatResponse: (value) => isCount(value.round) && isCount(value.lastIndex),
  InstallSnapshot: (value) => isSnapshot(value.snapshot),
  TimeoutNow: () => true,
  ReadIndexRequest: (value) => isCount(value.requestId) && isBoolean(value.lease),
  ReadIndexResponse: (value) => isCount(value.requestId) && isBoolean(value.ok) && isCount(value.index),
};

export function isMessage(value: unknown): value is Message {
  if (!isRecord(value) || !isString(value.from) || !isString(value.to) || !isCount(value.term)) return false;
  const type = value.type;
  if (typeof type !== 'string' || !Object.hasOwn(VARIANT_CHECKS, type)) return false;
  return VARIANT_CHECKS[type as MessageType](value);
}
