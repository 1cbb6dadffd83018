/**
 * Cutting text to a size without echoing half a secret: only a window a little longer
 * than the kept part is scanned (so a 5 MB string costs a few kilobytes of work), the
 * scan runs before the cut, and the cut backs off to a token boundary.
 */

/** Marks data left out because of a cap. */
export const TRUNCATED = '[TRUNCATED]';

/** `[TRUNCATED: detail]`. */
export function truncated(detail: string): string {
  return `[TRUNCATED: ${detail}]`;
}

// Longer than any secret the patterns know (a 4096-bit PEM key is ~3.3 kB), so a secret
// that starts before the cut is seen whole by the scan.
const OVERLAP = 16_384;
const BACK_OFF = 64;
const TOKEN_CHAR = /[\w+/=.~-]/;

/**
 * Scrubs `text` and keeps at most about `limit` characters of it, marking the cut; only
 * `limit + overlap` characters are scanned.
 */
export function truncateText(
  text: string,
  limit: number,
  scrub: (text: string) => string,
  overlap = OVERLAP,
): string {
  if (text.length <= limit) return scrub(text);
  if (limit <= 0) return truncated(`${text.length} chars`);
  const scanned = scrub(text.slice(0, limit + overlap));
  if (scanned.length <= limit) return `${scanned}…${truncated(`${text.length} chars`)}`;
  let cut = limit;
  // A marker is safe to keep whole, and half a marker reads like a bug.
  const marker = scanned.lastIndexOf('[REDACTED', cut);
  const close = marker === -1 ? -1 : scanned.indexOf(']', marker);
  if (close >= cut) return `${scanned.slice(0, close + 1)}…${truncated(`${text.length} chars`)}`;
  // Back off to a boundary so the tail of the kept part is never a token cut in half.
  if (TOKEN_CHAR.test(scanned[cut - 1] ?? '') && TOKEN_CHAR.test(scanned[cut] ?? '')) {
    let i = cut - 1;
    while (i > cut - BACK_OFF && i > 0 && TOKEN_CHAR.test(scanned[i - 1]!)) i--;
    // A token longer than the back-off is no recognised secret (those were scanned whole).
    if (i > cut - BACK_OFF) cut = i;
  }
  return `${scanned.slice(0, cut)}…${truncated(`${text.length} chars`)}`;
}
