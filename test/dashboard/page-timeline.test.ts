// The words of the page's timeline, run in Node.

import { describe, expect, it } from 'vitest';
import { partitionGroupsOf, TimelineNarrator, type RichPart, type TimelineEntry } from '../../src/dashboard/page/timeline-text.js';
import type { RoleChange } from '../../src/dashboard/page/tracker.js';

const text = (entry: TimelineEntry | null): string | null =>
  entry === null ? null : entry.parts.map((part: RichPart) => (typeof part === 'string' ? part : `*${part.id}*`)).join('');

function change(overrides: Partial<RoleChange>): RoleChange {
  return { id: 'n1', from: 'follower', to: 'candidate', term: 4, atMs: 1000, cause: 'event', live: true, ...overrides };
}

describe('the timeline narrator', () => {
  it('tells each role change in words, with the reason the node gave', () => {
    const narrator = new TimelineNarrator();
    expect(narrator.roleChange(change({ from: null }))).toBeNull();
    expect(text(narrator.roleChange(change({ to: 'pre-candidate', term: 3 })))).toBe('*n1* looks for a new leader: pre-vote for term 4');
    expect(text(narrator.roleChange(change({ detail: 'leader silent for 300 ms' })))).toBe(
      '*n1* started an election for term 4 \u2014 leader silent for 300 ms',
    );
    expect(text(narrator.roleChange(change({ from: 'candidate', term: 5 })))).toBe('*n1* election timed out; new election for term 5');
    expect(narrator.roleChange(change({ from: 'candidate', to: 'leader', term: 5 }))?.kind).toBe('leader');
    expect(text(narrator.roleChange(change({ from: 'leader', to: 'follower', term: 6 })))).toBe('*n1* stepped down to follower (term 6)');
    expect(text(narrator.roleChange(change({ from: 'candidate', to: 'follower', term: 6 })))).toBe('*n1* back to follower (term 6)');
  });

  it('leaves a crash to the supervisor, and tells a node that stops or comes back', () => {
    const narrator = new TimelineNarrator();
    expect(narrator.roleChange(change({ to: 'down', cause: 'crash' }))).toBeNull();
    expect(text(narrator.roleChange(change({ to: 'down', cause: 'snapshot', detail: 'timeout' })))).toBe('*n1* stopped answering: timeout');
    const back = narrator.roleChange(change({ from: 'down', to: 'follower', term: 7 }));
    expect(back?.kind).toBe('recovery');
    expect(text(back)).toBe('*n1* is answering again, as follower (term 7)');
  });

  it('does not announce a leader twice: the election, then the supervisor for the same term', () => {
    const narrator = new TimelineNarrator();
    narrator.roleChange(change({ id: 'n2', from: 'candidate', to: 'leader', term: 5 }));
    expect(narrator.cluster({ atMs: 1, event: { type: 'leader-change', leaderId: 'n2', term: 5 } })).toBeNull();
    expect(text(narrator.cluster({ atMs: 1, event: { type: 'leader-change', leaderId: 'n3', term: 6 } }))).toBe('leader is now *n3* (term 6)');
    expect(text(narrator.cluster({ atMs: 1, event: { type: 'leader-change', leaderId: null, term: 6 } }))).toBe('no leader (term 6)');
  });

  it('tells supervisor events and fencings, a fencing at the time it happened', () => {
    const narrator = new TimelineNarrator();
    const fenced = narrator.cluster({
      atMs: 500,
      event: { type: 'node-fenced', id: 'n2', atMs: 420, reason: 'lease-expired', term: 3, detail: 'no quorum for 2 s' },
    });
    expect(fenced).toEqual({ atMs: 420, kind: 'fault', parts: [{ id: 'n2' }, ' fenced (lease-expired, term 3): no quorum for 2 s'] });
    expect(text(narrator.cluster({ atMs: 1, event: { type: 'node-crashed', id: 'n1', reason: 'crash requested' } }))).toBe('*n1* crashed: crash requested');
    expect(text(narrator.cluster({ atMs: 1, event: { type: 'lag-over-threshold', id: 'n3', lagMs: 1234.6, lagEntries: 40 } }))).toBe(
      '*n3* lags 1235 ms (40 entries) behind the leader',
    );
    expect(text(narrator.cluster({ atMs: 1, event: { type: 'partition', groups: [['n1'], ['n2', 'n3']] } }))).toBe('network partitioned: n1  |  n2 n3');
    expect(narrator.cluster({ atMs: 1, event: { type: 'heal' } })?.kind).toBe('recovery');
    expect(text(narrator.cluster({ atMs: 1, event: { type: 'something-new' } }))).toBe('something-new');
  });

  it('writes what was done from the page, and why it failed', () => {
    const narrator = new TimelineNarrator();
    expect(narrator.action(9, 'crash n1', true)).toEqual({ atMs: 9, kind: 'action', parts: ['you: crash n1'] });
    expect(narrator.action(9, 'heal', false, 'HTTP 500')).toEqual({ atMs: 9, kind: 'error', parts: ['you: heal \u2014 failed: HTTP 500'] });
  });

  it('reads partition groups only when they are lists of ids', () => {
    expect(partitionGroupsOf({ type: 'partition', groups: [['n1'], ['n2']] })).toEqual([['n1'], ['n2']]);
    expect(partitionGroupsOf({ type: 'partition', groups: [['n1'], [2]] })).toBeNull();
    expect(partitionGroupsOf({ type: 'partition' })).toBeNull();
  });
});
