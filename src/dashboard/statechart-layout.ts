// The layout of the role statechart, computed from describeRoleMachine()
// alone (no layout engine, no randomness, no measuring of rendered text): the
// same description always gives the same drawing.
//
// It draws what the role machine has, and no more: top-level states in one row
// in the order the machine declares them (follower, preCandidate, candidate,
// leader), and a compound state (leader) as a box holding its children one
// under the other (serving, transferring). Arrows:
//  - to the next state on the right: straight, its events written above it;
//  - to itself: a loop on top of the box;
//  - further right: an orthogonal route above the boxes;
//  - to the left: an orthogonal route below the boxes;
//  - between a compound's children, which must be neighbours: down on the
//    left, up on the right.
// Routes above and below are stacked like a skyline (shortest span nearest the
// boxes), and where they meet a box their ends are ordered so that they nest
// instead of crossing. A machine with deeper nesting, or with inner arrows
// this cannot draw, is refused with an error rather than drawn wrong.

import type { RoleMachineDescription, RoleStateDescription, RoleTransitionDescription } from '../../machines/index.js';
import { assert } from '../ground/assert.js';

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface LabelLine {
  readonly text: string;
  readonly kind: 'event' | 'guard';
}

export interface EdgeLabel {
  /** Anchor point of the first line's baseline. */
  readonly x: number;
  readonly y: number;
  readonly anchor: 'start' | 'middle' | 'end';
  readonly lines: readonly LabelLine[];
}

export type EdgeShape =
  | { readonly kind: 'polyline'; readonly points: readonly Point[] }
  | { readonly kind: 'cubic'; readonly start: Point; readonly control1: Point; readonly control2: Point; readonly end: Point };

export interface StateBox {
  readonly id: string;
  /** The last segment of the id ('serving' for 'leader.serving'). */
  readonly name: string;
  readonly parent?: string;
  readonly compound: boolean;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Every transition between one (from, to) pair, drawn as one arrow. */
export interface EdgeRoute {
  readonly from: string;
  readonly to: string;
  readonly transitions: readonly RoleTransitionDescription[];
  readonly shape: EdgeShape;
  readonly label: EdgeLabel;
}

export interface InitialMarker {
  /** The state entered first in its scope ('' is the machine itself). */
  readonly scope: string;
  readonly state: string;
  readonly dot: Point;
  readonly arrowEnd: Point;
}

export interface StatechartLayout {
  readonly width: number;
  readonly height: number;
  readonly states: readonly StateBox[];
  readonly edges: readonly EdgeRoute[];
  readonly initials: readonly InitialMarker[];
}

// Sizes in SVG user units (px). Text widths are estimated from character
// counts, which is exact enough because labels use a monospace font.
export const LABEL_FONT_SIZE = 11;
export const LABEL_LINE_HEIGHT = 13;
/** A line's baseline sits this far above the bottom of its line box (room for descenders). */
const LABEL_DESCENT = 3;
const LABEL_CHAR_WIDTH = 6.7;
export const NAME_FONT_SIZE = 14;
const NAME_CHAR_WIDTH = 8.6;
const LEAF_MIN_WIDTH = 140;
/** Tall enough for the name and two rows of per-node markers the dashboard adds. */
const LEAF_HEIGHT = 76;
const NAME_PADDING_X = 28;
const COLUMN_GAP_MIN = 90;
const LABEL_PADDING = 9;
const LABEL_GAP = 4;
const LANE_CLEARANCE = 16;
const LOOP_HEIGHT = 30;
const LOOP_WIDTH = 36;
/** Share of a box's side over which the ends of routes are spread. */
const ATTACH_SPREAD = 0.76;
const COMPOUND_PADDING_X = 30;
export const COMPOUND_TITLE_HEIGHT = 30;
const COMPOUND_PADDING_BOTTOM = 18;
const INNER_GAP_MIN = 48;
/** Inner arrows run this far in from the sides of the boxes they join. */
const INNER_ARROW_INSET = 18;
const INITIAL_SPACE = 44;
const INITIAL_DOT_INSET = 14;
const MARGIN = 20;

export function labelLinesOf(transitions: readonly RoleTransitionDescription[]): LabelLine[] {
  return transitions.flatMap((t): LabelLine[] =>
    t.guard === undefined
      ? [{ text: t.event, kind: 'event' }]
      : [
          { text: t.event, kind: 'event' },
          { text: `[${t.guard}]`, kind: 'guard' },
        ],
  );
}

const labelWidth = (lines: readonly LabelLine[]): number => Math.max(0, ...lines.map((line) => line.text.length)) * LABEL_CHAR_WIDTH;
const labelHeight = (lines: readonly LabelLine[]): number => lines.length * LABEL_LINE_HEIGHT;
/** The baseline of a label's first line, given the top of the label. */
const baselineBelow = (top: number): number => top + LABEL_LINE_HEIGHT - LABEL_DESCENT;

interface Group {
  readonly from: string;
  readonly to: string;
  readonly transitions: RoleTransitionDescription[];
  readonly lines: LabelLine[];
}

/** Transitions grouped by (from, to), in the order the description lists them. */
function groupTransitions(transitions: readonly RoleTransitionDescription[]): Group[] {
  const groups = new Map<string, Group>();
  for (const t of transitions) {
    const key = `${t.from}\u0000${t.to}`;
    let group = groups.get(key);
    if (!group) {
      group = { from: t.from, to: t.to, transitions: [], lines: [] };
      groups.set(key, group);
    }
    group.transitions.push(t);
  }
  for (const group of groups.values()) group.lines.push(...labelLinesOf(group.transitions));
  return [...groups.values()];
}

/** Where something sticks out above (its top) or below (its bottom) the row, over [x1, x2]. */
interface Obstacle {
  readonly x1: number;
  readonly x2: number;
  readonly y: number;
}

/** The outermost obstacle over [x1, x2]: the highest top (above) or the lowest bottom (below). */
function skyline(obstacles: readonly Obstacle[], x1: number, x2: number, side: 'above' | 'below'): number {
  const ys = obstacles.filter((o) => o.x1 < x2 && o.x2 > x1).map((o) => o.y);
  if (ys.length === 0) return 0;
  return side === 'above' ? Math.min(...ys) : Math.max(...ys);
}

/** One end of a route (or both ends of a loop) on the top or bottom side of a box. */
interface End {
  readonly key: string;
  /** Where the route goes: left, itself (a loop), right; and the other end's x. */
  readonly toward: -1 | 0 | 1;
  readonly otherX: number;
}

/**
 * The x of every end on one side of a box, spread over its middle: ends going
 * left, then loops, then ends going right. Among ends going one way, the one
 * reaching furthest is nearest the middle, so that its (outer) route rises or
 * falls outside the shorter ones and never crosses them.
 */
function spreadEnds(box: StateBox, ends: readonly End[]): Map<string, number[]> {
  const sorted = [...ends].sort((a, b) => a.toward - b.toward || b.otherX - a.otherX || a.key.localeCompare(b.key));
  const slots = sorted.reduce((sum, end) => sum + (end.toward === 0 ? 2 : 1), 0);
  const spread = box.width * ATTACH_SPREAD;
  const left = box.x + (box.width - spread) / 2;
  const positions = new Map<string, number[]>();
  let slot = 0;
  for (const end of sorted) {
    const xs: number[] = [];
    for (let i = 0; i < (end.toward === 0 ? 2 : 1); i += 1) xs.push(left + ((slot++ + 0.5) * spread) / slots);
    positions.set(end.key, xs);
  }
  return positions;
}

export function layoutStatechart(description: RoleMachineDescription): StatechartLayout {
  const states = description.states;
  const childrenOf = (scope: string): RoleStateDescription[] => states.filter((s) => (s.parent ?? '') === scope);
  const top = childrenOf('');
  const compoundOf = new Map<string, string>();
  for (const state of states) {
    if (state.parent === undefined) continue;
    assert(childrenOf(state.id).length === 0, `statechart layout: ${state.id} nests states two deep; the role machine has one level`);
    compoundOf.set(state.id, state.parent);
  }
  /** The top-level state drawn around `id` (itself, or its compound). */
  const outer = (id: string): string => compoundOf.get(id) ?? id;

  // Sizes: leaves fit their names; a compound stacks its children with room between them for the inner labels.
  const groups = groupTransitions(description.transitions);
  const inner = groups.filter((g) => compoundOf.has(g.from) && compoundOf.get(g.from) === compoundOf.get(g.to));
  const leafWidth = (id: string): number => Math.max(LEAF_MIN_WIDTH, nameOf(id).length * NAME_CHAR_WIDTH + NAME_PADDING_X);
  const boxes = new Map<string, StateBox>();
  const box = (id: string): StateBox => {
    const found = boxes.get(id);
    assert(found !== undefined, `statechart layout: no box for ${id}`);
    return found;
  };
  const sizes = new Map<string, { width: number; height: number; gaps: number[] }>();
  for (const state of top) {
    const children = childrenOf(state.id);
    if (children.length === 0) {
      sizes.set(state.id, { width: leafWidth(state.id), height: LEAF_HEIGHT, gaps: [] });
      continue;
    }
    const rowOf = (id: string): number => children.findIndex((c) => c.id === id);
    const mine = inner.filter((g) => compoundOf.get(g.from) === state.id);
    const gaps = children.slice(1).map(() => 0);
    for (const g of mine) {
      assert(Math.abs(rowOf(g.from) - rowOf(g.to)) === 1, `statechart layout: ${g.from} -> ${g.to} does not join neighbours inside ${state.id}`);
      const gap = Math.min(rowOf(g.from), rowOf(g.to));
      gaps[gap] = (gaps[gap] ?? 0) + g.lines.length;
    }
    const widest = Math.max(0, ...mine.map((g) => labelWidth(g.lines)));
    const childWidth = Math.max(...children.map((c) => leafWidth(c.id)), widest > 0 ? widest + 2 * (INNER_ARROW_INSET + 2 * LABEL_GAP) : 0);
    const gapHeights = gaps.map((lines) => Math.max(INNER_GAP_MIN, lines * LABEL_LINE_HEIGHT + 4 * LABEL_GAP + LANE_CLEARANCE));
    const height = COMPOUND_TITLE_HEIGHT + children.length * LEAF_HEIGHT + gapHeights.reduce((a, b) => a + b, 0) + COMPOUND_PADDING_BOTTOM;
    sizes.set(state.id, { width: childWidth + 2 * COMPOUND_PADDING_X, height, gaps: gapHeights });
  }

  // The row: columns in declaration order, centred on y = 0; a gap is as wide as the label of the straight arrow across it.
  const column = new Map(top.map((state, index) => [state.id, index]));
  const columnOf = (id: string): number => column.get(outer(id)) ?? 0;
  const straight = groups.filter((g) => !inner.includes(g) && columnOf(g.to) === columnOf(g.from) + 1);
  let x = INITIAL_SPACE;
  top.forEach((state, index) => {
    const size = sizes.get(state.id)!;
    const children = childrenOf(state.id);
    boxes.set(state.id, {
      id: state.id,
      name: nameOf(state.id),
      compound: children.length > 0,
      x,
      y: -size.height / 2,
      width: size.width,
      height: size.height,
    });
    let y = -size.height / 2 + COMPOUND_TITLE_HEIGHT;
    children.forEach((child, row) => {
      boxes.set(child.id, {
        id: child.id,
        name: nameOf(child.id),
        parent: state.id,
        compound: false,
        x: x + COMPOUND_PADDING_X,
        y,
        width: size.width - 2 * COMPOUND_PADDING_X,
        height: LEAF_HEIGHT,
      });
      y += LEAF_HEIGHT + (size.gaps[row] ?? 0);
    });
    const across = straight.filter((g) => columnOf(g.from) === index).map((g) => labelWidth(g.lines) + 2 * LABEL_PADDING);
    x += size.width + Math.max(COLUMN_GAP_MIN, ...across);
  });

  const edges: EdgeRoute[] = [];
  const initials: InitialMarker[] = [];
  const edge = (g: Group, shape: EdgeShape, label: Omit<EdgeLabel, 'lines'>): void => {
    edges.push({ from: g.from, to: g.to, transitions: g.transitions, shape, label: { ...label, lines: g.lines } });
  };
  const initialOf = (scope: string): void => {
    const first = childrenOf(scope).find((s) => s.initial);
    if (!first) return;
    const target = box(first.id);
    const midY = target.y + target.height / 2;
    const dotX = scope === '' ? target.x - INITIAL_SPACE + INITIAL_DOT_INSET : target.x - COMPOUND_PADDING_X + INITIAL_DOT_INSET / 2;
    initials.push({ scope, state: first.id, dot: { x: dotX, y: midY }, arrowEnd: { x: target.x, y: midY } });
  };
  initialOf('');

  // Inside a compound: down arrows on the left, their labels to their right; up arrows on the right, labels to their left.
  for (const g of inner) {
    const source = box(g.from);
    const target = box(g.to);
    const down = target.y > source.y;
    const upper = down ? source : target;
    const lower = down ? target : source;
    const arrowX = down ? upper.x + INNER_ARROW_INSET : upper.x + upper.width - INNER_ARROW_INSET;
    const gapTop = upper.y + upper.height;
    const gapBottom = lower.y;
    const labelTop = down ? gapTop + LABEL_GAP + 2 : gapBottom - LABEL_GAP - 2 - labelHeight(g.lines);
    const points = down
      ? [
          { x: arrowX, y: gapTop },
          { x: arrowX, y: gapBottom },
        ]
      : [
          { x: arrowX, y: gapBottom },
          { x: arrowX, y: gapTop },
        ];
    edge(
      g,
      { kind: 'polyline', points },
      { x: down ? arrowX + 2 * LABEL_GAP : arrowX - 2 * LABEL_GAP, y: baselineBelow(labelTop), anchor: down ? 'start' : 'end' },
    );
  }
  for (const state of top) if (childrenOf(state.id).length > 0) initialOf(state.id);

  // The row's own arrows. Everything drawn is an obstacle for what is routed after it.
  const above: Obstacle[] = [];
  const below: Obstacle[] = [];
  for (const state of top) {
    const b = box(state.id);
    above.push({ x1: b.x, x2: b.x + b.width, y: b.y });
    below.push({ x1: b.x, x2: b.x + b.width, y: b.y + b.height });
  }
  const outerGroups = groups.filter((g) => !inner.includes(g));
  for (const g of straight) {
    const source = box(outer(g.from));
    const target = box(outer(g.to));
    const overlapTop = Math.max(source.y, target.y);
    const overlapBottom = Math.min(source.y + source.height, target.y + target.height);
    const y = (overlapTop + overlapBottom) / 2;
    const from = { x: source.x + source.width, y };
    const to = { x: target.x, y };
    const labelBottom = y - LABEL_GAP;
    const midX = (from.x + to.x) / 2;
    edge(g, { kind: 'polyline', points: [from, to] }, { x: midX, y: baselineBelow(labelBottom - labelHeight(g.lines)), anchor: 'middle' });
    const width = labelWidth(g.lines);
    above.push({ x1: midX - width / 2, x2: midX + width / 2, y: labelBottom - labelHeight(g.lines) });
  }
  const loops = outerGroups.filter((g) => g.from === g.to);
  const over = outerGroups.filter((g) => columnOf(g.to) > columnOf(g.from) + 1);
  const under = outerGroups.filter((g) => columnOf(g.to) < columnOf(g.from));
  for (const g of outerGroups)
    assert(g.from === g.to || straight.includes(g) || over.includes(g) || under.includes(g), `statechart layout: cannot draw ${g.from} -> ${g.to}`);

  // Where routes meet the tops and bottoms of the boxes.
  const centre = (id: string): number => box(outer(id)).x + box(outer(id)).width / 2;
  const endsOn = (side: 'top' | 'bottom', id: string): End[] => {
    const list = side === 'top' ? over : under;
    const ends: End[] = [];
    if (side === 'top') for (const [i, g] of loops.entries()) if (outer(g.from) === id) ends.push({ key: `loop${i}`, toward: 0, otherX: centre(id) });
    for (const [i, g] of list.entries()) {
      if (outer(g.from) === id) ends.push({ key: `${i}:from`, toward: centre(g.to) < centre(id) ? -1 : 1, otherX: centre(g.to) });
      if (outer(g.to) === id) ends.push({ key: `${i}:to`, toward: centre(g.from) < centre(id) ? -1 : 1, otherX: centre(g.from) });
    }
    return ends;
  };
  const tops = new Map(top.map((s) => [s.id, spreadEnds(box(s.id), endsOn('top', s.id))]));
  const bottoms = new Map(top.map((s) => [s.id, spreadEnds(box(s.id), endsOn('bottom', s.id))]));
  const at = (sides: Map<string, Map<string, number[]>>, id: string, key: string): number[] => sides.get(outer(id))?.get(key) ?? [];

  for (const [i, g] of loops.entries()) {
    const b = box(outer(g.from));
    const [left = b.x + b.width / 2 - LOOP_WIDTH / 2, right = b.x + b.width / 2 + LOOP_WIDTH / 2] = at(tops, g.from, `loop${i}`);
    const width = labelWidth(g.lines);
    // The label sits over the loop, pushed clear of a route rising from the same side.
    const others = [...(tops.get(b.id)?.entries() ?? [])].filter(([key]) => key !== `loop${i}`).flatMap(([, xs]) => xs);
    let labelX = (left + right) / 2;
    for (const other of others) {
      if (other < left && labelX - width / 2 < other + 2 * LABEL_GAP) labelX = other + 2 * LABEL_GAP + width / 2;
      if (other > right && labelX + width / 2 > other - 2 * LABEL_GAP) labelX = other - 2 * LABEL_GAP - width / 2;
    }
    const peak = b.y - LOOP_HEIGHT * 0.75;
    const labelBottom = Math.min(peak - 2 * LABEL_GAP, skyline(above, labelX - width / 2, labelX + width / 2, 'above') - LABEL_GAP);
    const control = b.y - LOOP_HEIGHT;
    edge(
      g,
      { kind: 'cubic', start: { x: left, y: b.y }, control1: { x: left, y: control }, control2: { x: right, y: control }, end: { x: right, y: b.y } },
      { x: labelX, y: baselineBelow(labelBottom - labelHeight(g.lines)), anchor: 'middle' },
    );
    above.push({ x1: Math.min(left, labelX - width / 2), x2: Math.max(right, labelX + width / 2), y: labelBottom - labelHeight(g.lines) });
  }

  // Routes above and below, shortest first so that longer ones stack outside them.
  const span = (g: Group): number => Math.abs(centre(g.to) - centre(g.from));
  for (const [list, sides, obstacles, side] of [
    [over, tops, above, 'above'],
    [under, bottoms, below, 'below'],
  ] as const) {
    const order = [...list.keys()].sort((a, b) => span(list[a]!) - span(list[b]!) || a - b);
    for (const i of order) {
      const g = list[i]!;
      const [xa] = at(sides, g.from, `${i}:from`);
      const [xb] = at(sides, g.to, `${i}:to`);
      assert(xa !== undefined && xb !== undefined, `statechart layout: ${g.from} -> ${g.to} has no ends`);
      const width = labelWidth(g.lines);
      const height = labelHeight(g.lines);
      const midX = (xa + xb) / 2;
      const sign = side === 'above' ? -1 : 1;
      const lane = skyline(obstacles, Math.min(xa, xb, midX - width / 2), Math.max(xa, xb, midX + width / 2), side) + sign * LANE_CLEARANCE;
      const edgeY = (id: string): number => (side === 'above' ? box(outer(id)).y : box(outer(id)).y + box(outer(id)).height);
      // The label sits on the far side of its lane, away from the boxes.
      const labelTop = side === 'above' ? lane - LABEL_GAP - height : lane + LABEL_GAP;
      const points = [
        { x: xa, y: edgeY(g.from) },
        { x: xa, y: lane },
        { x: xb, y: lane },
        { x: xb, y: edgeY(g.to) },
      ];
      edge(g, { kind: 'polyline', points }, { x: midX, y: baselineBelow(labelTop), anchor: 'middle' });
      obstacles.push({ x1: Math.min(xa, xb), x2: Math.max(xa, xb), y: lane });
      obstacles.push({ x1: midX - width / 2, x2: midX + width / 2, y: side === 'above' ? labelTop : labelTop + height });
    }
  }

  return normalized(states, boxes, edges, initials);
}

function nameOf(id: string): string {
  return id.slice(id.lastIndexOf('.') + 1);
}

/** Everything shifted so that the drawing starts at the margin; numbers rounded for stable output. */
function normalized(
  states: readonly RoleStateDescription[],
  boxes: ReadonlyMap<string, StateBox>,
  edges: readonly EdgeRoute[],
  initials: readonly InitialMarker[],
): StatechartLayout {
  const points: Point[] = [];
  for (const b of boxes.values()) points.push(b, { x: b.x + b.width, y: b.y + b.height });
  for (const e of edges) {
    points.push(...(e.shape.kind === 'polyline' ? e.shape.points : [e.shape.start, e.shape.control1, e.shape.control2, e.shape.end]));
    const width = labelWidth(e.label.lines);
    const left = e.label.anchor === 'start' ? e.label.x : e.label.anchor === 'end' ? e.label.x - width : e.label.x - width / 2;
    points.push({ x: left, y: e.label.y - LABEL_LINE_HEIGHT }, { x: left + width, y: e.label.y + labelHeight(e.label.lines) });
  }
  for (const initial of initials) points.push(initial.dot);
  const minX = Math.min(...points.map((p) => p.x)) - MARGIN;
  const minY = Math.min(...points.map((p) => p.y)) - MARGIN;
  const shift = (p: Point): Point => ({ x: round(p.x - minX), y: round(p.y - minY) });
  const shiftShape = (shape: EdgeShape): EdgeShape =>
    shape.kind === 'polyline'
      ? { kind: 'polyline', points: shape.points.map(shift) }
      : { kind: 'cubic', start: shift(shape.start), control1: shift(shape.control1), control2: shift(shape.control2), end: shift(shape.end) };
  return {
    width: Math.ceil(Math.max(...points.map((p) => p.x)) - minX + MARGIN),
    height: Math.ceil(Math.max(...points.map((p) => p.y)) - minY + MARGIN),
    // In description order, so that a compound is drawn before (under) its children.
    states: states.map((state) => {
      const b = boxes.get(state.id)!;
      return { ...b, ...shift(b), width: round(b.width), height: round(b.height) };
    }),
    edges: edges.map((e) => ({ ...e, shape: shiftShape(e.shape), label: { ...e.label, ...shift(e.label) } })),
    initials: initials.map((initial) => ({ ...initial, dot: shift(initial.dot), arrowEnd: shift(initial.arrowEnd) })),
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
