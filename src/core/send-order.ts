// Which messages of a Ready may leave before that Ready is persisted.
//
// A leader's AppendEntries, heartbeats and snapshots carry its log and commit
// outward and promise nothing about what the leader has stored, so they may go
// out while its own fsync runs: both disks work at once (Raft thesis §10.2.1).
// This is safe only if the driver steps the answers after the persist has
// finished (turns never overlap): the leader must not count its own entries as
// matched before they are durable. Votes and acknowledgements promise something
// about the sender's disk and must wait for the persist.

import type { Message } from './types.js';

export function sendsBeforePersist(message: Message): boolean {
  return message.type === 'AppendEntries' || message.type === 'Heartbeat' || message.type === 'InstallSnapshot';
}
