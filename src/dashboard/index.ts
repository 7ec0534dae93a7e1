// The live dashboard a node's HTTP server serves at `/`.

export { createDashboard, clusterEventsOf } from './dashboard.js';
export type { Dashboard, DashboardOptions } from './dashboard.js';
export type { ClusterSnapshot, FeedMessage, HelloMessage, NodeSample, NodeStatusView, ShownRole } from './protocol.js';
export { renderStatechartSvg } from './statechart-svg.js';
export { layoutStatechart } from './statechart-layout.js';
export type { StatechartLayout } from './statechart-layout.js';
