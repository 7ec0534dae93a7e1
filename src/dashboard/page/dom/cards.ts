// One card per node, created once and updated in place on every snapshot (so
// that a button under the pointer is never replaced while it is being
// clicked). A card carries data-node-id and data-role.

import type { NodeId, NodeStatusView, ShownRole } from '../../protocol.js';
import { cardLagLine, cardNote } from '../card-text.js';
import { compareNodeIds } from '../format.js';
import type { LagSample } from '../lag-history.js';
import { nodeColor } from '../node-colors.js';
import { el } from './dom.js';
import { createSparkline, type Sparkline } from './sparkline.js';

/** The chaos buttons of a card in dev mode: [data-action, label, style]. */
const NODE_ACTIONS = [
  ['crash', 'crash', 'danger'],
  ['restart', 'restart', 'good'],
  ['pause', 'pause', ''],
  ['resume', 'resume', ''],
  ['isolate', 'isolate', ''],
  ['transfer-leadership', 'make leader', ''],
] as const;

export interface CardNode {
  readonly id: NodeId;
  readonly role: ShownRole;
  /** The newest status the node gave (kept while it is down). */
  readonly status: NodeStatusView | null;
  readonly error: string | null;
}

export interface CardsView {
  readonly nodes: readonly CardNode[];
  readonly servedBy: NodeId | null;
  readonly devMode: boolean;
  /** A follower's lag; on the leader, its slowest follower's (with that follower's id). */
  lagNow(id: NodeId): (LagSample & { readonly id?: NodeId }) | null;
  lagHistory(id: NodeId): readonly (LagSample | null)[];
  netOf(id: NodeId): string | null;
}

interface Card {
  readonly root: HTMLElement;
  readonly badge: HTMLElement;
  readonly here: HTMLElement;
  readonly net: HTMLElement;
  readonly lagText: HTMLElement;
  readonly spark: Sparkline;
  readonly note: HTMLElement;
  readonly actions: HTMLElement;
  readonly term: HTMLElement;
  readonly commit: HTMLElement;
  readonly applied: HTMLElement;
  readonly last: HTMLElement;
  role: ShownRole | null;
}

export function createCards(container: HTMLElement): { render(view: CardsView): void } {
  const cards = new Map<NodeId, Card>();

  function create(id: NodeId, devMode: boolean): Card {
    const field = (name: string, label: string): { wrapper: HTMLElement; value: HTMLElement } => {
      const value = el('dd', { 'data-field': name }, '\u2013');
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
      actions.append(el('button', { type: 'button', class: `btn ${style}`, 'data-action': action, 'data-node-id': id, title: `${label} ${id}` }, label));
    }
    const swatch = el('span', { class: 'node-swatch', 'aria-hidden': 'true' });
    swatch.style.background = nodeColor(id);
    const root = el(
      'article',
      { class: 'card', 'data-node-id': id, 'data-role': 'down' },
      el(
        'div',
        { class: 'card-head' },
        swatch,
        el('span', { class: 'node-name' }, id),
        el('span', { class: 'crown', title: 'leader', 'aria-label': 'leader' }, '\u2605'),
        here,
        net,
        badge,
      ),
      el('dl', { class: 'stats' }, term.wrapper, commit.wrapper, applied.wrapper, last.wrapper),
      el('div', { class: 'lag' }, lagText, spark.element),
      note,
      actions,
    );
    return {
      root,
      badge,
      here,
      net,
      lagText,
      spark,
      note,
      actions,
      term: term.value,
      commit: commit.value,
      applied: applied.value,
      last: last.value,
      role: null,
    };
  }

  function update(card: Card, node: CardNode, view: CardsView): void {
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
    card.net.textContent = net ?? '';

    const status = node.status;
    if (status) {
      card.term.textContent = String(status.term);
      card.commit.textContent = String(status.commitIndex);
      card.applied.textContent = String(status.appliedIndex);
      card.last.textContent = String(status.lastIndex);
    }

    // One line above the chart: how far behind, in time and in entries.
    const line = cardLagLine(role, status, view.lagNow(node.id));
    card.lagText.replaceChildren(line.prefix);
    if (line.lag) {
      card.lagText.append(el('span', { class: 'ms' }, line.lag.ms), ' \u00b7 ', el('span', { class: 'entries' }, line.lag.entries));
    }
    card.spark.draw(view.lagHistory(node.id));

    const note = cardNote(role, status, node.error);
    if (card.note.textContent !== note) card.note.textContent = note;
  }

  return {
    render(view) {
      const ids = view.nodes.map((node) => node.id).sort(compareNodeIds);
      for (const [id, card] of cards) {
        if (!ids.includes(id)) {
          card.root.remove();
          cards.delete(id);
        }
      }
      let previous: HTMLElement | null = null;
      for (const node of [...view.nodes].sort((a, b) => compareNodeIds(a.id, b.id))) {
        let card = cards.get(node.id);
        if (!card) {
          card = create(node.id, view.devMode);
          cards.set(node.id, card);
        }
        // Keep the DOM order equal to the sorted ids, moving only what is out of place.
        const expectedNext: ChildNode | null = previous ? previous.nextSibling : container.firstChild;
        if (expectedNext !== card.root) container.insertBefore(card.root, expectedNext);
        previous = card.root;
        update(card, node, view);
      }
    },
  };
}
