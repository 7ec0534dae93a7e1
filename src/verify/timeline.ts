// The timeline a person opens after a campaign: one self-contained HTML file
// with an inline SVG, faults as shaded bands over the client throughput per
// second (acknowledged, failed, unknown), and a table of the faults.

import type { Availability } from './availability.js';
import type { NemesisName } from './nemesis-names.js';

export interface TimelineInput {
  readonly title: string;
  readonly summary: string;
  readonly durationMs: number;
  readonly availability: Availability;
  /** Extra lines under the summary (mode notes, findings). */
  readonly notes: readonly string[];
}

const CHART_WIDTH_PX = 1100;
const CHART_HEIGHT_PX = 300;
const MARGIN = { left: 60, right: 20, top: 40, bottom: 40 } as const;
const FAULT_COLORS: Readonly<Record<NemesisName, string>> = {
  kill: '#d62728',
  pause: '#9467bd',
  partition: '#ff7f0e',
  transfer: '#17becf',
  membership: '#8c564b',
  'corrupt-tail': '#e377c2',
};
const OUTCOME_COLORS = { ok: '#2ca02c', info: '#f2b701', fail: '#bbbbbb' } as const;
/** Ticks on the time axis about this far apart (rounded to a whole number of seconds). */
const TARGET_TICKS = 12;

export function renderTimeline(input: TimelineInput): string {
  const { availability } = input;
  const seconds = availability.perSecond.length;
  const plotWidth = CHART_WIDTH_PX - MARGIN.left - MARGIN.right;
  const plotHeight = CHART_HEIGHT_PX - MARGIN.top - MARGIN.bottom;
  const maxOps = Math.max(1, ...availability.perSecond.map((s) => s.ok + s.info + s.fail));
  const x = (ms: number): number => MARGIN.left + (Math.max(0, Math.min(ms, seconds * 1000)) / (seconds * 1000)) * plotWidth;
  const y = (ops: number): number => MARGIN.top + plotHeight - (ops / maxOps) * plotHeight;
  const barWidth = Math.max(1, plotWidth / seconds - 1);
  const parts: string[] = [];

  // Fault bands first, so the bars draw over them.
  availability.recoveries.forEach(({ fault, writeOutageMs }, i) => {
    const color = FAULT_COLORS[fault.kind];
    const left = x(fault.startMs);
    const width = Math.max(2, x(Number.isFinite(fault.endMs) ? fault.endMs : fault.startMs) - left);
    const tip = `${fault.kind} ${fault.target}: ${fault.notes.join('; ')}${writeOutageMs === null ? '' : `; first acknowledged write after ${Math.round(writeOutageMs)} ms`}`;
    parts.push(
      `<rect x="${left.toFixed(1)}" y="${MARGIN.top}" width="${width.toFixed(1)}" height="${plotHeight}" fill="${color}" fill-opacity="0.18"><title>${escapeHtml(tip)}</title></rect>`,
      `<rect x="${left.toFixed(1)}" y="${MARGIN.top - 14 - (i % 2) * 12}" width="${width.toFixed(1)}" height="8" fill="${color}"><title>${escapeHtml(tip)}</title></rect>`,
    );
    if (writeOutageMs !== null && fault.hitLeader) {
      const back = x(fault.startMs + writeOutageMs);
      parts.push(
        `<line x1="${back.toFixed(1)}" x2="${back.toFixed(1)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="${color}" stroke-dasharray="3,2"><title>${escapeHtml(`writes back ${Math.round(writeOutageMs)} ms after ${fault.kind} ${fault.target}`)}</title></line>`,
      );
    }
  });

  for (const s of availability.perSecond) {
    const left = MARGIN.left + (s.second / seconds) * plotWidth;
    let base = 0;
    for (const outcome of ['ok', 'info', 'fail'] as const) {
      const count = s[outcome];
      if (count === 0) continue;
      parts.push(
        `<rect x="${left.toFixed(1)}" y="${y(base + count).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(y(base) - y(base + count)).toFixed(1)}" fill="${OUTCOME_COLORS[outcome]}"><title>${s.second}-${s.second + 1} s: ${s.ok} ok (${s.okWrites} writes), ${s.info} unknown, ${s.fail} failed</title></rect>`,
      );
      base += count;
    }
  }

  // Axes.
  const bottom = MARGIN.top + plotHeight;
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}" stroke="#333"/>`);
  const step = Math.max(1, Math.round(seconds / TARGET_TICKS));
  for (let second = 0; second <= seconds; second += step) {
    const at = x(second * 1000);
    parts.push(`<line x1="${at.toFixed(1)}" x2="${at.toFixed(1)}" y1="${bottom}" y2="${bottom + 4}" stroke="#333"/>`);
    parts.push(`<text x="${at.toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${second}</text>`);
  }
  parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${bottom + 32}" text-anchor="middle">seconds since the campaign began</text>`);
  for (const fraction of [0, 0.5, 1]) {
    const ops = Math.round(maxOps * fraction);
    parts.push(`<text x="${MARGIN.left - 6}" y="${(y(ops) + 4).toFixed(1)}" text-anchor="end">${ops}</text>`);
  }
  parts.push(`<text transform="translate(14 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">ops completed / s</text>`);

  const legend = [
    ...(['ok', 'info', 'fail'] as const).map((outcome) =>
      swatch(OUTCOME_COLORS[outcome], { ok: 'acknowledged', info: 'outcome unknown', fail: 'failed (no effect)' }[outcome]),
    ),
    ...Object.entries(FAULT_COLORS)
      .filter(([kind]) => availability.recoveries.some((r) => r.fault.kind === kind))
      .map(([kind, color]) => swatch(color, kind)),
  ].join(' ');

  const rows = availability.recoveries
    .map(({ fault, writeOutageMs }) => {
      const cells = [
        `${(fault.startMs / 1000).toFixed(2)}`,
        Number.isFinite(fault.endMs) ? `${(fault.endMs / 1000).toFixed(2)}` : '',
        `<span style="color:${FAULT_COLORS[fault.kind]}">&#9632;</span> ${escapeHtml(fault.kind)}`,
        escapeHtml(fault.target),
        fault.hitLeader ? 'yes' : '',
        writeOutageMs === null ? 'none' : `${Math.round(writeOutageMs)}`,
        escapeHtml(fault.notes.join('; ')),
        fault.problems.length > 0 ? `<b>${escapeHtml(fault.problems.join('; '))}</b>` : '',
      ];
      return `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
    })
    .join('\n');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<style>
body { font: 13px/1.4 system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 18px; margin: 0 0 4px; }
.summary { font-family: ui-monospace, monospace; font-size: 14px; margin: 4px 0; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
.legend span { margin-right: 12px; white-space: nowrap; }
table { border-collapse: collapse; margin-top: 12px; }
td, th { border: 1px solid #ddd; padding: 2px 6px; vertical-align: top; text-align: left; }
th { background: #f4f4f4; }
</style></head><body>
<h1>${escapeHtml(input.title)}</h1>
<div class="summary">${escapeHtml(input.summary)}</div>
${input.notes.map((note) => `<div>${escapeHtml(note)}</div>`).join('\n')}
<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH_PX}" height="${CHART_HEIGHT_PX}" viewBox="0 0 ${CHART_WIDTH_PX} ${CHART_HEIGHT_PX}">
${parts.join('\n')}
</svg>
<div class="legend">${legend} <span>dashed line: first acknowledged write after a failover</span></div>
<table>
<tr><th>start s</th><th>end s</th><th>fault</th><th>target</th><th>leader hit</th><th>writes back after ms</th><th>what happened</th><th>problems</th></tr>
${rows}
</table>
</body></html>
`;
}

function swatch(color: string, label: string): string {
  return `<span><span style="display:inline-block;width:10px;height:10px;background:${color}"></span> ${escapeHtml(label)}</span>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string);
}
