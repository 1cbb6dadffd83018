/**
 * Redaction of any value before it is written anywhere: deny-listed keys lose their
 * value, strings are scanned for secrets (JWTs, bearer tokens, AWS key ids, PEM private
 * keys, Luhn-valid card numbers, `key=value` pairs), JSON held in strings is parsed and
 * redacted as structure. Depth, item, string and total-size caps bound time and memory
 * (a 5 MB body costs only the part that is kept); cuts are marked `[TRUNCATED…]`,
 * circular references `[CIRCULAR]`. The result is plain JSON-safe data. Browser-safe.
 */

import { optionalNumber } from '../core/internal.js';
import { toPlain } from './plain.js';
import { define, read, UNREADABLE } from './props.js';
import { keyMatcher, looksLikeToken } from './redact-keys.js';
import {
  DEFAULT_PATTERNS,
  globalPattern,
  isCardNumber,
  redactPatterns,
  type ValuePattern,
} from './redact-patterns.js';
import { REDACTED, redactPairs } from './redact-text.js';
import { TRUNCATED, truncated, truncateText } from './truncate.js';

export { REDACTED } from './redact-text.js';
export { TRUNCATED } from './truncate.js';

/** Marks a reference back to an enclosing object. */
export const CIRCULAR = '[CIRCULAR]';

/** Options of {@link createRedactor}. */
export interface RedactOptions {
  /** Extra deny-listed keys: strings (matched like the built-ins) or RegExps. @default [] */
  keys?: readonly (string | RegExp)[];
  /** Extra value patterns: a RegExp or `{ name, pattern, accept }`. @default [] */
  patterns?: readonly (RegExp | ValuePattern)[];
  /** Nesting depth kept; deeper objects become `[TRUNCATED: depth]`. @default 10 */
  maxDepth?: number;
  /** Characters kept of one string. @default 8192 */
  maxStringLength?: number;
  /** Array items and object keys kept per container. @default 200 */
  maxItems?: number;
  /** Approximate size of the whole output in characters; the rest is truncated. @default 65536 */
  maxBytes?: number;
  /** Strings holding JSON up to this length are parsed and redacted as structure. @default 262144 */
  maxParseLength?: number;
}

/** A compiled redaction configuration. */
export interface Redactor {
  /** A redacted, JSON-safe copy of `value`. */
  redact(value: unknown): unknown;
  /** Redacts one piece of text (patterns and `key=value` pairs), capped at `maxStringLength`. */
  redactText(text: string): string;
  /**
   * True when a key's value would be replaced by {@link REDACTED}. Without `value`, only
   * the keys redacted whatever they hold; with it, also `key` / `code` holding a token.
   */
  isSensitiveKey(key: string, value?: unknown): boolean;
}

// Keys are cut to this many characters, and only a little more of them is scanned: a
// key holding 100 kB of data costs what a short one does.
const MAX_KEY = 256;
const KEY_OVERLAP = 1024;

interface Walk {
  budget: number;
  ancestors: Set<object>;
}

/** Compiles redaction options once; reuse the redactor for every record. */
export function createRedactor(options: RedactOptions = {}): Redactor {
  const maxDepth = limit('maxDepth', options.maxDepth, 10);
  const maxString = limit('maxStringLength', options.maxStringLength, 8192);
  const maxItems = limit('maxItems', options.maxItems, 200);
  const maxBytes = limit('maxBytes', options.maxBytes, 65_536);
  const maxParse = limit('maxParseLength', options.maxParseLength, 262_144);
  const verdict = keyMatcher(options.keys);
  const patterns = [...DEFAULT_PATTERNS, ...patternsOption(options.patterns).map(globalPattern)];
  const scrub = (text: string) => redactPairs(redactPatterns(text, patterns), verdict);
  const isSensitiveKey = (key: string, value?: unknown): boolean => {
    const judged = verdict(key);
    return judged === 'redact' || (judged === 'if-token' && looksLikeToken(value));
  };

  const text = (value: string, limit: number): string =>
    truncateText(value, Math.max(0, limit), scrub);

  const string = (value: string, depth: number, walk: Walk): string => {
    if (value.length <= maxParse && looksLikeJson(value)) {
      const parsed = parseJson(value);
      if (parsed !== undefined) return JSON.stringify(node(parsed, depth, walk));
    }
    const out = text(value, Math.min(maxString, walk.budget));
    walk.budget -= out.length + 2;
    return out;
  };

  const node = (value: unknown, depth: number, walk: Walk): unknown => {
    if (walk.budget <= 0) return truncated('size');
    switch (typeof value) {
      case 'string':
        return string(value, depth, walk);
      case 'number':
        walk.budget -= 8;
        return isCardLike(value)
          ? `[REDACTED:card]`
          : Number.isFinite(value)
            ? value
            : String(value);
      case 'bigint':
        walk.budget -= 8;
        return text(value.toString(), maxString);
      case 'boolean':
        walk.budget -= 5;
        return value;
      case 'undefined':
        return undefined;
      case 'function':
        return `[Function ${value.name || 'anonymous'}]`;
      case 'symbol':
        return value.toString();
    }
    if (value === null) return null;
    return container(value as object, depth, walk);
  };

  const container = (value: object, depth: number, walk: Walk): unknown => {
    if (walk.ancestors.has(value)) return CIRCULAR;
    if (depth >= maxDepth) return truncated('depth');
    walk.ancestors.add(value);
    try {
      const plain = toPlain(value);
      if (typeof plain !== 'object' || plain === null) return node(plain, depth, walk);
      return Array.isArray(plain) ? array(plain, depth, walk) : object(plain, depth, walk);
    } catch {
      // A Proxy whose traps throw, an exotic host object: redaction never throws.
      return UNREADABLE;
    } finally {
      walk.ancestors.delete(value);
    }
  };

  const array = (items: readonly unknown[], depth: number, walk: Walk): unknown[] => {
    const out: unknown[] = [];
    const n = Math.min(items.length, maxItems);
    for (let i = 0; i < n; i++) {
      if (walk.budget <= 0) break;
      out.push(node(items[i], depth + 1, walk) ?? null);
    }
    if (out.length < items.length) out.push(truncated(`${items.length - out.length} more items`));
    return out;
  };

  const object = (source: object, depth: number, walk: Walk): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const keys = Object.keys(source);
    let kept = 0;
    for (const key of keys) {
      if (kept >= maxItems || walk.budget <= 0) break;
      kept++;
      let safeKey = key.length > 12 ? truncateText(key, MAX_KEY, scrub, KEY_OVERLAP) : key;
      // Long keys cut to the same prefix (or redacted to the same marker) stay apart.
      if (safeKey !== key && Object.hasOwn(out, safeKey)) safeKey = `${safeKey} #${kept}`;
      walk.budget -= safeKey.length + 4;
      const judged = verdict(key);
      if (judged === 'redact') {
        define(out, safeKey, REDACTED);
        continue;
      }
      const value = read(source, key);
      const child =
        judged === 'if-token' && looksLikeToken(value) ? REDACTED : node(value, depth + 1, walk);
      if (child !== undefined) define(out, safeKey, child);
    }
    if (kept < keys.length) out[TRUNCATED] = `${keys.length - kept} more keys`;
    return out;
  };

  return {
    redact: (value) => node(value, 0, { budget: maxBytes, ancestors: new Set() }),
    redactText: (value) => text(value, maxString),
    isSensitiveKey,
  };
}

/** Redacts `value` with a one-off redactor (prefer {@link createRedactor} for repeated use). */
export function redact(value: unknown, options?: RedactOptions): unknown {
  return createRedactor(options).redact(value);
}

function patternsOption(value: unknown): readonly (RegExp | ValuePattern)[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError('Expected `redact.patterns` to be an array');
  return value;
}

// The first non-blank character opens an object or array (no copy of a huge string).
function looksLikeJson(text: string): boolean {
  const first = /\S/.exec(text.slice(0, 64))?.[0];
  return first === '{' || first === '[';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// A number with 15–19 digits that passes Luhn is treated as a card number. Shorter ones
// are left alone: 13-digit epoch milliseconds would otherwise vanish one time in ten.
function isCardLike(value: number): boolean {
  return Number.isInteger(value) && value >= 1e14 && value < 1e19 && isCardNumber(value.toFixed(0));
}

function limit(name: string, value: unknown, fallback: number): number {
  return optionalNumber(`redact.${name}`, value, fallback, { min: 1, integer: true });
}
