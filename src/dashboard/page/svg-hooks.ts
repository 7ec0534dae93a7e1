// The names the page looks for in the statechart SVG the server draws
// (src/dashboard/statechart-svg.ts). The page may not import server code, so
// they are written again here; a test checks both spellings agree.

export const ARROW_MARKER_ID = 'rk-statechart-arrow';
export const TAKEN_ARROW_MARKER_ID = 'rk-statechart-arrow-taken';
