/**
 * Redaction of `key=value`, `key: value` and `"key": "value"` pairs in free text (form
 * bodies, query strings, headers in text, JSON too big to parse) whose key is
 * deny-listed; the value patterns are in redact-patterns.ts. A value is replaced whole
 * by a marker: no part of a secret is ever echoed. Browser-safe.
 */
import { type KeyVerdict, tokenEnd } from './redact-keys.js';

/** What replaces a deny-listed key's value. */
export const REDACTED = '[REDACTED]';

// A key (optionally quoted) followed by `:` or `=`. The look-behind anchors keys at a
// word start, so scanning stays linear even in one long run of word characters. A key
// may be quoted with `\"` too: JSON inside a JSON string (an SNS message in an SQS body).
const KEY_VALUE = /(?<![\w.$-])(\\?["']|)([A-Za-z_$][\w.$-]{0,63})\1[ \t]*([:=])[ \t]*/g;

/**
 * Replaces the value of every `key=value` / `key: value` pair whose key `verdict` denies
 * (`'if-token'`: when the value looks like a token).
 */
export function redactPairs(text: string, verdict: (key: string) => KeyVerdict): string {
  KEY_VALUE.lastIndex = 0;
  let out = '';
  let copied = 0;
  for (let m = KEY_VALUE.exec(text); m !== null; m = KEY_VALUE.exec(text)) {
    const judged = verdict(m[2]!);
    if (judged === 'keep') continue;
    const start = KEY_VALUE.lastIndex;
    if (judged === 'if-token') {
      // `key` / `code`: redacted only when the value is a token, quoted or not.
      const quote = text.startsWith('\\"', start)
        ? '\\"'
        : /["']/.test(text.charAt(start))
          ? text.charAt(start)
          : '';
      const end = tokenEnd(text, start + quote.length);
      if (end === -1 || !text.startsWith(quote, end)) continue;
      out += `${text.slice(copied, start)}${quote}${REDACTED}${quote}`;
      copied = end + quote.length;
      KEY_VALUE.lastIndex = copied;
      continue;
    }
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
