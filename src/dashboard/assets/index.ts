// The dashboard's static files, kept as TypeScript string modules so that tsc
// carries them into dist/ with the rest of the code: no copy step, and the
// server finds them whether it runs from dist/ or from source.

import { API_JS } from './api-js.js';
import { APP_JS } from './app-js.js';
import { CARDS_JS } from './cards-js.js';
import { CONTROLS_JS } from './controls-js.js';
import { DASHBOARD_CSS } from './dashboard-css.js';
import { KV_JS } from './kv-js.js';
import { PAGE_HTML } from './page-html.js';
import { SPARKLINE_JS } from './sparkline-js.js';
import { STATECHART_JS } from './statechart-js.js';
import { STREAM_JS } from './stream-js.js';
import { TIMELINE_JS } from './timeline-js.js';
import { TRACKER_JS } from './tracker-js.js';
import { UTIL_JS } from './util-js.js';

export { PAGE_HTML };

export interface DashboardAsset {
  readonly contentType: string;
  readonly body: string;
}

const JAVASCRIPT = 'text/javascript; charset=utf-8';

/** By URL path. The browser modules import each other by these names. */
export const DASHBOARD_ASSETS: Readonly<Record<string, DashboardAsset>> = {
  '/dashboard/assets/dashboard.css': { contentType: 'text/css; charset=utf-8', body: DASHBOARD_CSS },
  '/dashboard/assets/app.js': { contentType: JAVASCRIPT, body: APP_JS },
  '/dashboard/assets/api.js': { contentType: JAVASCRIPT, body: API_JS },
  '/dashboard/assets/cards.js': { contentType: JAVASCRIPT, body: CARDS_JS },
  '/dashboard/assets/controls.js': { contentType: JAVASCRIPT, body: CONTROLS_JS },
  '/dashboard/assets/kv.js': { contentType: JAVASCRIPT, body: KV_JS },
  '/dashboard/assets/sparkline.js': { contentType: JAVASCRIPT, body: SPARKLINE_JS },
  '/dashboard/assets/statechart.js': { contentType: JAVASCRIPT, body: STATECHART_JS },
  '/dashboard/assets/stream.js': { contentType: JAVASCRIPT, body: STREAM_JS },
  '/dashboard/assets/timeline.js': { contentType: JAVASCRIPT, body: TIMELINE_JS },
  '/dashboard/assets/tracker.js': { contentType: JAVASCRIPT, body: TRACKER_JS },
  '/dashboard/assets/util.js': { contentType: JAVASCRIPT, body: UTIL_JS },
};
