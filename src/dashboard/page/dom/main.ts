// The page's entry point (esbuild bundles it and everything it imports into
// the one script the server sends). It listens to the event stream and nothing
// else (no polling): snapshots and events feed the role tracker, which feeds
// the cards, the statechart markers, the transitions list and the timeline.
// Actions are plain requests from the panels.

import type { ClusterEventMessage, ClusterSnapshot, HelloMessage, NodeId, NodeStatusView, RoleEventMessage } from '../../protocol.js';
import { followerLag, leaderOf, netOf, servedByOf, sortedIds, worstLag } from '../cluster-view.js';
import { createLagHistory } from '../lag-history.js';
import { partitionGroupsOf } from '../timeline-text.js';
import { createRoleTracker, type RoleChange } from '../tracker.js';
import { createCards, type CardNode } from './cards.js';
import { createControls } from './controls.js';
import { byId, el, within } from './dom.js';
import { createKvPanel } from './kv-panel.js';
import { createStatechart, type Statechart } from './statechart.js';
import { connect, type ConnectionState } from './stream.js';
import { createTimeline } from './timeline.js';
import { createTokenPrompt, restoreToken } from './token-prompt.js';

const CONNECTION_TEXT: Readonly<Record<ConnectionState, string>> = {
  connecting: 'connecting',
  live: 'live',
  reconnecting: 'reconnecting\u2026',
  refused: 'refused by the server (too many dashboards?); retrying',
  stale: 'no snapshot for 2 s',
  unauthorized: 'needs a token',
  forbidden: 'the token may not watch this node',
};

// Before anything asks the server: a token this tab kept goes with the first requests.
restoreToken();
createTokenPrompt();

const state: {
  hello: HelloMessage | null;
  snapshot: ClusterSnapshot | null;
  /** The newest status each node gave, kept to show while it is down. */
  readonly lastStatus: Map<NodeId, NodeStatusView>;
  partition: string[][] | null;
  lastFeedAtMs: number;
} = { hello: null, snapshot: null, lastStatus: new Map(), partition: null, lastFeedAtMs: 0 };

const timeline = createTimeline(byId('timeline', HTMLOListElement));
const lag = createLagHistory();
const cards = createCards(byId('cards', HTMLElement));
let chart: Statechart | null = null;
const chartBacklog: RoleChange[] = [];

const tracker = createRoleTracker((change) => {
  timeline.roleChange(change);
  if (chart && state.hello) chart.transition(change, state.hello.roleStatePaths);
  else chartBacklog.push({ ...change, live: false });
});

createStatechart(byId('statechart', HTMLElement), byId('legend', HTMLElement), byId('transitions', HTMLOListElement))
  .then((loaded) => {
    chart = loaded;
    if (state.hello) for (const change of chartBacklog.splice(0)) loaded.transition(change, state.hello.roleStatePaths);
    render();
  })
  .catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    byId('statechart', HTMLElement).replaceChildren(el('p', { class: 'muted' }, `The statechart could not be loaded: ${message}`));
  });

function servedBy(): NodeId | null {
  return servedByOf(state.snapshot?.nodes ?? [], location, state.hello?.nodeId ?? null);
}

function nodeIds(): NodeId[] {
  return sortedIds(state.snapshot?.nodes ?? []);
}

function leaderId(): NodeId | null {
  return leaderOf(nodeIds(), tracker);
}

function render(): void {
  const { snapshot, hello } = state;
  if (!snapshot || !hello) return;
  const leader = leaderId();
  const leaderStatus = (leader && state.lastStatus.get(leader)) || null;
  const nodes: CardNode[] = snapshot.nodes.map((node) => ({
    id: node.id,
    role: tracker.roleOf(node.id),
    status: node.status ?? state.lastStatus.get(node.id) ?? null,
    error: node.error ?? null,
  }));
  cards.render({
    nodes,
    servedBy: servedBy(),
    devMode: hello.devMode,
    lagNow: (id) => (id === leader ? worstLag(leaderStatus) : followerLag(leaderStatus, id, tracker.roleOf(id) === 'down')),
    lagHistory: (id) => lag.of(id),
    netOf: (id) => netOf(state.partition, id),
  });
  chart?.place(nodes, hello.roleStatePaths);
  renderSummary(nodes, leader, hello);
}

function renderSummary(nodes: readonly CardNode[], leader: NodeId | null, hello: HelloMessage): void {
  const up = nodes.filter((node) => node.role !== 'down').length;
  const term = leader ? tracker.termOf(leader) : Math.max(0, ...nodes.map((node) => node.status?.term ?? 0));
  const parts = [
    leader ? el('span', {}, 'leader ', el('b', { class: 'leader-name' }, leader)) : el('span', { class: 'none' }, 'no leader'),
    el('span', {}, 'term ', el('b', {}, String(term))),
    el('span', {}, el('b', {}, `${up}/${nodes.length}`), ' answering'),
    el('span', {}, 'page served by ', el('b', {}, servedBy() ?? '?')),
    hello.devMode ? el('span', { class: 'tag dev' }, 'dev mode') : null,
    state.partition ? el('span', { class: 'tag dev' }, 'partitioned') : null,
  ];
  byId('summary', HTMLElement).replaceChildren(...parts.filter((part) => part !== null));
}

function onRole(message: RoleEventMessage, live: boolean): void {
  state.lastFeedAtMs = Math.max(state.lastFeedAtMs, message.atMs);
  tracker.observe({ id: message.id, role: message.role, term: message.term, atMs: message.atMs, cause: 'event', live, detail: message.why });
  render();
}

function onCluster(message: ClusterEventMessage, live: boolean): void {
  state.lastFeedAtMs = Math.max(state.lastFeedAtMs, message.atMs);
  const event = message.event;
  timeline.cluster(message, live);
  const id = event['id'];
  if (event.type === 'node-crashed' && typeof id === 'string') tracker.observe({ id, role: 'down', term: 0, atMs: message.atMs, cause: 'crash', live });
  if (event.type === 'partition') state.partition = partitionGroupsOf(event) ?? state.partition;
  if (event.type === 'heal') state.partition = null;
  render();
}

connect({
  onConnection(connection) {
    const element = byId('connection', HTMLElement);
    element.setAttribute('data-state', connection);
    within(element, '.connection-text', HTMLElement).textContent = CONNECTION_TEXT[connection];
  },
  onHello(hello) {
    const first = !state.hello;
    state.hello = hello;
    byId('cluster-actions', HTMLElement).hidden = !hello.devMode;
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
      tracker.observe({
        id: node.id,
        role: node.role,
        term: node.status?.term ?? 0,
        atMs: node.sampledAtMs,
        cause: 'snapshot',
        live: true,
        detail: node.error,
      });
    }
    for (const id of [...state.lastStatus.keys()]) {
      if (!snapshot.nodes.some((node) => node.id === id)) {
        state.lastStatus.delete(id);
        lag.forget(id);
        tracker.forget(id);
      }
    }
    const leader = leaderId();
    const leaderStatus = (leader && state.lastStatus.get(leader)) || null;
    for (const node of snapshot.nodes) {
      lag.push(node.id, node.id === leader ? worstLag(leaderStatus) : followerLag(leaderStatus, node.id, tracker.roleOf(node.id) === 'down'));
    }
    render();
  },
  onRole: (message) => onRole(message, true),
  onCluster: (message) => onCluster(message, true),
});

/** Whom to ask when the page's own node cannot serve a request and names no leader: the leader, then every node answering. */
function fallbacks(): NodeId[] {
  const up = nodeIds().filter((id) => tracker.roleOf(id) !== 'down');
  const leader = leaderId();
  return leader ? [leader, ...up.filter((id) => id !== leader)] : up;
}

createKvPanel(byId('kv-form', HTMLFormElement), { servedBy, fallbacks });

createControls({ timeline, servedBy, nodeIds, leaderId, devMode: () => Boolean(state.hello?.devMode) });
