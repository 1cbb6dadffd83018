/**
 * The last good answer of each GET, kept for stale-if-error (RFC 5861 in spirit): when
 * the origin fails or its breaker is open, the cached body is served, marked degraded.
 * Bounded: least recently stored entries go first. Bodies are bytes, never streams.
 */

/** One stored answer. */
interface Entry {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: ArrayBuffer;
  url: string;
  storedAt: number;
}

/** A bounded map from URL to its last good answer. */
export class StaleCache {
  readonly #entries = new Map<string, Entry>();

  constructor(
    readonly maxAgeMs: number,
    readonly maxEntries: number,
  ) {}

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Stores a good answer's bytes for `key`. */
  store(key: string, response: Response, body: ArrayBuffer, now: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, {
      status: response.status,
      statusText: response.statusText,
      headers: [...response.headers],
      body,
      url: response.url,
      storedAt: now,
    });
    if (this.#entries.size > this.maxEntries)
      this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** A fresh copy of the answer stored for `key`, marked degraded, if one is young enough. */
  serve(key: string, now: number): { response: Response; ageMs: number } | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const ageMs = now - entry.storedAt;
    if (ageMs > this.maxAgeMs) {
      this.#entries.delete(key);
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
}

/** A constructed Response has an empty `url`; give it the one it stands for. */
export function keepUrl(response: Response, url: string): void {
  if (url && !response.url) Object.defineProperty(response, 'url', { value: url });
}
