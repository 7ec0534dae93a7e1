// Browser module: the timeline of what happened, newest first: elections and
// role changes, leader changes, crashes, restarts, fencing, partitions and
// heals, lag alarms, and what was done from this page.

export const TIMELINE_JS = String.raw`
import { clockTime, el, rich } from './util.js';

export const TIMELINE_LENGTH = 200;

export function createTimeline(list) {
  let lastElected = '';

  function add(atMs, kind, text, live) {
    const empty = list.querySelector('.empty');
    if (empty) empty.remove();
    const item = el('li', { class: kind + (live ? ' fresh' : '') }, el('time', {}, clockTime(atMs)), el('span', { class: 'kind', title: kind }), text);
    list.prepend(item);
    while (list.children.length > TIMELINE_LENGTH) list.lastElementChild.remove();
  }

  return {
    /** A role change seen by the tracker: {id, from, to, term, atMs, cause, live, detail?}. */
    roleChange(change) {
      const { id, from, to, term, atMs, live } = change;
      if (from === null) return; // first sight of a node, not a change
      const node = { id };
      if (to === 'down') {
        // A crash reported by the supervisor has its own entry already.
        if (change.cause !== 'crash') add(atMs, 'fault', rich(node, ' stopped answering' + (change.detail ? ': ' + change.detail : '')), live);
        return;
      }
      if (from === 'down') {
        add(atMs, 'recovery', rich(node, ' is answering again, as ' + to + ' (term ' + term + ')'), live);
        return;
      }
      // Every leader change says why (the node's own account, pushed with its role event).
      const why = change.detail ? ' \u2014 ' + change.detail : '';
      if (to === 'pre-candidate') add(atMs, 'election', rich(node, ' looks for a new leader: pre-vote for term ' + (term + 1) + why), live);
      else if (to === 'candidate' && from === 'candidate') add(atMs, 'election', rich(node, ' election timed out; new election for term ' + term + why), live);
      else if (to === 'candidate') add(atMs, 'election', rich(node, ' started an election for term ' + term + why), live);
      else if (to === 'leader') {
        lastElected = id + '@' + term;
        add(atMs, 'leader', rich(node, ' won the election: leader of term ' + term + why), live);
      } else if (from === 'leader') add(atMs, 'follower', rich(node, ' stepped down to follower (term ' + term + ')' + why), live);
      else add(atMs, 'follower', rich(node, ' back to follower (term ' + term + ')' + why), live);
    },

    /** A supervisor event: {atMs, event: {type, ...}}. */
    cluster(message, live) {
      const { atMs, event } = message;
      const node = { id: String(event.id) };
      switch (event.type) {
        case 'leader-change':
          if (event.leaderId === null) add(atMs, 'fault', rich('no leader (term ' + event.term + ')'), live);
          else if (lastElected !== event.leaderId + '@' + event.term) add(atMs, 'leader', rich('leader is now ', { id: event.leaderId }, ' (term ' + event.term + ')'), live);
          return;
        case 'node-crashed':
          add(atMs, 'fault', rich(node, ' crashed: ' + event.reason), live);
          return;
        case 'node-restarted':
          add(atMs, 'recovery', rich(node, ' restarted'), live);
          return;
        case 'node-fenced':
          // Shown at the time it happened: one read from a node's status may be older than the message.
          add(typeof event.atMs === 'number' ? event.atMs : atMs, 'fault', rich(node, ' fenced (' + event.reason + ', term ' + event.term + '): ' + event.detail), live);
          return;
        case 'crash-loop':
          add(atMs, 'fault', rich(node, ' is crash-looping (' + event.restarts + ' restarts); left down'), live);
          return;
        case 'lag-over-threshold':
          add(atMs, 'lag', rich(node, ' lags ' + Math.round(event.lagMs) + ' ms (' + event.lagEntries + ' entries) behind the leader'), live);
          return;
        case 'lag-recovered':
          add(atMs, 'recovery', rich(node, ' caught up (lag ' + Math.round(event.lagMs) + ' ms)'), live);
          return;
        case 'partition':
          add(atMs, 'network', rich('network partitioned: ' + (event.groups || []).map((group) => group.join(' ')).join('  |  ')), live);
          return;
        case 'heal':
          add(atMs, 'recovery', rich('network healed'), live);
          return;
        case 'fatal':
          add(atMs, 'fault', rich(node, ' fatal error: ' + event.message), live);
          return;
        default:
          add(atMs, 'network', rich(String(event.type)), live);
      }
    },

    /** Something done from this page, and how it went. */
    action(text, ok, detail) {
      add(Date.now(), ok ? 'action' : 'error', rich('you: ' + text + (ok ? '' : ' \u2014 failed: ' + detail)), true);
    },
  };
}
`;
