// Both transports send one batch per peer: a Ready's messages grouped by
// destination, in their original order within each group.

import { assert } from '../ground/assert.js';
import type { Message, NodeId } from '../core/types.js';

export function groupByPeer(selfId: NodeId, messages: readonly Message[]): Map<NodeId, Message[]> {
  const batches = new Map<NodeId, Message[]>();
  for (const message of messages) {
    assert(message.from === selfId, `node ${selfId} sends only its own messages, got one from ${message.from}`);
    const batch = batches.get(message.to);
    if (batch === undefined) batches.set(message.to, [message]);
    else batch.push(message);
  }
  return batches;
}
