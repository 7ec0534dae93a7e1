// Where the per-node markers sit inside a state's box: centred rows under the
// state's name, as many to a row as the box is wide enough for.

export const MARKER_RADIUS = 9;
const MARKER_STEP = 21;
/** Markers start below the state's name. */
const MARKER_TOP = 45;
const MARKER_SIDE_PADDING = 10;

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
}

/** The centres of `count` markers in `box`, in order. */
export function markerCentres(box: Box, count: number): { readonly x: number; readonly y: number }[] {
  const perRow = Math.max(1, Math.floor((box.width - 2 * MARKER_SIDE_PADDING) / MARKER_STEP));
  const centres: { x: number; y: number }[] = [];
  for (let index = 0; index < count; index += 1) {
    const row = Math.floor(index / perRow);
    const inRow = Math.min(perRow, count - row * perRow);
    const column = index % perRow;
    centres.push({ x: box.x + box.width / 2 + (column - (inRow - 1) / 2) * MARKER_STEP, y: box.y + MARKER_TOP + row * MARKER_STEP });
  }
  return centres;
}
