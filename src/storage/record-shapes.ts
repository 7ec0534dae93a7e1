// Shape checks for decoded records. A record whose checksum matches is almost
// certainly what was written, but a record written by a buggy or newer version
// must still be rejected rather than trusted.

import type { EntryKind, Membership } from '../core/types.js';

/** First element of every record tuple; bump it when a record's layout changes. */
export const RECORD_FORMAT_V1 = 1;

export function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

export function isEntryKind(value: unknown): value is EntryKind {
  return value === 'command' || value === 'noop' || value === 'config';
}

export type MembershipTuple = [voters: string[], learners: string[]];

export function membershipToTuple(membership: Membership): MembershipTuple {
  return [[...membership.voters], [...membership.learners]];
}

export function membershipFromTuple(value: unknown): Membership | null {
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [voters, learners] = value as unknown[];
  if (!isStringArray(voters) || !isStringArray(learners)) return null;
  return { voters, learners };
}
