// The words of the timeline: what a role change or a cluster event says, and
// under which kind (its dot's colour). No DOM here: timeline.ts puts these
// entries on the page, and tests read them in Node.

import type { ClusterEventMessage } from '../protocol.js';
import type { RoleChange } from './tracker.js';

export type TimelineKind = 'election' | 'leader' | 'follower' | 'fault' | 'recovery' | 'network' | 'lag' | 'action' | 'error';

/** Text with node ids in it: a node is `{id}` (shown in bold), anything else is plain text. */
export type RichPart = string | { readonly id: string };

export interface TimelineEntry {
  readonly atMs: number;
  readonly kind: TimelineKind;
  readonly parts: readonly RichPart[];
}

/** Groups of node ids, as a `partition` event carries them; null when the field is not that shape. */
export function partitionGroupsOf(event: ClusterEventMessage['event']): string[][] | null {
  const groups = event['groups'];
  if (!Array.isArray(groups)) return null;
  return groups.every((group): group is string[] => Array.isArray(group) && group.every((id) => typeof id === 'string')) ? groups : null;
}

/**
 * Turns role changes and cluster events into timeline entries. It remembers
 * the last election it announced, so the supervisor's `leader-change` for the
 * same leader and term is not written twice.
 */
export class TimelineNarrator {
  private lastElected = '';

  /** null when the change is not worth a line (the first sight of a node, a crash the supervisor reports itself). */
  roleChange(change: RoleChange): TimelineEntry | null {
    const { id, from, to, term, atMs } = change;
    if (from === null) return null;
    const node = { id };
    const entry = (kind: TimelineKind, ...parts: RichPart[]): TimelineEntry => ({ atMs, kind, parts });
    if (to === 'down') {
      // A crash reported by the supervisor has its own entry already.
      if (change.cause === 'crash') return null;
      return entry('fault', node, ` stopped answering${change.detail ? `: ${change.detail}` : ''}`);
    }
    if (from === 'down') return entry('recovery', node, ` is answering again, as ${to} (term ${term})`);
    // Every leader change says why (the node's own account, pushed with its role event).
    const why = change.detail ? ` \u2014 ${change.detail}` : '';
    if (to === 'pre-candidate') return entry('election', node, ` looks for a new leader: pre-vote for term ${term + 1}${why}`);
    if (to === 'candidate' && from === 'candidate') return entry('election', node, ` election timed out; new election for term ${term}${why}`);
    if (to === 'candidate') return entry('election', node, ` started an election for term ${term}${why}`);
    if (to === 'leader') {
      this.lastElected = `${id}@${term}`;
      return entry('leader', node, ` won the election: leader of term ${term}${why}`);
    }
    if (from === 'leader') return entry('follower', node, ` stepped down to follower (term ${term})${why}`);
    return entry('follower', node, ` back to follower (term ${term})${why}`);
  }

  /** A supervisor event or a fencing; null for a leader change already announced as an election. */
  cluster(message: ClusterEventMessage): TimelineEntry | null {
    const { atMs, event } = message;
    // Fields of an event from another node (or another version) are shown as they come, whatever their type.
    const field = (name: string): string => String(event[name]);
    const node = { id: field('id') };
    const entry = (kind: TimelineKind, ...parts: RichPart[]): TimelineEntry => ({ atMs, kind, parts });
    switch (event.type) {
      case 'leader-change': {
        if (event['leaderId'] === null) return entry('fault', `no leader (term ${field('term')})`);
        if (this.lastElected === `${field('leaderId')}@${field('term')}`) return null;
        return entry('leader', 'leader is now ', { id: field('leaderId') }, ` (term ${field('term')})`);
      }
      case 'node-crashed':
        return entry('fault', node, ` crashed: ${field('reason')}`);
      case 'node-restarted':
        return entry('recovery', node, ' restarted');
      case 'node-fenced': {
        // Shown at the time it happened: one read from a node's status may be older than the message.
        const happenedAtMs = event['atMs'];
        return {
          atMs: typeof happenedAtMs === 'number' ? happenedAtMs : atMs,
          kind: 'fault',
          parts: [node, ` fenced (${field('reason')}, term ${field('term')}): ${field('detail')}`],
        };
      }
      case 'crash-loop':
        return entry('fault', node, ` is crash-looping (${field('restarts')} restarts); left down`);
      case 'lag-over-threshold':
        return entry('lag', node, ` lags ${Math.round(Number(event['lagMs']))} ms (${field('lagEntries')} entries) behind the leader`);
      case 'lag-recovered':
        return entry('recovery', node, ` caught up (lag ${Math.round(Number(event['lagMs']))} ms)`);
      case 'partition':
        return entry('network', `network partitioned: ${(partitionGroupsOf(event) ?? []).map((group) => group.join(' ')).join('  |  ')}`);
      case 'heal':
        return entry('recovery', 'network healed');
      case 'fatal':
        return entry('fault', node, ` fatal error: ${field('message')}`);
      default:
        return entry('network', String(event.type));
    }
  }

  /** Something done from this page, and how it went. */
  action(atMs: number, text: string, ok: boolean, detail?: string): TimelineEntry {
    return { atMs, kind: ok ? 'action' : 'error', parts: [`you: ${text}${ok ? '' : ` \u2014 failed: ${detail ?? ''}`}`] };
  }
}
