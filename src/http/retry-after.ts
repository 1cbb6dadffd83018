/**
 * `Retry-After` parsing (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Anything
 * malformed, negative or absurd (beyond {@link MAX_SERVER_DELAY_MS}) is ignored, so a
 * broken proxy cannot park a client for a year.
 */

/** Server-provided delays beyond this are treated as garbage and ignored. @default 86400000 (one day) */
export const MAX_SERVER_DELAY_MS = 86_400_000;

const DELAY_SECONDS = /^\d{1,10}$/;
// IMF-fixdate, RFC 850 and asctime all start with a day name.
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? [\x20-\x7e]{10,40}$/i;

/**
 * The delay a `Retry-After` value asks for, in ms, or `undefined` when the value is
 * missing, malformed, negative or absurd. A date in the past means "now" (0).
 * `now` is wall-clock time (ms since the epoch), used for HTTP-dates.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (DELAY_SECONDS.test(text)) return sane(Number(text) * 1000);
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return sane(Math.max(0, at - now));
}

function sane(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_SERVER_DELAY_MS ? ms : undefined;
}
