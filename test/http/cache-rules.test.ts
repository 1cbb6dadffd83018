/** The shared-cache rules stale-if-error keeps by, on constructed answers. */
import { describe, expect, it } from 'vitest';
import { directives, keepRule, variantKey } from '../../src/http/cache-rules.js';

const get = (headers: Record<string, string> = {}) =>
  new Request('https://api.test/x', { headers });
const answer = (headers: Record<string, string>, status = 200) =>
  new Response('{}', { status, headers });

describe('cache rules', () => {
  it('parses the directives it reads case-insensitively, quoted values, first one wins, none missed behind junk', () => {
    expect([...directives('Max-Age=60, PUBLIC, stale-if-error="30", max-age=1')]).toEqual([
      ['max-age', '60'],
      ['public', ''],
      ['stale-if-error', '30'],
    ]);
    expect([...directives(`${'x, '.repeat(50_000)}no-store`).keys()]).toEqual(['no-store']);
    expect(directives(Array.from({ length: 100 }, (_, i) => `d${i}`).join(',')).size).toBe(0);
  });

  it('windows: freshness + stale-if-error, capped by maxAgeMs; Age counts; garbage ignored', () => {
    expect(
      keepRule(get(), answer({ 'cache-control': 'max-age=10, stale-if-error=20' }), 60_000),
    ).toEqual({
      vary: [],
      initialAgeMs: 0,
      maxServeAgeMs: 30_000,
    });
    expect(
      keepRule(
        get(),
        answer({ 'cache-control': 'max-age=10, stale-if-error=20', age: '5' }),
        60_000,
      ),
    ).toMatchObject({ initialAgeMs: 5_000, maxServeAgeMs: 30_000 });
    expect(keepRule(get(), answer({ 'cache-control': 'stale-if-error=-1' }), 60_000)).toMatchObject(
      {
        maxServeAgeMs: 60_000,
      },
    );
    // Already older than anything it may be served at: not kept.
    expect(
      keepRule(get(), answer({ 'cache-control': 'max-age=1, must-revalidate', age: '9' }), 60_000),
    ).toBe(undefined);
  });

  it('Expires − Date is the freshness when max-age is absent; an invalid Expires is expired', () => {
    const date = 'Mon, 01 Dec 2025 10:00:00 GMT';
    const rule = (expires: string) =>
      keepRule(get(), answer({ 'cache-control': 'must-revalidate', date, expires }), 60_000)
        ?.maxServeAgeMs;
    expect(rule('Mon, 01 Dec 2025 10:00:20 GMT')).toBe(20_000);
    expect(rule('0')).toBe(0);
  });

  it('Vary: names sorted and lower-cased, `*` refuses, absent and empty headers are different variants', () => {
    expect(keepRule(get(), answer({ vary: 'Accept-Language, accept' }), 1000)?.vary).toEqual([
      'accept',
      'accept-language',
    ]);
    expect(keepRule(get(), answer({ vary: 'accept, *' }), 1000)).toBeUndefined();
    expect(
      keepRule(get(), answer({ vary: 'a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q' }), 1000),
    ).toBeUndefined();
    expect(variantKey(get(), ['x-a'])).not.toBe(variantKey(get({ 'x-a': '' }), ['x-a']));
  });

  it('a 206 is never kept', () => {
    expect(keepRule(get(), answer({}, 206), 1000)).toBeUndefined();
  });
});
