// Browser module: each follower's replication lag (as its leader reports it)
// over the last SAMPLES_KEPT snapshots, drawn as two lines in a small SVG:
// milliseconds and entries, each on its own scale.

export const SPARKLINE_JS = String.raw`
import { svgEl } from './util.js';

export const SAMPLES_KEPT = 60;
const WIDTH = 240;
const HEIGHT = 28;
const PADDING = 3;
/** The scale never goes below these, so that 1 ms of jitter does not fill the chart. */
const MIN_SCALE_MS = 20;
const MIN_SCALE_ENTRIES = 5;

export function createLagHistory() {
  const samples = new Map();
  return {
    /** sample: {lagMs, lagEntries}, or null when the node is not a follower of a known leader. */
    push(id, sample) {
      let list = samples.get(id);
      if (!list) {
        list = [];
        samples.set(id, list);
      }
      list.push(sample);
      if (list.length > SAMPLES_KEPT) list.splice(0, list.length - SAMPLES_KEPT);
    },
    of(id) {
      return samples.get(id) || [];
    },
    forget(id) {
      samples.delete(id);
    },
  };
}

export function createSparkline() {
  const svg = svgEl('svg', { class: 'spark', viewBox: '0 0 ' + WIDTH + ' ' + HEIGHT, preserveAspectRatio: 'none', 'aria-hidden': 'true' });
  const entries = svgEl('path', { class: 'entries' });
  const ms = svgEl('path', { class: 'ms' });
  svg.append(entries, ms);
  return {
    element: svg,
    draw(list) {
      ms.setAttribute('d', pathOf(list, 'lagMs', MIN_SCALE_MS));
      entries.setAttribute('d', pathOf(list, 'lagEntries', MIN_SCALE_ENTRIES));
    },
  };
}

/** A path through the samples, right-aligned (newest at the right edge), broken where a sample is missing. */
function pathOf(list, field, minScale) {
  let max = minScale;
  for (const sample of list) if (sample && sample[field] > max) max = sample[field];
  const step = (WIDTH - 2 * PADDING) / (SAMPLES_KEPT - 1);
  const offset = SAMPLES_KEPT - list.length;
  let d = '';
  let drawing = false;
  list.forEach((sample, index) => {
    if (!sample) {
      drawing = false;
      return;
    }
    const x = PADDING + (offset + index) * step;
    const y = HEIGHT - PADDING - (sample[field] / max) * (HEIGHT - 2 * PADDING);
    d += (drawing ? ' L' : ' M') + x.toFixed(1) + ',' + y.toFixed(1);
    drawing = true;
  });
  return d.trim();
}
`;
