// The timeline of what happened, newest first: elections and role changes,
// leader changes, crashes, restarts, fencing, partitions and heals, lag
// alarms, and what was done from this page. The words come from
// TimelineNarrator; this only puts them on the page.

import type { ClusterEventMessage } from '../../protocol.js';
import { clockTime } from '../format.js';
import { TimelineNarrator, type TimelineEntry } from '../timeline-text.js';
import type { RoleChange } from '../tracker.js';
import { el, rich } from './dom.js';

export const TIMELINE_LENGTH = 200;

export interface Timeline {
  roleChange(change: RoleChange): void;
  cluster(message: ClusterEventMessage, live: boolean): void;
  /** Something done from this page, and how it went. */
  action(text: string, ok: boolean, detail?: string): void;
}

export function createTimeline(list: HTMLOListElement): Timeline {
  const narrator = new TimelineNarrator();

  function add(entry: TimelineEntry | null, live: boolean): void {
    if (!entry) return;
    list.querySelector('.empty')?.remove();
    const item = el(
      'li',
      { class: entry.kind + (live ? ' fresh' : '') },
      el('time', {}, clockTime(entry.atMs)),
      el('span', { class: 'kind', title: entry.kind }),
      rich(entry.parts),
    );
    list.prepend(item);
    while (list.children.length > TIMELINE_LENGTH) list.lastElementChild?.remove();
  }

  return {
    roleChange: (change) => add(narrator.roleChange(change), change.live),
    cluster: (message, live) => add(narrator.cluster(message), live),
    action: (text, ok, detail) => add(narrator.action(Date.now(), text, ok, detail), true),
  };
}
