// The statechart the server draws (/dashboard/statechart.svg, from the real
// machine), inlined so each node can be marked on the state it is in, and the
// transitions a node takes lit up on their arrows. Which machine transitions
// join two states comes from /dashboard/machine.json.

import type { MachineView, NodeId, Role, ShownRole } from '../../protocol.js';
import { compareNodeIds } from '../format.js';
import { transitionsJoining, uniqueEvents } from '../machine-transitions.js';
import { MARKER_RADIUS, markerCentres } from '../marker-grid.js';
import { nodeColor } from '../node-colors.js';
import { ARROW_MARKER_ID, TAKEN_ARROW_MARKER_ID } from '../svg-hooks.js';
import type { RoleChange } from '../tracker.js';
import { el, svgEl } from './dom.js';

const TAKEN_FLASH_MS = 1600;
const TRANSITIONS_SHOWN = 8;

export type RolePaths = Readonly<Record<Role, string>>;

export interface Statechart {
  /** Puts each node's marker on the state its role is drawn in; `paths` from the hello message. */
  place(nodes: readonly { readonly id: NodeId; readonly role: ShownRole }[], paths: RolePaths): void;
  /** Lists a role change under the chart and, when live, lights up the arrows it took. */
  transition(change: RoleChange, paths: RolePaths): void;
}

async function fetchOk(url: string): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response;
}

export async function createStatechart(container: HTMLElement, legend: HTMLElement, list: HTMLOListElement): Promise<Statechart> {
  const [svgText, machine] = await Promise.all([
    fetchOk('/dashboard/statechart.svg').then((r) => r.text()),
    fetchOk('/dashboard/machine.json').then((r) => r.json() as Promise<MachineView>),
  ]);
  const parsed = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const svg = document.importNode(parsed.documentElement, true);
  container.replaceChildren(svg);
  const layer = svg.querySelector('g.markers');
  if (!layer) throw new Error('the statechart has no markers layer');
  const markers = new Map<NodeId, SVGGElement>();
  const flashTimers = new Map<Element, ReturnType<typeof setTimeout>>();

  const stateGroup = (path: string): Element | null => svg.querySelector(`g.state[data-state="${CSS.escape(path)}"]`);

  function markerOf(id: NodeId): SVGGElement {
    let marker = markers.get(id);
    if (!marker) {
      marker = svgEl('g', { class: 'marker', 'data-node-id': id });
      const label = svgEl('text', { 'text-anchor': 'middle', 'dominant-baseline': 'central' });
      label.textContent = id.length <= 3 ? id : id.slice(-3);
      const title = svgEl('title');
      title.textContent = id;
      marker.append(svgEl('circle', { r: MARKER_RADIUS, fill: nodeColor(id) }), label, title);
      layer?.append(marker);
      markers.set(id, marker);
    }
    return marker;
  }

  function flash(element: Element, className: string): void {
    const previous = flashTimers.get(element);
    if (previous) clearTimeout(previous);
    element.classList.add(className);
    const line = element.querySelector('.edge-line');
    line?.setAttribute('marker-end', `url(#${TAKEN_ARROW_MARKER_ID})`);
    flashTimers.set(
      element,
      setTimeout(() => {
        element.classList.remove(className);
        line?.setAttribute('marker-end', `url(#${ARROW_MARKER_ID})`);
        flashTimers.delete(element);
      }, TAKEN_FLASH_MS),
    );
  }

  const pathOf = (role: ShownRole | null, paths: RolePaths): string | null => (role === null || role === 'down' ? null : paths[role]);

  return {
    place(nodes, paths) {
      const sorted = [...nodes].sort((a, b) => compareNodeIds(a.id, b.id));
      const byState = new Map<string, NodeId[]>();
      for (const node of sorted) {
        const path = pathOf(node.role, paths);
        if (!path) {
          markerOf(node.id).style.visibility = 'hidden';
          continue;
        }
        byState.set(path, [...(byState.get(path) ?? []), node.id]);
      }
      for (const group of svg.querySelectorAll('g.state')) group.classList.toggle('occupied', byState.has(group.getAttribute('data-state') ?? ''));
      for (const [path, ids] of byState) {
        const rect = stateGroup(path)?.querySelector('rect');
        if (!rect) continue;
        const box = { x: Number(rect.getAttribute('x')), y: Number(rect.getAttribute('y')), width: Number(rect.getAttribute('width')) };
        markerCentres(box, ids.length).forEach((centre, index) => {
          const marker = markerOf(ids[index] as NodeId);
          marker.style.visibility = 'visible';
          marker.style.transform = `translate(${centre.x}px, ${centre.y}px)`;
        });
      }
      for (const [id, marker] of [...markers]) {
        if (!nodes.some((node) => node.id === id)) {
          marker.remove();
          markers.delete(id);
        }
      }
      legend.replaceChildren(
        ...sorted.map((node) => {
          const dot = el('i');
          dot.style.background = nodeColor(node.id);
          return el('span', { class: node.role === 'down' ? 'down' : null, title: node.role }, dot, node.id);
        }),
      );
    },

    transition(change, paths) {
      const from = pathOf(change.from, paths);
      const to = pathOf(change.to, paths);
      if (!to) return;
      const taken = from ? transitionsJoining(machine, from, to) : [];
      const text = taken.length > 0 ? uniqueEvents(taken).join(' | ') : null;
      list.querySelector('.empty')?.remove();
      const item = el(
        'li',
        { 'data-node-id': change.id },
        el('b', {}, change.id),
        ' ',
        from ?? '\u25cf start',
        ' \u2192 ',
        to,
        ' ',
        text ? el('span', { class: 'events' }, text) : el('span', { class: 'unknown' }, from ? '(steps in between not seen)' : '(initial state)'),
        ` \u00b7 t${change.term}`,
      );
      if (!change.live) item.style.animation = 'none';
      list.prepend(item);
      while (list.children.length > TRANSITIONS_SHOWN) list.lastElementChild?.remove();
      if (!change.live) return;
      for (const t of taken) {
        const edge = svg.querySelector(`g.edge[data-from="${CSS.escape(t.from)}"][data-to="${CSS.escape(t.to)}"]`);
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
