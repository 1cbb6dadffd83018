/** The bounded per-origin table: least recently used idle origins go first, busy ones never. */
import { describe, expect, it } from 'vitest';
import { createClient } from '../../src/http/index.js';
import { OriginTable } from '../../src/http/origin-table.js';

interface Entry {
  inFlight: number;
  disposed: boolean;
  dispose(): void;
}

function entry(): Entry {
  return {
    inFlight: 0,
    disposed: false,
    dispose() {
      this.disposed = true;
    },
  };
}

const keys = (t: OriginTable<Entry>) => [...t].map(([k]) => k);

describe('OriginTable', () => {
  it('makes an entry once and returns the same one after', () => {
    const table = new OriginTable<Entry>(3);
    let made = 0;
    const make = () => {
      made++;
      return entry();
    };
    const a = table.obtain('a', make);
    expect(table.obtain('a', make)).toBe(a);
    expect(made).toBe(1);
    expect(table.size).toBe(1);
  });

  it('evicts the least recently used entry when a new one passes the cap, and disposes it', () => {
    const table = new OriginTable<Entry>(2);
    const a = table.obtain('a', entry);
    table.obtain('b', entry);
    table.obtain('a', entry); // a is now the most recent
    table.obtain('c', entry);
    expect(keys(table)).toEqual(['a', 'c']);
    expect(a.disposed).toBe(false);
    expect(table.peek('b')).toBeUndefined();
  });

  it('never evicts an entry with requests in flight; skips to the next idle one', () => {
    const table = new OriginTable<Entry>(2);
    const a = table.obtain('a', entry);
    const b = table.obtain('b', entry);
    a.inFlight = 1;
    table.obtain('c', entry);
    expect(keys(table)).toEqual(['a', 'c']);
    expect(b.disposed).toBe(true);
    expect(a.disposed).toBe(false);
  });

  it('grows past the cap while every entry is busy, and shrinks back when they go idle', () => {
    const table = new OriginTable<Entry>(2);
    const a = table.obtain('a', entry);
    const b = table.obtain('b', entry);
    a.inFlight = 1;
    b.inFlight = 2;
    table.obtain('c', entry);
    expect(table.size).toBe(3);
    a.inFlight = 0;
    b.inFlight = 0;
    table.obtain('d', entry);
    expect(keys(table)).toEqual(['c', 'd']);
  });

  it('peek does not refresh recency', () => {
    const table = new OriginTable<Entry>(2);
    table.obtain('a', entry);
    table.obtain('b', entry);
    table.peek('a');
    table.obtain('c', entry);
    expect(keys(table)).toEqual(['b', 'c']);
  });

  it('Infinity keeps every entry', () => {
    const table = new OriginTable<Entry>(Number.POSITIVE_INFINITY);
    for (let i = 0; i < 5000; i++) table.obtain(`o${i}`, entry);
    expect(table.size).toBe(5000);
  });
});

describe('maxOrigins option', () => {
  it('is validated: an integer ≥ 1 or Infinity', () => {
    expect(() => createClient({ maxOrigins: 0 })).toThrow(RangeError);
    expect(() => createClient({ maxOrigins: 0 })).toThrow('`maxOrigins`');
    expect(() => createClient({ maxOrigins: 2.5 })).toThrow(/`maxOrigins` to be an integer ≥ 1/);
    expect(() => createClient({ maxOrigins: '10' as never })).toThrow(TypeError);
    expect(() => createClient({ maxOrigins: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});

describe('createClient with maxOrigins', () => {
  it('keeps the most recently used origins, never dropping one with a request in flight', async () => {
    const pending: Array<() => void> = [];
    const fetch = async (input: Request | string | URL) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url.includes('/slow')) await new Promise<void>((resolve) => pending.push(resolve));
      return new Response('{}');
    };
    const api = createClient({ fetch, maxOrigins: 2, throttle: false });
    const origins = () => Object.keys(api.health().origins);
    await api.get('https://a.test/x');
    await api.get('https://b.test/x');
    await api.get('https://a.test/x'); // a is the most recent now
    await api.get('https://c.test/x');
    expect(origins()).toEqual(['https://a.test', 'https://c.test']);

    const slow = api.get('https://a.test/slow'); // a busy
    await new Promise((r) => setTimeout(r, 10));
    await api.get('https://c.test/x');
    await api.get('https://d.test/x'); // a is the oldest, but in flight: c goes
    expect(origins()).toEqual(['https://a.test', 'https://d.test']);
    pending.shift()!();
    await slow;
    expect(api.health().origins['https://a.test']!.counts.requests).toBe(3);
  });
});
