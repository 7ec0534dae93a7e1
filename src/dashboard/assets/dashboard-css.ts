// The dashboard's stylesheet: a dark theme, a grid that goes from three
// regions side by side to one column, node cards that wrap (nine fit), and the
// restyling of the inlined statechart SVG (whose own colours are for light paper).

export const DASHBOARD_CSS = String.raw`
:root {
  --bg: #0d1117;
  --panel: #151b23;
  --panel-2: #1b222c;
  --border: #2a3441;
  --text: #e2e8f0;
  --muted: #8b97a8;
  --faint: #5b6676;
  --accent: #6cb6ff;
  --good: #3fb950;
  --bad: #f85149;
  --warn: #d29922;
  --role-follower: #6cb6ff;
  --role-pre-candidate: #b392f0;
  --role-candidate: #f0883e;
  --role-leader: #e3b341;
  --role-down: #f85149;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  --radius: 10px;
}
* { box-sizing: border-box; }
html, body { margin: 0; background: var(--bg); color: var(--text); font: 14px/1.45 var(--sans); }
h2 { font-size: 13px; font-weight: 600; letter-spacing: .06em; text-transform: uppercase; color: var(--muted); margin: 0; }
button, input, select, textarea { font: inherit; color: inherit; }
.muted { color: var(--muted); }
[hidden] { display: none !important; }

/* ---------------------------------------------------------------- top bar */
.topbar {
  position: sticky; top: 0; z-index: 5;
  display: flex; align-items: center; gap: 18px; flex-wrap: wrap;
  padding: 10px 20px; background: rgba(13, 17, 23, .92); border-bottom: 1px solid var(--border);
  backdrop-filter: blur(6px);
}
.brand { display: flex; align-items: center; gap: 9px; font-weight: 700; font-size: 16px; letter-spacing: .02em; }
.logo { width: 14px; height: 14px; border-radius: 3px; transform: rotate(45deg); background: linear-gradient(135deg, var(--role-leader), var(--role-candidate)); }
.summary { flex: 1; min-width: 0; color: var(--muted); display: flex; flex-wrap: wrap; gap: 6px 16px; }
.summary b { color: var(--text); font-weight: 600; }
.summary .leader-name { color: var(--role-leader); }
.summary .none { color: var(--bad); }
.tag { display: inline-block; padding: 1px 7px; border-radius: 999px; font-size: 11px; border: 1px solid var(--border); color: var(--muted); }
.tag.dev { color: var(--warn); border-color: rgba(210, 153, 34, .45); }
.connection { display: flex; align-items: center; gap: 7px; color: var(--muted); font-size: 12px; }
.connection-dot { width: 9px; height: 9px; border-radius: 50%; background: var(--warn); }
.connection[data-state="live"] .connection-dot { background: var(--good); box-shadow: 0 0 0 3px rgba(63, 185, 80, .18); }
.connection[data-state="refused"] .connection-dot, .connection[data-state="stale"] .connection-dot,
  .connection[data-state="unauthorized"] .connection-dot, .connection[data-state="forbidden"] .connection-dot { background: var(--bad); }
.token-form { display: flex; flex-wrap: wrap; align-items: center; gap: 10px; margin: 12px 16px 0; padding: 10px 14px;
  background: var(--panel); border: 1px solid var(--warn); border-radius: 8px; }
.token-form[hidden] { display: none; }
.token-form label { flex: 1 1 260px; }
.token-form .input { flex: 1 1 240px; }
.token-problem { color: #ffb3ad; font-size: 12.5px; }

/* ----------------------------------------------------------------- layout */
.layout {
  display: grid; gap: 16px; padding: 16px 20px 28px;
  grid-template-columns: minmax(0, 1fr) minmax(300px, 380px);
  grid-template-areas: "nodes side" "chart side";
  align-items: start;
}
.nodes-panel { grid-area: nodes; }
.chart-panel { grid-area: chart; }
.side { grid-area: side; display: flex; flex-direction: column; gap: 16px; min-width: 0; position: sticky; top: 62px; max-height: calc(100vh - 78px); }
@media (max-width: 1100px) {
  .layout { grid-template-columns: minmax(0, 1fr); grid-template-areas: "nodes" "chart" "side"; }
  .side { position: static; max-height: none; }
}
.panel { background: var(--panel); border: 1px solid var(--border); border-radius: var(--radius); padding: 14px 16px; min-width: 0; }
.panel-head { display: flex; align-items: center; justify-content: space-between; gap: 12px; flex-wrap: wrap; margin-bottom: 12px; }
.panel > h2 { margin-bottom: 12px; }

/* ---------------------------------------------------------------- buttons */
.btn {
  border: 1px solid var(--border); background: var(--panel-2); border-radius: 7px;
  padding: 4px 10px; font-size: 12px; cursor: pointer; line-height: 1.5; white-space: nowrap;
}
.btn:hover { border-color: var(--accent); }
.btn:focus-visible, .input:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.btn:disabled, .btn.busy { opacity: .55; cursor: progress; }
.btn.primary { background: #1f6feb; border-color: #1f6feb; color: #fff; font-weight: 600; }
.btn.primary:hover { background: #2f7cf6; }
.btn.danger:hover { border-color: var(--bad); color: #ffb3ad; }
.btn.good:hover { border-color: var(--good); color: #aff5b4; }
.input { background: var(--bg); border: 1px solid var(--border); border-radius: 7px; padding: 6px 9px; width: 100%; }
.input.small { width: 120px; padding: 3px 8px; font: 12px var(--mono); }
.cluster-actions { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
.partition-form { display: flex; gap: 6px; margin: 0; }

/* ------------------------------------------------------------------ cards */
.cards { display: grid; gap: 12px; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); }
.card {
  --role-color: var(--role-follower);
  position: relative; background: var(--panel-2); border: 1px solid var(--border); border-left: 4px solid var(--role-color);
  border-radius: 9px; padding: 10px 12px 10px; display: flex; flex-direction: column; gap: 8px; min-width: 0;
  transition: border-color .25s, box-shadow .25s, opacity .25s;
}
.card[data-role="pre-candidate"] { --role-color: var(--role-pre-candidate); }
.card[data-role="candidate"] { --role-color: var(--role-candidate); }
.card[data-role="leader"] { --role-color: var(--role-leader); box-shadow: 0 0 0 1px rgba(227, 179, 65, .35), 0 6px 22px -12px rgba(227, 179, 65, .6); }
.card[data-role="down"] { --role-color: var(--role-down); opacity: .72; }
.card-head { display: flex; align-items: center; gap: 8px; min-width: 0; }
.node-swatch { width: 10px; height: 10px; border-radius: 50%; flex: none; }
.node-name { font: 600 16px var(--mono); }
.crown { color: var(--role-leader); font-size: 15px; visibility: hidden; }
.card[data-role="leader"] .crown { visibility: visible; }
.role-badge {
  margin-left: auto; padding: 1px 8px; border-radius: 999px; font-size: 11px; font-weight: 600; letter-spacing: .03em;
  color: var(--role-color); border: 1px solid currentColor; background: rgba(255, 255, 255, .03); white-space: nowrap;
}
.here { font-size: 10px; color: var(--accent); border: 1px dashed rgba(108, 182, 255, .5); border-radius: 999px; padding: 0 6px; white-space: nowrap; }
.net { font-size: 10px; color: var(--warn); border: 1px solid rgba(210, 153, 34, .5); border-radius: 999px; padding: 0 6px; white-space: nowrap; }
.stats { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 4px; margin: 0; }
.stats div { min-width: 0; }
.stats dt { font-size: 10px; text-transform: uppercase; letter-spacing: .06em; color: var(--faint); }
.stats dd { margin: 0; font: 600 14px var(--mono); overflow: hidden; text-overflow: ellipsis; }
.lag { display: flex; flex-direction: column; gap: 3px; }
.lag-text { font: 12px var(--mono); color: var(--muted); overflow-wrap: anywhere; }
.lag-text .ms { color: var(--accent); }
.lag-text .entries { color: #d2a8ff; }
.spark { width: 100%; height: 28px; display: block; background: rgba(255, 255, 255, .02); border-radius: 5px; border: 1px solid rgba(255, 255, 255, .05); }
.spark .ms { stroke: var(--accent); }
.spark .entries { stroke: #d2a8ff; }
.spark path { fill: none; stroke-width: 1.5; vector-effect: non-scaling-stroke; stroke-linejoin: round; }
.card[data-role="down"] .spark { opacity: .3; }
.note { margin: 0; font-size: 12px; color: var(--muted); min-height: 17px; overflow-wrap: anywhere; }
.card[data-role="down"] .note { color: #ffb3ad; }
.actions { display: flex; flex-wrap: wrap; gap: 4px; }
.actions .btn { padding: 1px 7px; font-size: 11.5px; }

/* ------------------------------------------------------------- statechart */
.legend { display: flex; flex-wrap: wrap; gap: 6px 12px; font: 12px var(--mono); color: var(--muted); }
.legend span { display: inline-flex; align-items: center; gap: 5px; }
.legend i { width: 9px; height: 9px; border-radius: 50%; display: inline-block; }
.legend .down { opacity: .5; text-decoration: line-through; }
.statechart { overflow-x: auto; }
.statechart svg { display: block; width: 100%; min-width: 720px; height: auto; }
.statechart .background { fill: transparent; }
.statechart .state-box { fill: #1b222c; stroke: #3b4757; transition: stroke .3s, fill .3s; }
.statechart .compound > .state-box { fill: rgba(227, 179, 65, .035); stroke: #3b4757; stroke-dasharray: 5 4; }
.statechart .state.occupied > .state-box { stroke: #8b97a8; }
.statechart .state.pulse > .state-box { stroke: var(--role-leader); fill: #262a22; }
.statechart .state-name { fill: var(--text); }
.statechart .edge-line { stroke: #566275; transition: stroke .3s, stroke-width .3s; }
.statechart .arrow-head { fill: #566275; }
.statechart .arrow-head.taken { fill: var(--role-leader); }
.statechart .initial circle { fill: #8b97a8; }
.statechart .edge-label { stroke: var(--panel); }
.statechart .edge-label .event { fill: #c9d1d9; }
.statechart .edge-label .guard { fill: #7d8899; }
.statechart .edge.taken .edge-line { stroke: var(--role-leader); stroke-width: 3; }
.statechart .edge.taken .edge-label .event { fill: var(--role-leader); font-weight: 700; }
.statechart .initial.taken path { stroke: var(--role-leader); stroke-width: 3; }
.statechart .marker { transition: transform .45s cubic-bezier(.3, .7, .3, 1); }
.statechart .marker circle { stroke: var(--bg); stroke-width: 2; }
.statechart .marker text { fill: #0d1117; font: 700 9px var(--mono); }
.transitions-head { margin: 12px 0 6px; font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--faint); }
.transitions { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; min-height: 26px; }
.transitions li:not(.empty) {
  font: 12px var(--mono); padding: 3px 9px; border-radius: 7px; background: var(--panel-2); border: 1px solid var(--border);
  animation: arrive .6s ease-out;
}
.transitions .events { color: var(--role-leader); }
.transitions .unknown { color: var(--muted); }
@keyframes arrive { from { transform: translateY(-4px); background: rgba(227, 179, 65, .12); } to { transform: none; } }

/* ---------------------------------------------------------------- key panel */
.kv-form { display: flex; flex-direction: column; gap: 10px; margin: 0; }
.field { display: flex; flex-direction: column; gap: 4px; font-size: 12px; color: var(--muted); }
.field em { color: var(--faint); font-style: normal; }
.field .input { font: 13px var(--mono); color: var(--text); }
textarea.input { resize: vertical; min-height: 58px; }
.kv-buttons { display: flex; gap: 8px; }
.kv-buttons .btn { padding: 6px 16px; font-size: 13px; }
.kv-result { font: 12.5px var(--mono); border-radius: 7px; padding: 0; overflow-wrap: anywhere; }
.kv-result:not(:empty) { padding: 8px 10px; background: var(--bg); border: 1px solid var(--border); }
.kv-result.ok { border-color: rgba(63, 185, 80, .5); }
.kv-result.error { border-color: rgba(248, 81, 73, .6); color: #ffb3ad; }
.kv-result .what { font-weight: 700; color: var(--text); }
.kv-result.error .what { color: #ff7b72; }
.kv-result .meta { color: var(--muted); }
.kv-result pre { margin: 6px 0 0; white-space: pre-wrap; color: #aff5b4; max-height: 160px; overflow: auto; }

/* --------------------------------------------------------------- timeline */
.timeline-panel { display: flex; flex-direction: column; min-height: 220px; flex: 1; }
.timeline { list-style: none; margin: 0; padding: 0; overflow-y: auto; flex: 1; max-height: 60vh; }
.timeline li:not(.empty) {
  display: grid; grid-template-columns: 84px 12px minmax(0, 1fr); gap: 6px; align-items: baseline;
  padding: 4px 0; border-bottom: 1px solid rgba(42, 52, 65, .55); font-size: 12.5px;
}
.timeline li.fresh { animation: arrive .8s ease-out; }
.timeline time { font: 11px var(--mono); color: var(--faint); }
.timeline .kind { width: 8px; height: 8px; border-radius: 50%; background: var(--muted); align-self: center; }
.timeline .election .kind { background: var(--role-candidate); }
.timeline .leader .kind { background: var(--role-leader); }
.timeline .follower .kind { background: var(--role-follower); }
.timeline .fault .kind, .timeline .error .kind { background: var(--bad); }
.timeline .recovery .kind { background: var(--good); }
.timeline .network .kind { background: var(--warn); }
.timeline .lag .kind { background: #d2a8ff; }
.timeline .action .kind { background: transparent; border: 1.5px solid var(--accent); }
.timeline .error .text { color: #ffb3ad; }
.timeline .text b { font-family: var(--mono); font-weight: 600; }
`;
