/**
 * The last good answer of each GET, kept for stale-if-error (RFC 5861): when the origin
 * fails or its breaker is open, the kept body is served, marked degraded. Only what a
 * shared cache may keep is kept (cache-rules.ts), one variant per value of the request
 * headers the answer varies on. Bounded: least recently stored entries go first. Bodies
 * are bytes, never streams.
 */
import { type KeepRule, keepRule, variantKey } from './cache-rules.js';

/** One stored answer. */
interface Entry {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: ArrayBuffer;
  url: string;
  storedAt: number;
  rule: KeepRule;
  /** Its place: the request URL and the variant key. */
  key: string;
  variant: string;
}

/** What {@link StaleCache.store} keeps of an answer. */
export interface Kept {
  body: ArrayBuffer;
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

  constructor(
    readonly maxAgeMs: number,
    readonly maxEntries: number,
  ) {}

  /** Entries held. */
  get size(): number {
    return this.#order.size;
  }

  /** The rule `response` would be kept under, or `undefined` when it must not be kept. */
  rule(request: Request, response: Response): KeepRule | undefined {
    return keepRule(request, response, this.maxAgeMs);
  }

  /** Stores a good answer for `request`: its bytes, the rule from {@link rule}, when it arrived. */
  store(request: Request, response: Response, kept: Kept): void {
    const { body, rule, at } = kept;
    const key = request.url;
    let variants = this.#urls.get(key);
    if (variants && !sameNames(variants.vary, rule.vary)) {
      // The answer now varies on other headers: the old variants can no longer be matched.
      for (const old of variants.entries.values()) this.#order.delete(old);
      variants = undefined;
    }
    if (!variants) {
      variants = { vary: rule.vary, entries: new Map() };
      this.#urls.set(key, variants);
    }
    const variant = variantKey(request, rule.vary);
    const previous = variants.entries.get(variant);
    if (previous) this.#order.delete(previous);
    const entry: Entry = {
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers],
      body,
      url: response.url,
      storedAt: at,
      rule,
      key,
      variant,
    };
    variants.entries.set(variant, entry);
    this.#order.add(entry);
    while (this.#order.size > this.maxEntries) this.#delete(this.#order.values().next().value!);
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
    this.#order.delete(entry);
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
