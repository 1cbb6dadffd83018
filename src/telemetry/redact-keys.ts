/**
 * The key deny-list. A key is compared case-insensitively with `-`, `_`, `.` and spaces
 * removed, and matches when it *contains* a listed term: `X-Api-Key`, `accessToken`,
 * `client_secret`, `Set-Cookie`, `sessionId` all match. Over-redacting a harmless key
 * (`tokenCount`) is the accepted price of never leaking a real one.
 */

/** The built-in deny-listed terms (already normalised). */
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
]);

/** Lower-cases a key and strips the separators people put in the middle of words. */
export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '');
}

/** Builds the predicate for the default terms plus `extra` (strings or RegExps). */
export function keyMatcher(extra: readonly (string | RegExp)[] = []): (key: string) => boolean {
  const terms = [...DEFAULT_KEYS];
  const regexps: RegExp[] = [];
  for (const [i, key] of extra.entries()) {
    if (typeof key === 'string' && normaliseKey(key) !== '') terms.push(normaliseKey(key));
    else if (key instanceof RegExp)
      regexps.push(new RegExp(key.source, key.flags.replace(/[gy]/g, '')));
    else throw new TypeError(`Expected \`redact.keys[${i}]\` to be a non-empty string or a RegExp`);
  }
  // Keys repeat a lot (every header object has the same ones): remember the verdicts,
  // within a bound so a hostile payload with millions of distinct keys cannot grow it.
  const seen = new Map<string, boolean>();
  return (key) => {
    const known = seen.get(key);
    if (known !== undefined) return known;
    const normal = normaliseKey(key);
    const denied = terms.some((t) => normal.includes(t)) || regexps.some((r) => r.test(key));
    if (seen.size < 10_000) seen.set(key, denied);
    return denied;
  };
}
