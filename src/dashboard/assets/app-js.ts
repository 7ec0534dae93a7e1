// Browser module: the page's entry point. It listens to the event stream and
// nothing else (no polling): snapshots and events feed the role tracker, which
// feeds the cards, the statechart markers, the transitions list and the
// timeline. Actions are plain requests from the panels.

export const APP_JS = String.raw`
import { connect } from './stream.js';
import { createRoleTracker } from './tracker.js';
import { createLagHistory } from './sparkline.js';
import { createCards } from './cards.js';
import { createStatechart } from './statechart.js';
import { createTimeline } from './timeline.js';
import { createKvPanel } from './kv.js';
import { createControls } from './controls.js';
import { compareNodeIds, el } from './util.js';

const CONNECTION_TEXT = {
  connecting: 'connecting',
  live: 'live',
  reconnecting: 'reconnecting\u2026',
  refused: 'refused by the server (too many dashboards?); retrying',
  stale: 'no snapshot for 2 s',
};
const NET_LETTERS = 'ABCDEFGHIJKLMNOP';

const state = {
  hello: null,
  snapshot: null,
  /** The newest status each node gave, kept to show while it is down. */
  lastStatus: new Map(),
  partition: null,
  lastFeedAtMs: 0,
};

const timeline = createTimeline(document.getElementById('timeline'));
const lag = createLagHistory();
const cards = createCards(document.getElementById('cards'));
let chart = null;
const chartBacklog = [];

const tracker = createRoleTracker((change) => {
  timeline.roleChange(change);
  if (chart && state.hello) chart.transition(change, state.hello.roleStatePaths);
  else chartBacklog.push({ ...change, live: false });
});

createStatechart(document.getElementById('statechart'), document.getElementById('legend'), document.getElementById('transitions'))
  .then((loaded) => {
    chart = loaded;
    if (state.hello) for (const change of chartBacklog.splice(0)) chart.transition(change, state.hello.roleStatePaths);
    render();
  })
  .catch((error) => {
    document.getElementById('statechart').replaceChildren(el('p', { class: 'muted' }, 'The statechart could not be loaded: ' + error.message));
  });

function servedBy() {
  const nodes = state.snapshot ? state.snapshot.nodes : [];
  const urlOf = (node) => {
    try {
      return new URL(node.url);
    } catch {
      return null;
    }
  };
  // The server may share one dashboard between several nodes (dev mode): the page's own origin says which node it is on.
  const byHost = nodes.find((node) => urlOf(node) && urlOf(node).host === location.host);
  if (byHost) return byHost.id;
  const byPort = nodes.find((node) => urlOf(node) && urlOf(node).port === location.port);
  if (byPort) return byPort.id;
  return state.hello ? state.hello.nodeId : null;
}

function nodeIds() {
  return state.snapshot ? state.snapshot.nodes.map((node) => node.id).sort(compareNodeIds) : [];
}

/** The leader of the highest term among the nodes that say they lead (a deposed one may not know yet). */
function leaderId() {
  let best = null;
  for (const id of nodeIds()) {
    if (tracker.roleOf(id) !== 'leader') continue;
    if (!best || tracker.termOf(id) > tracker.termOf(best)) best = id;
  }
  return best;
}

function netOf(id) {
  if (!state.partition) return null;
  const index = state.partition.findIndex((group) => group.includes(id));
  return index === -1 ? 'cut off' : 'net ' + NET_LETTERS.charAt(index);
}

function followerLag(leaderStatus, id) {
  const report = leaderStatus && tracker.roleOf(id) !== 'down' ? leaderStatus.followers[id] : null;
  return report ? { lagMs: report.lagMs, lagEntries: report.lagEntries } : null;
}

/** On the leader's card: the follower furthest behind (by time, then entries). */
function worstLag(leaderStatus) {
  let worst = null;
  for (const [id, report] of Object.entries(leaderStatus ? leaderStatus.followers : {})) {
    if (!worst || report.lagMs > worst.lagMs || (report.lagMs === worst.lagMs && report.lagEntries > worst.lagEntries)) {
      worst = { id, lagMs: report.lagMs, lagEntries: report.lagEntries };
    }
  }
  return worst;
}

function render() {
  if (!state.snapshot || !state.hello) return;
  const leader = leaderId();
  const leaderStatus = leader ? state.lastStatus.get(leader) : null;
  const followers = (leaderStatus && leaderStatus.followers) || {};
  const nodes = state.snapshot.nodes.map((node) => ({
    id: node.id,
    role: tracker.roleOf(node.id),
    status: node.status || state.lastStatus.get(node.id) || null,
    error: node.error || null,
  }));
  cards.render({
    nodes,
    servedBy: servedBy(),
    devMode: state.hello.devMode,
    lagNow: (id) => (id === leader ? worstLag(leaderStatus) : tracker.roleOf(id) !== 'down' && followers[id]) || null,
    lagHistory: (id) => lag.of(id),
    netOf,
  });
  if (chart) chart.place(nodes, state.hello.roleStatePaths);
  renderSummary(nodes, leader);
}

function renderSummary(nodes, leader) {
  const summary = document.getElementById('summary');
  const up = nodes.filter((node) => node.role !== 'down').length;
  const term = leader ? tracker.termOf(leader) : Math.max(0, ...nodes.map((node) => (node.status ? node.status.term : 0)));
  const parts = [
    leader ? el('span', {}, 'leader ', el('b', { class: 'leader-name' }, leader)) : el('span', { class: 'none' }, 'no leader'),
    el('span', {}, 'term ', el('b', {}, String(term))),
    el('span', {}, el('b', {}, up + '/' + nodes.length), ' answering'),
    el('span', {}, 'page served by ', el('b', {}, servedBy() || '?')),
    state.hello.devMode ? el('span', { class: 'tag dev' }, 'dev mode') : null,
    state.partition ? el('span', { class: 'tag dev' }, 'partitioned') : null,
  ];
  summary.replaceChildren(...parts.filter(Boolean));
}

function onRole(message, live) {
  state.lastFeedAtMs = Math.max(state.lastFeedAtMs, message.atMs);
  tracker.observe(message.id, message.role, message.term, message.atMs, 'event', live, message.why);
  render();
}

function onCluster(message, live) {
  state.lastFeedAtMs = Math.max(state.lastFeedAtMs, message.atMs);
  const event = message.event;
  timeline.cluster(message, live);
  if (event.type === 'node-crashed' && typeof event.id === 'string') tracker.observe(event.id, 'down', 0, message.atMs, 'crash', live);
  if (event.type === 'partition' && Array.isArray(event.groups)) state.partition = event.groups;
  if (event.type === 'heal') state.partition = null;
  render();
}

connect({
  onConnection(connection) {
    const element = document.getElementById('connection');
    element.setAttribute('data-state', connection);
    element.querySelector('.connection-text').textContent = CONNECTION_TEXT[connection] || connection;
  },
  onHello(hello) {
    const first = !state.hello;
    state.hello = hello;
    document.getElementById('cluster-actions').hidden = !hello.devMode;
    // On a reconnect the server replays its recent events; only the ones not seen yet are new.
    for (const message of hello.recent) {
      if (message.data.atMs <= state.lastFeedAtMs) continue;
      if (message.kind === 'role') onRole(message.data, false);
      else onCluster(message.data, false);
    }
    if (first && chart) for (const change of chartBacklog.splice(0)) chart.transition(change, hello.roleStatePaths);
    render();
  },
  onSnapshot(snapshot) {
    state.snapshot = snapshot;
    for (const node of snapshot.nodes) {
      if (node.status) state.lastStatus.set(node.id, node.status);
      tracker.observe(node.id, node.role, node.status ? node.status.term : 0, node.sampledAtMs, 'snapshot', true, node.error);
    }
    for (const id of [...state.lastStatus.keys()]) {
      if (!snapshot.nodes.some((node) => node.id === id)) {
        state.lastStatus.delete(id);
        lag.forget(id);
        tracker.forget(id);
      }
    }
    const leader = leaderId();
    const leaderStatus = leader ? state.lastStatus.get(leader) : null;
    for (const node of snapshot.nodes) {
      lag.push(node.id, node.id === leader ? worstLag(leaderStatus) : followerLag(leaderStatus, node.id));
    }
    render();
  },
  onRole: (message) => onRole(message, true),
  onCluster: (message) => onCluster(message, true),
});

/** Whom to ask when the page's own node cannot serve a request and names no leader: the leader, then every node answering. */
function fallbacks() {
  const up = nodeIds().filter((id) => tracker.roleOf(id) !== 'down');
  const leader = leaderId();
  return leader ? [leader, ...up.filter((id) => id !== leader)] : up;
}

createKvPanel(document.getElementById('kv-form'), { servedBy, fallbacks });

createControls({ timeline, servedBy, nodeIds, leaderId, devMode: () => Boolean(state.hello && state.hello.devMode) });
`;
