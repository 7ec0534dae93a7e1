// Medians, percentiles and the markdown tables every cluster benchmark prints
// (the same text goes to stdout and into RESULTS.md).

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle] as number;
  return ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Nearest-rank percentile of values sorted ascending; NaN when there are none. */
export function percentileOfSorted(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export interface Distribution {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  return {
    count: list.length,
    p50: percentileOfSorted(list, 0.5),
    p99: percentileOfSorted(list, 0.99),
    max: list.length > 0 ? (list[list.length - 1] as number) : Number.NaN,
  };
}

export type Align = 'left' | 'right';

export interface Column {
  readonly title: string;
  readonly align: Align;
}

/** A GitHub markdown table, padded so it also reads well in a terminal. */
export function markdownTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, i) => Math.max(column.title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const pad = (text: string, i: number) => (columns[i]?.align === 'left' ? text.padEnd(widths[i] ?? 0) : text.padStart(widths[i] ?? 0));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => pad(cell, i)).join(' | ')} |`;
  const rule = `|${widths.map((width, i) => (columns[i]?.align === 'left' ? `${'-'.repeat(width + 2)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(columns.map((column) => column.title)), rule, ...rows.map(line)].join('\n');
}

export function formatCount(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}

export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0);
}

/** "met" or "missed by x" against a target that numbers must stay at or below / reach at least. */
export function verdict(value: number, target: number, better: 'higher' | 'lower'): string {
  if (!Number.isFinite(value)) return 'not measured';
  const met = better === 'higher' ? value >= target : value <= target;
  if (met) return 'met';
  const factor = better === 'higher' ? target / value : value / target;
  return `missed (${factor.toFixed(1)}x ${better === 'higher' ? 'too low' : 'too high'})`;
}
