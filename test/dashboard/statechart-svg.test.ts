import { describe, expect, it } from 'vitest';
import { describeRoleMachine, type RoleMachineDescription } from '../../machines/index.js';
import { labelLinesOf, layoutStatechart, LABEL_LINE_HEIGHT, type StatechartLayout } from '../../src/dashboard/statechart-layout.js';
import { renderStatechartSvg } from '../../src/dashboard/statechart-svg.js';

const description = describeRoleMachine();

interface Rect {
  readonly what: string;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** Label boxes as the layout estimates them (monospace, 6.7 px a character). */
function labelRects(layout: StatechartLayout): Rect[] {
  return layout.edges.map((edge) => {
    const width = Math.max(...edge.label.lines.map((line) => line.text.length)) * 6.7;
    const x1 = edge.label.anchor === 'start' ? edge.label.x : edge.label.anchor === 'end' ? edge.label.x - width : edge.label.x - width / 2;
    const y1 = edge.label.y - LABEL_LINE_HEIGHT + 3;
    return { what: `${edge.from}->${edge.to}`, x1, y1, x2: x1 + width, y2: y1 + edge.label.lines.length * LABEL_LINE_HEIGHT };
  });
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
}

describe('the statechart SVG', () => {
  it('is the same text every time it is drawn', () => {
    expect(renderStatechartSvg(describeRoleMachine())).toBe(renderStatechartSvg(describeRoleMachine()));
    expect(layoutStatechart(description)).toEqual(layoutStatechart(description));
  });

  it('draws every state of the machine as a box carrying its id', () => {
    const svg = renderStatechartSvg(description);
    for (const state of description.states) {
      expect(svg).toContain(`data-state="${state.id}"`);
    }
    const drawn = [...svg.matchAll(/<g class="state[^"]*" data-state="([^"]+)"/g)].map((m) => m[1]);
    expect(drawn.sort()).toEqual(description.states.map((s) => s.id).sort());
  });

  it('draws every transition as an arrow labelled with its event (and guard)', () => {
    const svg = renderStatechartSvg(description);
    for (const t of description.transitions) {
      const edge = new RegExp(`<g class="edge" data-from="${t.from}" data-to="${t.to}" data-events="[^"]*\\b${t.event}\\b`);
      expect(svg, `${t.from} -${t.event}-> ${t.to}`).toMatch(edge);
      expect(svg).toContain(`>${t.event}</tspan>`);
      if (t.guard) expect(svg).toContain(`>[${t.guard}]</tspan>`);
    }
    const layout = layoutStatechart(description);
    const drawnTransitions = layout.edges.flatMap((edge) => edge.transitions);
    expect(drawnTransitions).toHaveLength(description.transitions.length);
    for (const edge of layout.edges) expect(edge.label.lines).toEqual(labelLinesOf(edge.transitions));
  });

  it('puts the leader substates inside the leader box and keeps top-level boxes apart', () => {
    const layout = layoutStatechart(description);
    const box = (id: string) => {
      const found = layout.states.find((s) => s.id === id);
      if (!found) throw new Error(`no box ${id}`);
      return found;
    };
    const leader = box('leader');
    expect(leader.compound).toBe(true);
    for (const id of ['leader.serving', 'leader.transferring']) {
      const inner = box(id);
      expect(inner.parent).toBe('leader');
      expect(inner.x).toBeGreaterThan(leader.x);
      expect(inner.y).toBeGreaterThan(leader.y);
      expect(inner.x + inner.width).toBeLessThan(leader.x + leader.width);
      expect(inner.y + inner.height).toBeLessThan(leader.y + leader.height);
    }
    const top = layout.states.filter((s) => s.parent === undefined);
    for (const a of top) {
      for (const b of top) {
        if (a === b) continue;
        const rect = (s: typeof a): Rect => ({ what: s.id, x1: s.x, y1: s.y, x2: s.x + s.width, y2: s.y + s.height });
        expect(overlaps(rect(a), rect(b)), `${a.id} and ${b.id} overlap`).toBe(false);
      }
    }
  });

  it('reads left to right from the initial state: follower, preCandidate, candidate, leader', () => {
    const layout = layoutStatechart(description);
    const xOf = (id: string) => layout.states.find((s) => s.id === id)?.x ?? Number.NaN;
    expect(xOf('follower')).toBeLessThan(xOf('preCandidate'));
    expect(xOf('preCandidate')).toBeLessThan(xOf('candidate'));
    expect(xOf('candidate')).toBeLessThan(xOf('leader'));
    expect(layout.initials.map((i) => i.state).sort()).toEqual(
      description.states
        .filter((s) => s.initial)
        .map((s) => s.id)
        .sort(),
    );
  });

  it('places no label over another label or over a state box', () => {
    const layout = layoutStatechart(description);
    const labels = labelRects(layout);
    for (let i = 0; i < labels.length; i += 1) {
      for (let j = i + 1; j < labels.length; j += 1) {
        const a = labels[i] as Rect;
        const b = labels[j] as Rect;
        expect(overlaps(a, b), `labels of ${a.what} and ${b.what} overlap`).toBe(false);
      }
    }
    const leaves = layout.states.filter((s) => !s.compound).map((s): Rect => ({ what: s.id, x1: s.x, y1: s.y, x2: s.x + s.width, y2: s.y + s.height }));
    for (const label of labels) {
      for (const leaf of leaves) expect(overlaps(label, leaf), `label of ${label.what} over ${leaf.what}`).toBe(false);
    }
    for (const label of labels) {
      expect(label.x1).toBeGreaterThanOrEqual(0);
      expect(label.y1).toBeGreaterThanOrEqual(0);
      expect(label.x2).toBeLessThanOrEqual(layout.width);
      expect(label.y2).toBeLessThanOrEqual(layout.height);
    }
  });

  it('escapes names so any machine gives well-formed markup', () => {
    const odd: RoleMachineDescription = {
      states: [
        { id: 'a<b', initial: true, entry: [], exit: [] },
        { id: 'c&"d', entry: [], exit: [] },
      ],
      transitions: [{ from: 'a<b', to: 'c&"d', event: 'GO>', guard: "it's" }],
    };
    const svg = renderStatechartSvg(odd);
    expect(svg).toContain('data-state="a&lt;b"');
    expect(svg).toContain('data-state="c&amp;&quot;d"');
    expect(svg).toContain('>GO&gt;</tspan>');
    expect(svg).toContain('[it&apos;s]');
    expect(svg).not.toMatch(/<[^>]*<[^/!]/);
  });
});

describe('what the layout draws, and what it refuses', () => {
  const state = (id: string, parent?: string) => ({ id, ...(parent ? { parent } : {}), entry: [], exit: [] });

  it('lays out a machine without transitions, and one with a loop only', () => {
    expect(() => layoutStatechart({ states: [{ id: 'only', initial: true, entry: [], exit: [] }], transitions: [] })).not.toThrow();
    const loop = layoutStatechart({
      states: [{ id: 'only', initial: true, entry: [], exit: [] }],
      transitions: [{ from: 'only', to: 'only', event: 'AGAIN' }],
    });
    expect(loop.edges).toHaveLength(1);
    expect(loop.edges[0]?.shape.kind).toBe('cubic');
  });

  it('routes a step right as a straight arrow, a jump right above the row and a step left below it', () => {
    const layout = layoutStatechart({
      states: [state('a'), state('b'), state('c')],
      transitions: [
        { from: 'a', to: 'b', event: 'NEXT' },
        { from: 'a', to: 'c', event: 'JUMP' },
        { from: 'c', to: 'b', event: 'BACK' },
      ],
    });
    const shape = (from: string, to: string) => layout.edges.find((e) => e.from === from && e.to === to)?.shape;
    const rowTop = Math.min(...layout.states.map((s) => s.y));
    const rowBottom = Math.max(...layout.states.map((s) => s.y + s.height));
    const ys = (from: string, to: string) => {
      const found = shape(from, to);
      return found?.kind === 'polyline' ? found.points.map((p) => p.y) : [];
    };
    expect(ys('a', 'b')).toHaveLength(2);
    expect(Math.min(...ys('a', 'c'))).toBeLessThan(rowTop);
    expect(Math.max(...ys('c', 'b'))).toBeGreaterThan(rowBottom);
  });

  it('refuses states nested two deep, and inner arrows that do not join neighbours', () => {
    expect(() => layoutStatechart({ states: [state('a'), state('a.b', 'a'), state('a.b.c', 'a.b')], transitions: [] })).toThrow(/two deep/);
    const three = [state('a'), state('a.x', 'a'), state('a.y', 'a'), state('a.z', 'a')];
    expect(() => layoutStatechart({ states: three, transitions: [{ from: 'a.x', to: 'a.z', event: 'SKIP' }] })).toThrow(/does not join neighbours/);
  });
});
