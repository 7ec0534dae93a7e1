// Size estimate for messages sent by structured clone, whose real encoded size
// is not observable. It only needs to be proportional to memory held in a
// port's queue, so the in-flight byte limit means roughly the same under both
// encodings; payload bytes dominate for the messages that matter (entries, snapshots).

import type { Entry, Membership, Message } from '../core/types.js';

const MESSAGE_OVERHEAD_BYTES = 64;
const ENTRY_OVERHEAD_BYTES = 32;
const NODE_ID_OVERHEAD_BYTES = 16;

function estimateMembershipBytes(membership: Membership): number {
  let bytes = 0;
  for (const id of membership.voters) bytes += NODE_ID_OVERHEAD_BYTES + id.length;
  for (const id of membership.learners) bytes += NODE_ID_OVERHEAD_BYTES + id.length;
  return bytes;
}

function estimateEntryBytes(entry: Entry): number {
  let bytes = ENTRY_OVERHEAD_BYTES;
  if (entry.data !== undefined) bytes += entry.data.byteLength;
  if (entry.membership !== undefined) bytes += estimateMembershipBytes(entry.membership);
  return bytes;
}

export function estimateMessageBytes(message: Message): number {
  let bytes = MESSAGE_OVERHEAD_BYTES;
  if (message.type === 'AppendEntries') {
    for (const entry of message.entries) bytes += estimateEntryBytes(entry);
  } else if (message.type === 'InstallSnapshot') {
    bytes += message.snapshot.data.byteLength + estimateMembershipBytes(message.snapshot.meta.membership);
  }
  return bytes;
}

export function estimateBatchBytes(messages: readonly Message[]): number {
  let bytes = 0;
  for (const message of messages) bytes += estimateMessageBytes(message);
  return bytes;
}
