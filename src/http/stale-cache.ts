/**
 * The last good answer of each GET, kept for stale-if-error (RFC 5861): when the origin
 * fails or its breaker is open, the kept body is served, marked degraded. Only what a
 * shared cache may keep is kept (cache-rules.ts), one variant per value of the request
 * headers the answer varies on. Bounded in entries and in bytes: least recently stored
 * entries go first, and an answer larger than the whole budget is never kept. Bodies are
 * bytes, never streams.
 */
import { type KeepRule, keepRule, variantKey } from './cache-rules.js';

/** One stored answer. */
interface Entry {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Uint8Array<ArrayBuffer>;
  url: string;
  /** What it costs: body, headers and URLs, bytes (UTF-16 for strings). */
  size: number;
  storedAt: number;
  rule: KeepRule;
  /** Its place: the request URL and the variant key. */
  key: string;
  variant: string;
}

/** What {@link StaleCache.store} keeps of an answer. */
export interface Kept {
  body: Uint8Array<ArrayBuffer>;
  rule: KeepRule;
  /** Clock time it arrived. */
  at: number;
}

/** The kept variants of one URL, all under the same Vary names. */
interface Variants {
  vary: string[];
  entries: Map<string, Entry>;
}

/** A bounded store of good answers, by URL and variant. */
export class StaleCache {
  readonly #urls = new Map<string, Variants>();
  /** Every entry, least recently stored first. */
  readonly #order = new Set<Entry>();
  #bytes = 0;
  readonly maxAgeMs: number;
  readonly maxEntries: number;
  readonly maxBytes: number;

  constructor(limits: { maxAgeMs: number; maxEntries: number; maxBytes: number }) {
    this.maxAgeMs = limits.maxAgeMs;
    this.maxEntries = limits.maxEntries;
    this.maxBytes = limits.maxBytes;
  }

  /** Entries held. */
  get size(): number {
    return this.#order.size;
  }

  /** Bytes held (bodies, headers, URLs). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The rule `response` would be kept under, or `undefined` when it must not be kept. */
  rule(request: Request, response: Response): KeepRule | undefined {
    return keepRule(request, response, this.maxAgeMs);
  }

  /** Stores a good answer for `request`: its bytes, the rule from {@link rule}, when it arrived. */
  store(request: Request, response: Response, kept: Kept): void {
    const { body, rule, at } = kept;
    const key = request.url;
    const headers = [...response.headers];
    const variant = variantKey(request, rule.vary);
    let size = body.byteLength + 2 * (key.length + response.url.length + variant.length);
    for (const [name, value] of headers) size += 2 * (name.length + value.length);
    if (size > this.maxBytes) {
      this.forget(key);
      return;
    }
    const current = this.#urls.get(key);
    if (current && !sameNames(current.vary, rule.vary)) {
      // The answer now varies on other headers: the old variants can no longer be matched.
      for (const old of [...current.entries.values()]) this.#delete(old);
    }
    const previous = this.#urls.get(key)?.entries.get(variant);
    if (previous) this.#delete(previous);
    let variants = this.#urls.get(key);
    if (!variants) {
      variants = { vary: rule.vary, entries: new Map() };
      this.#urls.set(key, variants);
    }
    const entry: Entry = {
      status: response.status,
      statusText: response.statusText,
      headers,
      body,
      url: response.url,
      size,
      storedAt: at,
      rule,
      key,
      variant,
    };
    variants.entries.set(variant, entry);
    this.#order.add(entry);
    this.#bytes += size;
    while (this.#order.size > this.maxEntries || this.#bytes > this.maxBytes)
      this.#delete(this.#order.values().next().value!);
  }

  /** Drops every copy kept for `url`: its latest good answer may not be kept, so older ones must not answer for it. */
  forget(url: string): void {
    const variants = this.#urls.get(url);
    if (variants) for (const entry of [...variants.entries.values()]) this.#delete(entry);
  }

  /** A fresh copy of the answer kept for `request`, marked degraded, if one may still be served. */
  serve(request: Request, now: number): { response: Response; ageMs: number } | undefined {
    const variants = this.#urls.get(request.url);
    if (!variants) return undefined;
    const entry = variants.entries.get(variantKey(request, variants.vary));
    if (!entry) return undefined;
    const ageMs = entry.rule.initialAgeMs + now - entry.storedAt;
    if (ageMs > entry.rule.maxServeAgeMs) {
      this.#delete(entry);
      return undefined;
    }
    const headers = new Headers(entry.headers);
    headers.set('selfheal-degraded', `stale-if-error; age=${Math.round(ageMs / 1000)}`);
    const response = new Response(entry.body.slice(0), {
      status: entry.status,
      statusText: entry.statusText,
      headers,
    });
    keepUrl(response, entry.url);
    return { response, ageMs };
  }

  #delete(entry: Entry): void {
    if (!this.#order.delete(entry)) return;
    this.#bytes -= entry.size;
    const variants = this.#urls.get(entry.key);
    if (variants?.entries.get(entry.variant) !== entry) return;
    variants.entries.delete(entry.variant);
    if (variants.entries.size === 0) this.#urls.delete(entry.key);
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/** A constructed Response has an empty `url`; give it the one it stands for. */
export function keepUrl(response: Response, url: string): void {
  if (url && !response.url) Object.defineProperty(response, 'url', { value: url });
}
