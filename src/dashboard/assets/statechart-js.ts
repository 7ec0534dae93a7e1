// Browser module: the statechart the server draws (/dashboard/statechart.svg,
// from the real machine), inlined so each node can be marked on the state it
// is in, and the transitions a node takes lit up on their arrows. Which
// machine transitions join two states comes from /dashboard/machine.json.

export const STATECHART_JS = String.raw`
import { compareNodeIds, el, nodeColor, svgEl } from './util.js';

const TAKEN_FLASH_MS = 1600;
const TRANSITIONS_SHOWN = 8;
const MARKER_RADIUS = 9;
const MARKER_STEP = 21;
/** Markers start below the state's name. */
const MARKER_TOP = 45;
const MARKER_SIDE_PADDING = 10;
const ARROW = 'rk-statechart-arrow';
const TAKEN_ARROW = 'rk-statechart-arrow-taken';

export async function createStatechart(container, legend, list) {
  const [svgText, machine] = await Promise.all([
    fetch('/dashboard/statechart.svg').then((r) => (r.ok ? r.text() : Promise.reject(new Error('HTTP ' + r.status)))),
    fetch('/dashboard/machine.json').then((r) => (r.ok ? r.json() : Promise.reject(new Error('HTTP ' + r.status)))),
  ]);
  const parsed = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const svg = document.importNode(parsed.documentElement, true);
  container.replaceChildren(svg);
  const layer = svg.querySelector('g.markers');
  const markers = new Map();
  const flashTimers = new Map();

  const stateGroup = (path) => svg.querySelector('g.state[data-state="' + CSS.escape(path) + '"]');
  const within = (path, id) => path === id || path.startsWith(id + '.');

  function markerOf(id) {
    let marker = markers.get(id);
    if (!marker) {
      marker = svgEl('g', { class: 'marker', 'data-node-id': id });
      const label = svgEl('text', { 'text-anchor': 'middle', 'dominant-baseline': 'central' });
      label.textContent = id.length <= 3 ? id : id.slice(-3);
      const title = svgEl('title', {});
      title.textContent = id;
      marker.append(svgEl('circle', { r: MARKER_RADIUS, fill: nodeColor(id) }), label, title);
      layer.append(marker);
      markers.set(id, marker);
    }
    return marker;
  }

  function flash(element, className) {
    const previous = flashTimers.get(element);
    if (previous) clearTimeout(previous);
    element.classList.add(className);
    const line = element.querySelector('.edge-line');
    if (line) line.setAttribute('marker-end', 'url(#' + TAKEN_ARROW + ')');
    flashTimers.set(element, setTimeout(() => {
      element.classList.remove(className);
      if (line) line.setAttribute('marker-end', 'url(#' + ARROW + ')');
      flashTimers.delete(element);
    }, TAKEN_FLASH_MS));
  }

  return {
    /** nodes: [{id, role}]; paths: role -> state id (from the hello message). */
    place(nodes, paths) {
      const byState = new Map();
      for (const node of [...nodes].sort((a, b) => compareNodeIds(a.id, b.id))) {
        const path = node.role === 'down' ? null : paths[node.role];
        if (!path) {
          markerOf(node.id).style.visibility = 'hidden';
          continue;
        }
        if (!byState.has(path)) byState.set(path, []);
        byState.get(path).push(node.id);
      }
      for (const group of svg.querySelectorAll('g.state')) group.classList.toggle('occupied', byState.has(group.getAttribute('data-state')));
      for (const [path, ids] of byState) {
        const rect = stateGroup(path) && stateGroup(path).querySelector('rect');
        if (!rect) continue;
        const x = Number(rect.getAttribute('x'));
        const y = Number(rect.getAttribute('y'));
        const width = Number(rect.getAttribute('width'));
        const perRow = Math.max(1, Math.floor((width - 2 * MARKER_SIDE_PADDING) / MARKER_STEP));
        ids.forEach((id, index) => {
          const row = Math.floor(index / perRow);
          const inRow = Math.min(perRow, ids.length - row * perRow);
          const column = index % perRow;
          const cx = x + width / 2 + (column - (inRow - 1) / 2) * MARKER_STEP;
          const cy = y + MARKER_TOP + row * MARKER_STEP;
          const marker = markerOf(id);
          marker.style.visibility = 'visible';
          marker.style.transform = 'translate(' + cx + 'px, ' + cy + 'px)';
        });
      }
      for (const id of [...markers.keys()]) {
        if (!nodes.some((node) => node.id === id)) {
          markers.get(id).remove();
          markers.delete(id);
        }
      }
      legend.replaceChildren(
        ...[...nodes].sort((a, b) => compareNodeIds(a.id, b.id)).map((node) => {
          const dot = el('i', {});
          dot.style.background = nodeColor(node.id);
          return el('span', { class: node.role === 'down' ? 'down' : null, title: node.role }, dot, node.id);
        }),
      );
    },

    /** change: {id, from, to, term, live} with roles (or null / 'down'). */
    transition(change, paths) {
      const from = change.from && change.from !== 'down' ? paths[change.from] : null;
      const to = change.to !== 'down' ? paths[change.to] : null;
      if (!to) return;
      let taken = [];
      let text;
      if (from) {
        taken = machine.transitions.filter((t) => within(from, t.from) && within(to, t.to));
        text = taken.length > 0 ? uniqueEvents(taken).join(' | ') : null;
      }
      const empty = list.querySelector('.empty');
      if (empty) empty.remove();
      const item = el('li', { 'data-node-id': change.id },
        el('b', {}, change.id), ' ',
        from ? from : '\u25cf start', ' \u2192 ', to, ' ',
        text ? el('span', { class: 'events' }, text) : el('span', { class: 'unknown' }, from ? '(steps in between not seen)' : '(initial state)'),
        ' \u00b7 t' + change.term);
      if (!change.live) item.style.animation = 'none';
      list.prepend(item);
      while (list.children.length > TRANSITIONS_SHOWN) list.lastElementChild.remove();
      if (!change.live) return;
      for (const t of taken) {
        const edge = svg.querySelector('g.edge[data-from="' + CSS.escape(t.from) + '"][data-to="' + CSS.escape(t.to) + '"]');
        if (edge) flash(edge, 'taken');
      }
      if (!from) {
        const initial = svg.querySelector('g.initial[data-scope=""]');
        if (initial) flash(initial, 'taken');
      }
      const target = stateGroup(to);
      if (target) flash(target, 'pulse');
    },
  };
}

function uniqueEvents(transitions) {
  return [...new Set(transitions.map((t) => t.event))];
}
`;
