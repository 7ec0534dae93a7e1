// The dashboard's static files besides its script: the HTML shell and the
// stylesheet, kept as TypeScript string modules so that tsc carries them into
// dist/ with the rest of the code. The script is the page bundle
// (page-bundle.ts), built from src/dashboard/page/ by esbuild.

import { DASHBOARD_CSS } from './dashboard-css.js';
import { PAGE_HTML } from './page-html.js';

export { PAGE_HTML };

export interface DashboardAsset {
  readonly contentType: string;
  readonly body: string;
}

/** Where the page asks for its script (page-html.ts); the server answers it with the bundle. */
export const PAGE_SCRIPT_PATH = '/dashboard/assets/page.js';

/** By URL path. */
export const DASHBOARD_ASSETS: Readonly<Record<string, DashboardAsset>> = {
  '/dashboard/assets/dashboard.css': { contentType: 'text/css; charset=utf-8', body: DASHBOARD_CSS },
};
