// Browser module: one card per node, created once and updated in place on
// every snapshot (so that a button under the pointer is never replaced while
// it is being clicked). A card carries data-node-id and data-role.

export const CARDS_JS = String.raw`
import { compareNodeIds, el, formatMs, nodeColor } from './util.js';
import { createSparkline } from './sparkline.js';

/** The chaos buttons of a card in dev mode: [data-action, label, style]. */
const NODE_ACTIONS = [
  ['crash', 'crash', 'danger'],
  ['restart', 'restart', 'good'],
  ['pause', 'pause', ''],
  ['resume', 'resume', ''],
  ['isolate', 'isolate', ''],
  ['transfer-leadership', 'make leader', ''],
];

export function createCards(container) {
  const cards = new Map();

  function create(id, devMode) {
    const field = (name, label) => {
      const value = el('dd', { 'data-field': name }, '–');
      return { wrapper: el('div', {}, el('dt', {}, label), value), value };
    };
    const term = field('term', 'term');
    const commit = field('commit', 'commit');
    const applied = field('applied', 'applied');
    const last = field('last', 'last');
    const badge = el('span', { class: 'role-badge' }, '');
    const here = el('span', { class: 'here', hidden: true }, 'this page');
    const net = el('span', { class: 'net', hidden: true }, '');
    const lagText = el('div', { class: 'lag-text' }, '');
    const spark = createSparkline();
    const note = el('p', { class: 'note' }, '');
    const actions = el('div', { class: 'actions', hidden: !devMode });
    for (const [action, label, style] of NODE_ACTIONS) {
      actions.append(el('button', { type: 'button', class: 'btn ' + style, 'data-action': action, 'data-node-id': id, title: label + ' ' + id }, label));
    }
    const root = el(
      'article',
      { class: 'card', 'data-node-id': id, 'data-role': 'down' },
      el('div', { class: 'card-head' },
        el('span', { class: 'node-swatch', 'aria-hidden': 'true' }),
        el('span', { class: 'node-name' }, id),
        el('span', { class: 'crown', title: 'leader', 'aria-label': 'leader' }, '\u2605'),
        here, net, badge),
      el('dl', { class: 'stats' }, term.wrapper, commit.wrapper, applied.wrapper, last.wrapper),
      el('div', { class: 'lag' }, lagText, spark.element),
      note,
      actions,
    );
    root.querySelector('.node-swatch').style.background = nodeColor(id);
    return { root, badge, here, net, lagText, spark, note, actions, term: term.value, commit: commit.value, applied: applied.value, last: last.value, role: null };
  }

  return {
    /**
     * view: { nodes: [{id, role, status?, error?}], servedBy, devMode, leaderId,
     *         lagNow(id) -> {lagMs, lagEntries} | null, lagHistory(id) -> [...], netOf(id) -> string | null }
     */
    render(view) {
      const ids = view.nodes.map((node) => node.id).sort(compareNodeIds);
      for (const [id, card] of cards) {
        if (!ids.includes(id)) {
          card.root.remove();
          cards.delete(id);
        }
      }
      let previous = null;
      for (const id of ids) {
        let card = cards.get(id);
        if (!card) {
          card = create(id, view.devMode);
          cards.set(id, card);
        }
        // Keep the DOM order equal to the sorted ids, moving only what is out of place.
        const expectedNext = previous ? previous.nextSibling : container.firstChild;
        if (expectedNext !== card.root) container.insertBefore(card.root, expectedNext);
        previous = card.root;
        update(card, view.nodes.find((node) => node.id === id), view);
      }
    },
  };
}

function update(card, node, view) {
  const role = node.role;
  if (card.role !== role) {
    card.root.setAttribute('data-role', role);
    card.badge.textContent = role;
    card.role = role;
  }
  card.actions.hidden = !view.devMode;
  card.here.hidden = node.id !== view.servedBy;
  const net = view.netOf(node.id);
  card.net.hidden = !net;
  card.net.textContent = net || '';

  const status = node.status;
  if (status) {
    card.term.textContent = String(status.term);
    card.commit.textContent = String(status.commitIndex);
    card.applied.textContent = String(status.appliedIndex);
    card.last.textContent = String(status.lastIndex);
  }

  // One line above the chart: how far behind, in time and in entries.
  const lag = view.lagNow(node.id);
  const lagParts = (report) => [el('span', { class: 'ms' }, formatMs(report.lagMs)), ' \u00b7 ', el('span', { class: 'entries' }, report.lagEntries + (report.lagEntries === 1 ? ' entry' : ' entries'))];
  card.lagText.replaceChildren();
  if (role === 'leader') {
    const count = Object.keys((status && status.followers) || {}).length;
    if (lag) card.lagText.append('slowest of ' + count + ' (' + lag.id + '): ', ...lagParts(lag));
    else card.lagText.append('no followers');
  } else if (lag) {
    card.lagText.append('lag ', ...lagParts(lag));
  } else {
    card.lagText.append(role === 'down' ? 'lag unknown' : 'no lag report');
  }
  card.spark.draw(view.lagHistory(node.id));

  let note;
  if (role === 'down') note = node.error || 'not answering';
  else if (!status) note = '';
  else if (role === 'leader') note = status.leaseValid ? 'leader \u00b7 read lease valid' : 'leader \u00b7 no read lease';
  else if (status.leaderId) note = 'follows ' + status.leaderId + (status.lagMs > 0 ? ' \u00b7 own lag ' + formatMs(status.lagMs) : ' \u00b7 caught up');
  else note = 'no leader known';
  if (card.note.textContent !== note) card.note.textContent = note;
}
`;
