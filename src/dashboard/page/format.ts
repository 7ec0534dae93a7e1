// Formatting for the page: node ids in natural order, clock times, durations.
// No DOM here, so tests run it in Node.

export function compareNodeIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** hh:mm:ss.mmm in the browser's time zone. */
export function clockTime(ms: number): string {
  const date = new Date(ms);
  const pad = (n: number, width: number): string => String(n).padStart(width, '0');
  return `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}.${pad(date.getMilliseconds(), 3)}`;
}

/** Milliseconds up to 10 s, then seconds with one decimal; '?' for what is not a number. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  if (ms >= 10000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms)} ms`;
}
