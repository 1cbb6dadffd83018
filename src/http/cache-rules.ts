/**
 * Which answers stale-if-error may keep, keyed on what, and for how long: the rules of a
 * shared cache (RFC 9111), since one client serves many callers, and the answer's own
 * `stale-if-error=N` window (RFC 5861). Never kept: `no-store`, `private` or `no-cache`
 * answers, answers that set a cookie, `Vary: *`, partial content, requests with `no-store`
 * or a `Range`; answers to requests carrying `Authorization` (or a `Cookie`, as shared
 * caches such as Varnish treat it) only when the answer allows it (`public`, `s-maxage`,
 * `must-revalidate`). Parsing is linear and capped: hostile headers cost nothing.
 */

/** How a kept answer may be served. */
export interface KeepRule {
  /** Request header names (lower-case, sorted) the answer varies on. */
  vary: string[];
  /** The answer's age when it arrived (its `Age` header), ms. */
  initialAgeMs: number;
  /** The oldest age at which it may still be served, ms. */
  maxServeAgeMs: number;
}

const KNOWN = new Set([
  'no-store',
  'no-cache',
  'private',
  'public',
  'max-age',
  's-maxage',
  'must-revalidate',
  'proxy-revalidate',
  'stale-if-error',
]);
const MAX_VARY = 16;
const DELTA = /^\d{1,10}$/;

/** The rule for keeping `response` to `request` (a GET), or `undefined` when it must not be kept. */
export function keepRule(
  request: Request,
  response: Response,
  maxAgeMs: number,
): KeepRule | undefined {
  if (response.status === 206) return undefined;
  const req = request.headers;
  if (req.has('range') || directives(req.get('cache-control')).has('no-store')) return undefined;
  const headers = response.headers;
  const cc = directives(headers.get('cache-control'));
  if (cc.has('no-store') || cc.has('private') || cc.has('no-cache')) return undefined;
  if (headers.has('set-cookie')) return undefined;
  const vary = varyNames(headers.get('vary'));
  if (!vary) return undefined;
  const sMaxAge = seconds(cc.get('s-maxage'));
  const mustRevalidate = cc.has('must-revalidate') || cc.has('proxy-revalidate');
  if (
    (req.has('authorization') || req.has('cookie')) &&
    !(cc.has('public') || sMaxAge !== undefined || cc.has('must-revalidate'))
  ) {
    return undefined;
  }
  const freshMs = sMaxAge ?? seconds(cc.get('max-age')) ?? expiresIn(headers) ?? 0;
  const staleIfError = seconds(cc.get('stale-if-error'));
  // s-maxage carries proxy-revalidate for a shared cache: no stale serving unless allowed.
  const limit =
    staleIfError !== undefined
      ? freshMs + staleIfError
      : mustRevalidate || sMaxAge !== undefined
        ? freshMs
        : Number.POSITIVE_INFINITY;
  const initialAgeMs = seconds(headers.get('age') ?? undefined) ?? 0;
  const maxServeAgeMs = Math.min(maxAgeMs, limit);
  if (initialAgeMs > maxServeAgeMs) return undefined;
  return { vary, initialAgeMs, maxServeAgeMs };
}

/** The key of `request`'s variant: the values of the headers its answer varies on. */
export function variantKey(request: Request, vary: readonly string[]): string {
  let key = '';
  for (const name of vary) {
    const value = request.headers.get(name);
    // An absent header and an empty one are different variants.
    key += value === null ? '\u0000\n' : `${value}\n`;
  }
  return key;
}

/**
 * The Cache-Control directives these rules read, lower-cased, to their value ('' for none;
 * the first occurrence wins). Others are skipped, so the map stays small however long the
 * field, and no `no-store` is missed behind junk.
 */
export function directives(field: string | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!field) return out;
  let from = 0;
  while (from <= field.length) {
    let to = field.indexOf(',', from);
    if (to === -1) to = field.length;
    const part = field.slice(from, to);
    const eq = part.indexOf('=');
    const name = (eq === -1 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (KNOWN.has(name) && !out.has(name))
      out.set(name, eq === -1 ? '' : unquote(part.slice(eq + 1).trim()));
    from = to + 1;
  }
  return out;
}

/** Vary's header names, lower-cased and sorted; `undefined` for `*` or an absurd list. */
function varyNames(field: string | null): string[] | undefined {
  if (!field) return [];
  const names = new Set<string>();
  for (const part of field.split(',', MAX_VARY + 1)) {
    const name = part.trim().toLowerCase();
    if (name === '*') return undefined;
    if (name) names.add(name);
  }
  if (names.size > MAX_VARY) return undefined;
  return [...names].sort();
}

/** Delta-seconds as ms, or `undefined` when missing or malformed. */
function seconds(value: string | undefined): number | undefined {
  return value !== undefined && DELTA.test(value) ? Number(value) * 1000 : undefined;
}

/** `Expires` − `Date` (RFC 9111 §4.2.1), ms; an invalid Expires means already expired. */
function expiresIn(headers: Headers): number | undefined {
  const expires = headers.get('expires');
  if (expires === null) return undefined;
  const at = httpDate(expires);
  const date = httpDate(headers.get('date') ?? '');
  if (at === undefined || date === undefined) return 0;
  return Math.max(0, at - date);
}

function httpDate(value: string): number | undefined {
  if (value.length > 64) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"')
    ? value.slice(1, -1)
    : value;
}
