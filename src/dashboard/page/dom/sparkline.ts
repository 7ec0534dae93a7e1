// Each follower's replication lag over the last snapshots, drawn as two lines
// in a small SVG: milliseconds and entries, each on its own scale.

import type { LagSample } from '../lag-history.js';
import { MIN_SCALE_ENTRIES, MIN_SCALE_MS, SPARK_HEIGHT, SPARK_WIDTH, sparklinePath } from '../sparkline-path.js';
import { svgEl } from './dom.js';

export interface Sparkline {
  readonly element: SVGSVGElement;
  draw(samples: readonly (LagSample | null)[]): void;
}

export function createSparkline(): Sparkline {
  const svg = svgEl('svg', { class: 'spark', viewBox: `0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}`, preserveAspectRatio: 'none', 'aria-hidden': 'true' });
  const entries = svgEl('path', { class: 'entries' });
  const ms = svgEl('path', { class: 'ms' });
  svg.append(entries, ms);
  return {
    element: svg,
    draw(samples) {
      ms.setAttribute('d', sparklinePath(samples, 'lagMs', MIN_SCALE_MS));
      entries.setAttribute('d', sparklinePath(samples, 'lagEntries', MIN_SCALE_ENTRIES));
    },
  };
}
