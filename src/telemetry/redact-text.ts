/**
 * Redaction of free text (bodies, headers, messages): value patterns — JWTs, `Bearer …`,
 * AWS access key ids, PEM private keys, card numbers that pass Luhn — and `key=value`,
 * `key: value`, `"key": "value"` pairs whose key is deny-listed. A match is replaced
 * whole by a marker: no part of a secret is ever echoed. Browser-safe.
 */

/** What replaces a deny-listed key's value. */
export const REDACTED = '[REDACTED]';

/** A value pattern: every match is replaced by `[REDACTED:<name>]` (when `accept` agrees). */
export interface ValuePattern {
  /** Shown in the marker, never the value. */
  name: string;
  /** Must be global (`g`); a non-global one is copied with `g` added. */
  pattern: RegExp;
  /** A second check on a match (e.g. Luhn); true redacts it. @default always */
  accept?: (match: string) => boolean;
}

/** The built-in value patterns. */
export const DEFAULT_PATTERNS: readonly ValuePattern[] = Object.freeze([
  {
    name: 'private-key',
    // An unterminated key (cut by truncation) is redacted to the end of the text.
    pattern:
      /-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY-----[\s\S]*?(?:-----END[A-Z0-9 ]{0,40}PRIVATE KEY-----|$)/g,
  },
  { name: 'jwt', pattern: /eyJ[\w-]{2,}\.[\w-]{2,}\.[\w-]*/g },
  { name: 'bearer', pattern: /\b(?:bearer|basic)\s+[\w.~+/-]{4,}=*/gi, accept: isCredentialScheme },
  {
    name: 'aws-access-key-id',
    pattern:
      /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|AKPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}(?![A-Z0-9])/g,
  },
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
  if (!(vp.pattern instanceof RegExp)) {
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

// A key (optionally quoted) followed by `:` or `=`. The look-behind anchors keys at a
// word start, so scanning stays linear even in one long run of word characters. A key
// may be quoted with `\"` too: JSON inside a JSON string (an SNS message in an SQS body).
const KEY_VALUE = /(?<![\w.$-])(\\?["']|)([A-Za-z_$][\w.$-]{0,63})\1[ \t]*([:=])[ \t]*/g;

/** Replaces the value of every `key=value` / `key: value` pair whose key `isDenied`. */
export function redactPairs(text: string, isDenied: (key: string) => boolean): string {
  KEY_VALUE.lastIndex = 0;
  let out = '';
  let copied = 0;
  for (let m = KEY_VALUE.exec(text); m !== null; m = KEY_VALUE.exec(text)) {
    if (!isDenied(m[2]!)) continue;
    const start = KEY_VALUE.lastIndex;
    if (text.startsWith('\\"', start)) {
      let close = text.indexOf('\\"', start + 2);
      // `\\\"` is an escaped quote inside the escaped string, not its end.
      while (close > 0 && text[close - 1] === '\\') close = text.indexOf('\\"', close + 2);
      const end = close === -1 ? text.length : close + 2;
      if (!text.startsWith(`\\"${REDACTED}\\"`, start)) {
        out += `${text.slice(copied, start)}\\"${REDACTED}\\"`;
        copied = end;
      }
      KEY_VALUE.lastIndex = end;
      continue;
    }
    // Already redacted (text that went through here once): keep it, so redaction is idempotent.
    if (text.startsWith('[REDACTED', start) || text.startsWith(`"${REDACTED}"`, start)) continue;
    const headerStyle = m[1] === '' && m[3] === ':';
    const end = valueEnd(text, start, headerStyle);
    if (end === start) continue;
    const quote =
      text[start] === '"' || text[start] === "'" || text[start] === '{' || text[start] === '[';
    out += text.slice(copied, start) + (quote ? `"${REDACTED}"` : REDACTED);
    copied = end;
    KEY_VALUE.lastIndex = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Where the value starting at `start` ends: a quoted string, a bracketed block, or a token. */
function valueEnd(text: string, start: number, headerStyle: boolean): number {
  const first = text[start];
  if (first === '"' || first === "'") return quotedEnd(text, start + 1, first);
  if (first === '{' || first === '[') return blockEnd(text, start);
  // `Authorization: Digest a="b", c="d"` — a header's value runs to the end of the line.
  const stop = headerStyle ? /[\r\n]/g : /[\s&;,}\]"'<>]/g;
  stop.lastIndex = start;
  const found = stop.exec(text);
  return found ? found.index : text.length;
}

function quotedEnd(text: string, i: number, quote: string): number {
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === quote) return i + 1;
  }
  return text.length;
}

// The end of a JSON-like `{…}` / `[…]` block (strings respected), or the text's end.
function blockEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') i = quotedEnd(text, i + 1, '"') - 1;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}
