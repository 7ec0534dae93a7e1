// The dashboard's HTML shell. Everything live is filled in by the page script
// (src/dashboard/page/) from the event stream; the markup only fixes the
// regions and the put/get form.

export const PAGE_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<title>replikit dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/assets/dashboard.css">
<script type="module" src="/dashboard/assets/page.js"></script>
</head>
<body>
<header class="topbar">
  <div class="brand"><span class="logo" aria-hidden="true"></span>replikit</div>
  <div class="summary" id="summary">connecting&hellip;</div>
  <div class="connection" id="connection" data-state="connecting" role="status" aria-live="polite">
    <span class="connection-dot" aria-hidden="true"></span><span class="connection-text">connecting</span>
  </div>
</header>

<form class="token-form" id="token-form" hidden novalidate>
  <label for="token-input" id="token-message">This node checks tokens.</label>
  <input id="token-input" class="input" type="password" autocomplete="off" spellcheck="false" placeholder="token" aria-describedby="token-problem">
  <button type="submit" class="btn primary" data-action="use-token">Use token</button>
  <span class="token-problem" id="token-problem" role="alert"></span>
</form>

<main class="layout">
  <section class="panel nodes-panel" aria-labelledby="nodes-title">
    <div class="panel-head">
      <h2 id="nodes-title">Nodes</h2>
      <div class="cluster-actions" id="cluster-actions" hidden>
        <button type="button" class="btn" data-action="split" title="Cut the leader off with a minority of the nodes">split</button>
        <form class="partition-form" id="partition-form" novalidate>
          <input id="partition-groups" class="input small" autocomplete="off" spellcheck="false" placeholder="n1 | n2 n3" aria-label="Partition groups, separated by |">
          <button type="submit" class="btn" data-action="partition">partition</button>
        </form>
        <button type="button" class="btn good" data-action="heal">heal</button>
      </div>
    </div>
    <div class="cards" id="cards"></div>
  </section>

  <section class="panel chart-panel" aria-labelledby="chart-title">
    <div class="panel-head">
      <h2 id="chart-title">Role statechart</h2>
      <div class="legend" id="legend"></div>
    </div>
    <div class="statechart" id="statechart"><p class="muted">loading the statechart&hellip;</p></div>
    <div class="transitions-head">Transitions taken</div>
    <ol class="transitions" id="transitions"><li class="muted empty">none yet</li></ol>
  </section>

  <aside class="side">
    <section class="panel kv-panel" aria-labelledby="kv-title">
      <h2 id="kv-title">Keys</h2>
      <form id="kv-form" class="kv-form" novalidate>
        <label class="field"><span>Key</span>
          <input id="kv-key" class="input" name="key" autocomplete="off" spellcheck="false" placeholder="user:42"></label>
        <label class="field"><span>Value <em>(JSON)</em></span>
          <textarea id="kv-value" class="input" name="value" rows="3" spellcheck="false" placeholder='{"name": "Ada"}  or  "text"  or  42'></textarea></label>
        <label class="field"><span>Read consistency</span>
          <select id="kv-consistency" class="input" name="consistency">
            <option value="linearizable">linearizable</option>
            <option value="lease">lease</option>
            <option value="read-your-writes">read-your-writes</option>
            <option value="monotonic">monotonic</option>
            <option value="bounded">bounded</option>
            <option value="eventual">eventual</option>
          </select></label>
        <div class="kv-buttons">
          <button type="submit" class="btn primary" data-action="put">Put</button>
          <button type="button" class="btn" data-action="get">Get</button>
        </div>
        <div id="kv-result" class="kv-result" role="status" aria-live="polite"></div>
      </form>
    </section>

    <section class="panel timeline-panel" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <ol class="timeline" id="timeline"><li class="muted empty">waiting for events</li></ol>
    </section>
  </aside>
</main>
</body>
</html>
`;
