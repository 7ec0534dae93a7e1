// A small deterministic layered layout for the role statechart, computed from
// describeRoleMachine() alone (no layout engine, no randomness, no measuring
// of rendered text): the same description always gives the same drawing.
//
// Top-level states sit left to right in layers (longest path from the initial
// state once back edges are set aside), on one horizontal midline. A compound
// state (leader) is a box holding its children stacked top to bottom. Edges:
//  - to the next layer: a straight arrow, its events written above it;
//  - skipping layers forward: an orthogonal route above the boxes;
//  - backwards: an orthogonal route below the boxes;
//  - to itself: a loop on top of the box.
// Routes above and below are stacked like a skyline (shortest span nearest the
// boxes), and where edges meet a box their ends are ordered so that they nest
// instead of crossing.

import type { RoleMachineDescription, RoleStateDescription, RoleTransitionDescription } from '../../machines/index.js';

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
export const LEAF_HEIGHT = 76;
const NAME_PADDING_X = 28;
const COLUMN_GAP_MIN = 90;
const ROW_GAP = 40;
const LABEL_PADDING = 9;
const LABEL_LINE_GAP = 4;
const LANE_CLEARANCE = 16;
const SELF_LOOP_HEIGHT = 30;
const ATTACH_SPREAD = 0.76;
const COMPOUND_PADDING_X = 30;
export const COMPOUND_TITLE_HEIGHT = 30;
const COMPOUND_PADDING_BOTTOM = 18;
const INNER_GAP_MIN = 48;
/** Above and below the labels between two rows of a compound, besides the line gaps. */
const INNER_GAP_PADDING = 12;
/** Inner arrows run this far in from the sides of the boxes they join. */
const INNER_ARROW_INSET_PX = 18;
const INNER_SIDE_BULGE = 48;
const INITIAL_SPACE = 44;
const INITIAL_DOT_INSET = 14;
const MARGIN = 20;

export function layoutStatechart(description: RoleMachineDescription): StatechartLayout {
  return new LayoutBuilder(description).build();
}

export function labelLinesOf(transitions: readonly RoleTransitionDescription[]): LabelLine[] {
  return transitions.flatMap((t): LabelLine[] =>
    t.guard === undefined ? [{ text: t.event, kind: 'event' }] : [{ text: t.event, kind: 'event' }, { text: `[${t.guard}]`, kind: 'guard' }],
  );
}

function labelWidth(lines: readonly LabelLine[]): number {
  return Math.max(0, ...lines.map((line) => line.text.length)) * LABEL_CHAR_WIDTH;
}

function labelHeight(lines: readonly LabelLine[]): number {
  return lines.length * LABEL_LINE_HEIGHT;
}

function nameOf(id: string): string {
  return id.slice(id.lastIndexOf('.') + 1);
}

interface EdgeGroup {
  readonly from: string;
  readonly to: string;
  readonly transitions: RoleTransitionDescription[];
  readonly order: number;
}

/** Transitions grouped by (from, to), in the order the description lists them. */
function groupTransitions(transitions: readonly RoleTransitionDescription[]): EdgeGroup[] {
  const groups = new Map<string, EdgeGroup>();
  for (const t of transitions) {
    const key = `${t.from}\u0000${t.to}`;
    let group = groups.get(key);
    if (!group) {
      group = { from: t.from, to: t.to, transitions: [], order: groups.size };
      groups.set(key, group);
    }
    group.transitions.push(t);
  }
  return [...groups.values()];
}

/**
 * Layers for the states of one scope: a depth-first walk from the initial
 * state (then the others, in order) sets aside the edges that close a cycle;
 * on what remains each state goes one layer after its furthest predecessor.
 */
export function assignLayers(states: readonly string[], initial: string | undefined, edges: readonly { from: string; to: string }[]): Map<string, number> {
  const successors = new Map<string, string[]>(states.map((s) => [s, []]));
  for (const edge of edges) {
    if (edge.from !== edge.to) successors.get(edge.from)?.push(edge.to);
  }
  const onStack = new Set<string>();
  const done = new Set<string>();
  const finished: string[] = [];
  const forward: { from: string; to: string }[] = [];
  const visit = (state: string): void => {
    onStack.add(state);
    for (const next of successors.get(state) ?? []) {
      if (onStack.has(next)) continue; // a back edge
      forward.push({ from: state, to: next });
      if (!done.has(next)) visit(next);
    }
    onStack.delete(state);
    done.add(state);
    finished.push(state);
  };
  const roots = initial !== undefined && states.includes(initial) ? [initial, ...states.filter((s) => s !== initial)] : [...states];
  for (const root of roots) if (!done.has(root)) visit(root);

  const layers = new Map<string, number>(states.map((s) => [s, 0]));
  // Reverse finishing order is a topological order of the forward edges.
  for (const state of [...finished].reverse()) {
    const layer = layers.get(state) ?? 0;
    for (const edge of forward) {
      if (edge.from === state) layers.set(edge.to, Math.max(layers.get(edge.to) ?? 0, layer + 1));
    }
  }
  return layers;
}

interface Obstacle {
  readonly x1: number;
  readonly x2: number;
  /** The edge of the obstacle facing away from the boxes: its top (above) or bottom (below). */
  readonly y: number;
}

interface Attachment {
  readonly key: string;
  readonly otherX: number;
  /** A self loop takes two neighbouring slots, one for each end. */
  readonly slots: 1 | 2;
}

/** Where edge ends meet one side of one box: left-going ends left of right-going ones, nested. */
class AttachmentSide {
  private readonly items: Attachment[] = [];
  private positions: Map<string, number[]> | null = null;

  constructor(private readonly box: StateBox) {}

  add(item: Attachment): void {
    this.items.push(item);
  }

  /** Where the other edges meet this side. */
  positionsExcept(key: string): number[] {
    this.positions ??= this.place();
    return [...this.positions].filter(([other]) => other !== key).flatMap(([, xs]) => xs);
  }

  positionsOf(key: string): number[] {
    if (!this.positions) this.positions = this.place();
    return this.positions.get(key) ?? [];
  }

  private place(): Map<string, number[]> {
    const center = this.box.x + this.box.width / 2;
    const group = (item: Attachment): number => (item.slots === 2 ? 1 : item.otherX < center ? 0 : 2);
    const sorted = [...this.items].sort((a, b) => group(a) - group(b) || b.otherX - a.otherX || a.key.localeCompare(b.key));
    const total = sorted.reduce((sum, item) => sum + item.slots, 0);
    const spread = this.box.width * ATTACH_SPREAD;
    const left = this.box.x + (this.box.width - spread) / 2;
    const positions = new Map<string, number[]>();
    let slot = 0;
    for (const item of sorted) {
      const xs: number[] = [];
      for (let i = 0; i < item.slots; i += 1) {
        xs.push(left + ((slot + 0.5) * spread) / total);
        slot += 1;
      }
      positions.set(item.key, xs);
    }
    return positions;
  }
}

/** Mutable while laying out; frozen into StateBox at the end. */
interface Block {
  readonly state: RoleStateDescription;
  readonly children: Block[];
  width: number;
  height: number;
  /** Relative to the parent block's top-left corner (top level: to the layout origin). */
  x: number;
  y: number;
}

class LayoutBuilder {
  private readonly states: readonly RoleStateDescription[];
  private readonly groups: EdgeGroup[];
  private readonly edges: EdgeRoute[] = [];
  private readonly initials: InitialMarker[] = [];
  private readonly boxes = new Map<string, StateBox>();

  constructor(description: RoleMachineDescription) {
    this.states = description.states;
    this.groups = groupTransitions(description.transitions);
  }

  build(): StatechartLayout {
    const top = this.childrenOf('');
    const blocks = top.map((state) => this.measure(state));
    this.placeTopLevel(blocks);
    return this.normalized();
  }

  private childrenOf(scope: string): RoleStateDescription[] {
    return this.states.filter((state) => (state.parent ?? '') === scope);
  }

  /** The ancestor of `id` (or `id` itself) that is a direct child of `scope`. */
  private childOfScope(id: string, scope: string): string | undefined {
    const prefix = scope === '' ? '' : `${scope}.`;
    if (!id.startsWith(prefix) || id === scope) return undefined;
    const rest = id.slice(prefix.length);
    const head = rest.split('.')[0];
    return head === undefined ? undefined : prefix + head;
  }

  /** Groups drawn inside `scope`: both ends strictly inside it. The top level (scope '') takes the rest. */
  private groupsIn(scope: string): EdgeGroup[] {
    return this.groups.filter((group) => this.innermostScopeOf(group) === scope);
  }

  /** The innermost compound holding both ends of the group with neither end being the compound itself. */
  private innermostScopeOf(group: EdgeGroup): string {
    const compounds = this.states.filter((s) => this.childrenOf(s.id).length > 0).map((s) => s.id);
    let best = '';
    for (const compound of compounds) {
      const inside = (id: string) => id.startsWith(`${compound}.`);
      if (inside(group.from) && inside(group.to) && compound.length > best.length) best = compound;
    }
    return best;
  }

  private measure(state: RoleStateDescription): Block {
    const children = this.childrenOf(state.id);
    if (children.length === 0) {
      return {
        state,
        children: [],
        width: Math.max(LEAF_MIN_WIDTH, nameOf(state.id).length * NAME_CHAR_WIDTH + NAME_PADDING_X),
        height: LEAF_HEIGHT,
        x: 0,
        y: 0,
      };
    }
    const blocks = children.map((child) => this.measure(child));
    const block: Block = { state, children: blocks, width: 0, height: 0, x: 0, y: 0 };
    this.stackInside(block);
    return block;
  }

  /** A compound's children, layer by layer from top to bottom; its size follows. */
  private stackInside(block: Block): void {
    const scope = block.state.id;
    const ids = block.children.map((child) => child.state.id);
    const groups = this.groupsIn(scope);
    const scoped = groups.map((g) => ({ from: this.childOfScope(g.from, scope) ?? g.from, to: this.childOfScope(g.to, scope) ?? g.to }));
    const initial = block.children.find((child) => child.state.initial)?.state.id;
    const layers = assignLayers(ids, initial, scoped);
    const rowCount = Math.max(0, ...layers.values()) + 1;
    const rows: Block[][] = Array.from({ length: rowCount }, () => []);
    for (const child of block.children) rows[layers.get(child.state.id) ?? 0]?.push(child);

    // The gap below each row holds the labels of the arrows between it and the next;
    // arrows that do not join neighbouring rows go around the right side.
    const rowOf = (id: string): number => layers.get(this.childOfScope(id, scope) ?? '') ?? 0;
    const gaps: number[] = Array.from({ length: rowCount }, () => 0);
    let labelWidthMax = 0;
    let sideLabelWidth = 0;
    for (const group of groups) {
      const label = labelLinesOf(group.transitions);
      const fromRow = rowOf(group.from);
      const toRow = rowOf(group.to);
      if (Math.abs(fromRow - toRow) === 1) {
        const gapIndex = Math.min(fromRow, toRow);
        gaps[gapIndex] = (gaps[gapIndex] ?? 0) + label.length;
        labelWidthMax = Math.max(labelWidthMax, labelWidth(label));
      } else {
        sideLabelWidth = Math.max(sideLabelWidth, labelWidth(label) + INNER_SIDE_BULGE + LABEL_PADDING);
      }
    }
    const gapHeights = gaps.map((lines) => Math.max(INNER_GAP_MIN, lines * LABEL_LINE_HEIGHT + 2 * LABEL_LINE_GAP + INNER_GAP_PADDING));
    // The labels of the arrows between two rows sit between the down arrow (left)
    // and the up arrow (right), one above the other: children are widened to make room.
    const minChildWidth = labelWidthMax > 0 ? labelWidthMax + 2 * (INNER_ARROW_INSET_PX + LABEL_LINE_GAP * 2) : 0;
    for (const child of block.children) if (child.children.length === 0) child.width = Math.max(child.width, minChildWidth);
    const rowWidths = rows.map((row) => row.reduce((sum, child) => sum + child.width, 0) + Math.max(0, row.length - 1) * ROW_GAP);
    const contentWidth = Math.max(...rowWidths);
    block.width = contentWidth + 2 * COMPOUND_PADDING_X + sideLabelWidth;

    let y = COMPOUND_TITLE_HEIGHT;
    rows.forEach((row, index) => {
      const rowWidth = rowWidths[index] ?? 0;
      let x = COMPOUND_PADDING_X + (contentWidth - rowWidth) / 2;
      const rowHeight = Math.max(0, ...row.map((child) => child.height));
      for (const child of row) {
        child.x = x;
        child.y = y + (rowHeight - child.height) / 2;
        x += child.width + ROW_GAP;
      }
      y += rowHeight + (index < rowCount - 1 ? (gapHeights[index] ?? INNER_GAP_MIN) : 0);
    });
    block.height = y + COMPOUND_PADDING_BOTTOM;
  }

  /** Absolute boxes for a block and its descendants; inner edges are routed once the boxes are known. */
  private placeBlock(block: Block, originX: number, originY: number): void {
    const x = originX + block.x;
    const y = originY + block.y;
    const parent = block.state.parent;
    this.boxes.set(block.state.id, {
      id: block.state.id,
      name: nameOf(block.state.id),
      ...(parent === undefined ? {} : { parent }),
      compound: block.children.length > 0,
      x,
      y,
      width: block.width,
      height: block.height,
    });
    for (const child of block.children) this.placeBlock(child, x, y);
    if (block.children.length > 0) this.routeInside(block.state.id);
  }

  private box(id: string): StateBox {
    const box = this.boxes.get(id);
    if (!box) throw new Error(`statechart layout: no box for ${id}`);
    return box;
  }

  private placeTopLevel(blocks: Block[]): void {
    const ids = blocks.map((block) => block.state.id);
    const groups = this.groupsIn('');
    const scoped = groups.map((g) => ({ group: g, from: this.childOfScope(g.from, '') ?? g.from, to: this.childOfScope(g.to, '') ?? g.to }));
    const initial = blocks.find((block) => block.state.initial)?.state.id;
    const layers = assignLayers(ids, initial, scoped);
    const columnCount = Math.max(0, ...layers.values()) + 1;
    const columns: Block[][] = Array.from({ length: columnCount }, () => []);
    for (const block of blocks) columns[layers.get(block.state.id) ?? 0]?.push(block);

    // A straight arrow to the next column carries its label in the gap; the gap is as wide as its widest label.
    const straight = scoped.filter((s) => (layers.get(s.to) ?? 0) === (layers.get(s.from) ?? 0) + 1);
    const gapWidths = Array.from({ length: Math.max(0, columnCount - 1) }, (_, column) => {
      const widths = straight.filter((s) => layers.get(s.from) === column).map((s) => labelWidth(labelLinesOf(s.group.transitions)));
      return Math.max(COLUMN_GAP_MIN, ...widths.map((w) => w + 2 * LABEL_PADDING));
    });

    let x = INITIAL_SPACE;
    columns.forEach((column, index) => {
      const columnWidth = Math.max(0, ...column.map((block) => block.width));
      const columnHeight = column.reduce((sum, block) => sum + block.height, 0) + Math.max(0, column.length - 1) * ROW_GAP;
      let y = -columnHeight / 2;
      for (const block of column) {
        block.x = x + (columnWidth - block.width) / 2;
        block.y = y;
        y += block.height + ROW_GAP;
        this.placeBlock(block, 0, 0);
      }
      x += columnWidth + (gapWidths[index] ?? 0);
    });

    if (initial !== undefined) {
      const box = this.box(initial);
      const midY = box.y + box.height / 2;
      this.initials.push({ scope: '', state: initial, dot: { x: box.x - INITIAL_SPACE + INITIAL_DOT_INSET, y: midY }, arrowEnd: { x: box.x, y: midY } });
    }
    this.routeTopLevel(scoped, layers);
  }

  private routeTopLevel(scoped: { group: EdgeGroup; from: string; to: string }[], layers: Map<string, number>): void {
    const above: Obstacle[] = [];
    const below: Obstacle[] = [];
    for (const box of this.boxes.values()) {
      if (box.parent !== undefined) continue;
      above.push({ x1: box.x, x2: box.x + box.width, y: box.y });
      below.push({ x1: box.x, x2: box.x + box.width, y: box.y + box.height });
    }

    const straight: typeof scoped = [];
    const loops: typeof scoped = [];
    const over: typeof scoped = [];
    const under: typeof scoped = [];
    for (const s of scoped) {
      const span = (layers.get(s.to) ?? 0) - (layers.get(s.from) ?? 0);
      if (s.from === s.to) loops.push(s);
      else if (span === 1) straight.push(s);
      else if (span > 1) over.push(s);
      else under.push(s);
    }

    // Straight arrows first: their labels are fixed by the gap they sit in.
    const pairs = new Map<string, number>();
    for (const s of straight) {
      const pairKey = `${s.from}\u0000${s.to}`;
      const nth = pairs.get(pairKey) ?? 0;
      pairs.set(pairKey, nth + 1);
      const source = this.box(s.from);
      const target = this.box(s.to);
      const top = Math.max(source.y, target.y);
      const bottom = Math.min(source.y + source.height, target.y + target.height);
      const lines = labelLinesOf(s.group.transitions);
      const start = { x: source.x + source.width, y: top < bottom ? (top + bottom) / 2 : source.y + source.height / 2 };
      const end = { x: target.x, y: top < bottom ? (top + bottom) / 2 : target.y + target.height / 2 };
      const offset = nth * (labelHeight(lines) + LABEL_LINE_GAP * 3);
      const from = { x: start.x, y: start.y + offset };
      const to = { x: end.x, y: end.y + offset };
      const midX = (from.x + to.x) / 2;
      const bottomLine = Math.min(from.y, to.y) - LABEL_LINE_GAP;
      const firstBaseline = bottomLine - labelHeight(lines) + LABEL_LINE_HEIGHT - LABEL_DESCENT;
      this.edges.push({
        from: s.group.from,
        to: s.group.to,
        transitions: s.group.transitions,
        shape: { kind: 'polyline', points: [from, to] },
        label: { x: midX, y: firstBaseline, anchor: 'middle', lines },
      });
      const width = labelWidth(lines);
      above.push({ x1: midX - width / 2, x2: midX + width / 2, y: bottomLine - labelHeight(lines) });
    }

    // Where edge ends meet box tops and bottoms, ordered to nest.
    const topSides = new Map<string, AttachmentSide>();
    const bottomSides = new Map<string, AttachmentSide>();
    const sideOf = (sides: Map<string, AttachmentSide>, id: string): AttachmentSide => {
      let side = sides.get(id);
      if (!side) {
        side = new AttachmentSide(this.box(id));
        sides.set(id, side);
      }
      return side;
    };
    const keyOf = (s: { group: EdgeGroup }): string => `${s.group.order}`;
    const centerOf = (id: string): number => {
      const box = this.box(id);
      return box.x + box.width / 2;
    };
    for (const s of loops) sideOf(topSides, s.from).add({ key: keyOf(s), otherX: centerOf(s.from), slots: 2 });
    for (const [list, sides] of [
      [over, topSides],
      [under, bottomSides],
    ] as const) {
      for (const s of list) {
        sideOf(sides, s.from).add({ key: `${keyOf(s)}:from`, otherX: centerOf(s.to), slots: 1 });
        sideOf(sides, s.to).add({ key: `${keyOf(s)}:to`, otherX: centerOf(s.from), slots: 1 });
      }
    }

    for (const s of loops) {
      const box = this.box(s.from);
      const [left, right] = sideOf(topSides, s.from).positionsOf(keyOf(s));
      if (left === undefined || right === undefined) continue;
      const lines = labelLinesOf(s.group.transitions);
      const width = labelWidth(lines);
      const centerX = clearOf(sideOf(topSides, s.from).positionsExcept(keyOf(s)), left, right, width);
      const peak = box.y - SELF_LOOP_HEIGHT * 0.75;
      const labelBottom = Math.min(peak - LABEL_LINE_GAP * 2, skyline(above, centerX - width / 2, centerX + width / 2, 'above') - LABEL_LINE_GAP);
      this.edges.push({
        from: s.group.from,
        to: s.group.to,
        transitions: s.group.transitions,
        shape: {
          kind: 'cubic',
          start: { x: left, y: box.y },
          control1: { x: left, y: box.y - SELF_LOOP_HEIGHT },
          control2: { x: right, y: box.y - SELF_LOOP_HEIGHT },
          end: { x: right, y: box.y },
        },
        label: { x: centerX, y: labelBottom - labelHeight(lines) + LABEL_LINE_HEIGHT - LABEL_DESCENT, anchor: 'middle', lines },
      });
      above.push({ x1: Math.min(left, centerX - width / 2), x2: Math.max(right, centerX + width / 2), y: labelBottom - labelHeight(lines) });
    }

    const bySpan = (a: (typeof scoped)[number], b: (typeof scoped)[number]): number =>
      Math.abs(centerOf(a.to) - centerOf(a.from)) - Math.abs(centerOf(b.to) - centerOf(b.from)) || a.group.order - b.group.order;
    for (const [list, sides, obstacles, direction] of [
      [over, topSides, above, 'above'],
      [under, bottomSides, below, 'below'],
    ] as const) {
      for (const s of [...list].sort(bySpan)) {
        const [xa] = sideOf(sides, s.from).positionsOf(`${keyOf(s)}:from`);
        const [xb] = sideOf(sides, s.to).positionsOf(`${keyOf(s)}:to`);
        if (xa === undefined || xb === undefined) continue;
        const lines = labelLinesOf(s.group.transitions);
        const width = labelWidth(lines);
        const height = labelHeight(lines);
        const centerX = (xa + xb) / 2;
        const x1 = Math.min(xa, xb, centerX - width / 2);
        const x2 = Math.max(xa, xb, centerX + width / 2);
        const sign = direction === 'above' ? -1 : 1;
        const lane = skyline(obstacles, x1, x2, direction) + sign * LANE_CLEARANCE;
        const source = this.box(s.from);
        const target = this.box(s.to);
        const sourceY = direction === 'above' ? source.y : source.y + source.height;
        const targetY = direction === 'above' ? target.y : target.y + target.height;
        // The label sits on the far side of its lane, away from the boxes.
        const labelTop = direction === 'above' ? lane - LABEL_LINE_GAP - height : lane + LABEL_LINE_GAP;
        this.edges.push({
          from: s.group.from,
          to: s.group.to,
          transitions: s.group.transitions,
          shape: {
            kind: 'polyline',
            points: [
              { x: xa, y: sourceY },
              { x: xa, y: lane },
              { x: xb, y: lane },
              { x: xb, y: targetY },
            ],
          },
          label: { x: centerX, y: labelTop + LABEL_LINE_HEIGHT - LABEL_DESCENT, anchor: 'middle', lines },
        });
        obstacles.push({ x1: Math.min(xa, xb), x2: Math.max(xa, xb), y: lane });
        obstacles.push({ x1: centerX - width / 2, x2: centerX + width / 2, y: direction === 'above' ? labelTop : labelTop + height });
      }
    }
  }

  /** Arrows between the children of a compound: down on the left, up on the right, anything else around the side. */
  private routeInside(scope: string): void {
    const compound = this.box(scope);
    const groups = this.groupsIn(scope);
    const initial = this.childrenOf(scope).find((child) => child.initial);
    if (initial) {
      const box = this.box(initial.id);
      const midY = box.y + box.height / 2;
      this.initials.push({ scope, state: initial.id, dot: { x: box.x - COMPOUND_PADDING_X + INITIAL_DOT_INSET / 2, y: midY }, arrowEnd: { x: box.x, y: midY } });
    }
    for (const group of groups) {
      const fromId = this.childOfScope(group.from, scope) ?? group.from;
      const toId = this.childOfScope(group.to, scope) ?? group.to;
      const source = this.box(fromId);
      const target = this.box(toId);
      const lines = labelLinesOf(group.transitions);
      const height = labelHeight(lines);
      const down = target.y >= source.y + source.height;
      const up = source.y >= target.y + target.height;
      const adjacentBelow = down && !this.anyBoxBetween(scope, source, target);
      const adjacentAbove = up && !this.anyBoxBetween(scope, target, source);
      if (adjacentBelow || adjacentAbove) {
        // Down arrows on the left, up arrows on the right; their labels between
        // them, the down arrow's in the upper half of the gap, the up arrow's below.
        const upper = adjacentBelow ? source : target;
        const lower = adjacentBelow ? target : source;
        const left = Math.max(upper.x, lower.x);
        const right = Math.min(upper.x + upper.width, lower.x + lower.width);
        const x = adjacentBelow ? left + INNER_ARROW_INSET_PX : right - INNER_ARROW_INSET_PX;
        const gapTop = upper.y + upper.height;
        const gapBottom = lower.y;
        const labelTop = adjacentBelow ? gapTop + LABEL_LINE_GAP + 2 : gapBottom - LABEL_LINE_GAP - 2 - height;
        this.edges.push({
          from: group.from,
          to: group.to,
          transitions: group.transitions,
          shape: {
            kind: 'polyline',
            points: adjacentBelow
              ? [
                  { x, y: gapTop },
                  { x, y: gapBottom },
                ]
              : [
                  { x, y: gapBottom },
                  { x, y: gapTop },
                ],
          },
          label: {
            x: adjacentBelow ? x + LABEL_LINE_GAP * 2 : x - LABEL_LINE_GAP * 2,
            y: labelTop + LABEL_LINE_HEIGHT - LABEL_DESCENT,
            anchor: adjacentBelow ? 'start' : 'end',
            lines,
          },
        });
        continue;
      }
      // Anything else (a loop, a skip, a sideways move) bulges out on the right, inside the compound.
      const start = { x: source.x + source.width, y: source.y + source.height * 0.35 };
      const end = { x: target.x + target.width, y: target.y + target.height * 0.65 };
      const bulgeX = Math.min(compound.x + compound.width - LABEL_PADDING, Math.max(start.x, end.x) + INNER_SIDE_BULGE);
      this.edges.push({
        from: group.from,
        to: group.to,
        transitions: group.transitions,
        shape: { kind: 'cubic', start, control1: { x: bulgeX, y: start.y }, control2: { x: bulgeX, y: end.y }, end },
        label: { x: bulgeX - INNER_SIDE_BULGE / 4 + LABEL_LINE_GAP, y: (start.y + end.y) / 2 - height / 2 + LABEL_LINE_HEIGHT - LABEL_DESCENT, anchor: 'start', lines },
      });
    }
  }

  private anyBoxBetween(scope: string, upper: StateBox, lower: StateBox): boolean {
    for (const box of this.boxes.values()) {
      if (box.parent !== scope || box.id === upper.id || box.id === lower.id) continue;
      if (box.y >= upper.y + upper.height && box.y + box.height <= lower.y) return true;
    }
    return false;
  }

  /** Everything shifted so the drawing starts at the margin; sizes rounded for stable output. */
  private normalized(): StatechartLayout {
    const xs: number[] = [];
    const ys: number[] = [];
    const include = (p: Point): void => {
      xs.push(p.x);
      ys.push(p.y);
    };
    for (const box of this.boxes.values()) {
      include(box);
      include({ x: box.x + box.width, y: box.y + box.height });
    }
    for (const edge of this.edges) {
      for (const p of pointsOf(edge.shape)) include(p);
      const width = labelWidth(edge.label.lines);
      const left = edge.label.anchor === 'start' ? edge.label.x : edge.label.anchor === 'end' ? edge.label.x - width : edge.label.x - width / 2;
      include({ x: left, y: edge.label.y - LABEL_LINE_HEIGHT });
      include({ x: left + width, y: edge.label.y + labelHeight(edge.label.lines) });
    }
    for (const initial of this.initials) include(initial.dot);
    const minX = Math.min(...xs) - MARGIN;
    const minY = Math.min(...ys) - MARGIN;
    const shift = (p: Point): Point => ({ x: round(p.x - minX), y: round(p.y - minY) });
    const shiftShape = (shape: EdgeShape): EdgeShape =>
      shape.kind === 'polyline'
        ? { kind: 'polyline', points: shape.points.map(shift) }
        : { kind: 'cubic', start: shift(shape.start), control1: shift(shape.control1), control2: shift(shape.control2), end: shift(shape.end) };
    // States in description order, so a compound is drawn before (under) its children.
    const states = this.states.map((state) => {
      const box = this.box(state.id);
      return { ...box, ...shift(box), width: round(box.width), height: round(box.height) };
    });
    return {
      width: Math.ceil(Math.max(...xs) - minX + MARGIN),
      height: Math.ceil(Math.max(...ys) - minY + MARGIN),
      states,
      edges: this.edges.map((edge) => ({ ...edge, shape: shiftShape(edge.shape), label: { ...edge.label, ...shift(edge.label) } })),
      initials: this.initials.map((initial) => ({ ...initial, dot: shift(initial.dot), arrowEnd: shift(initial.arrowEnd) })),
    };
  }
}

/**
 * The centre for a loop's label of `width` over the loop [left, right]: centred
 * on the loop unless that would cross a neighbouring edge rising from the same
 * side, in which case it is pushed away from that edge.
 */
function clearOf(others: readonly number[], left: number, right: number, width: number): number {
  const leftBound = Math.max(-Infinity, ...others.filter((x) => x < left).map((x) => x + LABEL_LINE_GAP * 2));
  const rightBound = Math.min(Infinity, ...others.filter((x) => x > right).map((x) => x - LABEL_LINE_GAP * 2));
  let center = (left + right) / 2;
  if (center - width / 2 < leftBound) center = leftBound + width / 2;
  if (center + width / 2 > rightBound) center = Math.max(leftBound + width / 2, rightBound - width / 2);
  return center;
}

/** The outermost obstacle edge over [x1, x2]: the highest top (above) or lowest bottom (below). */
function skyline(obstacles: readonly Obstacle[], x1: number, x2: number, direction: 'above' | 'below'): number {
  const overlapping = obstacles.filter((o) => o.x1 < x2 && o.x2 > x1).map((o) => o.y);
  if (overlapping.length === 0) return 0;
  return direction === 'above' ? Math.min(...overlapping) : Math.max(...overlapping);
}

function pointsOf(shape: EdgeShape): Point[] {
  return shape.kind === 'polyline' ? [...shape.points] : [shape.start, shape.control1, shape.control2, shape.end];
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
