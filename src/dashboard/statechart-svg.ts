// The role statechart as a standalone SVG, drawn from describeRoleMachine()
// through the deterministic layout. Colours are presentation attributes (no
// <style> element), so the file looks right on its own (docs/statechart.svg)
// and a page that inlines it can restyle it with ordinary CSS, under a strict
// Content-Security-Policy. Hooks for the dashboard: every state is a
// `g.state[data-state]`, every arrow a `g.edge[data-from][data-to][data-events]`,
// and `g.markers` is left empty for per-node markers.

import type { RoleMachineDescription } from '../../machines/index.js';
import {
  COMPOUND_TITLE_HEIGHT,
  LABEL_FONT_SIZE,
  LABEL_LINE_HEIGHT,
  layoutStatechart,
  NAME_FONT_SIZE,
  type EdgeShape,
  type Point,
  type StatechartLayout,
} from './statechart-layout.js';

/** Ids inside the SVG; prefixed so that inlining it into a page cannot clash. */
export const ARROW_MARKER_ID = 'rk-statechart-arrow';
export const TAKEN_ARROW_MARKER_ID = 'rk-statechart-arrow-taken';

const CORNER_RADIUS = 9;
const LEAF_RADIUS = 12;
const COMPOUND_RADIUS = 16;
const NAME_BASELINE_OFFSET = 25;

const LABEL_FONT = 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace';
const NAME_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';

// A light palette for the file on its own; the dashboard overrides it.
const COLORS = {
  background: '#ffffff',
  leafFill: '#f1f5f9',
  leafStroke: '#64748b',
  compoundFill: '#fafaf5',
  compoundStroke: '#94a3b8',
  name: '#0f172a',
  edge: '#475569',
  taken: '#d97706',
  event: '#1e293b',
  guard: '#64748b',
} as const;

export interface SvgOptions {
  readonly title?: string;
  /** A <desc> under the title (the generated docs say there how they were made). */
  readonly description?: string;
}

export function renderStatechartSvg(description: RoleMachineDescription, options: SvgOptions = {}): string {
  return renderLayout(layoutStatechart(description), options);
}

export function renderLayout(layout: StatechartLayout, options: SvgOptions = {}): string {
  const title = options.title ?? 'replikit role statechart';
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="rk-statechart" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" role="img" aria-labelledby="rk-statechart-title">`,
  );
  out.push(`<title id="rk-statechart-title">${escapeXml(title)}</title>`);
  if (options.description !== undefined) out.push(`<desc>${escapeXml(options.description)}</desc>`);
  out.push('<defs>');
  for (const [id, color, extra] of [
    [ARROW_MARKER_ID, COLORS.edge, ''],
    [TAKEN_ARROW_MARKER_ID, COLORS.taken, ' taken'],
  ] as const) {
    out.push(
      `<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse" markerUnits="userSpaceOnUse">` +
        `<path class="arrow-head${extra}" d="M0,0 L10,5 L0,10 z" fill="${color}"/></marker>`,
    );
  }
  out.push('</defs>');
  out.push(`<rect class="background" x="0" y="0" width="${layout.width}" height="${layout.height}" fill="${COLORS.background}"/>`);

  out.push('<g class="states">');
  for (const state of layout.states) {
    const classes = state.compound ? 'state compound' : 'state';
    const parent = state.parent === undefined ? '' : ` data-parent="${escapeXml(state.parent)}"`;
    out.push(`<g class="${classes}" data-state="${escapeXml(state.id)}"${parent}>`);
    out.push(
      `<rect class="state-box" x="${state.x}" y="${state.y}" width="${state.width}" height="${state.height}" rx="${state.compound ? COMPOUND_RADIUS : LEAF_RADIUS}"` +
        ` fill="${state.compound ? COLORS.compoundFill : COLORS.leafFill}" stroke="${state.compound ? COLORS.compoundStroke : COLORS.leafStroke}" stroke-width="1.5"/>`,
    );
    const nameX = state.compound ? state.x + 16 : state.x + state.width / 2;
    const nameY = state.compound ? state.y + COMPOUND_TITLE_HEIGHT - 10 : state.y + NAME_BASELINE_OFFSET;
    out.push(
      `<text class="state-name" x="${fmt(nameX)}" y="${fmt(nameY)}" text-anchor="${state.compound ? 'start' : 'middle'}"` +
        ` font-family='${NAME_FONT}' font-size="${NAME_FONT_SIZE}" font-weight="600" fill="${COLORS.name}">${escapeXml(state.name)}</text>`,
    );
    out.push('</g>');
  }
  out.push('</g>');

  out.push('<g class="initials">');
  for (const initial of layout.initials) {
    out.push(
      `<g class="initial" data-scope="${escapeXml(initial.scope)}" data-state="${escapeXml(initial.state)}">` +
        `<circle cx="${initial.dot.x}" cy="${initial.dot.y}" r="5" fill="${COLORS.edge}"/>` +
        `<path class="edge-line" d="M${fmt(initial.dot.x + 5)},${fmt(initial.dot.y)} L${fmt(initial.arrowEnd.x)},${fmt(initial.arrowEnd.y)}" fill="none" stroke="${COLORS.edge}" stroke-width="1.5" marker-end="url(#${ARROW_MARKER_ID})"/></g>`,
    );
  }
  out.push('</g>');

  out.push('<g class="edges">');
  for (const edge of layout.edges) {
    const events = [...new Set(edge.transitions.map((t) => t.event))].join(' ');
    out.push(`<g class="edge" data-from="${escapeXml(edge.from)}" data-to="${escapeXml(edge.to)}" data-events="${escapeXml(events)}">`);
    out.push(
      `<path class="edge-line" d="${pathData(edge.shape)}" fill="none" stroke="${COLORS.edge}" stroke-width="1.5" marker-end="url(#${ARROW_MARKER_ID})"/>`,
    );
    const anchor = edge.label.anchor;
    const tspans = edge.label.lines
      .map((line, index) => {
        const guard = line.kind === 'guard';
        const attributes = guard ? ` class="guard" fill="${COLORS.guard}" font-style="italic"` : ` class="event" fill="${COLORS.event}"`;
        return `<tspan x="${fmt(edge.label.x)}" ${index === 0 ? `y="${fmt(edge.label.y)}"` : `dy="${LABEL_LINE_HEIGHT}"`}${attributes}>${escapeXml(line.text)}</tspan>`;
      })
      .join('');
    out.push(
      `<text class="edge-label" text-anchor="${anchor}" font-family='${LABEL_FONT}' font-size="${LABEL_FONT_SIZE}"` +
        ` stroke="${COLORS.background}" stroke-width="3" stroke-linejoin="round" paint-order="stroke">${tspans}</text>`,
    );
    out.push('</g>');
  }
  out.push('</g>');
  out.push('<g class="markers"></g>');
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function pathData(shape: EdgeShape): string {
  if (shape.kind === 'cubic') {
    return `M${pt(shape.start)} C${pt(shape.control1)} ${pt(shape.control2)} ${pt(shape.end)}`;
  }
  return roundedPolyline(shape.points, CORNER_RADIUS);
}

/** An orthogonal polyline with its corners rounded (quadratic curves), never wider than half a segment. */
function roundedPolyline(points: readonly Point[], radius: number): string {
  const first = points[0];
  if (first === undefined) return '';
  const parts = [`M${pt(first)}`];
  for (let i = 1; i < points.length; i += 1) {
    const current = points[i] as Point;
    const next = points[i + 1];
    if (next === undefined) {
      parts.push(`L${pt(current)}`);
      break;
    }
    const previous = points[i - 1] as Point;
    const before = Math.min(radius, distance(previous, current) / 2);
    const after = Math.min(radius, distance(current, next) / 2);
    parts.push(`L${pt(toward(current, previous, before))}`);
    parts.push(`Q${pt(current)} ${pt(toward(current, next, after))}`);
  }
  return parts.join(' ');
}

function toward(from: Point, to: Point, length: number): Point {
  const d = distance(from, to);
  if (d === 0) return from;
  return { x: from.x + ((to.x - from.x) * length) / d, y: from.y + ((to.y - from.y) * length) / d };
}

function distance(a: Point, b: Point): number {
  return Math.hypot(b.x - a.x, b.y - a.y);
}

function pt(p: Point): string {
  return `${fmt(p.x)},${fmt(p.y)}`;
}

/** At most one decimal, no trailing zeros: stable text for equal numbers. */
function fmt(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

export function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');
}
