/**
 * The key deny-list. A key is compared case-insensitively with `-`, `_`, `.` and spaces
 * removed, and matches when it *contains* a listed term: `X-Api-Key`, `accessToken`,
 * `client_secret`, `Set-Cookie`, `sessionId` all match. Over-redacting a harmless key
 * (`tokenCount`) is the accepted price of never leaking a real one. Short names that are
 * also ordinary words match only as the whole key: `auth` and `sig` always, `key` and
 * `code` when their value looks like a token — so `code: 'ECONNRESET'`, `statusCode` and
 * an S3 object `key: 'photos/cat.jpg'` stay readable.
 */

/** The built-in deny-listed terms (already normalised), matched anywhere in a key. */
export const DEFAULT_KEYS: readonly string[] = Object.freeze([
  'authorization',
  'cookie',
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'credential',
  'passphrase',
  'privatekey',
  'session',
  'signature', // X-Hub-Signature-256, Stripe-Signature, X-Amz-Signature
  'accesskey', // access_key, aws_access_key
  'authkey', // X-Auth-Key
  'functionskey', // X-Functions-Key (Azure Functions)
  'subscriptionkey', // Ocp-Apim-Subscription-Key (Azure API Management)
]);

/** Whole-key names (normalised) whose value is always redacted. */
export const DEFAULT_EXACT_KEYS: readonly string[] = Object.freeze(['auth', 'xauth', 'sig']);

/** Whole-key names (normalised) whose value is redacted when it {@link looksLikeToken}. */
export const DEFAULT_TOKEN_KEYS: readonly string[] = Object.freeze(['key', 'code']);

/** What becomes of a key's value: kept, redacted, or redacted if it looks like a token. */
export type KeyVerdict = 'keep' | 'redact' | 'if-token';

// A key is judged by its first characters: past them it is data used as a key, and
// judging all of a 100 kB key would cost 100 kB per key.
const JUDGED_CHARS = 1024;
// Only short keys are remembered (so the cache holds at most ~64 × 4096 characters), and
// as a fresh copy: a short key may be a slice that would keep a long text alive.
const CACHED_CHARS = 64;
const CACHED_KEYS = 4096;

/** Lower-cases a key and strips the separators people put in the middle of words. */
export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '');
}

// One run of base64 / base64url / hex characters, padding only at its end. A key's
// separator (`:`, `=` past the padding) ends a run, so the runs scanned for successive
// pairs in one text never overlap by more than the padding: linear.
const TOKEN_RUN = /[A-Za-z0-9+/_~-]*={0,3}/y;
const AFTER_TOKEN = /[\w.:+/~=-]/;

/**
 * Where the token starting at `start` ends, or -1: one run of 16–8192 base64/hex
 * characters with a lower-case letter and a digit, not followed by more of a word — how
 * an API key, an AWS secret or an OAuth code looks, and not how an error code
 * (`ERR_HTTP2_STREAM_ERROR`), a word or a file name (`photos/2024/cat.jpg`) does.
 */
export function tokenEnd(text: string, start: number): number {
  TOKEN_RUN.lastIndex = start;
  TOKEN_RUN.exec(text);
  const end = TOKEN_RUN.lastIndex;
  if (end - start < 16 || end - start > 8192 || AFTER_TOKEN.test(text.charAt(end))) return -1;
  const run = text.slice(start, end);
  return /[a-z]/.test(run) && /\d/.test(run) ? end : -1;
}

/** True when all of `value` is a token (see {@link tokenEnd}). */
export function looksLikeToken(value: unknown): boolean {
  return typeof value === 'string' && tokenEnd(value, 0) === value.length;
}

/** Builds the verdict for the default terms plus `extra` (strings or RegExps). */
export function keyMatcher(extra: readonly (string | RegExp)[] = []): (key: string) => KeyVerdict {
  const terms = [...DEFAULT_KEYS];
  const exact = new Set(DEFAULT_EXACT_KEYS);
  const tokens = new Set(DEFAULT_TOKEN_KEYS);
  const regexps: RegExp[] = [];
  if (!Array.isArray(extra)) throw new TypeError('Expected `redact.keys` to be an array');
  for (const [i, key] of extra.entries()) {
    if (typeof key === 'string' && normaliseKey(key) !== '') terms.push(normaliseKey(key));
    else if (key instanceof RegExp)
      regexps.push(new RegExp(key.source, key.flags.replace(/[gy]/g, '')));
    else throw new TypeError(`Expected \`redact.keys[${i}]\` to be a non-empty string or a RegExp`);
  }
  const judge = (key: string): KeyVerdict => {
    const normal = normaliseKey(key);
    if (exact.has(normal) || terms.some((t) => normal.includes(t))) return 'redact';
    if (regexps.some((r) => r.test(key))) return 'redact';
    return tokens.has(normal) ? 'if-token' : 'keep';
  };
  // Keys repeat a lot (every header object has the same ones): remember the verdicts.
  const seen = new Map<string, KeyVerdict>();
  return (key) => {
    if (key.length > CACHED_CHARS) return judge(key.slice(0, JUDGED_CHARS));
    const known = seen.get(key);
    if (known !== undefined) return known;
    const verdict = judge(key);
    if (seen.size < CACHED_KEYS) seen.set(copyOf(key), verdict);
    return verdict;
  };
}

// A flat copy that shares no storage with the string it came from (a slice or a
// concatenation would point into it).
function copyOf(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
