// The geometry of a lag sparkline: SVG path data through the samples, in a box
// of SPARK_WIDTH x SPARK_HEIGHT user units. No DOM here.

import { SAMPLES_KEPT, type LagSample } from './lag-history.js';

export const SPARK_WIDTH = 240;
export const SPARK_HEIGHT = 28;
const PADDING = 3;
/** The scales never go below these, so that 1 ms of jitter does not fill the chart. */
export const MIN_SCALE_MS = 20;
export const MIN_SCALE_ENTRIES = 5;

/**
 * A path through the samples, right-aligned (newest at the right edge), broken
 * where a sample is missing. The scale is the largest value, never below
 * minScale, so that 1 ms of jitter does not fill the chart.
 */
export function sparklinePath(list: readonly (LagSample | null)[], field: keyof LagSample, minScale: number): string {
  let max = minScale;
  for (const sample of list) if (sample && sample[field] > max) max = sample[field];
  const step = (SPARK_WIDTH - 2 * PADDING) / (SAMPLES_KEPT - 1);
  const offset = SAMPLES_KEPT - list.length;
  let d = '';
  let drawing = false;
  list.forEach((sample, index) => {
    if (!sample) {
      drawing = false;
      return;
    }
    const x = PADDING + (offset + index) * step;
    const y = SPARK_HEIGHT - PADDING - (sample[field] / max) * (SPARK_HEIGHT - 2 * PADDING);
    d += `${drawing ? ' L' : ' M'}${x.toFixed(1)},${y.toFixed(1)}`;
    drawing = true;
  });
  return d.trim();
}
