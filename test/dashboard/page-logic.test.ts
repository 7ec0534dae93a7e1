// The page's DOM-free logic, run in Node: what the cards, the statechart
// markers, the controls and the put panel compute before anything is drawn.

import { describe, expect, it } from 'vitest';
import { describeRoleMachine } from '../../machines/index.js';
import { cardLagLine, cardNote } from '../../src/dashboard/page/card-text.js';
import { followerLag, leaderOf, netOf, servedByOf, worstLag } from '../../src/dashboard/page/cluster-view.js';
import { compareNodeIds, formatMs } from '../../src/dashboard/page/format.js';
import { keyProblem, MAX_KEY_BYTES, parseValue } from '../../src/dashboard/page/kv-input.js';
import { createLagHistory, SAMPLES_KEPT } from '../../src/dashboard/page/lag-history.js';
import { transitionsJoining, uniqueEvents, within } from '../../src/dashboard/page/machine-transitions.js';
import { markerCentres } from '../../src/dashboard/page/marker-grid.js';
import { groupsText, parseGroups, splitGroups } from '../../src/dashboard/page/partition-groups.js';
import { sparklinePath } from '../../src/dashboard/page/sparkline-path.js';
import * as pageHooks from '../../src/dashboard/page/svg-hooks.js';
import type { NodeSample, NodeStatusView, ShownRole } from '../../src/dashboard/protocol.js';
import * as serverSvg from '../../src/dashboard/statechart-svg.js';

function status(overrides: Partial<NodeStatusView> = {}): NodeStatusView {
  return {
    role: 'leader',
    term: 3,
    leaderId: 'n1',
    commitIndex: 10,
    appliedIndex: 10,
    lastIndex: 10,
    leaseValid: true,
    lagMs: 0,
    voters: ['n1', 'n2', 'n3'],
    learners: [],
    followers: {},
    ...overrides,
  };
}

describe('formatting', () => {
  it('sorts node ids in natural order and writes durations', () => {
    expect(['n10', 'n2', 'n1'].sort(compareNodeIds)).toEqual(['n1', 'n2', 'n10']);
    expect([formatMs(12.4), formatMs(9999), formatMs(12_345), formatMs(Number.NaN)]).toEqual(['12 ms', '9999 ms', '12.3 s', '?']);
  });
});

describe('the put panel input', () => {
  it('refuses an empty or too long key, counting bytes not characters', () => {
    expect(keyProblem('')).toBe('Enter a key first.');
    expect(keyProblem('a'.repeat(MAX_KEY_BYTES))).toBeNull();
    expect(keyProblem('é'.repeat(MAX_KEY_BYTES / 2 + 1))).toContain('too long');
  });

  it('reads the value as JSON, and says what to write when it is not', () => {
    expect(parseValue(' {"name": "Ada"} ')).toEqual({ ok: true, value: { name: 'Ada' } });
    expect(parseValue('null')).toEqual({ ok: true, value: null });
    expect(parseValue('   ')).toMatchObject({ ok: false, what: 'Cannot put: enter a value.' });
    const bad = parseValue("{name: 'Ada'}");
    expect(bad).toMatchObject({ ok: false, what: 'Cannot put: the value is not valid JSON.' });
    expect(bad.ok ? '' : bad.hint).toContain('Text needs double quotes');
  });
});

describe('the chaos controls', () => {
  it('split the leader off with a minority, and read typed groups', () => {
    expect(splitGroups(['n1', 'n2', 'n3', 'n4', 'n5'], 'n4')).toEqual([
      ['n4', 'n1'],
      ['n2', 'n3', 'n5'],
    ]);
    expect(splitGroups(['n1', 'n2', 'n3'], null)).toEqual([['n1'], ['n2', 'n3']]);
    expect(parseGroups('n1 | n2, n3')).toEqual([['n1'], ['n2', 'n3']]);
    expect(parseGroups('n1 n2')).toBeNull();
    expect(parseGroups('n1 | ')).toBeNull();
    expect(groupsText([['n1'], ['n2', 'n3']])).toBe('n1 | n2 n3');
  });
});

describe('the cluster as the page sees it', () => {
  const roles: Record<string, ShownRole> = { n1: 'leader', n2: 'follower', n3: 'leader' };
  const terms: Record<string, number> = { n1: 4, n2: 5, n3: 5 };
  const tracker = { roleOf: (id: string) => roles[id] ?? 'down', termOf: (id: string) => terms[id] ?? 0 };

  it('takes the leader of the highest term when a deposed one still says it leads', () => {
    expect(leaderOf(['n1', 'n2', 'n3'], tracker)).toBe('n3');
    expect(leaderOf(['n2'], tracker)).toBeNull();
  });

  it('reports the slowest follower on the leader, and none for a node that is down', () => {
    const leader = status({ followers: { n2: { matchIndex: 8, lagEntries: 2, lagMs: 30 }, n3: { matchIndex: 5, lagEntries: 5, lagMs: 30 } } });
    expect(worstLag(leader)).toEqual({ id: 'n3', lagMs: 30, lagEntries: 5 });
    expect(worstLag(status())).toBeNull();
    expect(followerLag(leader, 'n2', false)).toEqual({ lagMs: 30, lagEntries: 2 });
    expect(followerLag(leader, 'n2', true)).toBeNull();
    expect(followerLag(null, 'n2', false)).toBeNull();
  });

  it('names the side of a partition a node is on', () => {
    expect(netOf(null, 'n1')).toBeNull();
    expect(netOf([['n1'], ['n2', 'n3']], 'n3')).toBe('net B');
    expect(netOf([['n1'], ['n2']], 'n3')).toBe('cut off');
  });

  it("knows which node serves the page from the page's own host, then port, then the hello", () => {
    const sample = (id: string, url: string): NodeSample => ({ id, url, role: 'follower', sampledAtMs: 0 });
    const nodes = [sample('n1', 'http://127.0.0.1:4001'), sample('n2', 'http://127.0.0.1:4002'), sample('n3', 'not a url')];
    expect(servedByOf(nodes, { host: '127.0.0.1:4002', port: '4002' }, 'n1')).toBe('n2');
    expect(servedByOf(nodes, { host: 'localhost:4001', port: '4001' }, 'n2')).toBe('n1');
    expect(servedByOf(nodes, { host: 'elsewhere:9', port: '9' }, 'n3')).toBe('n3');
  });
});

describe('the card text', () => {
  it('writes the lag line for the leader, a follower and a node that is down', () => {
    const leader = status({ followers: { n2: { matchIndex: 9, lagEntries: 1, lagMs: 12 } } });
    expect(cardLagLine('leader', leader, { id: 'n2', lagMs: 12, lagEntries: 1 })).toEqual({
      prefix: 'slowest of 1 (n2): ',
      lag: { ms: '12 ms', entries: '1 entry' },
    });
    expect(cardLagLine('leader', status(), null)).toEqual({ prefix: 'no followers', lag: null });
    expect(cardLagLine('follower', null, { lagMs: 20_000, lagEntries: 3 })).toEqual({ prefix: 'lag ', lag: { ms: '20.0 s', entries: '3 entries' } });
    expect(cardLagLine('down', null, null).prefix).toBe('lag unknown');
    expect(cardLagLine('candidate', null, null).prefix).toBe('no lag report');
  });

  it('says why a node is down, or whom it follows', () => {
    expect(cardNote('down', null, 'connection refused')).toBe('connection refused');
    expect(cardNote('down', null, null)).toBe('not answering');
    expect(cardNote('leader', status({ leaseValid: false }), null)).toBe('leader \u00b7 no read lease');
    expect(cardNote('follower', status({ role: 'follower', leaderId: 'n1', lagMs: 40 }), null)).toBe('follows n1 \u00b7 own lag 40 ms');
    expect(cardNote('follower', status({ role: 'follower', leaderId: 'n1' }), null)).toBe('follows n1 \u00b7 caught up');
    expect(cardNote('candidate', status({ role: 'candidate', leaderId: null }), null)).toBe('no leader known');
  });
});

describe('the lag history and its sparkline', () => {
  it('keeps the last samples per node, gaps included', () => {
    const history = createLagHistory();
    for (let i = 0; i < SAMPLES_KEPT + 5; i += 1) history.push('n2', i % 10 === 0 ? null : { lagMs: i, lagEntries: 0 });
    const kept = history.of('n2');
    expect(kept).toHaveLength(SAMPLES_KEPT);
    expect(kept[0]).toEqual({ lagMs: 5, lagEntries: 0 });
    history.forget('n2');
    expect(history.of('n2')).toEqual([]);
  });

  it('draws right-aligned, breaks the line at a gap, and never scales below the minimum', () => {
    const d = sparklinePath([{ lagMs: 10, lagEntries: 0 }, null, { lagMs: 20, lagEntries: 0 }, { lagMs: 0, lagEntries: 0 }], 'lagMs', 20);
    const moves = d.split(' ').filter((part) => part.startsWith('M'));
    expect(moves).toHaveLength(2);
    expect(d.endsWith('L237.0,25.0')).toBe(true); // the newest sample at the right edge, at the bottom (0 ms)
    expect(d).toContain('M233.0,3.0'); // 20 ms fills the minimum scale of 20 ms
    expect(sparklinePath([], 'lagMs', 20)).toBe('');
  });
});

describe('the statechart markers and taken transitions', () => {
  it('centres markers in rows under the state name, wrapping when the box is full', () => {
    const one = markerCentres({ x: 100, y: 50, width: 140 }, 1);
    expect(one).toEqual([{ x: 170, y: 95 }]);
    const many = markerCentres({ x: 0, y: 0, width: 62 }, 3); // two to a row
    expect(many.map((c) => c.y)).toEqual([45, 45, 66]);
    expect(many[0]!.x + many[1]!.x).toBeCloseTo(62);
    expect(many[2]!.x).toBeCloseTo(31);
  });

  it('finds the machine transitions between two drawn states, through compounds', () => {
    const machine = describeRoleMachine();
    expect(within('leader.serving', 'leader')).toBe(true);
    expect(within('leaderx', 'leader')).toBe(false);
    const stepDown = transitionsJoining(machine, 'leader.transferring', 'follower');
    expect(uniqueEvents(stepDown).sort()).toEqual(['CHECK_QUORUM_FAILED', 'HIGHER_TERM', 'STEP_DOWN']);
    expect(uniqueEvents(transitionsJoining(machine, 'candidate', 'leader.serving'))).toEqual(['VOTE_QUORUM']);
    expect(transitionsJoining(machine, 'follower', 'leader.serving')).toEqual([]);
  });

  it("looks for the arrow markers the server's SVG defines", () => {
    expect(pageHooks.ARROW_MARKER_ID).toBe(serverSvg.ARROW_MARKER_ID);
    expect(pageHooks.TAKEN_ARROW_MARKER_ID).toBe(serverSvg.TAKEN_ARROW_MARKER_ID);
  });
});
