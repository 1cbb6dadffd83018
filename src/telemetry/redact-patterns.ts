/**
 * The value patterns of redaction: secrets found by their shape wherever they are in a
 * text — private-key blocks (PEM and PGP), the query string and fragment of every URL,
 * JWTs, `Bearer …` / `Basic …` credentials, AWS access key ids, GitHub, Slack, Stripe and
 * Google API keys, card numbers that pass Luhn. Every pattern runs in linear time: each
 * starts at a boundary its own characters cannot continue (a look-behind), and no
 * unbounded run is followed by anything that could make it give characters back
 * more than once per start. test/telemetry/redact-hostile.test.ts holds them to it.
 */

/** A value pattern: every match is replaced by `[REDACTED:<name>]` (when `accept` agrees). */
export interface ValuePattern {
  /** Shown in the marker, never the value. */
  name: string;
  /** Must be global (`g`); a non-global one is copied with `g` added. */
  pattern: RegExp;
  /** A second check on a match (e.g. Luhn); true redacts it. @default always */
  accept?: (match: string) => boolean;
}

/** The built-in value patterns, applied in this order. */
export const DEFAULT_PATTERNS: readonly ValuePattern[] = Object.freeze([
  {
    name: 'private-key',
    // PEM (`RSA PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, …) and PGP (`PGP PRIVATE KEY
    // BLOCK`). An unterminated block (cut by truncation) is redacted to the end of the text.
    pattern:
      /-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)/g,
  },
  {
    name: 'query',
    // Everything after the `?` (or `#`) of a URL: signed URLs, OAuth codes, API keys in
    // `?key=` — no list of parameter names is ever complete. The look-behind scans back
    // only to the previous `?`, `#` or blank, so each character is looked at a bounded
    // number of times.
    pattern: /(?<=:\/\/[^\s?#"'<>\\]*[?#])[^\s"'<>\\]+/g,
  },
  { name: 'jwt', pattern: /(?<![\w-])eyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*/g },
  { name: 'bearer', pattern: /\b(?:bearer|basic)\s+[\w.~+/-]{4,}=*/gi, accept: isCredentialScheme },
  {
    name: 'aws-access-key-id',
    pattern:
      /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|AKPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}(?![A-Z0-9])/g,
  },
  // ghp_ (personal), gho_ (OAuth), ghu_ / ghs_ (app), ghr_ (refresh), fine-grained github_pat_.
  { name: 'github-token', pattern: /(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{30,})/g },
  { name: 'slack-token', pattern: /(?<![\w-])xox[abeoprs]-[A-Za-z0-9-]{10,}/g },
  // Secret and restricted keys, live and test, and webhook signing secrets.
  { name: 'stripe-key', pattern: /(?<![\w-])(?:(?:sk|rk)_(?:live|test)_|whsec_)[A-Za-z0-9]{16,}/g },
  { name: 'google-api-key', pattern: /(?<![\w-])AIza[\w-]{35}(?![\w-])/g },
  { name: 'card', pattern: /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g, accept: isCardNumber },
]);

/** Luhn check over the digits of `text` (13–19 digits). */
export function isCardNumber(text: string): boolean {
  let sum = 0;
  let digits = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) continue;
    sum += digits % 2 === 1 ? (code * 2 > 9 ? code * 2 - 9 : code * 2) : code;
    digits++;
  }
  return digits >= 13 && digits <= 19 && sum % 10 === 0;
}

// `Bearer x` is always a credential; `Basic x` only when x decodes to `user:password`,
// so prose like "basic understanding" is left alone.
function isCredentialScheme(match: string): boolean {
  const [scheme, token = ''] = match.split(/\s+/, 2);
  if (scheme?.toLowerCase() === 'bearer') return true;
  try {
    return atob(token).includes(':');
  } catch {
    return false;
  }
}

/** Makes sure a pattern is global, so `replace` sees every match. */
export function globalPattern(p: RegExp | ValuePattern, index: number): ValuePattern {
  const vp = p instanceof RegExp ? { name: `custom-${index}`, pattern: p } : p;
  if (!(vp?.pattern instanceof RegExp)) {
    throw new TypeError(
      `Expected \`redact.patterns[${index}]\` to be a RegExp or { name, pattern }`,
    );
  }
  if (vp.pattern.global) return vp;
  return { ...vp, pattern: new RegExp(vp.pattern.source, `${vp.pattern.flags}g`) };
}

/** Replaces every accepted match of every pattern with `[REDACTED:<name>]`. */
export function redactPatterns(text: string, patterns: readonly ValuePattern[]): string {
  for (const { name, pattern, accept } of patterns) {
    pattern.lastIndex = 0;
    text = text.replace(pattern, (match) =>
      accept && !accept(match) ? match : `[REDACTED:${name}]`,
    );
  }
  return text;
}
