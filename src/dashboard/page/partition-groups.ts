// The partitions the chaos controls ask for, worked out from node ids alone.

import type { NodeId } from '../protocol.js';

/** The leader with a minority on one side, everyone else on the other. */
export function splitGroups(ids: readonly NodeId[], leaderId: NodeId | null): NodeId[][] {
  const minoritySize = Math.max(1, Math.floor((ids.length - 1) / 2));
  const first = leaderId ? [leaderId] : [];
  for (const id of ids) if (first.length < minoritySize && !first.includes(id)) first.push(id);
  return [first, ids.filter((id) => !first.includes(id))];
}

/** "n1 | n2 n3" (or commas) into [["n1"], ["n2", "n3"]]; null when it is not two or more groups of names. */
export function parseGroups(text: string): NodeId[][] | null {
  const groups = text.split('|').map((part) => part.split(/[\s,]+/).filter(Boolean));
  if (groups.length < 2 || groups.some((group) => group.length === 0)) return null;
  return groups;
}

/** "n1 | n2 n3", as the timeline writes a partition. */
export function groupsText(groups: readonly (readonly NodeId[])[]): string {
  return groups.map((group) => group.join(' ')).join(' | ');
}
