/**
 * Figures as a person reads them in a log line: `850 ms`, `2.5 s`, `13.5 min`, `1.2 h`,
 * `10,240 MB` — never `810000 ms`.
 */

/** A duration in the largest unit that keeps it readable, with at most one decimal. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const abs = Math.abs(ms);
  if (abs < 1000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${oneDecimal(ms / 1000)} s`;
  if (abs < 3_600_000) return `${oneDecimal(ms / 60_000)} min`;
  return `${oneDecimal(ms / 3_600_000)} h`;
}

/** An integer with thousands separators (`10,240`). */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function oneDecimal(n: number): string {
  const rounded = Math.round(n * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}
