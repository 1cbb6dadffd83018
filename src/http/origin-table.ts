/**
 * The per-origin states of one client, bounded: a client that talks to unboundedly many
 * origins (a crawler, a webhook sender, a proxy) keeps at most `max` of them. When a new
 * origin would pass the cap, the least recently used idle one (nothing in flight, nothing
 * waiting) is dropped and disposed; an origin with requests in flight is never dropped,
 * so the table may briefly hold more than `max` when every origin is busy.
 */

/** What the table needs of an entry. */
export interface TableEntry {
  /** Requests in flight, waiting included. */
  readonly inFlight: number;
  /** Releases the entry's timers; called when it is evicted. */
  dispose?(): void;
}

/** A Map of origin → state in least-recently-used order, capped at `max` idle entries. */
export class OriginTable<T extends TableEntry> implements Iterable<[string, T]> {
  readonly #map = new Map<string, T>();
  /** The most recently used key: a client talking to one origin never reorders the map. */
  #last: string | undefined;

  /** @param max entries kept before idle ones are evicted (≥ 1, or Infinity). */
  constructor(readonly max: number) {}

  get size(): number {
    return this.#map.size;
  }

  /** The entry for `key` without touching its recency (health snapshots, tests). */
  peek(key: string): T | undefined {
    return this.#map.get(key);
  }

  /** The entry for `key`, made by `create` when absent; either way it becomes the most recent. */
  obtain(key: string, create: (key: string) => T): T {
    const map = this.#map;
    let entry = map.get(key);
    if (entry !== undefined) {
      if (this.#last !== key) {
        map.delete(key);
        map.set(key, entry);
        this.#last = key;
      }
      return entry;
    }
    if (map.size >= this.max) this.#evict(map.size - this.max + 1);
    entry = create(key);
    map.set(key, entry);
    this.#last = key;
    return entry;
  }

  [Symbol.iterator](): IterableIterator<[string, T]> {
    return this.#map.entries();
  }

  /** Drops up to `count` idle entries, oldest first. */
  #evict(count: number): void {
    let left = count;
    for (const [key, entry] of this.#map) {
      if (left === 0) return;
      if (entry.inFlight > 0) continue;
      this.#map.delete(key);
      if (this.#last === key) this.#last = undefined;
      entry.dispose?.();
      left--;
    }
  }
}
